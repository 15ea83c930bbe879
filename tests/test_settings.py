"""Settings: embedded defaults with nothing set, one clear line for a malformed value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from titiktemu.settings import DOCUMENTED, Settings, SettingsError


def test_embedded_default_with_nothing_set(tmp_path: Path) -> None:
    settings = Settings.from_env({"TITIKTEMU_INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'titiktemu.db'}"
    assert settings.eager and settings.broker_url is None
    assert settings.smtp_url is None
    assert settings.outbox_dir == tmp_path / "outbox"
    assert not settings.production


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings.from_env({"TITIKTEMU_INSTANCE_DIR": str(tmp_path)}).secret_key
    second = Settings.from_env({"TITIKTEMU_INSTANCE_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysql://u@h/db"),
        ("BROKER_URL", "localhost:6379"),
        ("BROKER_URL", "redis://host:port/0"),
        ("BROKER_URL", "redis:6379"),
        ("SMTP_URL", "mail.example.org"),
        ("SMTP_URL", "smtp://"),
        ("BASE_URL", "example.org"),
        ("MAIL_FROM", "nobody"),
        ("SECRET_KEY", "short"),
        ("ENV", "staging"),
    ],
)
def test_malformed_setting_names_the_variable(tmp_path: Path, name: str, value: str) -> None:
    env = {"TITIKTEMU_INSTANCE_DIR": str(tmp_path), f"TITIKTEMU_{name}": value}
    with pytest.raises(SettingsError, match=f"TITIKTEMU_{name}"):
        Settings.from_env(env)


def test_production_needs_a_secret_key(tmp_path: Path) -> None:
    env = {
        "TITIKTEMU_INSTANCE_DIR": str(tmp_path),
        "TITIKTEMU_ENV": "production",
        "TITIKTEMU_BASE_URL": "https://titiktemu.example.org",
    }
    with pytest.raises(SettingsError, match="TITIKTEMU_SECRET_KEY"):
        Settings.from_env(env)


def test_production_needs_a_base_url(tmp_path: Path) -> None:
    env = {
        "TITIKTEMU_INSTANCE_DIR": str(tmp_path),
        "TITIKTEMU_ENV": "production",
        "TITIKTEMU_SECRET_KEY": "x" * 40,
    }
    with pytest.raises(SettingsError, match="TITIKTEMU_BASE_URL"):
        Settings.from_env(env)


def test_bare_postgresql_gets_the_installed_driver(tmp_path: Path) -> None:
    env = {
        "TITIKTEMU_INSTANCE_DIR": str(tmp_path),
        "TITIKTEMU_DATABASE_URL": "postgresql://u:p@h/d",
    }
    assert Settings.from_env(env).database_url == "postgresql+psycopg://u:p@h/d"


def test_production_settings_parse(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "TITIKTEMU_INSTANCE_DIR": str(tmp_path),
            "TITIKTEMU_ENV": "production",
            "TITIKTEMU_DATABASE_URL": "postgresql+psycopg://titiktemu@db:5432/titiktemu",
            "TITIKTEMU_BROKER_URL": "redis://redis:6379/0",
            "TITIKTEMU_SMTP_URL": "smtp://user:pass@mail:587",
            "TITIKTEMU_SECRET_KEY": "x" * 40,
            "TITIKTEMU_MAIL_FROM": "Titik Temu <noreply@klatenkab.go.id>",
            "TITIKTEMU_BASE_URL": "https://titiktemu.klatenkab.go.id/",
        }
    )
    assert settings.production and not settings.eager
    assert settings.base_url == "https://titiktemu.klatenkab.go.id"


def test_cli_stops_with_one_clear_line_on_a_malformed_setting(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITIKTEMU_")}
    env.update(TITIKTEMU_INSTANCE_DIR=str(tmp_path), TITIKTEMU_DATABASE_URL="postgres//oops")
    script = Path(sys.executable).parent / "titiktemu"
    done = subprocess.run(
        [str(script), "regions", "load", "33.10"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "TITIKTEMU_DATABASE_URL" in lines[0]


def test_every_documented_variable_is_read() -> None:
    source = Path(__file__).resolve().parents[1].joinpath("titiktemu/settings.py").read_text()
    for name in DOCUMENTED:
        assert f'get("{name.removeprefix("TITIKTEMU_")}")' in source, name
