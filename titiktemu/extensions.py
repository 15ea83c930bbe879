"""Unbound extension objects, so web, worker and services import them instead of each other."""

from __future__ import annotations

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from titiktemu.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
