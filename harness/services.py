"""Real services for the fault tests and the pipeline benchmark: nothing of ours is mocked.

A recording SMTP server (aiosmtpd) on a free loopback port (in a thread, or in a process of its
own for timing), a ``celery worker`` subprocess in a process group of its own (so a test can
``kill -9`` all of it at once) and a private ``redis-server`` a test may kill and restart without
touching the machine's own. Every one is stopped by its context manager or ``close()`` in a
``finally``, whatever the test did, and every wait has a deadline.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.parser import BytesParser
from pathlib import Path
from typing import IO, Any

import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy.orm import Session

from titiktemu.exchange.commands import NeedInput, save_need
from titiktemu.extensions import db
from titiktemu.jobs.queue import celery_of
from titiktemu.models import Need
from titiktemu.settings import Settings
from web.app import create_app

ROOT = Path(__file__).resolve().parents[1]


class ServiceUnavailableError(RuntimeError):
    """A binary a real-service test needs is missing (the test skips, or fails in CI)."""


#: Ports a live process of ours holds for later (a Redis it kills and starts again on the same
#: port): one file per port, holding the owner's pid, shared by every test process of the machine.
RESERVED = Path(tempfile.gettempdir()) / "titiktemu-reserved-ports"


def _reserved(port: int) -> bool:
    """Whether a live process reserved ``port`` (a reservation of a dead one is dropped)."""
    mark = RESERVED / str(port)
    try:
        owner = int(mark.read_text() or 0)
    except (OSError, ValueError):
        return False
    try:
        os.kill(owner, 0)
    except ProcessLookupError:
        mark.unlink(missing_ok=True)
        return False
    except PermissionError:
        return True
    return True


def free_port(*, reserve: bool = False) -> int:
    """A loopback port nobody listens on right now (the OS picks it), and that no process of ours
    holds for later; ``reserve``: hold it for this process until ``release_port``.

    Why the reservations: a test that kills its Redis and starts it again on the same port
    leaves the port free for two seconds, and another test process picking a port then could
    start its own server there; both would share one broker, and each worker would take the
    other's jobs (seen once as a broker-restart test that timed out in a full parallel run)."""
    RESERVED.mkdir(exist_ok=True)
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if _reserved(port):
            continue
        if not reserve:
            return port
        try:
            fd = os.open(RESERVED / str(port), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as mark:
            mark.write(str(os.getpid()))
        return port
    raise ServiceUnavailableError("no free loopback port that is not reserved")


def release_port(port: int) -> None:
    (RESERVED / str(port)).unlink(missing_ok=True)


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.05
) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# --- SMTP ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One message as the SMTP server accepted it (after its 250)."""

    message_id: str
    recipients: tuple[str, ...]
    subject: str
    message: email.message.EmailMessage


class RecordingHandler:
    """Accepts everything except the addresses in ``refuse`` (550 at RCPT), and records it."""

    def __init__(self, refuse: Iterable[str] = ()) -> None:
        self.refuse = {a.lower() for a in refuse}
        self.received: list[Received] = []
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        with self.lock:
            self.received.append(
                Received(
                    message_id=str(message["Message-ID"]),
                    recipients=tuple(envelope.rcpt_tos),
                    subject=str(message["Subject"]),
                    message=message,
                )
            )
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1; may be started and stopped again on the same port."""

    def __init__(self, port: int | None = None, refuse: Iterable[str] = ()) -> None:
        self.port = port or free_port()
        self.handler = RecordingHandler(refuse)
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def message_ids(self) -> Counter[str]:
        """How many times each Message-ID arrived."""
        return Counter(r.message_id for r in self.received)

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        wait_until(lambda: len(self.received) >= count, timeout, f"{count} emails at {self.url}")
        return self.received


@contextmanager
def smtp_server(port: int | None = None, refuse: Iterable[str] = ()) -> Iterator[SmtpServer]:
    server = SmtpServer(port, refuse)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class MessageIdFile:
    """A handler for a server in another process: each accepted Message-ID, a line in a file."""

    def __init__(self, path: str) -> None:
        self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open while serving

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=email.policy.compat32).parsebytes(
            envelope.content, headersonly=True
        )
        self.handle.write(f"{message['Message-ID']}\n")
        self.handle.flush()
        return "250 Message accepted for delivery"


def _serve_smtp(port: int, path: str) -> None:
    """The body of ``SmtpProcess``: serve until killed."""
    controller = Controller(MessageIdFile(path), hostname="127.0.0.1", port=port)
    controller.start()
    while True:
        time.sleep(3600)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class SmtpProcess:
    """aiosmtpd in a process of its own, for timing a sender: in the sender's own process the
    server's thread would take turns with it for the GIL and the benchmark would time that."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.TemporaryDirectory(prefix="titiktemu-smtp-")
        self.path = Path(self.dir.name) / "message-ids"
        self.path.touch()
        code = f"from harness.services import _serve_smtp; _serve_smtp({self.port}, {str(self.path)!r})"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until(lambda: _accepts(self.port), 30, f"aiosmtpd on {self.port}")
        except BaseException:
            self.close()
            raise

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def message_ids(self) -> Counter[str]:
        return Counter(self.path.read_text(encoding="utf-8").split())

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=20)
        self.dir.cleanup()


# --- Redis --------------------------------------------------------------------------------------


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def flush_redis(url: str) -> None:
    """Empty the Redis database of ``url``: no message of an earlier run is delivered again."""
    with redis_client(url) as client:
        client.flushdb()


def _redis_answers(url: str) -> bool:
    try:
        with redis_client(url) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


class PrivateRedis:
    """A ``redis-server`` of our own on a free port, without persistence: kill -9 loses it all."""

    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceUnavailableError("redis-server is not installed")
        self.binary = binary
        self.port = port or free_port(reserve=True)
        self.dir = tempfile.TemporaryDirectory(prefix="titiktemu-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", self.dir.name, "--protected-mode", "no"]
        self.proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_until(lambda: _redis_answers(self.url), timeout, f"redis-server on {self.port}")
        # The server answering must be ours, not another one started on the port meanwhile.
        client = redis.Redis.from_url(self.url)
        try:
            server: dict[str, Any] = client.info("server")  # type: ignore[assignment]
            answering = int(server["process_id"])
        finally:
            client.close()
        if answering != self.proc.pid:
            raise ServiceUnavailableError(
                f"port {self.port} is another redis-server's (pid {answering}), not ours"
            )

    def kill(self) -> None:
        """SIGKILL: what is in memory (queued and unacknowledged messages) is gone."""
        if self.proc is not None:
            with suppress(ProcessLookupError):
                self.proc.kill()
            self.proc.wait(timeout=20)
            self.proc = None

    def close(self) -> None:
        self.kill()
        release_port(self.port)
        self.dir.cleanup()


# --- Celery worker ------------------------------------------------------------------------------


def worker_env(
    settings: Settings, broker_url: str | None, smtp_url: str | None, lease_seconds: int = 5
) -> dict[str, str]:
    """The environment of a process on the same database as ``settings``; no other TITIKTEMU_*
    (``broker_url`` None: a sender that runs no Celery)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITIKTEMU_")}
    env.update(
        TITIKTEMU_DATABASE_URL=settings.database_url,
        TITIKTEMU_INSTANCE_DIR=str(settings.instance_dir),
        TITIKTEMU_SECRET_KEY=settings.secret_key,
        TITIKTEMU_BASE_URL=settings.base_url,
        TITIKTEMU_MAIL_FROM=settings.mail_from,
        TITIKTEMU_JOB_LEASE_SECONDS=str(lease_seconds),
        PYTHONUNBUFFERED="1",
    )
    if broker_url is not None:
        env["TITIKTEMU_BROKER_URL"] = broker_url
    if smtp_url is not None:
        env["TITIKTEMU_SMTP_URL"] = smtp_url
    return env


class CeleryWorker:
    """``celery -A worker worker`` as a subprocess leading its own process group.

    ``kill()`` is kill -9 of the whole group (the main process and its prefork children), the
    way an OOM killer or a lost machine ends a worker; ``start()`` again is the restart.
    """

    def __init__(
        self, env: Mapping[str, str], log_path: Path, concurrency: int = 2, name: str = "test"
    ) -> None:
        self.env = dict(env)
        self.log_path = log_path
        self.concurrency = concurrency
        self.name = name  # node names must differ between workers running side by side
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: IO[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 60) -> None:
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.log = self.log_path.open("ab")
        self.starts += 1
        args = [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool=prefork"]
        args += [f"--concurrency={self.concurrency}", "--loglevel=INFO", "-Q", "titiktemu"]
        args += ["-n", f"{self.name}{self.starts}@%h", "--without-mingle", "--without-gossip"]
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def ready() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"the worker exited at start-up:\n{self.log_tail()}")
            with self.log_path.open("rb") as handle:
                handle.seek(offset)
                return b" ready." in handle.read()

        wait_until(ready, timeout, "the celery worker to be ready", interval=0.1)

    def kill(self) -> None:
        """kill -9 the worker's process group and reap its main process."""
        if self.proc is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def stop(self, timeout: float = 20) -> None:
        """Warm shutdown (SIGTERM to the main process), then kill -9 whatever is left."""
        if self.proc is None:
            return
        self.proc.terminate()
        with suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=timeout)
        self.kill()

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextmanager
def celery_worker(
    env: Mapping[str, str], log_path: Path, concurrency: int = 2, name: str = "test"
) -> Iterator[CeleryWorker]:
    worker = CeleryWorker(env, log_path, concurrency, name)
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()


# --- The sending side ---------------------------------------------------------------------------


@contextmanager
def sending_app(settings: Settings, broker_url: str, smtp_url: str | None) -> Iterator[Flask]:
    """The web app of ``settings`` with a real broker: a commit in its context sends jobs."""
    live = create_app(
        Settings(
            **{
                **settings.__dict__,
                "broker_url": broker_url,
                "smtp_url": smtp_url,
                "job_lease_seconds": 5,
            }
        )
    )
    try:
        yield live
    finally:
        celery_of(live).close()  # the producer's pooled broker connections
        with live.app_context():
            db.session.remove()
            db.engine.dispose()


def submit_needs(session: Session, count: int) -> list[int]:
    """Submit ``count`` needs like the demo's own (same people, skills, places), one commit each,
    the way people submit them one by one; each commit sends its match job."""
    models = session.scalars(sa.select(Need).order_by(Need.id)).all()
    assert models, "seed the demo first"
    ids = []
    for i in range(count):
        model = models[i % len(models)]
        data = NeedInput(
            title=f"{model.title} ({len(models) + i + 1})",  # a person's titles are unique
            skills=[s.code for s in model.skills],
            village_code=model.village_code,
            kecamatan_code=model.kecamatan_code,
            needed_from=model.needed_from,
            needed_until=model.needed_until,
        )
        need = save_need(session, model.person, data)
        session.commit()
        ids.append(need.id)
    return ids
