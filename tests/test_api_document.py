"""The published OpenAPI document is a contract: clients generated from it keep working.

``tests/data/openapi_before.json`` is the document as published before the API moved onto a
kept library (issue 13); every path with its methods and every schema name in it must still be
published. New ones may be added.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

BEFORE = Path(__file__).parent / "data" / "openapi_before.json"
ROOT = Path(__file__).resolve().parents[1]


def operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in doc["paths"].items() for method in item}


def test_every_path_method_and_schema_name_is_still_published(client: FlaskClient) -> None:
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    now = answer.get_json()
    assert now["openapi"] == before["openapi"]
    assert operations(before) - operations(now) == set()
    assert set(before["components"]["schemas"]) - set(now["components"]["schemas"]) == set()
    for path, item in before["paths"].items():
        for method, op in item.items():
            assert now["paths"][path][method]["operationId"] == op["operationId"], (method, path)


def test_the_document_module_imports_first_in_a_fresh_process() -> None:
    """Importing the document's module before anything else once failed on an import cycle."""
    for module in ("web.api.openapi", "web.api.resources.docs", "web.api.blueprint"):
        done = subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
