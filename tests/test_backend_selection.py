"""CI's PostgreSQL run leaves out the tests no backend can change: a test that reads the test
database or Redis on its own must be known to ``reads_the_backends``, or it would run on SQLite only."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import BACKEND_FILES, BACKEND_FIXTURES

TESTS = Path(__file__).resolve().parent
READS_THE_ENVIRONMENT = re.compile(r"TITIKTEMU_TEST_(DATABASE|REDIS)_URL|test_database_url\(")
FIXTURE = re.compile(r"@pytest\.fixture[^\n]*\n(?:@[^\n]*\n)*def (\w+)")


def test_every_file_that_reads_the_backends_itself_is_selected() -> None:
    unknown = []
    for path in sorted(set(TESTS.glob("test_*.py")) - {Path(__file__).resolve()}):
        text = path.read_text(encoding="utf-8")
        if not READS_THE_ENVIRONMENT.search(text) or path.name in BACKEND_FILES:
            continue
        fixtures = set(FIXTURE.findall(text))
        if not fixtures & BACKEND_FIXTURES:
            unknown.append(path.name)
    assert unknown == [], "add to BACKEND_FILES (or read through a BACKEND_FIXTURES fixture)"


def test_the_check_sees_a_file_that_reads_the_database_url(tmp_path: Path) -> None:
    text = 'url = os.environ["TITIKTEMU_TEST_DATABASE_URL"]\n'
    assert READS_THE_ENVIRONMENT.search(text)
    assert not set(FIXTURE.findall(text)) & BACKEND_FIXTURES
