"""Demo: its commands, queries and their helpers."""
