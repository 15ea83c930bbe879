"""Places: its commands, queries and their helpers."""
