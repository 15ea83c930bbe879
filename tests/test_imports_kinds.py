"""Importing each kind: formats, references, dry runs, re-imports, updates, all or nothing, scope."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.test_imports_support import (
    CONTENT_TABLES,
    INTERVENTIONS,
    KLATEN,
    NEEDS,
    OFFERS,
    PEOPLE,
    PROGRAMS,
    SAMPLE,
    csv_bytes,
    dump,
    errors,
    imported,
    person,
    row_counts,
    sample_csvs,
    xlsx_bytes,
)
from titiktemu.extensions import db
from titiktemu.imports import Upload, run_import, template_csv, template_xlsx
from titiktemu.models import (
    AuditEntry,
    ExchangeStatus,
    FundingSource,
    ImportRun,
    ImportStatus,
    Intervention,
    JobRun,
    Language,
    Need,
    Offer,
    Person,
    Program,
    Regency,
    RegencyKind,
    Role,
)

APPLIED, CHECKED, REJECTED = ImportStatus.APPLIED, ImportStatus.CHECKED, ImportStatus.REJECTED


@pytest.fixture
def session(ctx: object) -> Session:
    return db.session()


def test_every_kind_imports(session: Session) -> None:
    run = imported(session, sample_csvs(), expect=APPLIED)
    assert {k: v["new"] for k, v in run.counts.items()} == {
        "programs": 2,
        "people": 2,
        "interventions": 2,
        "offers": 1,
        "needs": 1,
    }
    rtlh = session.scalars(sa.select(Program).where(Program.code == "RTLH")).one()
    assert rtlh.funding_source is FundingSource.APBD
    assert [c.code for c in rtlh.categories] == ["house_renovation"]
    sri = session.scalars(sa.select(Person).where(Person.email == "sri@example.org")).one()
    assert sri.phone == "+6281234567890"  # a formula-looking phone stays plain text
    assert sri.role is Role.FACILITATOR and sri.password_hash is None
    assert sri.regency_code == KLATEN and sri.home_village_code == "33.10.24.2003"
    assert [v.code for v in sri.villages] == ["33.10.24.2001", "33.10.24.2003"]
    assert [s.code for s in sri.skills] == ["bookkeeping", "poor_household_data"]
    budi = session.scalars(sa.select(Person).where(Person.email == "budi@example.org")).one()
    assert budi.language is Language.EN and [p.code for p in budi.programs] == ["PKH", "RTLH"]
    pkh = session.scalars(
        sa.select(Intervention).where(Intervention.category_code == "social_assistance")
    ).one()
    assert pkh.village_code == "33.10.24.2003" and pkh.start_date == dt.date(2026, 1, 1)
    assert pkh.end_date == dt.date(2026, 12, 31) and pkh.budget_year == 2026
    assert pkh.facilitator_id is None and pkh.households == 80
    offer = session.scalars(sa.select(Offer)).one()
    assert offer.status is ExchangeStatus.OPEN and offer.capacity == 2
    assert [k.code for k in offer.kecamatan] == ["33.10.24"]
    assert [v.code for v in offer.villages] == ["33.10.24.2003"]
    assert offer.description == "=SUM(A1) is text"
    need = session.scalars(sa.select(Need)).one()
    assert [s.code for s in need.skills] == ["bookkeeping"]
    assert need.kecamatan_code == "33.10.24" and need.needed_until is None
    assert run.regency_codes == [KLATEN] and len(run.job_ids) == 1
    audit = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "import.applied"))
    assert [a.detail["counts"]["people"]["new"] for a in audit] == [2]


def _formats() -> dict[str, list[Upload]]:
    return {
        "comma": sample_csvs(),
        "semicolon": sample_csvs(delimiter=";"),
        "bom": sample_csvs(bom=True, comment="# komentar, seperti di templat"),
        "xlsx": [Upload("klaten.xlsx", xlsx_bytes(SAMPLE))],
    }


@pytest.mark.parametrize("fmt", ["semicolon", "bom", "xlsx"])
def test_formats_give_the_same_result(session: Session, fmt: str) -> None:
    imported(session, _formats()["comma"], expect=APPLIED)
    expected = dump(session, CONTENT_TABLES)
    rerun = imported(session, _formats()[fmt], expect=APPLIED)
    assert all(c["new"] == c["updated"] == 0 for c in rerun.counts.values()), rerun.counts
    assert dump(session, CONTENT_TABLES) == expected


def test_xlsx_typed_cells(session: Session) -> None:
    """XLSX numbers and dates arrive typed; they import like their text in a CSV."""
    imported(session, sample_csvs(), expect=APPLIED)
    row = list(INTERVENTIONS[0])
    row[3], row[4] = dt.datetime(2026, 2, 1), dt.date(2026, 6, 30)  # type: ignore[call-overload]
    row[5], row[6] = 12, 180000000.0  # type: ignore[call-overload]
    run = imported(
        session, [Upload("x.xlsx", xlsx_bytes({"interventions": [row]}))], expect=APPLIED
    )
    assert run.counts["interventions"] == {"new": 0, "updated": 0, "unchanged": 1}


@pytest.mark.parametrize(
    "word", ["bookkeeping", "Pembukuan", "BOOKKEEPING", "Bookkeeping", "tata buku", "accounting"]
)
def test_skills_by_code_label_or_synonym(session: Session, word: str) -> None:
    imported(session, sample_csvs(), expect=APPLIED)
    need = [*NEEDS[0]]
    need[2] = word
    run = imported(session, [Upload("needs.csv", csv_bytes("needs", [need]))], expect=APPLIED)
    assert run.counts["needs"]["unchanged"] == 1


@pytest.mark.parametrize(
    "word", ["house_renovation", "Rehabilitasi rumah", "House renovation", "bedah rumah", "RTLH"]
)
def test_activities_by_code_label_or_synonym(session: Session, word: str) -> None:
    imported(session, sample_csvs(), expect=APPLIED)
    row = [*INTERVENTIONS[0]]
    row[2] = word
    run = imported(
        session, [Upload("interventions.csv", csv_bytes("interventions", [row]))], expect=APPLIED
    )
    assert run.counts["interventions"]["unchanged"] == 1


@pytest.mark.parametrize(
    "reference",
    [
        "33.10.24.2003",
        "Karanganom, Klaten Utara",
        "karang anom ,  klaten utara",
        "Karanganom, 33.10.24",
    ],
)
def test_village_references(session: Session, reference: str) -> None:
    imported(session, sample_csvs(), expect=APPLIED)
    row = [*INTERVENTIONS[0]]
    row[1] = reference
    run = imported(
        session, [Upload("interventions.csv", csv_bytes("interventions", [row]))], expect=APPLIED
    )
    assert run.counts["interventions"]["unchanged"] == 1


def test_bare_unique_village_name(session: Session) -> None:
    imported(session, sample_csvs(), expect=APPLIED)
    row = [*INTERVENTIONS[0]]
    row[1], row[3] = "Gergunung", "2026-03-01"  # Klaten Utara, unique in Klaten
    imported(
        session, [Upload("interventions.csv", csv_bytes("interventions", [row]))], expect=APPLIED
    )
    codes = session.scalars(sa.select(Intervention.village_code)).all()
    assert any(code.startswith("33.10.24.") and code != "33.10.24.2003" for code in codes)


@pytest.mark.parametrize(
    ("reference", "code", "suggestion"),
    [
        ("Karanganom", "ambiguous_village", "Karanganom, Karanganom; Karanganom, Klaten Utara"),
        # Karanganom exists, but not in Pedan: where it is, not "unknown".
        (
            "Karanganom, 33.10.12",
            "village_not_in_kecamatan",
            "Karanganom, Karanganom; Karanganom, Klaten Utara",
        ),
        ("Karangannom, Klaten Utara", "unknown_village", "Karanganom"),
        ("Karanganom, Klaten Utaraa", "unknown_kecamatan", "Klaten Utara"),
        ("Gergunungg", "unknown_village_name", "Gergunung"),
        ("33.10.99.2001", "unknown_village_code", ""),
        ("33.10.24", "kecamatan_not_allowed", ""),
        ("33.09.01.2001", "out_of_scope", ""),
    ],
)
def test_village_problems(session: Session, reference: str, code: str, suggestion: str) -> None:
    imported(session, sample_csvs(), expect=APPLIED)
    coordinator = person(session, "koor@example.org", Role.COORDINATOR)
    row = [*INTERVENTIONS[0]]
    row[1] = reference
    run = imported(
        session,
        [Upload("interventions.csv", csv_bytes("interventions", [row]))],
        coordinator,
        expect=REJECTED,
    )
    [problem] = errors(run)
    assert problem["code"] == code and problem["row"] == 2 and problem["column"] == "village"
    assert problem["value"] == reference
    if suggestion:
        assert problem["suggestion"] == suggestion
    assert problem["text_en"] and problem["text_id"] and problem["text_en"] != problem["text_id"]


def test_misspelt_village_message(session: Session) -> None:
    """The issue's example: a name that is not in the kecamatan, with what it could be."""
    row = [*INTERVENTIONS[0]]
    row[1] = "Karangnom, Klaten Utara"
    uploads = [Upload("programs.csv", csv_bytes("programs", PROGRAMS))]
    uploads.append(Upload("interventions.csv", csv_bytes("interventions", [[*row[:7], "", ""]])))
    [problem] = errors(imported(session, uploads, expect=REJECTED))
    assert problem["text_en"] == "unknown village 'Karangnom' in kecamatan 33.10.24"
    assert problem["text_id"] == "desa 'Karangnom' tidak dikenal di kecamatan 33.10.24"
    assert problem["suggestion"] == "Karanganom"


def test_dry_run_writes_only_the_run(session: Session) -> None:
    before = row_counts(session)
    run = imported(session, sample_csvs(), dry_run=True, expect=CHECKED)
    assert run.counts["interventions"] == {"new": 2, "updated": 0, "unchanged": 0}
    assert row_counts(session) == before
    assert session.scalar(sa.select(sa.func.count()).select_from(ImportRun)) == 1
    imported(session, sample_csvs(), expect=APPLIED)
    row = [*INTERVENTIONS[0]]
    row[5] = "13"
    uploads = [Upload("interventions.csv", csv_bytes("interventions", [row, INTERVENTIONS[1]]))]
    again = imported(session, uploads, dry_run=True, expect=CHECKED)
    assert again.counts == {"interventions": {"new": 0, "updated": 1, "unchanged": 1}}


def test_reimport_changes_nothing(session: Session) -> None:
    imported(session, sample_csvs(), expect=APPLIED)
    before = dump(session, CONTENT_TABLES)
    audits = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    jobs = session.scalar(sa.select(sa.func.count()).select_from(JobRun))
    run = imported(session, sample_csvs(), expect=APPLIED)
    assert all(c["new"] == c["updated"] == 0 for c in run.counts.values())
    assert dump(session, CONTENT_TABLES) == before  # updated_at included
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audits
    assert session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == jobs
    assert run.job_ids == [] and run.regency_codes == []


def test_update_by_natural_key(session: Session) -> None:
    imported(session, sample_csvs(), expect=APPLIED)
    offer = session.scalars(sa.select(Offer)).one()
    offer.status = ExchangeStatus.FULFILLED
    session.commit()
    people = [[*PEOPLE[0]], PEOPLE[1]]
    people[0][0], people[0][1], people[0][7] = "SRI@Example.org ", "Sri W.", "gis"
    offers = [[*OFFERS[0]]]
    offers[0][3], offers[0][6] = "33.10.24.2001", "3"
    programs = [[*PROGRAMS[0]], PROGRAMS[1]]
    programs[0][1] = "PKH Kemensos"
    run = imported(
        session,
        [
            Upload("programs.csv", csv_bytes("programs", programs)),
            Upload("people.csv", csv_bytes("people", people)),
            Upload("offers.csv", csv_bytes("offers", offers)),
        ],
        expect=APPLIED,
    )
    assert run.counts["people"] == {"new": 0, "updated": 1, "unchanged": 1}
    assert run.counts["offers"] == {"new": 0, "updated": 1, "unchanged": 0}
    assert run.counts["programs"] == {"new": 0, "updated": 1, "unchanged": 1}
    session.expire_all()
    sri = session.scalars(sa.select(Person).where(Person.email == "sri@example.org")).one()
    assert sri.name == "Sri W." and [s.code for s in sri.skills] == ["gis"]
    offer = session.scalars(sa.select(Offer)).one()
    assert offer.status is ExchangeStatus.FULFILLED  # kept
    assert offer.capacity == 3 and [v.code for v in offer.villages] == ["33.10.24.2001"]
    assert offer.kecamatan == []
    assert session.scalar(sa.select(sa.func.count()).select_from(Person)) == 2


def test_update_keeps_password_and_flags(session: Session, make_person: object) -> None:
    make_person("sri@example.org")  # type: ignore[operator]
    imported(session, sample_csvs(), expect=APPLIED)
    session.expire_all()
    sri = session.scalars(sa.select(Person).where(Person.email == "sri@example.org")).one()
    assert sri.password_hash and sri.active and sri.name == "Sri Wahyuni"


def test_all_or_nothing(session: Session) -> None:
    before = row_counts(session)
    rows = [[*INTERVENTIONS[1]] for _ in range(50)]
    for i, row in enumerate(rows):
        row[3] = (dt.date(2026, 1, 1) + dt.timedelta(days=i)).isoformat()
    rows[37][5] = "banyak"
    uploads = [
        Upload("programs.csv", csv_bytes("programs", PROGRAMS)),
        Upload("interventions.csv", csv_bytes("interventions", rows)),
    ]
    run = imported(session, uploads, expect=REJECTED)
    [problem] = errors(run)
    assert (problem["file"], problem["row"], problem["column"], problem["code"]) == (
        "interventions.csv",
        39,
        "households",
        "bad_number",
    )
    assert row_counts(session) == before


def test_every_problem_is_reported(session: Session) -> None:
    rows = [
        [
            "PKH",
            "Karanganom, Klaten Utara",
            "nonsense",
            "2026-13-01",
            "1999-01-01",
            "-1",
            "lima juta",  # "1.500.000" is read since issue 10; words are not
            "x@",
            "t" * 300,
        ]
    ]
    uploads = [
        Upload("programs.csv", csv_bytes("programs", PROGRAMS)),
        Upload("interventions.csv", csv_bytes("interventions", rows)),
    ]
    found = {(p["column"], p["code"]) for p in errors(imported(session, uploads, expect=REJECTED))}
    assert found == {
        ("activity", "unknown_activity"),
        ("start_date", "bad_date"),
        ("end_date", "date_out_of_range"),
        ("households", "number_out_of_range"),  # -1 is a number, below 0
        ("budget_idr", "bad_number"),
        ("facilitator_email", "bad_email"),
        ("title", "too_long"),
    }


def test_duplicate_keys_name_both_rows(session: Session) -> None:
    people = [PEOPLE[0], PEOPLE[1], [*PEOPLE[1]]]
    people[2][0] = "Budi@Example.org"
    uploads = [
        Upload("programs.csv", csv_bytes("programs", PROGRAMS)),
        Upload("people.csv", csv_bytes("people", people)),
    ]
    [problem] = errors(imported(session, uploads, expect=REJECTED))
    assert problem["code"] == "duplicate_key" and problem["row"] == 4
    assert "row 3" in problem["text_en"]


def test_end_before_start(session: Session) -> None:
    row = [*INTERVENTIONS[1]]
    row[4] = "31/12/2025"
    uploads = [
        Upload("programs.csv", csv_bytes("programs", PROGRAMS)),
        Upload("interventions.csv", csv_bytes("interventions", [row])),
    ]
    [problem] = errors(imported(session, uploads, expect=REJECTED))
    assert problem["code"] == "end_before_start" and problem["column"] == "end_date"


def test_missing_and_extra_columns(session: Session) -> None:
    header = ["Code", " NAME ", "agency", "funding_source", "categories", "id", "updated_at"]
    rows = [[*PROGRAMS[0], "7", "2026-01-01"]]
    run = imported(
        session,
        [Upload("programs.csv", csv_bytes("programs", rows, header=header))],
        expect=APPLIED,
    )
    assert [(p["code"], p["value"], p["level"]) for p in run.problems] == [
        ("ignored_column", "id", "note"),
        ("ignored_column", "updated_at", "note"),
    ]
    header = ["code", "name", "funding_source"]
    run = imported(
        session, [Upload("programs.csv", csv_bytes("programs", [], header=header))], expect=REJECTED
    )
    assert [(p["code"], p["value"], p["row"]) for p in errors(run)] == [
        ("missing_column", "agency", 1),
    ]


def test_formula_cells(session: Session) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "programs"
    sheet.append(["code", "name", "agency", "funding_source", "categories"])
    sheet.append(["PKH", '=HYPERLINK("http://x")', "Kemensos", "apbn", "education"])
    import io

    out = io.BytesIO()
    book.save(out)
    [problem] = errors(imported(session, [Upload("p.xlsx", out.getvalue())], expect=REJECTED))
    assert (problem["code"], problem["row"], problem["column"]) == ("formula_cell", 2, "B")
    # In a CSV the same text is only text; an export's apostrophe is dropped.
    rows = [["PKH", "'=HYPERLINK(1)", "@Kemensos", "apbn", "education"]]
    imported(session, [Upload("programs.csv", csv_bytes("programs", rows))], expect=APPLIED)
    program = session.scalars(sa.select(Program)).one()
    assert (program.name, program.agency) == ("=HYPERLINK(1)", "@Kemensos")


def test_templates_import_as_empty(session: Session) -> None:
    uploads = [Upload(f"{k}.csv", template_csv(k)) for k in SAMPLE]
    uploads.append(Upload("templat.xlsx", template_xlsx()))
    assert template_csv("needs").startswith(b'\xef\xbb\xbf"# Kebutuhan')
    run = imported(session, uploads, expect=APPLIED)
    assert all(c == {"new": 0, "updated": 0, "unchanged": 0} for c in run.counts.values())
    assert run.problems == [] and run.job_ids == []


def test_scope(session: Session) -> None:
    imported(session, sample_csvs(), expect=APPLIED)
    facilitator = person(session, "f@example.org", Role.FACILITATOR)
    with pytest.raises(PermissionError):
        run_import(session, sample_csvs(), facilitator, dry_run=True)
    session.add(
        Regency(code="33.09", province_code="33", name="BOYOLALI", kind=RegencyKind.KABUPATEN)
    )
    session.commit()
    try:
        other = person(session, "boyolali@example.org", Role.COORDINATOR, regency="33.09")
        run = imported(session, sample_csvs(), other, dry_run=True, expect=REJECTED)
        codes = {(p["kind"], p["code"]) for p in errors(run)}
        # Codes outside the regency are out of scope; names are looked up only inside it.
        assert codes == {
            ("people", "out_of_scope"),
            ("people", "unknown_kecamatan"),
            ("interventions", "out_of_scope"),
            ("interventions", "unknown_kecamatan"),
            ("offers", "out_of_scope"),
            ("needs", "out_of_scope"),
        }  # unchanged programs are fine
    finally:
        session.rollback()
        session.execute(sa.delete(ImportRun))
        session.execute(sa.delete(Person).where(Person.regency_code == "33.09"))
        session.execute(sa.delete(Regency).where(Regency.code == "33.09"))
        session.commit()
    ours = person(session, "koor@example.org", Role.COORDINATOR)
    run = imported(session, sample_csvs(), ours, expect=APPLIED)
    people = [[*PEOPLE[1]]]
    people[0][3] = "admin"
    programs = [[*PROGRAMS[0]]]
    programs[0][2] = "Kementerian Sosial"
    run = imported(
        session,
        [
            Upload("people.csv", csv_bytes("people", people)),
            Upload("programs.csv", csv_bytes("programs", programs)),
        ],
        ours,
        expect=REJECTED,
    )
    assert {p["code"] for p in errors(run)} == {"role_not_allowed", "program_shared"}
    admin = person(session, "admin@example.org", Role.ADMIN, regency=None)
    imported(
        session,
        [
            Upload("people.csv", csv_bytes("people", people)),
            Upload("programs.csv", csv_bytes("programs", programs)),
        ],
        admin,
        expect=APPLIED,
    )


def test_unknown_references_in_upload_order(session: Session) -> None:
    """A later sheet may use what an earlier one creates, never the other way round."""
    run = imported(session, sample_csvs()[2:], expect=REJECTED)
    codes = {(p["kind"], p["code"]) for p in errors(run)}
    assert ("interventions", "unknown_program") in codes
    assert ("offers", "unknown_person") in codes


def test_instructions_sheet_is_ignored(session: Session) -> None:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx_bytes({"programs": PROGRAMS})))
    notes = book.create_sheet("Petunjuk", 0)
    notes.append(["Isi lembar programs, lalu unggah."])
    out = io.BytesIO()
    book.save(out)
    run = imported(session, [Upload("data.xlsx", out.getvalue())], expect=APPLIED)
    assert run.counts == {"programs": {"new": 2, "updated": 0, "unchanged": 0}}
    assert [(p["code"], p["level"]) for p in run.problems] == [("ignored_sheet", "note")]
    book = load_workbook(io.BytesIO(xlsx_bytes({"programs": PROGRAMS})))
    book["programs"].title = "Sheet1"  # one sheet, named by Excel: the file name says the kind
    out = io.BytesIO()
    book.save(out)
    run = imported(session, [Upload("programs.xlsx", out.getvalue())], expect=APPLIED)
    assert run.counts == {"programs": {"new": 0, "updated": 0, "unchanged": 2}}


def test_problem_list_is_capped(session: Session) -> None:
    rows = [[f"P{i}", "Nama", "Dinas", "nowhere", "education"] for i in range(1_200)]
    run = imported(session, [Upload("programs.csv", csv_bytes("programs", rows))], expect=REJECTED)
    assert len(run.problems) == 1_001
    assert run.problems[-1]["code"] == "more_problems" and run.problems[-1]["value"] == "200"


def test_waiting_rebuild_is_reused(session: Session) -> None:
    waiting = JobRun(task="titiktemu.rebuild_regency", args=[KLATEN], regency_code=KLATEN)
    session.add(waiting)
    session.commit()  # added directly, not enqueued: it waits for the broker's sweep
    run = imported(session, sample_csvs(), expect=APPLIED)
    assert run.job_ids == [waiting.id]
    assert session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 1


def test_too_many_rows(session: Session) -> None:
    from titiktemu.imports.reading import MAX_ROWS

    rows = [[f"P{i}", "n", "a", "apbn", ""] for i in range(MAX_ROWS + 1)]
    run = imported(session, [Upload("programs.csv", csv_bytes("programs", rows))], expect=REJECTED)
    assert [(p["code"], p["row"]) for p in errors(run)] == [("too_many_rows", MAX_ROWS + 2)]


@pytest.mark.parametrize(
    ("written", "source"),
    [
        ("APBD Kab.", FundingSource.APBD),  # Boyolali's planning office, as typed
        ("APBD Prov. Jateng", FundingSource.APBD),
        ("APBD Kab/Kota", FundingSource.APBD),
        ("APBN (DAK)", FundingSource.APBN),
        ("Dana Desa 2021", FundingSource.APBDES),
        ("APBDesa", FundingSource.APBDES),
        ("TJSL PT Susu Sehat", FundingSource.CSR),
        ("CSR Bank Jateng", FundingSource.CSR),
        ("Zakat produktif Baznas", FundingSource.BAZNAS),
        ("apbn", FundingSource.APBN),
    ],
)
def test_funding_sources_as_planners_write_them(
    session: Session, written: str, source: FundingSource
) -> None:
    rows = [["KOTAKU", "Kota Tanpa Kumuh", "Kementerian PUPR", written, "sanitasi"]]
    imported(session, [Upload("programs.csv", csv_bytes("programs", rows))], expect=APPLIED)
    program = session.scalars(sa.select(Program).where(Program.code == "KOTAKU")).one()
    assert program.funding_source is source


def test_two_funding_sources_are_asked_about_not_guessed(session: Session) -> None:
    rows = [["KOTAKU", "Kota Tanpa Kumuh", "Kementerian PUPR", "APBN + APBD", "sanitasi"]]
    run = imported(session, [Upload("programs.csv", csv_bytes("programs", rows))], expect=REJECTED)
    [problem] = errors(run)
    assert (problem["column"], problem["code"]) == ("funding_source", "ambiguous_funding")
    assert "apbn; apbd" in problem["text_en"]
    assert "sumber dana" in problem["text_id"]


def test_a_refused_program_is_named_where_rows_use_it(session: Session) -> None:
    """A program row refused for its own cell: the people and interventions naming that
    program point at the row to fix, not at an "unknown program"."""
    programs = [PROGRAMS[0], ["RTLH", "Rumah Tidak Layak Huni", "Dinas Perkim", "APBX", ""]]
    uploads = [
        Upload("program_boyolali.csv", csv_bytes("programs", programs)),
        Upload("people.csv", csv_bytes("people", PEOPLE)),
        Upload("interventions.csv", csv_bytes("interventions", INTERVENTIONS)),
    ]
    problems = errors(imported(session, uploads, expect=REJECTED))
    by_file = {(p["file"], p["code"]) for p in problems}
    assert ("program_boyolali.csv", "bad_choice") in by_file
    assert ("people.csv", "program_refused") in by_file
    assert ("interventions.csv", "program_refused") in by_file
    assert not any(p["code"] == "unknown_program" for p in problems)
    named = next(p for p in problems if p["code"] == "program_refused")
    assert "program_boyolali.csv row 3: fix that row first" in named["text_en"]


def test_no_suggestion_of_a_different_word(session: Session) -> None:
    """'pendataan' (data collection) is not offered 'Pendidikan' (education); a typo is."""
    rows = [[*INTERVENTIONS[1]], [*INTERVENTIONS[1]]]
    rows[0][2], rows[1][2] = "pendataan", "sanitsai"
    rows[1][3] = "2026-03-01"
    uploads = [
        Upload("programs.csv", csv_bytes("programs", PROGRAMS)),
        Upload("interventions.csv", csv_bytes("interventions", rows)),
    ]
    problems = errors(imported(session, uploads, expect=REJECTED))
    suggestions = {p["value"]: p["suggestion"] for p in problems if p["column"] == "activity"}
    assert suggestions["pendataan"] == ""
    assert suggestions["sanitsai"] == "Sanitasi dan jamban"


def test_needs_and_offers_with_english_headers(session: Session) -> None:
    """A donor's staff write their sheets in English: the columns are known by those names."""
    offers = csv_bytes(
        "offers",
        [
            [
                "sri@example.org",
                "Poor household data",
                "poor_household_data",
                "33.10.24.2003",
                "1/1/2026",
                "31/12/2026",
                "2",
                "via the coordinator",
            ]
        ],
        header=[
            "Email",
            "Offer",
            "Skills offered",
            "Service area",
            "Available from",
            "Available until",
            "Quota",
            "Notes",
        ],
    )
    needs = csv_bytes(
        "needs",
        [
            [
                "budi@example.org",
                "Bookkeeping for the BUMDes",
                "accounting",
                "Karanganom",
                "Klaten Utara",
                "March 2026",
                "June 2026",
                "",
            ]
        ],
        header=[
            "Email",
            "Need",
            "Skills needed",
            "Village",
            "Sub-district",
            "From",
            "Until",
            "Remarks",
        ],
    )
    uploads = [
        Upload("programs.csv", csv_bytes("programs", PROGRAMS)),
        Upload("people.csv", csv_bytes("people", PEOPLE)),
        Upload("offers.csv", offers),
        Upload("needs.csv", needs),
    ]
    imported(session, uploads, expect=APPLIED)
    offer = session.scalars(sa.select(Offer).where(Offer.title == "Poor household data")).one()
    assert (offer.capacity, offer.available_until) == (2, dt.date(2026, 12, 31))
    need = session.scalars(sa.select(Need).where(Need.title == "Bookkeeping for the BUMDes")).one()
    assert need.village_code == "33.10.24.2003"
    assert (need.needed_from, need.needed_until) == (dt.date(2026, 3, 1), dt.date(2026, 6, 30))


def _people_with_role(word: str) -> list[Upload]:
    """The programs, and one person whose role column says ``word``."""
    row = [*PEOPLE[0]]
    row[3] = word
    return [
        Upload("programs.csv", csv_bytes("programs", PROGRAMS)),
        Upload("people.csv", csv_bytes("people", [row])),
    ]


@pytest.mark.parametrize("word", ["Relawan", "Volunteer", "PLD", "Pendamping Lokal Desa", "Kader"])
def test_people_who_work_in_the_villages_are_facilitators(session: Session, word: str) -> None:
    """Other names for the plain role, which grants nothing beyond one's own: read, not asked."""
    uploads = _people_with_role(word)
    imported(session, uploads, expect=APPLIED)
    sri = session.scalars(sa.select(Person).where(Person.email == "sri@example.org")).one()
    assert sri.role is Role.FACILITATOR


@pytest.mark.parametrize("word", ["Mitra", "partner", "Donatur"])
def test_a_donor_or_csr_row_makes_a_partner(session: Session, word: str) -> None:
    """A coordinator invites partners, so their list may name them: the prospectus and their
    own offers, nothing else of the regency."""
    uploads = _people_with_role(word)
    imported(session, uploads, expect=APPLIED)
    sri = session.scalars(sa.select(Person).where(Person.email == "sri@example.org")).one()
    assert sri.role is Role.PARTNER


def test_a_field_coordinator_is_asked_about(session: Session) -> None:
    """ "Koordinator Lapangan": a senior facilitator, or a coordinator who decides proposals?"""
    uploads = _people_with_role("Koordinator Lapangan")
    [problem] = errors(imported(session, uploads, expect=REJECTED))
    assert (problem["column"], problem["code"]) == ("role", "bad_choice")


def test_interventions_with_english_headers(session: Session) -> None:
    """A CSR partner's 3W sheet in English, with a quarter for its period."""
    rows = [
        [
            "RTLH",
            "Karanganom",
            "Klaten Utara",
            "house renovation",
            "Dairy farmers' houses",
            "Q2 2026",
            "Q3 2026",
            "8 households",
            "IDR 120,000,000",
            "sri@example.org",
        ],
    ]
    header = ["Program", "Village", "Sub-district", "Activity", "Activity name", "Start", "End"]
    header += ["Households", "Budget (IDR)", "Facilitator email"]
    uploads = [
        Upload("programs.csv", csv_bytes("programs", PROGRAMS)),
        Upload("people.csv", csv_bytes("people", PEOPLE)),
        Upload("interventions.csv", csv_bytes("interventions", rows, header=header)),
    ]
    imported(session, uploads, expect=APPLIED)
    item = session.scalars(
        sa.select(Intervention).where(Intervention.title == "Dairy farmers' houses")
    ).one()
    assert (item.start_date, item.end_date) == (dt.date(2026, 4, 1), dt.date(2026, 9, 30))
    assert (item.households, item.budget_idr) == (8, 120_000_000)
    assert item.village_code == "33.10.24.2003"
