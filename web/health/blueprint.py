"""``/healthz`` for load balancers and operators."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.services.health import health_report

blueprint = Blueprint("health", __name__)


@blueprint.route("/healthz")
def healthz() -> ResponseReturnValue:
    """JSON state of the database, broker and reference data; 503 when the database or broker is
    unreachable or the taxonomy is missing (see :class:`HealthReport`)."""
    report = health_report(db.session(), settings_of(current_app))
    return jsonify(report.as_json()), 200 if report.serving else 503
