"""The walls of the house: web and worker never import each other; graph imports nothing of ours;
the product never imports the test harness, and benchmarks never import tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"web", "worker", "graph", "titiktemu"}
FRAMEWORKS = {"flask", "celery", "sqlalchemy", "flask_sqlalchemy", "kombu", "redis", "werkzeug"}

HARNESS = {"harness", "tests", "benchmarks"}

FORBIDDEN = {
    "web": {"worker"} | HARNESS,
    "worker": {"web"} | HARNESS,
    "titiktemu": {"web", "worker"} | HARNESS,
    "graph": OURS - {"graph"} | FRAMEWORKS | HARNESS,
    "harness": {"tests", "benchmarks"},
    "benchmarks": {"tests"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_what_it_may(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    offending = {
        str(f.relative_to(ROOT)): sorted(imported_roots(f) & FORBIDDEN[package]) for f in files
    }
    assert {k: v for k, v in offending.items() if v} == {}


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import worker.tasks\nfrom flask import Flask\nfrom . import sibling\n")
    assert imported_roots(sample) == {"worker", "flask"}


def test_top_level_layout_exists() -> None:
    for name in ("web", "worker", "graph", "migrations", "tests", "titiktemu"):
        assert (ROOT / name).is_dir(), name
    for name in ("docker-compose.yml", "pyproject.toml", "Dockerfile", "README.md", ".ci/run"):
        assert (ROOT / name).is_file(), name
