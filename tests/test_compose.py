"""The deployment files agree with the code: docker-compose.yml, Dockerfile, .dockerignore, README.

Docker is not needed: the files are parsed and their settings checked with ``Settings.from_env``,
the same validation the processes run at start-up.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy.engine import make_url

from titiktemu.settings import DOCUMENTED, Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
README = ROOT / "README.md"

EXPECTED_SERVICES = {"postgres", "redis", "migrate", "web", "worker", "beat", "mailpit"}
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat")
REQUIRED = tuple(
    f"TITIKTEMU_{name}"
    for name in (
        "DATABASE_URL",
        "BROKER_URL",
        "SMTP_URL",
        "SECRET_KEY",
        "MAIL_FROM",
        "BASE_URL",
        "ENV",
    )
)
#: Settings whose host must be another service of the file (BASE_URL is the public address).
SERVICE_URLS = ("TITIKTEMU_DATABASE_URL", "TITIKTEMU_BROKER_URL", "TITIKTEMU_SMTP_URL")
DUMMY_SECRET = "d" * 32

# Compose interpolation: $$ (a literal $), ${VAR}, ${VAR:-default}, ${VAR-default},
# ${VAR:?error}, ${VAR?error}, and the unbraced $VAR.
_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: str) -> str:
    """``value`` as compose would see it with no variable set in the shell: defaults apply, and
    required (``:?``) variables get a 32-character dummy. A bare ``${VAR}`` would silently become
    an empty string, so it fails the test instead."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        op = match["op"]
        if op is None:
            pytest.fail(
                f"{value!r}: ${{{match['name'] or match['bare']}}} has no default or :? error"
            )
        if op.endswith("?"):
            return DUMMY_SECRET
        return str(match["arg"])

    return _INTERPOLATION.sub(replace, value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose["services"]
    return services


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command")
    assert command, "no command"
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    """The service's environment, list or mapping form, before interpolation."""
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.split("=", 1) for item in environment)
        return {pair[0]: pair[1] if len(pair) == 2 else "" for pair in pairs}
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """Dependency name -> condition (short list form means service_started)."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs of the Dockerfile, continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def test_expected_services_exist(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) >= EXPECTED_SERVICES, EXPECTED_SERVICES - set(services)


def test_app_services_share_one_image_built_from_the_dockerfile(
    services: dict[str, dict[str, Any]],
) -> None:
    images = {name: services[name].get("image") for name in APP_SERVICES}
    assert None not in images.values(), images
    assert len(set(images.values())) == 1, images

    builders = [name for name in APP_SERVICES if "build" in services[name]]
    assert len(builders) == 1, f"build the image once, not in {builders}"
    build = services[builders[0]]["build"]
    if isinstance(build, str):
        build = {"context": build}
    context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    assert (ROOT / context).resolve() == ROOT
    assert (ROOT / context / dockerfile).resolve() == DOCKERFILE
    # The image exists only locally: the others must not look for it in a registry.
    for name in APP_SERVICES:
        if name not in builders:
            assert services[name].get("pull_policy") == "never", name
    # And every app service waits for the builder, so `up` of any of them builds the image.
    for name in APP_SERVICES:
        if name not in builders:
            assert builders[0] in depends_on(services[name]), name


def test_web_runs_gunicorn_on_the_app_factory(services: dict[str, dict[str, Any]]) -> None:
    command = command_of(services["web"])
    assert Path(command[0]).name == "gunicorn"
    assert "web.app:create_app()" in command
    published = [str(port) for port in services["web"].get("ports", [])]
    assert any(port.endswith(":8000") for port in published), published


def test_worker_and_beat_run_celery(services: dict[str, dict[str, Any]]) -> None:
    assert command_of(services["worker"])[:4] == ["celery", "-A", "worker", "worker"]
    assert command_of(services["beat"])[:4] == ["celery", "-A", "worker", "beat"]


def test_migrate_upgrades_the_database_first(services: dict[str, dict[str, Any]]) -> None:
    migrate = services["migrate"]
    script = " ".join(command_of(migrate))
    assert "titiktemu db upgrade" in script
    assert str(migrate.get("restart", "no")) == "no"
    assert depends_on(migrate).get("postgres") == "service_healthy"
    for name in LONG_RUNNING:
        assert depends_on(services[name]).get("migrate") == "service_completed_successfully", name
    assert depends_on(services["web"]).get("redis") == "service_healthy"


def test_healthy_conditions_have_healthchecks(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for dependency, condition in depends_on(service).items():
            assert dependency in services, f"{name} depends on unknown service {dependency}"
            if condition == "service_healthy":
                check = services[dependency].get("healthcheck") or {}
                assert check.get("test"), dependency
                assert not check.get("disable"), dependency


def test_every_titiktemu_variable_is_documented() -> None:
    for path in (COMPOSE, DOCKERFILE):
        used = set(re.findall(r"\bTITIKTEMU_[A-Z0-9_]+", path.read_text(encoding="utf-8")))
        assert used <= set(DOCUMENTED), (
            f"{path.name}: undocumented {sorted(used - set(DOCUMENTED))}"
        )


def test_required_settings_are_set_for_every_process(services: dict[str, dict[str, Any]]) -> None:
    for name in (*LONG_RUNNING, "migrate"):
        environment = environment_of(services[name])
        missing = [var for var in REQUIRED if not environment.get(var)]
        assert not missing, f"{name} lacks {missing}"
        assert environment["TITIKTEMU_ENV"] == "production", name


def test_secret_key_must_come_from_the_shell(services: dict[str, dict[str, Any]]) -> None:
    """No secret in the file: compose refuses to start when TITIKTEMU_SECRET_KEY is unset."""
    for name in (*LONG_RUNNING, "migrate"):
        value = environment_of(services[name])["TITIKTEMU_SECRET_KEY"]
        assert re.fullmatch(r"\$\{TITIKTEMU_SECRET_KEY:\?[^}]+\}", value), (name, value)


@pytest.mark.parametrize("name", [*LONG_RUNNING, "migrate"])
def test_settings_validate_and_urls_name_services(
    name: str, services: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    environment = {key: interpolate(value) for key, value in environment_of(services[name]).items()}
    # Keep the check side-effect free: nothing may be written into the working directory.
    environment.setdefault("TITIKTEMU_INSTANCE_DIR", str(tmp_path))

    settings = Settings.from_env(environment)

    assert settings.production
    assert settings.secret_key == DUMMY_SECRET
    hosts = {
        "TITIKTEMU_DATABASE_URL": make_url(settings.database_url).host,
        "TITIKTEMU_BROKER_URL": urlsplit(settings.broker_url or "").hostname,
        "TITIKTEMU_SMTP_URL": urlsplit(settings.smtp_url or "").hostname,
    }
    assert set(hosts) == set(SERVICE_URLS)
    for variable, host in hosts.items():
        assert host in services, f"{name}: {variable} points at {host!r}, not a service"
    assert make_url(settings.database_url).drivername == "postgresql+psycopg"
    assert hosts["TITIKTEMU_DATABASE_URL"] == "postgres"
    assert hosts["TITIKTEMU_BROKER_URL"] == "redis"
    assert hosts["TITIKTEMU_SMTP_URL"] == "mailpit"


def test_dockerfile_is_non_root_with_healthcheck() -> None:
    instructions = dockerfile_instructions()
    keywords = [keyword for keyword, _ in instructions]

    assert instructions[0][0] == "FROM"
    assert instructions[0][1].startswith("python:3.11-slim")
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users, "no USER: the processes would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users[-1]
    assert keywords.index("USER") < keywords.index("CMD")

    healthchecks = [arguments for keyword, arguments in instructions if keyword == "HEALTHCHECK"]
    assert len(healthchecks) == 1
    assert "/healthz" in healthchecks[0]
    assert "curl" not in healthchecks[0], "python:3.11-slim has no curl"
    assert ("EXPOSE", "8000") in instructions

    cmd = [arguments for keyword, arguments in instructions if keyword == "CMD"][-1]
    assert "gunicorn" in cmd
    assert "web.app:create_app()" in cmd
    assert "python:web.gunicorn_conf" in cmd  # each worker's collector tuned (test_gunicorn)
    assert "0.0.0.0:8000" in cmd


def test_dockerignore_keeps_what_the_image_needs() -> None:
    patterns = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", "instance", "artifacts", ".git"} <= patterns
    # The wheel carries migrations/ (as titiktemu/migrations); README.md is pyproject's readme.
    for needed in ("migrations", "README.md", "titiktemu", "web", "worker", "pyproject.toml", "*"):
        assert needed not in patterns, needed


def test_readme_documents_every_setting() -> None:
    assert README.exists(), "README.md is missing"
    text = README.read_text(encoding="utf-8")
    missing = [name for name in DOCUMENTED if name not in text]
    assert not missing, f"README.md does not mention {missing}"
