"""Mail: its commands, queries and their helpers."""
