"""Accounts: its commands, queries and their helpers."""
