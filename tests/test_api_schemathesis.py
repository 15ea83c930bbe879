"""Schemathesis against the running app's own OpenAPI document, with real bearer tokens.

Every operation is called with generated data, as a coordinator and as a facilitator of the
seeded Klaten: no answer may be a server error, and every answer (errors included) must have a
status code the document lists and a body its schema accepts. Derandomised, so CI is repeatable.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .api_support import bearer, seed_klaten
from .browser import live_server

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 15
#: (method, path, status) of every call, to check the calls were really authenticated.
STATS: list[tuple[str, str, int]] = []


def run_operation(operation: Any, base_url: str, headers: dict[str, str]) -> list[str]:
    """Up to EXAMPLES generated calls of one operation; the failures found, as text."""
    failures: list[str] = []

    @given(case=operation.as_strategy(headers=headers), data=st.data())
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any, data: Any) -> None:
        response = case.call(base_url=base_url, headers=headers)
        STATS.append((case.method, operation.path, response.status_code))
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as exc:  # collected: one report for every operation, not the first
            failures.append(f"{case.method} {case.formatted_path}: {exc}"[:2000])

    call()
    return failures


@pytest.mark.parametrize("who", ["coordinator", "facilitator"])
def test_every_operation_conforms_to_the_document(app: Flask, who: str) -> None:
    """One role per test, so the two halves of this long test run on two workers at once."""
    klaten = seed_klaten(app)
    headers = bearer(app, getattr(klaten, who))
    STATS.clear()
    failures: list[str] = []
    with live_server(app) as base:
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
        assert len(operations) >= 25
        for operation in operations:
            found = run_operation(operation, f"{base}/api/v1", headers)
            failures += [f"[{who}] {text}" for text in found]
    assert failures == [], "\n\n".join(failures[:20])
    assert not [s for s in STATS if s[2] == 401], "a valid token was refused"
    lists = {path for method, path, status in STATS if method == "GET" and status == 200}
    assert {"/needs", "/offers", "/interventions", "/proposals", "/people", "/gaps"} <= lists
