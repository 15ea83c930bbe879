"""Issue 12, finding 4 and part of 8: small hostile spreadsheets are refused before they are read.

A 26 KB XLSX padded to column XFD held a web worker for 30 s and the dry run of the command line
for 73 s; 400 KB of shared strings unpack to ten million strings; a zip entry may understate what
it unpacks to. Each is built here (``harness/hostile_files.py``) and must come back from the upload
page, the API and ``titiktemu import --dry-run`` at once: 413 (too large) or 422 (over a limit)
with the reason in Indonesian and English, and nothing stored, not even the run. The old code
read them: the padded sheet and the shared strings for tens of seconds (the ``quickly`` guard
stops a test after 20 s instead of letting it hang), the bombs into a stored rejected or checked
run. An upload name of 300 characters or with control characters answered 500 on PostgreSQL.
"""

from __future__ import annotations

import io
import signal
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from harness import hostile_files as hostile
from tests.test_imports_support import NEEDS, csv_bytes, xlsx_bytes
from titiktemu.extensions import db
from titiktemu.imports import Upload, UploadRefused, run_import
from titiktemu.imports.preflight import Damaged, check_xlsx, upload_name
from titiktemu.imports.problems import Problems
from titiktemu.imports.reading import MAX_LINE, read_upload
from titiktemu.models import ImportFile, ImportRun, ImportStatus, Person, Role
from titiktemu.settings import Settings, SettingsError, UploadLimits

from .api_support import PROBLEM, bearer
from .conftest import PASSWORD, csrf_token

#: A sanity bound, not a benchmark: refusing takes milliseconds, reading took a minute.
SECONDS = 20


class TooSlow(BaseException):
    """Raised by the alarm; a BaseException, so no ``except Exception`` of a reader eats it."""


@contextmanager
def quickly(seconds: float = SECONDS) -> Iterator[None]:
    """Fail (not hang) when the block runs longer than ``seconds``."""

    def ring(*_: object) -> None:
        raise TooSlow(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


#: name, builder, status, English words, Indonesian words of the refusal.
HOSTILE: list[tuple[str, Callable[[], bytes], int, str, str]] = [
    (
        "padded-to-xfd",
        hostile.padded_to_xfd,
        422,
        "a sheet reaches column XFD (16384 columns) but at most 200 are read",
        "sebuah lembar sampai ke kolom XFD (16384 kolom)",
    ),
    (
        "ten-million-strings",
        hostile.shared_strings,
        413,
        "the workbook unpacks to 162 MB, more than the 100 MB that is read",
        "buku kerja ini berukuran 162 MB setelah dibuka",
    ),
    (
        "two-million-strings",
        lambda: hostile.shared_strings(2_000_000),
        422,
        "more than 1000000 different texts",
        "lebih dari 1000000 teks berbeda",
    ),
    (
        "lying-bomb",
        hostile.lying_bomb,
        413,
        "unpacks to more than the 1000 bytes it declares: a damaged file or a zip bomb",
        "berisi lebih dari 1000 byte yang dinyatakannya",
    ),
    (
        "honest-bomb",
        hostile.honest_bomb,
        413,
        "the workbook unpacks to 200 MB, more than the 100 MB that is read",
        "buku kerja ini berukuran 200 MB setelah dibuka",
    ),
    (
        "tight-bomb",
        lambda: hostile.honest_bomb(90 << 20),
        413,
        "is compressed more than 100 times",
        "dimampatkan lebih dari 100 kali",
    ),
]
NAMES = [name for name, *_ in HOSTILE]
_built: dict[str, bytes] = {}


def _file(name: str) -> tuple[bytes, int, str, str]:
    """The hostile file ``name`` (built once per session), its status and its words."""
    [(builder, status, english, indonesian)] = [
        (builder, status, en, id_) for n, builder, status, en, id_ in HOSTILE if n == name
    ]
    if name not in _built:
        _built[name] = builder()
    return _built[name], status, english, indonesian


def _stored(app: Flask) -> tuple[int, int]:
    with app.app_context():
        runs = db.session.scalar(sa.select(sa.func.count()).select_from(ImportRun)) or 0
        files = db.session.scalar(sa.select(sa.func.count()).select_from(ImportFile)) or 0
        return runs, files


def _post_page(client: FlaskClient, data: bytes, filename: str, action: str = "check") -> Any:
    token = csrf_token(client, "/imports")
    return client.post(
        "/imports",
        data={"csrf_token": token, "action": action, "files": [(io.BytesIO(data), filename)]},
        content_type="multipart/form-data",
    )


def _post_api(client: FlaskClient, headers: dict[str, str], data: bytes, filename: str) -> Any:
    return client.post(
        "/api/v1/imports",
        headers=headers,
        data={"file": (io.BytesIO(data), filename), "dry_run": "true"},
        content_type="multipart/form-data",
    )


def _html_text(answer: Any) -> str:
    return str(answer.get_data(as_text=True)).replace("&#39;", "'").replace("&#34;", '"')


# --- the page, the API, the command line ------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_page_refuses_before_reading(
    app: Flask, client: FlaskClient, auth, make_person, name: str
) -> None:
    data, status, _english, indonesian = _file(name)
    make_person("koord@example.org", role=Role.COORDINATOR)
    auth.login("koord@example.org", PASSWORD)
    clock = time.monotonic()
    with quickly():
        answer = _post_page(client, data, "needs.xlsx")
    assert answer.status_code == status, answer.status_code
    page = _html_text(answer)
    assert indonesian in page
    assert "needs.xlsx tidak dibaca, tidak ada yang disimpan" in page
    assert _stored(app) == (0, 0)
    assert time.monotonic() - clock < SECONDS


@pytest.mark.parametrize("name", NAMES)
def test_the_api_answers_a_problem(app: Flask, client: FlaskClient, make_person, name: str) -> None:
    data, status, english, _indonesian = _file(name)
    koor = bearer(app, make_person("koord@example.org", role=Role.COORDINATOR))
    with quickly():
        answer = _post_api(client, koor, data, "needs.xlsx")
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == PROBLEM
    problem = answer.get_json()
    assert problem["status"] == status
    assert english in problem["detail"] and "nothing was written or kept" in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == ["needs.xlsx"]
    assert _stored(app) == (0, 0)


@pytest.mark.parametrize("name", ["padded-to-xfd", "ten-million-strings", "lying-bomb"])
def test_the_command_line_dry_run_exits_non_zero(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, name: str
) -> None:
    data, _status, english, _indonesian = _file(name)
    path = tmp_path / "needs.xlsx"
    path.write_bytes(data)
    with quickly():
        result = runner.invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 1, result.output
    assert "needs.xlsx: " in result.output and english in result.output
    assert "Refused before reading: nothing written or kept." in result.output
    assert _stored(app) == (0, 0)


def test_the_english_page_says_it_in_english(
    app: Flask, client: FlaskClient, auth, make_person
) -> None:
    data, _status, english, _indonesian = _file("padded-to-xfd")
    person = make_person("koord@example.org", role=Role.COORDINATOR)
    with app.app_context():
        db.session.execute(sa.update(Person).where(Person.id == person).values(language="en"))
        db.session.commit()
    auth.login("koord@example.org", PASSWORD)
    with quickly():
        answer = _post_page(client, data, "needs.xlsx", action="apply")
    assert answer.status_code == 422
    page = _html_text(answer)
    assert f"needs.xlsx was not read, nothing is saved: {english}" in page
    assert _stored(app) == (0, 0)


# --- CSV: lines and rows are bounded too -------------------------------------------------------


def test_a_csv_row_of_a_hundred_thousand_columns(
    app: Flask, client: FlaskClient, make_person
) -> None:
    koor = bearer(app, make_person("koord@example.org", role=Role.COORDINATOR))
    data = csv_bytes("needs", [[*NEEDS[0], *([""] * 100_000)]])
    with quickly():
        answer = _post_api(client, koor, data, "needs.csv")
    assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    problem = answer.get_json()
    assert "this row has 100007 columns but at most 200 are read" in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == ["needs.csv:2"]
    assert _stored(app) == (0, 0)


def test_a_csv_line_longer_than_any_row(ctx: Flask) -> None:
    data = b"email,title\n" + b"x" * (MAX_LINE + 1) + b"\n"
    with quickly(), pytest.raises(UploadRefused) as refused:
        read_upload(Upload("needs.csv", data), None, Problems())
    assert refused.value.status == 422 and refused.value.code == "csv_line_too_long"


def test_thirty_million_empty_lines_are_no_list() -> None:
    """The delimiter is judged on the first lines, one at a time: splitting the whole text
    made a list of 30 million lines (240 MB) for a 30 MB upload."""
    data = b"\n" * 30_000_000
    tracemalloc.start()
    try:
        with quickly():
            found = Problems()
            assert read_upload(Upload("needs.csv", data), None, found) == []
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [p["code"] for p in found.report()] == ["no_header"]
    assert peak < 100 << 20, f"{peak >> 20} MB"  # the text itself is 30 MB


# --- the checks one by one, with small limits -------------------------------------------------


def _refused(data: bytes, **limits: int) -> UploadRefused:
    with pytest.raises(UploadRefused) as refused:
        check_xlsx("book.xlsx", data, UploadLimits(**limits))
    return refused.value


def test_a_sheet_that_only_says_it_is_wide() -> None:
    """The dimension alone, A1:XFD2 over one filled cell, is what openpyxl pads rows to."""
    lying = _with_sheet(
        '<dimension ref="A1:XFD2"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
    )
    refusal = _refused(lying)
    assert refusal.code == "too_many_columns" and refusal.problem["value"] == "XFD"


def test_rows_cells_and_strings_are_counted_not_taken_on_trust() -> None:
    far = _with_sheet('<sheetData><row r="5000"><c r="A5000"><v>1</v></c></row></sheetData>')
    assert _refused(far, max_rows=1_000).code == "too_many_sheet_rows"
    cells = "".join(f'<row r="{r}"><c/><c/><c/></row>' for r in range(1, 501))
    assert _refused(_with_sheet(f"<sheetData>{cells}</sheetData>"), max_cells=1_000).code == (
        "too_many_cells"
    )
    # The table says it holds one string and holds 5,000: counted in the stream.
    strings = hostile.shared_strings(5_000, declared=1)
    refusal = _refused(strings, max_shared_strings=1_000)
    assert refusal.code == "too_many_shared_strings" and refusal.status == 422
    assert check_xlsx("book.xlsx", strings, UploadLimits()).shared_strings == 5_000


def test_parts_and_sizes() -> None:
    book = hostile.normal_workbook(10)
    assert _refused(book, max_parts=3).code == "xlsx_too_many_parts"
    with quickly():  # counted before zipfile lists them (200,000 took it 2 s)
        assert _refused(hostile.many_parts(20_000)).status == 422
    assert _refused(book, max_unpacked_bytes=1_000).status == 413


def test_a_dtd_makes_the_workbook_unreadable(ctx: Flask) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    data = _with_sheet("<sheetData><row r='1'><c r='A1'><v>1</v></c></row></sheetData>", laughs)
    with pytest.raises(Damaged):
        check_xlsx("book.xlsx", data, UploadLimits())
    found = Problems()
    assert read_upload(Upload("needs.xlsx", data), None, found) == []
    assert [p["code"] for p in found.report()] == ["unreadable_xlsx"]


def test_a_normal_workbook_reads_as_before(ctx: Flask) -> None:
    """Bounded to the columns each sheet holds: the same rows and cells as openpyxl's own."""
    data = hostile.normal_workbook(2_000)
    shape = check_xlsx("needs.xlsx", data, UploadLimits())
    assert shape.columns == {"xl/worksheets/sheet1.xml": 7} and shape.cells == 1 + 2_000 * 5 + 6
    found = Problems()
    [sheet] = read_upload(Upload("needs.xlsx", data), None, found)
    assert len(sheet.rows) == 2_000 and not found
    assert sheet.rows[0].cells["title"] == "Butuh pelatihan 0"
    assert sheet.rows[0].cells["description"] is None


def test_a_sheet_without_dimension_is_read_to_its_widest_row(ctx: Flask) -> None:
    rows = [*([*NEEDS[0]] for _ in range(3))]
    data = xlsx_bytes({"needs": rows})
    without = _strip_dimension(data)
    found = Problems()
    [sheet] = read_upload(Upload("needs.xlsx", without), None, found)
    assert [r.cells["title"] for r in sheet.rows] == ["Butuh pembukuan BUMDes"] * 3, found.report()


# --- file names ------------------------------------------------------------------------------


def test_upload_names_are_kept_short_and_clean() -> None:
    long = hostile.long_name(300)
    kept = upload_name(long)
    assert len(kept) == 255 and kept.startswith("needs-xxx") and kept.endswith("….csv")
    assert upload_name("needs\x00\x01\x1b[31m.csv") == "needs [31m.csv"
    assert upload_name("\x00\t\n") == "upload"
    assert upload_name("Rekap RTLH 2021.xlsx") == "Rekap RTLH 2021.xlsx"


def test_a_300_character_name_through_the_page(
    app: Flask, client: FlaskClient, auth, make_person
) -> None:
    make_person("koord@example.org", role=Role.COORDINATOR)
    auth.login("koord@example.org", PASSWORD)
    answer = _post_page(client, csv_bytes("needs", NEEDS), hostile.long_name(300))
    assert answer.status_code == 302, answer.status_code
    assert client.get(answer.headers["Location"]).status_code == 200
    _assert_kept_names(app)


def test_a_nul_in_a_name_through_the_page(
    app: Flask, client: FlaskClient, auth, make_person
) -> None:
    """Werkzeug hands the name over as sent; PostgreSQL refuses a NUL in text (it was a 500)."""
    make_person("koord@example.org", role=Role.COORDINATOR)
    auth.login("koord@example.org", PASSWORD)
    answer = _post_page(client, csv_bytes("needs", NEEDS), "needs\x00\x07.csv")
    assert answer.status_code == 302, answer.status_code
    assert client.get(answer.headers["Location"]).status_code == 200
    with app.app_context():
        assert db.session.scalars(sa.select(ImportFile.name)).all() == ["needs .csv"]


def test_a_300_character_name_through_the_api(app: Flask, client: FlaskClient, make_person) -> None:
    koor = bearer(app, make_person("koord@example.org", role=Role.COORDINATOR))
    answer = _post_api(client, koor, csv_bytes("needs", NEEDS), hostile.long_name(300))
    assert answer.status_code in (201, 422), answer.get_data(as_text=True)[:300]
    _assert_kept_names(app)


def test_control_characters_in_a_name(ctx: Flask) -> None:
    run = run_import(
        db.session(), [Upload("needs\x00\x07.csv", csv_bytes("needs", NEEDS))], None, dry_run=True
    )
    db.session.commit()
    assert run.status is not ImportStatus.REJECTED or run.problems
    assert run.files == ["needs .csv"]
    assert db.session.scalars(sa.select(ImportFile.name)).all() == ["needs .csv"]


def _assert_kept_names(app: Flask) -> None:
    with app.app_context():
        [run] = db.session.scalars(sa.select(ImportRun)).all()
        [name] = db.session.scalars(sa.select(ImportFile.name)).all()
        assert len(name) == 255 and name.endswith(".csv")
        assert run.files == [name]


# --- settings --------------------------------------------------------------------------------


def test_the_limits_are_settings(tmp_path: Path) -> None:
    base = {"TITIKTEMU_INSTANCE_DIR": str(tmp_path)}
    assert Settings.from_env(base).upload_limits == UploadLimits()
    chosen = Settings.from_env(
        {
            **base,
            "TITIKTEMU_IMPORT_MAX_UNPACKED_MB": "20",
            "TITIKTEMU_IMPORT_MAX_RATIO": "50",
            "TITIKTEMU_IMPORT_MAX_COLUMNS": "60",
            "TITIKTEMU_IMPORT_MAX_ROWS": "60000",
            "TITIKTEMU_IMPORT_MAX_CELLS": "500000",
            "TITIKTEMU_IMPORT_MAX_SHARED_STRINGS": "200000",
        }
    ).upload_limits
    assert chosen == UploadLimits(
        max_unpacked_bytes=20 << 20,
        max_ratio=50,
        max_columns=60,
        max_rows=60_000,
        max_cells=500_000,
        max_shared_strings=200_000,
    )
    for name, value in (("IMPORT_MAX_COLUMNS", "lots"), ("IMPORT_MAX_UNPACKED_MB", "0")):
        with pytest.raises(SettingsError, match=f"TITIKTEMU_{name}"):
            Settings.from_env({**base, f"TITIKTEMU_{name}": value})


# --- helpers ---------------------------------------------------------------------------------


def _with_sheet(content: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    """A one-sheet workbook ("needs") whose worksheet element holds ``content``."""
    sheet = f'{prolog}<worksheet xmlns="{hostile.MAIN}">{content}</worksheet>'.encode()
    return hostile._zip([*hostile._package(shared=False), ("xl/worksheets/sheet1.xml", sheet)])


def _strip_dimension(data: bytes) -> bytes:
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    parts = []
    for info in source.infolist():
        content = source.read(info)
        if info.filename.startswith("xl/worksheets/"):
            content = re.sub(rb"<dimension [^>]*/>", b"", content)
        parts.append((info.filename, content))
    return hostile._zip(parts)
