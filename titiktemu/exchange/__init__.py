"""Exchange: its commands, queries and their helpers."""
