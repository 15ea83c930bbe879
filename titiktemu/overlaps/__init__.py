"""Overlaps: its commands, queries and their helpers."""
