"""Interventions: its commands, queries and their helpers."""
