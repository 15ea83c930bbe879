"""Helpers for the import tests: spreadsheets built in memory, table counts, a standard setup."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from harness.spreadsheets import csv_bytes as csv_bytes  # the tests import it from here
from titiktemu.exports.cells import escape_formula
from titiktemu.imports import COLUMNS, Upload, run_import
from titiktemu.models import Base, ImportRun, ImportStatus, Person, Role

KLATEN = "33.10"

PROGRAMS = [
    ["PKH", "Program Keluarga Harapan", "Kemensos", "APBN", "social_assistance"],
    ["RTLH", "Rumah Tidak Layak Huni", "Dinas Perkim", "apbd", "Rehabilitasi rumah"],
]
PEOPLE = [
    [
        "sri@example.org",
        "Sri Wahyuni",
        "+6281234567890",
        "",
        "PKH",
        "33.10.24.2003",
        "Karanganom, Klaten Utara; 33.10.24.2001",
        "bookkeeping; Pembukuan; data keluarga miskin",
        "id",
    ],
    [
        "budi@example.org",
        "Budi Santoso",
        "",
        "coordinator",
        "PKH; RTLH",
        "Gergunung, Klaten Utara",
        "",
        "",
        "en",
    ],
]
INTERVENTIONS = [
    [
        "RTLH",
        "33.10.24.2003",
        "house_renovation",
        "2026-02-01",
        "2026-06-30",
        "12",
        "180000000",
        "sri@example.org",
        "Bedah rumah Karanganom",
    ],
    [
        "PKH",
        "Karanganom, Klaten Utara",
        "bantuan sosial",
        "01/01/2026",
        "31/12/2026",
        "80",
        "0",
        "",
        "PKH Karanganom",
    ],
]
OFFERS = [
    [
        "sri@example.org",
        "Data keluarga miskin Klaten Utara",
        "poor_household_data",
        "33.10.24; 33.10.24.2003",
        "2026-01-01",
        "2026-12-31",
        "2",
        "'=SUM(A1) is text",  # an export's apostrophe: text, not a formula
    ]
]
NEEDS = [
    [
        "budi@example.org",
        "Butuh pembukuan BUMDes",
        "accounting",
        "33.10.24.2003",
        "2026-03-01",
        "",
        "",
    ]
]
SAMPLE: dict[str, list[list[str]]] = {
    "programs": PROGRAMS,
    "people": PEOPLE,
    "interventions": INTERVENTIONS,
    "offers": OFFERS,
    "needs": NEEDS,
}


def xlsx_bytes(sheets: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for kind, rows in sheets.items():
        sheet = book.create_sheet(kind)
        sheet.append(list(COLUMNS[kind]))
        for row in rows:
            # As an export writes them: formula-looking text behind an apostrophe.
            sheet.append([escape_formula(c) if isinstance(c, str) else c for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sample_csvs(**options: Any) -> list[Upload]:
    return [Upload(f"{k}.csv", csv_bytes(k, rows, **options)) for k, rows in SAMPLE.items()]


def row_counts(session: Session) -> dict[str, int]:
    """Rows per table, but the import runs themselves and the files they keep."""
    return {
        t.name: session.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        for t in Base.metadata.sorted_tables
        if t.name not in ("import_runs", "import_files")
    }


def dump(session: Session, tables: Sequence[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``tables``, sorted; ids and timestamps kept (they must not change either)."""
    meta = Base.metadata.tables
    return {
        name: sorted((tuple(r) for r in session.execute(sa.select(meta[name]))), key=repr)
        for name in tables
    }


CONTENT_TABLES = (
    "programs",
    "program_categories",
    "people",
    "person_programs",
    "person_villages",
    "person_skills",
    "interventions",
    "offers",
    "offer_skills",
    "offer_villages",
    "offer_kecamatan",
    "needs",
    "need_skills",
)


def imported(
    session: Session,
    uploads: Sequence[Upload],
    actor: Person | None = None,
    *,
    dry_run: bool = False,
    kind: str | None = None,
    expect: ImportStatus | None = None,
) -> ImportRun:
    run = run_import(session, uploads, actor, dry_run=dry_run, kind=kind)
    session.commit()
    if expect is not None:
        assert run.status == expect, run.problems
    return run


def errors(run: ImportRun) -> list[dict[str, Any]]:
    return [p for p in run.problems if p["level"] == "error"]


def person(session: Session, email: str, role: Role, regency: str | None = KLATEN) -> Person:
    p = Person(email=email, name=email.split("@")[0], role=role, regency_code=regency)
    session.add(p)
    session.commit()
    return p
