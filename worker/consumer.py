"""The worker's broker consumer: Celery's, surviving a broker that comes back empty.

Why: when Redis drops while tasks are unacknowledged, Celery 5.7 with kombu's Redis transport
fails in two places that its ``connection_errors`` do not cover, and either one ends the
consumer's restart loop with ``AttributeError: 'NoneType' object has no attribute 'hostname'``
(the connection pool of the dead connection has no connection info any more); the worker then
stops consuming for good (seen as the broker-restart test timing out with 12 of 45 jobs done):

- closing the broken connection restores its unacknowledged messages through that pool;
- a task that finishes after the loss acknowledges its message on the dead connection's channel.

Both are skipped here, and nothing is lost by it: the broker restarted empty (the delivery tags
mean nothing to it), and every job the worker had not finished waits in ``job_runs`` until the
sweep sends it again (``titiktemu.jobs``); a job that did finish is marked done in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery.worker.consumer import Consumer

log = logging.getLogger(__name__)


class BrokerLossTolerantConsumer(Consumer):
    def on_connection_error_after_connected(self, exc: Any) -> None:
        connection = self.connection
        if connection is not None:
            transport = getattr(connection, "transport", None)
            for channel in list(getattr(transport, "channels", None) or ()):
                for name in ("basic_ack", "basic_reject"):
                    original = getattr(channel, name, None)
                    if original is not None:
                        setattr(channel, name, _tolerant(original, name))
            close = connection.close

            def tolerant_close() -> None:
                try:
                    close()
                except AttributeError:
                    log.warning("broker connection closed without restoring unacked messages")

            connection.close = tolerant_close  # type: ignore[method-assign]
        super().on_connection_error_after_connected(exc)


def _tolerant(call: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``call`` on a channel of a dead connection: a failure is logged, not raised."""

    def tolerant(*args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except Exception as exc:  # any failure: the connection is gone (see the module doc)
            log.warning("%s on a lost broker connection skipped: %r", name, exc)
            return None

    return tolerant
