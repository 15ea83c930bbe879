"""Vocabulary: its commands, queries and their helpers."""
