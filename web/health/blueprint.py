"""``/healthz`` for load balancers and operators."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.health import health_report
from web.auth.limits import limits_state

blueprint = Blueprint("health", __name__)


@blueprint.route("/healthz")
def healthz() -> ResponseReturnValue:
    """JSON state of the database, broker, reference data and sign-in limits; 503 when the
    database is unreachable or the taxonomy is missing, 200 with ``warnings`` when only the
    broker (Redis) is (see :class:`HealthReport`)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    report = health_report(db.session(), settings_of(app), limits_state(app))
    return jsonify(report.as_json()), 200 if report.serving else 503
