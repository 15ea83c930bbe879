"""Titik Temu shared package: settings, models, database session and services for web and worker."""
