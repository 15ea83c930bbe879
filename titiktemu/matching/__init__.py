"""Matching: its commands, queries and their helpers."""
