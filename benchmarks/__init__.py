"""Synthetic data generators and timed runs of the engine that print figures and a ratio."""
