"""Reading a clerk's words ("jambanisasi", "rehab RTLH", "PKH Dinsos") and the regency's synonyms:
the reader's rules, imports that say how they read a phrase, one tap that keeps a reading, the
/synonyms page, the engine and similar needs seeing the regency's words, and no other regency's."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from graph.config import EngineConfig
from graph.world import World
from titiktemu.extensions import db
from titiktemu.imports import Upload
from titiktemu.interventions.similar import title_skills
from titiktemu.matching.inputs import load_inputs
from titiktemu.models import (
    AuditEntry,
    ImportRun,
    ImportStatus,
    Need,
    Person,
    Regency,
    RegencySynonym,
    Role,
    SynonymKind,
)
from titiktemu.places.regions import load_regions, resolve_codes
from titiktemu.vocabulary.phrases import PhraseReader, read_program, stems
from titiktemu.vocabulary.synonyms import (
    SynonymError,
    add_synonym,
    remove_synonym,
    synonyms_of,
)
from titiktemu.vocabulary.taxonomy import TaxonomyIndex, read_taxonomy

from .conftest import PASSWORD, csrf_token
from .test_imports_support import PROGRAMS, csv_bytes, errors, imported, person

KLATEN = "33.10"
SLEMAN = "34.04"
APPLIED, CHECKED, REJECTED = ImportStatus.APPLIED, ImportStatus.CHECKED, ImportStatus.REJECTED


# --- The reader: pure, from the shipped taxonomy ------------------------------------------------


@pytest.fixture(scope="module")
def index() -> TaxonomyIndex:
    return TaxonomyIndex.from_toml()


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("bedah rumah", "house_renovation"),
        ("Rehab RTLH", "house_renovation"),
        ("sumur bor", "clean_water"),
        ("Pelatihan Pembukuan", "livelihood_training"),
        ("jamban", "sanitation"),
    ],
)
def test_exact_activities_need_no_note(index: TaxonomyIndex, phrase: str, code: str) -> None:
    reading = index.read_category(phrase)
    assert reading is not None and reading.exact and reading.code == code


@pytest.mark.parametrize(
    ("section", "phrase", "code"),
    [
        # rule 3: a known word with an affix
        ("activity", "jambanisasi", "sanitation"),
        ("skill", "jambanisasi", "sanitation_hygiene"),
        ("activity", "Pengaspalan", "drainage_roads"),
        # rule 2: every word among one entry's words
        ("skill", "promosi sanitasi", "sanitation_hygiene"),
        ("activity", "Rehab. RTLH swadaya", "house_renovation"),
        ("activity", "bantuan rumah", "house_renovation"),
        # rule 4: the clerk's words left out
        ("skill", "pelatihan pembukuan", "bookkeeping"),
        ("activity", "Rehab RTLH 2021", "house_renovation"),
        ("activity", "pembangunan sumur bor", "clean_water"),
        ("activity", "jambanisasi APBDes", "sanitation"),
        ("skill", "bimtek GIS", "gis"),
    ],
)
def test_one_loose_reading(index: TaxonomyIndex, section: str, phrase: str, code: str) -> None:
    reading = index.read_skill(phrase) if section == "skill" else index.read_category(phrase)
    assert reading is not None and not reading.exact and reading.codes == (code,), reading


def test_a_phrase_that_fits_several_lists_them(index: TaxonomyIndex) -> None:
    reading = index.read_category("pelatihan")
    assert reading is not None and reading.code is None
    assert set(reading.codes) == {
        "livelihood_training",
        "health_nutrition",
        "village_governance",
        "disaster_preparedness",
    }
    # "pelatihan" is a skill of its own, though: read exactly there.
    skill = index.read_skill("pelatihan")
    assert skill is not None and skill.exact and skill.code == "training_facilitation"
    bantuan = index.read_category("Bantuan")
    assert bantuan is not None and len(bantuan.codes) > 1


@pytest.mark.parametrize(
    ("section", "phrase"),
    [
        ("activity", "kegiatan"),  # clerk words alone: one fit would be a guess
        ("skill", "kegiatan"),
        ("activity", "pelatihan menjahit"),
        ("activity", "sanitsi"),  # a typo is never read: it stays a suggestion
        ("activity", "jambn"),
        ("activity", "gizinya"),  # "gizi" is shorter than five letters: no derivation
        ("skill", "underwater basket weaving"),
        ("activity", ""),
    ],
)
def test_nothing_is_read(index: TaxonomyIndex, section: str, phrase: str) -> None:
    reading = index.read_skill(phrase) if section == "skill" else index.read_category(phrase)
    assert reading is None


def test_stems_take_only_long_known_shapes() -> None:
    assert "jamban" in stems("jambanisasi")
    assert "aspal" in stems("pengaspalan")
    assert stems("gizinya") == []
    assert stems("rumah") == []


def test_regency_words_are_the_weakest_names() -> None:
    skills = read_taxonomy()["skills"]
    reader = PhraseReader(skills, [("juru buku", "bookkeeping"), ("jamban", "bookkeeping")])
    juru = reader.read("Juru-Buku")
    assert juru is not None and juru.exact and juru.code == "bookkeeping"
    # The shipped taxonomy wins over a regency's word.
    assert reader.exact("jamban") == "sanitation_hygiene"
    # Without the regency's words the phrase is not read at all.
    assert PhraseReader(skills).read("juru buku") is None


PROGRAM_NAMES = {
    "PKH": "Program Keluarga Harapan",
    "RTLH": "Rehabilitasi Rumah Tidak Layak Huni",
    "BSPS": "Bantuan Stimulan Perumahan Swadaya",
    "BLT": "Bantuan Langsung Tunai",
    "BLT-DD": "BLT Dana Desa",
}


@pytest.mark.parametrize(
    ("phrase", "codes", "exact"),
    [
        ("pkh", ("PKH",), True),
        ("Program Keluarga Harapan", ("PKH",), True),
        ("blt dd", ("BLT-DD",), True),
        ("PKH Dinsos", ("PKH",), False),
        ("Bantuan RTLH APBD", ("RTLH",), False),
        ("REKAP PENERIMA BANTUAN RTLH KABUPATEN KLATEN TAHUN 2021", ("RTLH",), False),
        ("Keluarga Harapan", ("PKH",), False),
        ("BLT-DD 2021", ("BLT-DD",), False),  # BLT inside BLT-DD is not a second program
        ("RTLH dan PKH", ("PKH", "RTLH"), False),
    ],
)
def test_programs_by_code_name_or_phrase(phrase: str, codes: tuple[str, ...], exact: bool) -> None:
    reading = read_program(phrase, PROGRAM_NAMES)
    assert reading is not None and reading.codes == codes and reading.exact == exact


def test_programs_not_read() -> None:
    assert read_program("Program", PROGRAM_NAMES) is None
    assert read_program("PKHH", PROGRAM_NAMES) is None
    assert read_program("juru bedah", PROGRAM_NAMES, {"jurubedah": "RTLH"}) == read_program(
        "RTLH", PROGRAM_NAMES
    )


# --- Imports -------------------------------------------------------------------------------------

INTERVENTIONS = [
    ["PKH Dinsos", "33.10.24.2003", "jambanisasi", "2026-02-01", "2026-06-30", "", "", "", "A"],
    ["RTLH", "33.10.24.2003", "rehab RTLH", "2026-02-01", "2026-06-30", "", "", "", "B"],
    [
        "Bantuan RTLH APBD",
        "33.10.24.2001",
        "sumur bor",
        "2026-02-01",
        "2026-06-30",
        "",
        "",
        "",
        "C",
    ],
]
NEEDS = [
    [
        "koord@example.org",
        "Butuh pelatih",
        "pelatihan pembukuan; promosi sanitasi",
        "33.10.24.2003",
        "2026-03-01",
        "",
        "",
    ]
]


@pytest.fixture
def session(ctx: object) -> Session:
    return db.session()


def _coordinator(session: Session, regency: str = KLATEN) -> Person:
    return person(session, f"koord.{regency}@example.org", Role.COORDINATOR, regency)


def _uploads() -> list[Upload]:
    """Interventions as a clerk names them (their programs are imported first, see _programs)."""
    return [Upload("interventions.csv", csv_bytes("interventions", INTERVENTIONS))]


def _programs(session: Session) -> None:
    imported(session, [Upload("programs.csv", csv_bytes("programs", PROGRAMS))], expect=APPLIED)


def _readings(run: ImportRun) -> set[tuple[str, str, str]]:
    return {
        (p["data"]["kind"], p["data"]["phrase"], p["data"]["code"])
        for p in run.problems
        if p["code"] == "read_as"
    }


def test_an_import_reads_clerk_phrases_and_says_how(session: Session) -> None:
    coordinator = _coordinator(session)
    _programs(session)
    run = imported(session, _uploads(), coordinator, expect=APPLIED)
    assert _readings(run) == {
        ("program", "PKH Dinsos", "PKH"),
        ("activity", "jambanisasi", "sanitation"),
        ("program", "Bantuan RTLH APBD", "RTLH"),
    }
    note = next(p for p in run.problems if p.get("value") == "jambanisasi")
    assert note["level"] == "note" and note["column"] == "activity"
    assert note["text_id"] == "'jambanisasi' dibaca sebagai 'Sanitasi dan jamban'"
    assert note["text_en"] == "'jambanisasi' read as 'Sanitation and latrines'"
    program = next(p for p in run.problems if p.get("value") == "PKH Dinsos")
    assert program["text_id"] == "'PKH Dinsos' dibaca sebagai 'PKH (Program Keluarga Harapan)'"

    needs = [Upload("needs.csv", csv_bytes("needs", [[coordinator.email, *NEEDS[0][1:]]]))]
    run = imported(session, needs, coordinator, expect=APPLIED)
    assert _readings(run) == {
        ("skill", "pelatihan pembukuan", "bookkeeping"),
        ("skill", "promosi sanitasi", "sanitation_hygiene"),
    }
    need = session.scalars(sa.select(Need)).one()
    assert [s.code for s in need.skills] == ["bookkeeping", "sanitation_hygiene"]

    # Kept as the regency's words, the phrases read exactly: no note, the same rows.
    add_synonym(session, coordinator, "program", "PKH Dinsos", "PKH")
    add_synonym(session, coordinator, "skill", "promosi sanitasi", "sanitation_hygiene")
    session.commit()
    run = imported(session, _uploads(), coordinator, expect=APPLIED)
    assert _readings(run) == {
        ("activity", "jambanisasi", "sanitation"),
        ("program", "Bantuan RTLH APBD", "RTLH"),
    }
    assert run.counts["interventions"]["unchanged"] == 3
    run = imported(session, needs, coordinator, expect=APPLIED)
    assert _readings(run) == {("skill", "pelatihan pembukuan", "bookkeeping")}


def test_an_ambiguous_phrase_rejects_the_run_naming_the_options(session: Session) -> None:
    coordinator = _coordinator(session)
    rows = [[*INTERVENTIONS[1]]]
    rows[0][2] = "pelatihan"
    run = imported(
        session,
        [
            Upload("programs.csv", csv_bytes("programs", PROGRAMS)),
            Upload("interventions.csv", csv_bytes("interventions", rows)),
        ],
        coordinator,
        expect=REJECTED,
    )
    [problem] = errors(run)
    assert (problem["code"], problem["column"], problem["value"]) == (
        "ambiguous_activity",
        "activity",
        "pelatihan",
    )
    assert problem["text_id"].startswith("'pelatihan' cocok dengan beberapa kegiatan: ")
    assert "Pelatihan usaha dan ekonomi" in problem["text_id"]
    assert "Livelihood and enterprise training" in problem["text_en"]
    assert problem["text_en"].endswith("— choose one")

    rows[0][0], rows[0][2] = "RTLH dan PKH", "rehab RTLH"
    _programs(session)
    run = imported(
        session,
        [Upload("interventions.csv", csv_bytes("interventions", rows))],
        coordinator,
        expect=REJECTED,
    )
    [problem] = errors(run)
    assert problem["code"] == "ambiguous_program"
    assert problem["text_en"] == "'RTLH dan PKH' fits several programs: PKH; RTLH — choose one"


# --- Keeping synonyms: the service --------------------------------------------------------------


def test_who_keeps_what(session: Session) -> None:
    coordinator = _coordinator(session)
    facilitator = person(session, "sri@example.org", Role.FACILITATOR)
    _programs(session)
    with pytest.raises(PermissionError):
        add_synonym(session, facilitator, "activity", "jambanisasi", "sanitation")
    row = add_synonym(session, coordinator, "activity", "  Jambanisasi ", "sanitation")
    session.commit()
    assert (row.regency_code, row.phrase, row.key, row.created_by) == (
        KLATEN,
        "Jambanisasi",
        "jambanisasi",
        coordinator.id,
    )
    for phrase, code, why, other in (
        ("jambanisasi", "sanitation", "duplicate", "sanitation"),
        ("JAMBANISASI", "clean_water", "taken", "sanitation"),
        ("jamban", "house_renovation", "taken", "sanitation"),  # the taxonomy's word
        ("MCK", "sanitation", "known", "sanitation"),
        ("sumur dalam", "no_such_code", "unknown_code", "no_such_code"),
        (" ", "sanitation", "empty", ""),
    ):
        with pytest.raises(SynonymError) as caught:
            add_synonym(session, coordinator, "activity", phrase, code)
        assert (caught.value.code, caught.value.other) == (why, other), phrase
    with pytest.raises(SynonymError, match="taken"):
        add_synonym(session, coordinator, "program", "Program Keluarga Harapan", "RTLH")
    mine = AuditEntry.action.startswith("synonym.")
    assert session.scalars(sa.select(AuditEntry.action).where(mine)).all() == ["synonym.added"]

    with pytest.raises(PermissionError):
        remove_synonym(session, facilitator, row.id)
    remove_synonym(session, coordinator, row.id)
    session.commit()
    assert synonyms_of(session, KLATEN) == []
    assert session.scalars(
        sa.select(AuditEntry.action).where(mine).order_by(AuditEntry.id)
    ).all() == [
        "synonym.added",
        "synonym.removed",
    ]


def _sleman(session: Session) -> None:
    if session.get(Regency, SLEMAN) is None:
        load_regions(session, resolve_codes([SLEMAN]))


def test_another_regencys_synonyms_do_not_leak(session: Session) -> None:
    _sleman(session)
    klaten = _coordinator(session)
    sleman = _coordinator(session, SLEMAN)
    _programs(session)
    theirs = add_synonym(session, sleman, "activity", "jambanisasi", "sanitation")
    add_synonym(session, sleman, "skill", "juru buku", "bookkeeping")
    session.commit()
    # Klaten reads the phrase as before (loosely, with a note), lists nothing, removes nothing.
    run = imported(session, _uploads(), klaten, dry_run=True, expect=CHECKED)
    assert ("activity", "jambanisasi", "sanitation") in _readings(run)
    assert synonyms_of(session, KLATEN) == []
    with pytest.raises(LookupError):
        remove_synonym(session, klaten, theirs.id)
    with pytest.raises(PermissionError):
        add_synonym(session, klaten, "skill", "juru buku", "bookkeeping", regency_code=SLEMAN)
    inputs = load_inputs(session, KLATEN)
    bookkeeping = next(s for s in inputs.skills if s.code == "bookkeeping")
    assert "juru buku" not in bookkeeping.synonyms
    # Sleman's own import reads it exactly.
    run = imported(session, _uploads(), sleman, dry_run=True)
    assert ("activity", "jambanisasi", "sanitation") not in _readings(run)


def test_the_engine_and_similar_needs_see_the_regencys_words(session: Session) -> None:
    coordinator = _coordinator(session)
    need = Need(
        person_id=coordinator.id,
        title="Butuh juru buku untuk KUBE",
        kecamatan_code="33.10.24",
        village_code="33.10.24.2003",
        needed_from=dt.date(2026, 3, 1),
    )
    session.add(need)
    session.commit()

    def text_skills() -> frozenset[str]:
        inputs = load_inputs(session, KLATEN)
        [record] = [n for n in inputs.needs if n.id == need.id]
        return World(inputs, EngineConfig()).need_view(record).text_skills

    def similar_skills() -> frozenset[str]:
        return title_skills(TaxonomyIndex.from_session(session, KLATEN), need.title)

    assert "bookkeeping" not in text_skills()
    assert "bookkeeping" not in similar_skills()
    add_synonym(session, coordinator, "skill", "juru buku", "bookkeeping")
    session.commit()
    assert "bookkeeping" in text_skills()
    assert "bookkeeping" in similar_skills()


# --- One tap from the report, through the real pages ---------------------------------------------

KEEP_FORM = re.compile(
    r'<form method="post" action="(/imports/\d+/synonyms)" class="keep-synonym">(.*?)</form>', re.S
)
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def _sign_in(client: FlaskClient, make_person: Any, email: str, **person: Any) -> int:
    ident = int(make_person(email, **person))
    token = csrf_token(client, "/login")
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302
    return ident


def _check(client: FlaskClient, uploads: list[Upload]) -> int:
    token = csrf_token(client, "/imports")
    answer = client.post(
        "/imports",
        data={
            "csrf_token": token,
            "kind": "",
            "action": "check",
            "files": [(io.BytesIO(u.data), u.name) for u in uploads],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    found = re.search(r"/imports/(\d+)$", answer.headers["Location"])
    assert found
    return int(found.group(1))


def _keep_forms(page: str) -> dict[str, tuple[str, dict[str, str]]]:
    """phrase -> (action, fields) of each "save as synonym" form on a run page."""
    found = {}
    for action, body in KEEP_FORM.findall(page):
        fields = dict(HIDDEN.findall(body))
        found[fields["phrase"]] = (action, fields)
    return found


def test_one_tap_keeps_a_reading_and_the_next_import_reads_it_exactly(
    app: Flask, client: FlaskClient, make_person: Any
) -> None:
    _sign_in(client, make_person, "koord@example.org", role=Role.COORDINATOR)
    with app.app_context():
        _programs(db.session())
    run_id = _check(client, _uploads())
    page = client.get(f"/imports/{run_id}").get_data(as_text=True)
    forms = _keep_forms(page)
    assert set(forms) == {"PKH Dinsos", "jambanisasi", "Bantuan RTLH APBD"}
    assert "Simpan sebagai sinonim" in page

    action, fields = forms["jambanisasi"]
    answer = client.post(action, data=fields, follow_redirects=True)
    assert answer.request.path == f"/imports/{run_id}"
    assert "&#39;jambanisasi&#39; disimpan sebagai sinonim" in answer.get_data(as_text=True)
    again = client.post(action, data=fields, follow_redirects=True)
    assert "&#39;jambanisasi&#39; sudah tersimpan sebagai sinonim" in again.get_data(as_text=True)
    with app.app_context():
        [kept] = db.session.scalars(sa.select(RegencySynonym)).all()
        assert (kept.regency_code, kept.kind, kept.phrase, kept.code) == (
            KLATEN,
            SynonymKind.ACTIVITY,
            "jambanisasi",
            "sanitation",
        )

    # A reading the report did not offer cannot be slipped in through the same form.
    forged = {**fields, "code": "clean_water"}
    assert client.post(action, data=forged).status_code == 400

    # The same upload now reads the phrase exactly: no note, no button for it.
    second = _check(client, _uploads())
    assert set(_keep_forms(client.get(f"/imports/{second}").get_data(as_text=True))) == {
        "PKH Dinsos",
        "Bantuan RTLH APBD",
    }

    # The /synonyms page lists it with who kept it; removing it brings the note back.
    listing = client.get("/synonyms").get_data(as_text=True)
    assert "jambanisasi" in listing and "Sanitasi dan jamban" in listing
    assert "disimpan oleh Sri Wahyuni" in listing
    remove = re.search(r'action="(/synonyms/\d+/remove)"', listing)
    assert remove
    token = csrf_token(client, "/synonyms")
    answer = client.post(remove.group(1), data={"csrf_token": token}, follow_redirects=True)
    assert "&#39;jambanisasi&#39; tidak lagi menjadi sinonim" in answer.get_data(as_text=True)
    third = _check(client, _uploads())
    assert "jambanisasi" in _keep_forms(client.get(f"/imports/{third}").get_data(as_text=True))


def test_the_button_needs_a_regency_that_read_the_run(
    app: Flask, client: FlaskClient, make_person: Any
) -> None:
    """An admin without a regency imports with no regency's words: nothing to keep the reading
    for, so no button; the same admin may keep a reading of a coordinator's run for its regency."""
    _sign_in(client, make_person, "admin@example.org", role=Role.ADMIN, regency_code=None)
    with app.app_context():
        _programs(db.session())
    own = _check(client, _uploads())
    page = client.get(f"/imports/{own}").get_data(as_text=True)
    assert "jambanisasi" in page and _keep_forms(page) == {}
    token = csrf_token(client, f"/imports/{own}")
    fields = {"csrf_token": token, "kind": "activity", "phrase": "jambanisasi"}
    answer = client.post(f"/imports/{own}/synonyms", data={**fields, "code": "sanitation"})
    assert answer.status_code == 403

    with app.app_context():
        coordinator_id = int(make_person("koord@example.org", role=Role.COORDINATOR))
        theirs = ImportRun(
            person_id=coordinator_id,
            status=ImportStatus.CHECKED,
            dry_run=True,
            problems=db.session.get(ImportRun, own).problems,  # type: ignore[union-attr]
        )
        db.session.add(theirs)
        db.session.commit()
        theirs_id = theirs.id
    forms = _keep_forms(client.get(f"/imports/{theirs_id}").get_data(as_text=True))
    action, fields = forms["jambanisasi"]
    client.post(action, data=fields)
    with app.app_context():
        kept = db.session.scalars(sa.select(RegencySynonym)).one()
        assert (kept.regency_code, kept.phrase) == (KLATEN, "jambanisasi")


def test_the_synonyms_page_fits_the_phone_budget(
    app: Flask, client: FlaskClient, make_person: Any
) -> None:
    coordinator = _sign_in(client, make_person, "koord@example.org", role=Role.COORDINATOR)
    with app.app_context():
        actor = db.session.get(Person, coordinator)
        assert actor is not None
        for n in range(40):
            add_synonym(db.session(), actor, "skill", f"juru buku {n}", "bookkeeping")
        db.session.commit()
    page = client.get("/synonyms")
    assert page.status_code == 200
    assert len(page.get_data()) < 60 * 1024
    assert page.get_data(as_text=True).count('action="/synonyms/') == 40
