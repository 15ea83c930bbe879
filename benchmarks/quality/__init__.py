"""Quality benchmark: the engine's proposals scored against a set labelled by a programme person.

``python -m benchmarks.quality``; the set is ``klaten.toml``, read by ``labelled``; the figures
are computed by ``metrics`` from what ``runs`` gets out of the engine.
"""
