"""The worker's broker consumer: Celery's, surviving a broker that comes back empty.

Why: when Redis drops while a task is unacknowledged, Celery 5.7 closes the broken connection
after collecting it; closing its channel then restores the unacknowledged messages through a
connection pool that no longer has its connection info, and kombu raises ``AttributeError``
(``'NoneType' object has no attribute 'hostname'``), which ``ignore_errors`` does not catch. The
consumer's restart loop ends there and the worker stops consuming for good (seen as the
broker-restart test timing out with 12 of 45 jobs done). Nothing is lost by skipping that
restore: the broker restarted empty, and every job the worker had not finished waits in
``job_runs`` until the sweep sends it again (``titiktemu.jobs``).
"""

from __future__ import annotations

import logging
from typing import Any

from celery.worker.consumer import Consumer

log = logging.getLogger(__name__)


class BrokerLossTolerantConsumer(Consumer):
    def on_connection_error_after_connected(self, exc: Any) -> None:
        connection = self.connection
        if connection is not None:
            close = connection.close

            def tolerant_close() -> None:
                try:
                    close()
                except AttributeError:
                    log.warning("broker connection closed without restoring unacked messages")

            connection.close = tolerant_close  # type: ignore[method-assign]
        super().on_connection_error_after_connected(exc)
