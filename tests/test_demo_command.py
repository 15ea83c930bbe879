"""``titiktemu demo``: one command from nothing to a served, signed-in Klaten."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from titiktemu.extensions import db
from titiktemu.models import Base

SCRIPT = Path(sys.executable).parent / "titiktemu"


def table_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


def test_demo_twice_duplicates_nothing(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "koordinator@example.org" in first.output
    assert "pendamping@example.org" in first.output
    assert "titiktemu-demo" in first.output and "DEMO accounts" in first.output
    after_first = table_counts(app)
    assert after_first["people"] >= 60
    assert after_first["interventions"] >= 150
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    assert table_counts(app) == after_first


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITIKTEMU_")}
    env["TITIKTEMU_INSTANCE_DIR"] = str(tmp_path)
    env.update(extra)
    return env


def test_production_refuses_demo_accounts(tmp_path: Path) -> None:
    env = _clean_env(
        tmp_path,
        TITIKTEMU_ENV="production",
        TITIKTEMU_SECRET_KEY="s" * 40,
        TITIKTEMU_BASE_URL="https://titiktemu.example.org",
    )
    done = subprocess.run(
        [str(SCRIPT), "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "refusing to seed demo accounts" in done.stderr
    assert not (tmp_path / "titiktemu.db").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_serves_and_a_demo_login_works(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [str(SCRIPT), "demo", "--host", "127.0.0.1", "--port", str(port)],
        env=_clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert server.poll() is None, "demo exited before serving"
                assert time.monotonic() < deadline, "demo did not serve within 90 s"
                time.sleep(0.3)
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = browser.open(f"{base}/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token
        form = urllib.parse.urlencode(
            {
                "email": "koordinator@example.org",
                "password": "titiktemu-demo",
                "csrf_token": token.group(1),
            }
        ).encode()
        home = browser.open(f"{base}/login", data=form, timeout=10)
        html = home.read().decode()
        assert home.url == f"{base}/"
        assert "Kabupaten Klaten" in html
        assert "Akun demo" in html  # the demo says plainly that it is a demo
    finally:
        server.terminate()
        server.wait(timeout=20)
        if server.stdout:
            server.stdout.close()
