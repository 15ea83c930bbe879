"""The Celery app, bound to the shared Flask core so every task runs inside an app context.

Follows Flask's own ``examples/celery``: a ``FlaskTask`` base pushes the app context, tasks are
``@shared_task`` so task modules never import an app.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

from titiktemu.app import create_core_app, settings_of


def celery_init_app(app: Flask) -> Celery[Any]:
    """A Celery app configured from the Flask app's settings; eager when no broker is set."""
    settings = settings_of(app)

    class FlaskTask(Task[Any, Any]):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery: Celery[Any] = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=settings.broker_url or "memory://",
        task_always_eager=settings.eager,
        task_eager_propagates=True,
        broker_connection_retry_on_startup=True,
        timezone="Asia/Jakarta",
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def make_celery() -> Celery[Any]:
    """The worker process's Celery app: the one place a worker creates the Flask app."""
    return celery_init_app(create_core_app(import_name="worker"))
