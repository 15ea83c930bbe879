"""Settings read from ``TITIKTEMU_*`` environment variables.

With none set, Titik Temu runs *embedded*: SQLite in the instance folder, Celery tasks in process,
emails written as ``.eml`` files. Every value is checked here, once, so a typo in production stops
start-up with one line naming the variable instead of failing later in a request.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PREFIX = "TITIKTEMU_"

#: Every variable the code reads, with what it means; the README and the compose test check this.
DOCUMENTED: dict[str, str] = {
    "TITIKTEMU_DATABASE_URL": "SQLAlchemy URL of the database (default: SQLite in the instance folder)",
    "TITIKTEMU_BROKER_URL": "Celery broker, e.g. redis://redis:6379/0 (default: tasks run in process)",
    "TITIKTEMU_SMTP_URL": "smtp://user:pass@host:587 (STARTTLS) or smtps://host:465 "
    "(default: .eml files in the outbox folder)",
    "TITIKTEMU_SECRET_KEY": "signs sessions and links (default: generated once, kept in the instance folder)",
    "TITIKTEMU_MAIL_FROM": "sender address of every email",
    "TITIKTEMU_BASE_URL": "public address used in emailed links",
    "TITIKTEMU_INSTANCE_DIR": "folder for the SQLite file, the secret key and the outbox (default ./instance)",
    "TITIKTEMU_JOB_LEASE_SECONDS": "a running job silent this long is taken as lost and sent again (default 120)",
    "TITIKTEMU_IMPORTS_PER_HOUR": "import runs (checks and imports) one person may make in an hour (default 30)",
    "TITIKTEMU_IMPORT_MAX_UNPACKED_MB": "an uploaded XLSX may unpack to at most this many MB, all parts together (default 100)",
    "TITIKTEMU_IMPORT_MAX_RATIO": "an XLSX part may be compressed at most this many times (default 100)",
    "TITIKTEMU_IMPORT_MAX_COLUMNS": "columns a sheet or CSV row may reach (default 200)",
    "TITIKTEMU_IMPORT_MAX_ROWS": "rows a sheet may reach (default 100000)",
    "TITIKTEMU_IMPORT_MAX_CELLS": "cells an XLSX workbook may hold, empty formatted ones too (default 2000000)",
    "TITIKTEMU_IMPORT_MAX_SHARED_STRINGS": "distinct texts an XLSX workbook's string table may hold (default 1000000)",
    "TITIKTEMU_LINKAGE_KEY": "keys the hashes and CLKs of beneficiary lists; not the secret key, at least 32 characters (default in development: generated once, kept in the instance folder; production: required for beneficiary lists)",
    "TITIKTEMU_ENV": "'production' requires a secret key and base URL and refuses demo accounts; default 'development'",
}

_DB_SCHEMES = ("sqlite", "postgresql")
_BROKER_SCHEMES = ("redis", "rediss", "amqp", "memory")
_SMTP_SCHEMES = ("smtp", "smtps")


class SettingsError(ValueError):
    """A setting is present but unusable; the message names the variable."""


@dataclass(frozen=True)
class UploadLimits:
    """What an uploaded spreadsheet may hold; checked before it is read (imports/preflight.py).

    The defaults leave room for the largest file an import takes (50,000 data rows) and refuse
    what no agency's recap is:

    - ``max_unpacked_bytes`` 100 MB, all parts together: openpyxl writes a 50,000-row sheet of
      9 columns as 27 MB of XML (inline strings; Excel's shared strings make it smaller), so a
      sheet of 18 such columns still fits. Unpacking is streamed, so the limit costs no memory.
    - ``max_ratio`` 100 (a part's unpacked size over its compressed size, judged past its first
      megabyte): sheets compress 5-20 times, even with every cell bordered; Apache POI refuses
      beyond the same ratio. A bomb of repeated bytes compresses about 1,000 times.
    - ``max_parts`` 1,000: a workbook of ten sheets with pictures has a few dozen.
    - ``max_columns`` 200: our widest kind has 9 columns and a clerk's recap perhaps 30; a sheet
      reaching column XFD (16,384) is padding, and openpyxl pads every row to it.
    - ``max_rows`` 100,000: twice the 50,000 data rows an import reads (``reading.MAX_ROWS``),
      for title blocks, comment and heading rows; a larger sheet is refused unread.
    - ``max_cells`` 2,000,000: twice a full 50,000-row sheet of 20 columns, formatted empty
      cells included (each is parsed like a filled one).
    - ``max_shared_strings`` 1,000,000 distinct texts: 50,000 rows of 20 different texts each;
      openpyxl keeps the whole table in memory (about 60 MB at this limit).
    """

    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_ratio: int = 100
    max_parts: int = 1_000
    max_columns: int = 200
    max_rows: int = 100_000
    max_cells: int = 2_000_000
    max_shared_strings: int = 1_000_000


@dataclass(frozen=True)
class Settings:
    """The resolved configuration of one process."""

    env: str
    instance_dir: Path
    database_url: str
    broker_url: str | None
    smtp_url: str | None
    secret_key: str
    mail_from: str
    base_url: str
    job_lease_seconds: int = 120
    #: Import runs one person may make in an hour, through the page or the API.
    imports_per_hour: int = 30
    #: False when ``base_url`` is the default, which the demo may then point at where it serves.
    base_url_explicit: bool = True
    #: The regency's beneficiary linkage key (None: beneficiary lists are refused).
    linkage_key: str | None = None
    #: What an uploaded spreadsheet may hold before it is read.
    upload_limits: UploadLimits = UploadLimits()

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def eager(self) -> bool:
        """True when no broker is set: Celery tasks run in the calling process."""
        return self.broker_url is None

    @property
    def outbox_dir(self) -> Path:
        return self.instance_dir / "outbox"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read, validate and complete the settings; raise SettingsError naming the culprit."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(PREFIX + name, "").strip()
            return value or None

        mode = get("ENV") or "development"
        if mode not in ("development", "production"):
            raise SettingsError(f"{PREFIX}ENV must be 'development' or 'production', not {mode!r}")
        instance_dir = Path(get("INSTANCE_DIR") or Path.cwd() / "instance").resolve()

        database_url = _check_database_url(
            get("DATABASE_URL") or f"sqlite:///{instance_dir / 'titiktemu.db'}"
        )
        broker_url = get("BROKER_URL")
        if broker_url is not None:
            scheme = broker_url.split(":", 1)[0]
            _check_url("BROKER_URL", broker_url, _BROKER_SCHEMES, need_host=scheme != "memory")
        smtp_url = get("SMTP_URL")
        if smtp_url is not None:
            _check_url("SMTP_URL", smtp_url, _SMTP_SCHEMES, need_host=True)
        if mode == "production" and get("BASE_URL") is None:
            raise SettingsError(f"{PREFIX}BASE_URL must be set when {PREFIX}ENV=production")
        base_url = (get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
        _check_url("BASE_URL", base_url, ("http", "https"), need_host=True)
        mail_from = get("MAIL_FROM") or "Titik Temu <titiktemu@localhost>"
        if "@" not in parseaddr(mail_from)[1]:
            raise SettingsError(f"{PREFIX}MAIL_FROM must be an email address, not {mail_from!r}")

        secret_key = get("SECRET_KEY")
        if secret_key is None:
            if mode == "production":
                raise SettingsError(f"{PREFIX}SECRET_KEY must be set when {PREFIX}ENV=production")
            secret_key = _instance_secret(instance_dir)
        elif len(secret_key) < 16:
            raise SettingsError(f"{PREFIX}SECRET_KEY is too short: use at least 16 characters")

        lease = get("JOB_LEASE_SECONDS") or "120"
        if not lease.isdigit() or not 5 <= int(lease) <= 86400:
            raise SettingsError(
                f"{PREFIX}JOB_LEASE_SECONDS must be a whole number of seconds from 5 to 86400, not {lease!r}"
            )

        imports = get("IMPORTS_PER_HOUR") or "30"
        if not imports.isdigit() or not 1 <= int(imports) <= 10000:
            raise SettingsError(
                f"{PREFIX}IMPORTS_PER_HOUR must be a whole number from 1 to 10000, not {imports!r}"
            )

        unpacked_mb = _whole("IMPORT_MAX_UNPACKED_MB", get("IMPORT_MAX_UNPACKED_MB"), 100, 1, 4096)
        upload_limits = UploadLimits(
            max_unpacked_bytes=unpacked_mb * 1024 * 1024,
            max_ratio=_whole("IMPORT_MAX_RATIO", get("IMPORT_MAX_RATIO"), 100, 10, 100_000),
            max_columns=_whole("IMPORT_MAX_COLUMNS", get("IMPORT_MAX_COLUMNS"), 200, 20, 16_384),
            max_rows=_whole("IMPORT_MAX_ROWS", get("IMPORT_MAX_ROWS"), 100_000, 100, 1_048_576),
            max_cells=_whole("IMPORT_MAX_CELLS", get("IMPORT_MAX_CELLS"), 2_000_000, 1_000, 10**9),
            max_shared_strings=_whole(
                "IMPORT_MAX_SHARED_STRINGS", get("IMPORT_MAX_SHARED_STRINGS"), 1_000_000, 100, 10**9
            ),
        )

        linkage_key = get("LINKAGE_KEY")
        if linkage_key is None and mode != "production":
            linkage_key = _instance_secret(instance_dir, "linkage_key")
        if linkage_key is not None and linkage_key == secret_key:
            raise SettingsError(f"{PREFIX}LINKAGE_KEY must not be the secret key")

        return cls(
            env=mode,
            instance_dir=instance_dir,
            database_url=database_url,
            broker_url=broker_url,
            smtp_url=smtp_url,
            secret_key=secret_key,
            mail_from=mail_from,
            base_url=base_url,
            job_lease_seconds=int(lease),
            imports_per_hour=int(imports),
            base_url_explicit=get("BASE_URL") is not None,
            upload_limits=upload_limits,
            linkage_key=linkage_key,
        )


def _whole(name: str, value: str | None, default: int, low: int, high: int) -> int:
    """A whole-number setting from ``low`` to ``high``; ``default`` when unset."""
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise SettingsError(
            f"{PREFIX}{name} must be a whole number from {low} to {high}, not {value!r}"
        )
    return int(value)


def _check_database_url(value: str) -> str:
    """The URL, with psycopg (3, the driver we install) named when PostgreSQL is given bare."""
    try:
        url = make_url(value)
    except ArgumentError:
        raise SettingsError(
            f"{PREFIX}DATABASE_URL is not a database URL: {value!r} "
            "(expected e.g. postgresql+psycopg://user@host/db or sqlite:///path)"
        ) from None
    if url.get_backend_name() not in _DB_SCHEMES:
        raise SettingsError(
            f"{PREFIX}DATABASE_URL uses {url.get_backend_name()!r}; "
            "Titik Temu supports postgresql and sqlite"
        )
    if url.drivername == "postgresql":
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return value


def _check_url(name: str, value: str, schemes: tuple[str, ...], need_host: bool = False) -> None:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}{name} is not a valid URL: {value!r} ({exc})") from None
    if parts.scheme not in schemes:
        raise SettingsError(
            f"{PREFIX}{name} must start with {' or '.join(s + '://' for s in schemes)}: {value!r}"
        )
    if need_host and not parts.hostname:
        raise SettingsError(f"{PREFIX}{name} has no host: {value!r}")


def _instance_secret(instance_dir: Path, name: str = "secret_key") -> str:
    """Generate the secret once and keep it, so sessions survive restarts of the embedded app."""
    path = instance_dir / name
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
