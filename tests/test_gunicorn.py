"""The web role's gunicorn command, as docker-compose.yml writes it, serves; its config tunes
each worker's collector as the Celery workers and the CLI are tuned."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from harness.services import free_port
from titiktemu.runtime import THRESHOLDS
from web.gunicorn_conf import post_worker_init

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
def test_each_worker_starts_with_the_collector_tuned() -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    post_worker_init(worker=None)
    assert gc.get_threshold() == THRESHOLDS
    assert gc.get_freeze_count() > 0


def test_the_compose_web_command_serves(tmp_path: Path) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    command = [str(part) for part in compose["services"]["web"]["command"]]
    assert "python:web.gunicorn_conf" in command
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        *(f"127.0.0.1:{port}" if part == "0.0.0.0:8000" else part for part in command[1:]),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITIKTEMU_")}
    env.update(TITIKTEMU_INSTANCE_DIR=str(tmp_path), WEB_CONCURRENCY="1")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                break
            except urllib.error.HTTPError:
                break  # an answer (503 before `db upgrade`): the worker booted and serves
            except OSError:
                assert server.poll() is None, server.communicate()[1][-2000:]
                assert time.monotonic() < deadline, "gunicorn did not serve within 60 s"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.communicate(timeout=20)
