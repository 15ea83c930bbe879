"""Obstacles and lessons: what went wrong where, and what helped, kept for the next plan."""
