"""Time the pages people wait for, on gunicorn, with 20 signed-in people at once.

    python -m benchmarks.web [--database-url URL] [--users 20] [--coordinators 14] [--rounds 8]
                             [--workers 2] [--volume busy|demo]

The database is ``--database-url``, else TITIKTEMU_TEST_DATABASE_URL (PostgreSQL; the run empties
it: use one of its own). Untimed setup: migrations, Klaten (33.10), the demo and its rebuild, then
(``--volume busy``, the default) bulk rows until the regency holds 10,000 pending proposals and
2,000 open overlap flags (``benchmarks.web_data``); coordinator and facilitator accounts, each with
an API token.

Then gunicorn serves the app on loopback with ``--workers`` sync workers (2: what this 2-core
machine can give it; the image's default is ``WEB_CONCURRENCY=3``), every page is fetched once per
account kind to warm both workers, and Locust (``benchmarks.web_users``, a process of its own)
signs the people in and has each make ``--rounds`` rounds of requests: coordinators `/healthz`,
home, the review queue, overlaps, coverage and ``/api/v1/proposals``; facilitators `/healthz`,
home, coverage and the API. Printed: p50 and p95 per page (nearest rank), their ratio to the
`/healthz` p95 of the same run (what queueing alone costs on this machine at that moment), the
largest answer, errors, and the targets (every page's p95 within 3x `/healthz`'s, no error, every
HTML page under 60 KB). Each person pauses 1 to 3 s before each request (``--think``), as people
do: with no pause 20 people keep both workers saturated and every figure, `/healthz`'s too, is
the queue's. The first request too (until December 2026 it was not: everyone signed in, then
all twenty first requests went out at the same instant and queued on the two workers; those
twenty were the slowest of a run, and decided the p95 of pages asked 112 times). The load average is printed: read figures against it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_migrate import upgrade

from benchmarks.imports import ensure_database
from benchmarks.web_data import Volume, top_up
from harness.database import reset_database
from harness.services import free_port
from titiktemu.accounts.tokens import create_token
from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR, DEMO_PASSWORD, seed_demo
from titiktemu.extensions import db
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import Kecamatan, Person, Role
from titiktemu.places.regions import load_regions, resolve_codes
from titiktemu.settings import Settings
from titiktemu.vocabulary.taxonomy import load_taxonomy
from web.app import create_app

KLATEN = "33.10"
#: A page's p95 may be this many times `/healthz`'s p95 of the same run.
TARGET_RATIO = 3.0
BUDGET_BYTES = 60 * 1024
#: Above this `/healthz` p95 the workers are saturated: the ratios then measure the queue only.
CALM_HEALTHZ_MS = 250.0
#: The sign-in form's CSRF token (``benchmarks.web_users`` reads it the same way; importing
#: that module here would let Locust patch this process for gevent).
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PAGES = ("healthz", "home", "review", "overlaps", "coverage", "api proposals")


def _percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank: the smallest value at or above a fraction ``q`` of them."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def _verdict(ok: bool) -> str:
    return "met   " if ok else "MISSED"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _env(url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITIKTEMU_")}
    env.update(
        TITIKTEMU_DATABASE_URL=url,
        TITIKTEMU_INSTANCE_DIR=str(instance),
        TITIKTEMU_BASE_URL="http://127.0.0.1:5000",
    )
    return env


def _prepare(
    settings: Settings, volume: str, coordinators: int, facilitators: int
) -> dict[str, Any]:
    """The database for the run, and the accounts (email, API token) of each role."""
    ensure_database(settings.database_url)
    reset_database(settings.database_url)
    app = create_app(settings)
    with app.app_context():
        session = db.session()
        upgrade()
        load_regions(session, resolve_codes([KLATEN]))
        load_taxonomy(session)
        session.commit()
        seed_demo(session, KLATEN)
        session.commit()
        rebuild_regency(session, KLATEN)
        session.commit()
        if volume == "busy":
            added = top_up(session, KLATEN, Volume())
            session.commit()
            print(
                f"added: {added.needs} needs, {added.offers} offers, {added.proposals} proposals, "
                f"{added.interventions} interventions, {added.flags} flags"
            )
        accounts = {
            "coordinator": _accounts(session, Role.COORDINATOR, DEMO_COORDINATOR, coordinators),
            "facilitator": _accounts(session, Role.FACILITATOR, DEMO_FACILITATOR, facilitators),
        }
        kecamatan = list(
            session.scalars(
                sa.select(Kecamatan.code)
                .where(Kecamatan.regency_code == KLATEN)
                .order_by(Kecamatan.code)
            )
        )
        session.commit()
        db.session.remove()
        # What autovacuum leaves after a bulk load: fresh planner statistics and the visibility
        # map set, so counts read the queue's indexes alone (a server with autovacuum off, as
        # the test server here, would otherwise have every count read the table).
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()
    return {"accounts": accounts, "kecamatan": kecamatan}


def _accounts(session: Any, role: Role, demo_email: str, count: int) -> list[dict[str, Any]]:
    """``count`` people of ``role`` who sign in with the demo password (the demo's own account
    first; more coordinators are added, facilitators borrowed from the demo), each with a token."""
    demo = session.scalars(sa.select(Person).where(Person.email == demo_email)).one()
    people = [demo]
    if role is Role.FACILITATOR:
        people += session.scalars(
            sa.select(Person)
            .where(Person.role == role, Person.regency_code == KLATEN, Person.id != demo.id)
            .order_by(Person.id)
            .limit(count - 1)
        ).all()
    while len(people) < count:
        n = len(people)
        person = Person(
            email=f"koordinator{n}@example.org",
            name=f"Koordinator {n}",
            role=role,
            regency_code=KLATEN,
            is_demo=True,
        )
        session.add(person)
        people.append(person)
    for person in people:
        person.password_hash = demo.password_hash  # one scrypt hash for all: setup stays quick
    session.flush()
    return [
        {"email": p.email, "token": create_token(session, p, "page benchmark")[1]} for p in people
    ]


def _plan(
    base_url: str,
    accounts: dict[str, list[dict[str, Any]]],
    kecamatan: list[str],
    rounds: int,
    seed: int = 20260114,
) -> dict[str, Any]:
    """Each account's requests: ``rounds`` rounds of its role's pages, the variants a person
    would open (first pages mostly, a filter, a later page), in a fixed shuffled order."""
    rng = random.Random(seed)
    plan: dict[str, Any] = {"base_url": base_url, "password": DEMO_PASSWORD, "accounts": {}}
    for role, people in accounts.items():
        plan["accounts"][role] = []
        for person in people:
            requests: list[tuple[str, str]] = []
            for _ in range(rounds):
                k = rng.choice(kecamatan)
                page: list[tuple[str, str]] = [
                    ("healthz", "/healthz"),
                    ("home", "/"),
                    ("coverage", rng.choice(("/coverage", f"/coverage?kecamatan={k}"))),
                    (
                        "api proposals",
                        rng.choice(
                            (
                                "/api/v1/proposals",
                                "/api/v1/proposals?status=proposed&limit=50",
                                f"/api/v1/proposals?kecamatan={k}",
                            )
                        ),
                    ),
                ]
                if role == "coordinator":
                    page += [
                        (
                            "review",
                            rng.choice(
                                (
                                    "/review",
                                    "/review",
                                    "/review?page=2",
                                    f"/review?kecamatan={k}",
                                    f"/review?page={rng.randint(3, 60)}",
                                )
                            ),
                        ),
                        ("overlaps", rng.choice(("/overlaps", "/overlaps", "/overlaps?page=2"))),
                    ]
                rng.shuffle(page)
                requests += page
            plan["accounts"][role].append({**person, "requests": requests})
    return plan


@contextmanager
def _gunicorn(env: dict[str, str], workers: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The web app on gunicorn's sync workers, as the image starts it; its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            "python:web.gunicorn_conf",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-tmp-dir",
            "/dev/shm",
            "web.app:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        yield url, server
    finally:
        server.terminate()
        server.wait(20)


def _warm(plan: dict[str, Any]) -> None:
    """Every distinct page once per role and worker (untimed): templates compiled, imports done."""
    import requests  # Locust's own client library; only the warm-up needs it here

    for people in plan["accounts"].values():
        person = people[0]
        client = requests.Session()
        token = CSRF.search(client.get(plan["base_url"] + "/login").text)
        assert token, "no CSRF token on /login"
        client.post(
            plan["base_url"] + "/login",
            data={"email": person["email"], "password": plan["password"], "csrf_token": token[1]},
        )
        auth = {"Authorization": f"Bearer {person['token']}"}
        for _name, path in sorted(set(map(tuple, person["requests"]))):
            for _ in range(2):
                client.get(plan["base_url"] + path, headers=auth if "/api/" in path else {})


def _drive(plan: dict[str, Any], work: Path) -> dict[str, Any]:
    plan_path, results_path = work / "plan.json", work / "results.json"
    plan_path.write_text(json.dumps(plan))
    subprocess.run(
        [sys.executable, "-m", "benchmarks.web_users", str(plan_path), str(results_path)],
        check=True,
    )
    result: dict[str, Any] = json.loads(results_path.read_text())
    return result


def _report(result: dict[str, Any]) -> bool:
    times: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, int] = defaultdict(int)
    errors: dict[str, list[str]] = defaultdict(list)
    for name, ms, size, error in result["rows"]:
        times[name].append(ms)
        sizes[name] = max(sizes[name], size)
        if error:
            errors[name].append(error)
    base = _percentile(times["healthz"], 0.95) if times["healthz"] else float("nan")
    print(f"\n{len(result['rows'])} requests in {result['seconds']:.1f} s")
    print(
        f"{'page':<15}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'x healthz':>11}{'max KB':>9}{'errors':>8}"
    )
    ok = True
    lines = []
    for name in PAGES:
        found = times.get(name)
        if not found:
            continue
        p50, p95 = _percentile(found, 0.5), _percentile(found, 0.95)
        ratio = p95 / base
        print(
            f"{name:<15}{len(found):>6}{p50:>9.0f}{p95:>9.0f}{ratio:>10.1f}x"
            f"{sizes[name] / 1024:>9.1f}{len(errors[name]):>8}"
        )
        if name != "healthz":
            met = ratio <= TARGET_RATIO
            ok &= met
            lines.append(
                f"  {_verdict(met)} {name} p95 {p95:.0f} ms <= {TARGET_RATIO:g}x /healthz ({ratio:.1f}x)"
            )
    failures = sum(len(e) for e in errors.values())
    for name, messages in errors.items():
        if messages:
            print(f"  errors on {name}: {sorted(set(messages))[:3]}")
    # The budget is a phone's for HTML; the API's JSON pages are sized by their ``limit``.
    biggest = max((size for name, size in sizes.items() if not name.startswith("api")), default=0)
    print("\ntargets")
    for line in lines:
        print(line)
    # Past saturation every request waits in the same queue and every ratio drifts to 1x.
    calm = base <= CALM_HEALTHZ_MS
    print(
        f"  {_verdict(calm)} /healthz p95 {base:.0f} ms <= {CALM_HEALTHZ_MS:g} ms (not saturated)"
    )
    print(f"  {_verdict(failures == 0)} no error ({failures})")
    print(
        f"  {_verdict(biggest < BUDGET_BYTES)} every page under 60 KB (largest {biggest / 1024:.1f} KB)"
    )
    return ok and calm and failures == 0 and biggest < BUDGET_BYTES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("TITIKTEMU_TEST_DATABASE_URL"))
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--coordinators", type=int, default=14)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"))
    parser.add_argument("--volume", choices=("busy", "demo"), default="busy")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error("a PostgreSQL --database-url (or TITIKTEMU_TEST_DATABASE_URL) is needed")
    print(f"python {platform.python_version()} · {os.cpu_count()} cores · load {_load()}")
    with tempfile.TemporaryDirectory(prefix="titiktemu-web-") as tmp:
        work = Path(tmp)
        env = _env(args.database_url, work)
        settings = Settings.from_env(env)
        started = time.perf_counter()
        prepared = _prepare(
            settings, args.volume, args.coordinators, args.users - args.coordinators
        )
        print(f"setup (untimed): {time.perf_counter() - started:.0f} s, volume {args.volume}")
        with _gunicorn(env, args.workers) as (url, _server):
            plan = _plan(url, prepared["accounts"], prepared["kecamatan"], args.rounds)
            plan["timeout"] = 900
            plan["think"] = list(args.think)
            _warm(plan)
            print(
                f"gunicorn {args.workers} sync workers · {args.users} people "
                f"({args.coordinators} coordinators) · {args.rounds} rounds · load {_load()}"
            )
            result = _drive(plan, work)
        print(f"load after: {_load()}")
    return 0 if _report(result) else 1


if __name__ == "__main__":
    sys.exit(main())
