"""The engine: plain records in, a NetworkX graph, proposals and flags out.

Pure and deterministic: no Flask, Celery, SQLAlchemy or I/O, so it can be tested and benchmarked
without a database.
"""
