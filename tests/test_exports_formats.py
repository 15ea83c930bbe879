"""The formats themselves: IATI 2.03 XML against the official schema, HXL hashtags, the writers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from titiktemu.demo.seed import DEMO_FACILITATOR
from titiktemu.exports import hxl, iati
from titiktemu.exports.tables import Table
from titiktemu.exports.writers import Sheet, cell, sheet_title, to_csv, to_xlsx
from titiktemu.extensions import db
from titiktemu.models import Intervention, Program
from titiktemu.models.places import under

from .test_exports_web import FOREIGN, Demo, csv_rows_any, seeded, signed_in

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "iati-2.03" / "iati-activities-schema.xsd"
KLATEN = "33.10"
#: The HXL columns any 3W must carry.
REQUIRED_TAGS = {
    "#org",
    "#sector",
    "#adm1+code",
    "#adm2+code",
    "#adm3+code",
    "#adm4+code",
    "#date+start",
}
#: HXL 1.1 core hashtags (https://hxlstandard.org/standard/1-1final/dictionary/).
CORE_TAGS = {
    "#activity",
    "#adm1",
    "#adm2",
    "#adm3",
    "#adm4",
    "#adm5",
    "#contact",
    "#country",
    "#date",
    "#org",
    "#sector",
    "#subsector",
    "#targeted",
    "#reached",
    "#value",
    "#meta",
    "#status",
}


@pytest.fixture
def demo(app: Flask) -> Demo:
    return seeded(app)


def _program_with_interventions(app: Flask) -> tuple[int, list[str]]:
    with app.app_context():
        program_id = db.session.scalars(
            sa.select(Intervention.program_id)
            .group_by(Intervention.program_id)
            .order_by(sa.func.count().desc(), Intervention.program_id)
            .limit(1)
        ).one()
        villages = db.session.scalars(
            sa.select(Intervention.village_code)
            .where(
                Intervention.program_id == program_id,
                under(Intervention.village_code, KLATEN),
            )
            .order_by(Intervention.id)
        ).all()
    return program_id, list(villages)


def test_iati_validates_against_the_203_schema_and_carries_village_codes(
    app: Flask, demo: Demo
) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    if not SCHEMA.exists():
        pytest.skip(f"the IATI 2.03 schemas are not at {SCHEMA.parent}")
    program_id, villages = _program_with_interventions(app)
    client = signed_in(app, DEMO_FACILITATOR)
    answer = client.get(f"/programs/{program_id}/iati.xml")
    assert answer.status_code == 200
    assert answer.mimetype == "application/xml"
    assert re.search(
        r'filename="titiktemu-33\.10-iati-[^"]+\.xml"', answer.headers["Content-Disposition"]
    )
    schema = xmlschema.XMLSchema(str(SCHEMA))
    errors = list(schema.iter_errors(io.BytesIO(answer.data)))
    assert errors == [], errors[:3]
    root = ET.fromstring(answer.data)
    assert root.get("version") == "2.03"
    activities = root.findall("iati-activity")
    assert len(activities) == len(villages)
    codes = [a.find("location/location-id").get("code") for a in activities]  # type: ignore[union-attr]
    assert codes == villages
    for activity in activities:
        location_id = activity.find("location/location-id")
        assert location_id is not None
        assert location_id.get("vocabulary") == iati.KEMENDAGRI_VOCABULARY
        identifier = activity.findtext("iati-identifier") or ""
        assert identifier.startswith(activity.find("reporting-org").get("ref") + "-")  # type: ignore[union-attr, operator]
        assert activity.find("recipient-country").get("code") == "ID"  # type: ignore[union-attr]
        assert re.fullmatch(r"\d{5}", activity.find("sector").get("code") or "")  # type: ignore[union-attr]
        levels = {
            a.get("level"): a.get("code") for a in activity.findall("location/administrative")
        }
        assert levels["4"] == location_id.get("code")
        assert levels["3"] == (location_id.get("code") or "")[:8]


def test_iati_dates_are_actual_only_once_passed(app: Flask, demo: Demo) -> None:
    program_id, _villages = _program_with_interventions(app)
    with app.app_context():
        program = db.session.get(Program, program_id)
        assert program is not None
        items = iati.program_interventions(db.session(), program, KLATEN)
        today = dt.date(2026, 6, 1)
        data = iati.activities_xml(
            db.session(), program, KLATEN, items, today=today, generated=dt.datetime(2026, 6, 1)
        )
    for activity, item in zip(ET.fromstring(data).findall("iati-activity"), items, strict=True):
        kinds = {d.get("type"): d.get("iso-date") for d in activity.findall("activity-date")}
        start_kind = "2" if item.start_date <= today else "1"
        end_kind = "4" if item.end_date <= today else "3"
        assert kinds == {
            start_kind: item.start_date.isoformat(),
            end_kind: item.end_date.isoformat(),
        }
        assert (activity.find("budget") is not None) == bool(item.budget_idr)


def test_iati_of_a_program_elsewhere_is_not_found(app: Flask, demo: Demo) -> None:
    program_id, _villages = _program_with_interventions(app)
    client = signed_in(app, FOREIGN)
    assert client.get(f"/programs/{program_id}/iati.xml").status_code == 404
    assert client.get("/programs/999999/iati.xml").status_code == 404


def test_hxl_has_a_valid_hashtag_row_and_the_3w_rows(app: Flask, demo: Demo) -> None:
    client = signed_in(app, DEMO_FACILITATOR)
    answer = client.get("/exports/interventions.hxl.csv")
    assert answer.status_code == 200
    assert "3w-hxl" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    header, tags, data = rows[0], rows[1], rows[2:]
    assert len(header) == len(tags)
    for tag in tags:
        assert hxl.HASHTAG.match(tag), tag
        assert tag.split("+")[0] in CORE_TAGS, tag
    assert set(tags) >= REQUIRED_TAGS
    assert len(data) == demo.interventions
    adm4 = [r[tags.index("#adm4+code")] for r in data]
    adm3 = [r[tags.index("#adm3+code")] for r in data]
    assert all(a.startswith(b + ".") for a, b in zip(adm4, adm3, strict=True))
    assert {r[tags.index("#adm2+code")] for r in data} == {KLATEN}
    assert set(r[tags.index("#contact+email")] for r in data) <= {"", DEMO_FACILITATOR}


def test_hxl_is_narrowed_by_kecamatan(app: Flask, demo: Demo) -> None:
    client = signed_in(app, DEMO_FACILITATOR)
    rows = csv_rows_any(client, f"/exports/interventions.hxl.csv?kecamatan={demo.kecamatan}")
    tags = rows[1]
    assert {r[tags.index("#adm3+code")] for r in rows[2:]} == {demo.kecamatan}


# --- The writers, without a database -------------------------------------------------------------


def test_cells_are_plain_and_formulas_neutralised() -> None:
    assert cell(None) == ""
    assert cell(["a", "b"]) == "a;b"
    assert cell("=1+1") == "'=1+1"
    assert cell("-5 rumah") == "'-5 rumah"
    assert cell(["=x"]) == "'=x"
    assert cell("bel\x07l") == "bell"
    assert cell(3) == 3
    assert cell(dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)


def test_csv_and_xlsx_write_the_same_cells() -> None:
    table = Table(
        "t",
        ("text", "number", "day", "list", "empty"),
        [
            ("+62 812", 5, dt.date(2026, 11, 29), ["33.10.01", "33.10.02"], None),
            ("@here", 0, None, [], "=cmd|' /C calc'!A0"),
        ],
    )
    from_csv = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(to_xlsx([Sheet("Tabel", [table])])))
    sheet = book.active
    assert sheet is not None
    from_xlsx = [
        [
            "" if v is None else v.date().isoformat() if isinstance(v, dt.datetime) else str(v)
            for v in row
        ]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert from_csv == from_xlsx
    assert from_csv[1][0] == "'+62 812"
    assert from_csv[2][4] == "'=cmd|' /C calc'!A0"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_sheet_titles_are_legal_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_title("Usulan/kolaborasi: [2026]?", taken) == "Usulan kolaborasi   2026"
    long = "x" * 40
    first, second = sheet_title(long, taken), sheet_title(long, taken)
    assert len(first) == len(second) == 31
    assert first != second
