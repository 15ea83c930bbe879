"""gunicorn's settings for the web role: ``gunicorn --config python:web.gunicorn_conf …``.

Only the hook that has to run inside each worker lives here; the bind address, the worker count
(``WEB_CONCURRENCY``) and the logs stay on the command line, where operators look for them.
"""

from __future__ import annotations

from typing import Any

from titiktemu.runtime import tune_collector


def post_worker_init(worker: Any) -> None:
    """Each worker, once it has loaded the app, starts as the Celery workers and the CLI do:
    the app, its templates and the catalog frozen out of the collector's sight, young passes
    less often. A page allocates tens of thousands of short-lived objects (ORM rows, template
    output); with the defaults a full collection walked the whole app now and then in the middle
    of a request (measured in ``benchmarks.web``: the review queue's p95)."""
    tune_collector()
