"""A small least-recently-used map, safe across threads: what a process keeps of its answers
(``titiktemu.kept``) and of its rendered review cards (``web/review/cards.py``).

Written here rather than taken from ``functools.lru_cache`` or cachetools: the keepers decide
per call whether an answer may be kept at all (a transaction that wrote may not), and put what
they rendered under a key they build, which a memoising decorator does not let them do.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Lru(Generic[V]):
    """Values by key, at most ``kept`` of them, the least recently used dropped first."""

    def __init__(self, kept: int) -> None:
        self._kept = kept
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
            return found

    def put(self, key: Hashable, value: V) -> V:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self._kept:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
