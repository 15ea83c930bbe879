"""The worker's Celery app: the one place a worker process creates the Flask app."""

from __future__ import annotations

from typing import Any

from celery import Celery

from titiktemu.app import create_core_app
from titiktemu.jobs.queue import celery_init_app
from titiktemu.runtime import tune_collector


def make_celery() -> Celery[Any]:
    celery = celery_init_app(create_core_app(import_name="worker"))
    # Celery's consumer, surviving a broker that restarts empty (worker/consumer.py says why).
    celery.conf.worker_consumer = "worker.consumer:BrokerLossTolerantConsumer"
    celery.set_default()
    tune_collector()  # before the prefork pool forks: its children share what start-up built
    return celery
