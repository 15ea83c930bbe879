"""Review: its commands, queries and their helpers."""
