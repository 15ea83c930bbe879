"""``/healthz`` for load balancers and operators."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from titiktemu.app import settings_of
from titiktemu.extensions import db
from titiktemu.services.health import broker_state, database_state

blueprint = Blueprint("health", __name__)


@blueprint.route("/healthz")
def healthz() -> ResponseReturnValue:
    """JSON state of the database and broker; 503 when the database is unreachable."""
    settings = settings_of(current_app)
    body = {"database": database_state(db.session()), "broker": broker_state(settings)}
    ok = body["database"] == "ok" and not body["broker"].startswith("error")
    body["status"] = "ok" if ok else "degraded"
    return jsonify(body), 200 if ok else 503
