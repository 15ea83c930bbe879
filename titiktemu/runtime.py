"""Process-wide settings of the long-running processes (the worker, the CLI), made in one place.

Python's cyclic garbage collector runs a young-generation pass every 700 allocations and, now and
then, a full pass over every object alive. Our heavy work (an import's rows, a regency's engine
records and results) allocates millions of small objects that are neither cycles nor garbage, so
the default settings spent 15-25 % of an import's re-match and of a national engine pass walking
the same long-lived objects again (measured: ``benchmarks.imports`` end to end 4.8 -> 4.1 s).
"""

from __future__ import annotations

import gc

#: Allocations between young-generation passes, and the two older generations' ratios (Python's
#: defaults: 700, 10, 10). Garbage cycles still go, a few tens of thousands of objects later.
THRESHOLDS = (50_000, 20, 20)


def tune_collector() -> None:
    """Move what start-up built (modules, the app, place tables) out of the collector's sight and
    collect less often. Called once when a worker or a ``titiktemu`` command starts; idempotent.

    ``gc.freeze`` is also what the Python documentation advises before a pre-fork server forks:
    the children no longer touch (and so copy) the parent's pages during a collection.
    """
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
