# syntax=docker/dockerfile:1
#
# One image for every Titik Temu process; the command picks the role:
#   web      gunicorn --config python:web.gunicorn_conf 'web.app:create_app()'  (the default CMD)
#   worker   celery -A worker worker --loglevel=INFO
#   beat     celery -A worker beat --loglevel=INFO --schedule /var/lib/titiktemu/celerybeat-schedule
#   migrate  titiktemu db upgrade && titiktemu regions load 33.10
# Configuration comes only from TITIKTEMU_* environment variables (see README.md);
# docker-compose.yml shows a complete production-like set.

FROM python:3.11-slim

# TITIKTEMU_INSTANCE_DIR is the only place the app user may write: the instance folder (the outbox
# when no SMTP is set; SQLite and the generated secret key in the embedded mode) and celery beat's
# schedule file. gunicorn takes its worker count from WEB_CONCURRENCY: 3 here, override per host.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TITIKTEMU_INSTANCE_DIR=/var/lib/titiktemu \
    WEB_CONCURRENCY=3

# A fixed numeric uid/gid, so orchestrators that check runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 titiktemu \
    && useradd --system --uid 10001 --gid titiktemu --no-create-home \
        --home-dir /var/lib/titiktemu --shell /usr/sbin/nologin titiktemu \
    && install -d -o titiktemu -g titiktemu -m 0750 /var/lib/titiktemu

WORKDIR /var/lib/titiktemu

# Dependencies in their own layer, exactly as pinned in requirements.lock (nothing resolved at
# build time; --no-deps because the lock is complete): rebuilt only when the lock changes.
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-deps -r /tmp/requirements.lock && rm /tmp/requirements.lock

# Then the project as a plain wheel install into site-packages, from the build context mounted
# for this step only (no source layer in the image). The wheel carries the Alembic scripts as
# titiktemu/migrations, so `titiktemu db upgrade` works from the installed package; pip compiles
# the bytecode, and the installed code is owned by root: the app user can read, never modify it.
RUN --mount=type=bind,source=.,target=/src,rw pip install --no-deps /src

USER 10001:10001

EXPOSE 8000

# slim has no curl: ask Python. /healthz answers 503 when the database is unreachable or the
# taxonomy is missing (not for a regency not loaded yet, nor for Redis down: a warning), and
# urlopen raises on any 4xx/5xx, so a non-zero exit means unhealthy. Only the web role serves
# HTTP; docker-compose.yml replaces or disables this check for the worker, beat and migrate roles.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Access log to stdout; /dev/shm for worker heartbeats (the container filesystem may be slow).
CMD ["gunicorn", "--config", "python:web.gunicorn_conf", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-", "web.app:create_app()"]
