"""Celery entry point: ``celery -A worker worker`` and ``celery -A worker beat``."""

from worker.celery_app import make_celery

celery = make_celery()
