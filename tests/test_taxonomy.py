"""The bilingual taxonomy: covers the domain, is unambiguous, loads idempotently, reads both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import ActivityCategory, Base, Skill, SkillKind
from titiktemu.vocabulary.taxonomy import (
    TaxonomyError,
    TaxonomyIndex,
    load_taxonomy,
    normalise,
    read_taxonomy,
)

#: What domain.md lists under "What facilitators offer and need", by the code that covers it.
DOMAIN_SKILLS = {
    "bookkeeping": ["pembukuan", "bookkeeping"],
    "financial_literacy": ["literasi keuangan", "financial literacy"],
    "poor_household_data": ["data keluarga miskin", "DTKS", "data PKH"],
    "participatory_mapping": ["pemetaan partisipatif", "participatory mapping"],
    "community_organising": ["pengorganisasian masyarakat", "community organizing"],
    "village_planning": ["RPJMDes", "RKPDes", "village planning"],
    "village_budgeting": ["APBDes", "village budget"],
    "bumdes_development": ["BUMDes", "BUMDes business development"],
    "proposal_writing": ["penyusunan proposal", "proposal writing"],
    "construction_supervision": ["pengawasan konstruksi", "construction supervision"],
    "sanitation_hygiene": ["jamban", "STBM", "hygiene promotion"],
    "stunting_nutrition": ["stunting", "posyandu", "gizi", "nutrition"],
    "training_facilitation": ["fasilitasi pelatihan", "training facilitation"],
    "gis": ["GIS", "QGIS", "peta digital"],
    "data_entry": ["entri data", "data entry"],
    "legal_aid": ["bantuan hukum", "legal aid"],
    "civil_documents": ["KTP", "KK", "kartu keluarga", "birth certificate"],
    "meeting_venue": ["tempat pertemuan", "balai desa", "meeting venue"],
    "vehicle": ["kendaraan", "mobil", "vehicle"],
    "projector": ["proyektor", "LCD", "projector"],
}
DOMAIN_CATEGORIES = {
    "house_renovation": ["rehabilitasi rumah", "bedah rumah", "RTLH", "house renovation"],
    "sanitation": ["sanitasi", "jamban", "MCK", "latrines"],
    "clean_water": ["air bersih", "clean water", "PAMSIMAS"],
    "drainage_roads": ["drainase", "jalan desa", "drainage and roads"],
    "social_assistance": ["bantuan sosial", "bansos", "BLT-DD", "BPNT", "cash transfer"],
    "livelihood_training": ["pelatihan usaha", "livelihood and enterprise training"],
    "health_nutrition": ["kesehatan dan gizi", "stunting", "health and nutrition"],
    "education": ["pendidikan", "education"],
    "village_governance": ["tata kelola desa", "village governance"],
    "disaster_preparedness": ["kesiapsiagaan bencana", "disaster preparedness"],
}
GROUPS = {
    "finance",
    "data",
    "planning",
    "community",
    "infrastructure",
    "health",
    "legal",
    "logistics",
}


@pytest.fixture
def session() -> Iterator[Session]:
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_covers_every_domain_skill_and_category() -> None:
    index = TaxonomyIndex.from_toml()
    for code, words in DOMAIN_SKILLS.items():
        for word in words:
            assert index.resolve_skill(word) == code, word
    for code, words in DOMAIN_CATEGORIES.items():
        for word in words:
            assert index.resolve_category(word) == code, word


def test_skills_hang_under_groups() -> None:
    skills = read_taxonomy()["skills"]
    groups = {e.code for e in skills if e.kind is SkillKind.GROUP}
    assert groups >= GROUPS
    for entry in skills:
        if entry.kind is not SkillKind.GROUP:
            assert entry.parent_code in groups, entry.code
    kinds = {e.kind for e in skills}
    assert kinds == {SkillKind.GROUP, SkillKind.SKILL, SkillKind.DATA, SkillKind.RESOURCE}


@pytest.mark.parametrize("section", ["skills", "activity_categories"])
def test_synonyms_and_labels_are_unambiguous(section: str) -> None:
    """No two entries share a synonym, label or code (lowercased and stripped, or normalised)."""
    for key in (lambda word: word.strip().lower(), normalise):
        owner: dict[str, str] = {}
        for entry in read_taxonomy()[section]:
            words = {entry.code, entry.label_id, entry.label_en}
            words |= set(entry.synonyms_id) | set(entry.synonyms_en)
            for word in {key(w) for w in words}:
                assert owner.setdefault(word, entry.code) == entry.code, (
                    f"{word!r} in both {owner[word]} and {entry.code}"
                )


def test_every_entry_is_bilingual_with_synonyms() -> None:
    for section, entries in read_taxonomy().items():
        for entry in entries:
            assert entry.label_id, entry.code
            assert entry.label_en, entry.code
            if section == "activity_categories" or entry.kind is not SkillKind.GROUP:
                assert entry.synonyms_id, entry.code
                assert entry.synonyms_en, entry.code


def test_load_is_idempotent(session: Session) -> None:
    first = load_taxonomy(session)
    assert first["added"] == first["skills"] + first["activity_categories"]
    assert first["updated"] == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(Skill)) == first["skills"]
    assert (
        session.scalar(sa.select(sa.func.count()).select_from(ActivityCategory))
        == (first["activity_categories"])
    )
    second = load_taxonomy(session)
    assert second == {**first, "added": 0, "updated": 0}


def test_load_repairs_changes_and_keeps_retired_codes(session: Session) -> None:
    load_taxonomy(session)
    row = session.get(Skill, "bookkeeping")
    assert row is not None
    row.label_en = "Ledgers"
    row.synonyms_id = []
    session.commit()
    assert load_taxonomy(session)["updated"] == 1
    session.refresh(row)
    assert row.label_en == "Bookkeeping"
    assert "buku kas" in row.synonyms_id

    smaller = """
    [skills.finance]
    kind = "group"
    label_id = "Keuangan"
    label_en = "Money"
    [activity_categories.education]
    label_id = "Pendidikan"
    label_en = "Education"
    """
    counts = load_taxonomy(session, smaller)
    assert counts["added"] == 0
    assert counts["updated"] == 2
    assert session.get(Skill, "bookkeeping") is not None  # may be referenced: never deleted


def test_resolve_in_both_languages_ignoring_case_and_spaces(session: Session) -> None:
    load_taxonomy(session)
    for index in (TaxonomyIndex.from_toml(), TaxonomyIndex.from_session(session)):
        assert index.resolve_skill("Pembukuan") == "bookkeeping"
        assert index.resolve_skill("  BOOKKEEPING ") == "bookkeeping"
        assert index.resolve_skill("rkp desa") == "village_planning"
        assert index.resolve_skill("Rkp-Des") == "village_planning"
        assert index.resolve_skill("poor_household_data") == "poor_household_data"
        assert index.resolve_skill("Poor-household data") == "poor_household_data"
        assert index.resolve_skill("data keluarga miskin") == "poor_household_data"
        assert index.resolve_skill("e-KTP") == "civil_documents"
        assert index.resolve_skill("finance") == "finance"
        assert index.resolve_skill("Keuangan") == "finance"
        assert index.resolve_skill("underwater basket weaving") is None
        assert index.resolve_skill("") is None
        assert index.resolve_category("Bedah Rumah") == "house_renovation"
        assert index.resolve_category("house repair") == "house_renovation"
        assert index.resolve_category("blt dd") == "social_assistance"
        assert index.resolve_category("Air Bersih") == "clean_water"
        assert index.resolve_category("clean water") == "clean_water"
        # The same word may mean a skill in one section and a category in the other.
        assert index.resolve_skill("jamban") == "sanitation_hygiene"
        assert index.resolve_category("jamban") == "sanitation"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[skills.a_b]\nkind = "skill"\nparent = "nope"\nlabel_id = "x"\nlabel_en = "x"',
            "unknown parent",
        ),
        (
            '[skills.a_b]\nkind = "group"\nparent = "a_b"\nlabel_id = "x"\nlabel_en = "x"',
            "no parent",
        ),
        ('[skills.a_b]\nkind = "talent"\nlabel_id = "x"\nlabel_en = "x"', "kind must be"),
        ('[skills.A]\nkind = "group"\nlabel_id = "x"\nlabel_en = "x"', "a code is"),
        ('[activity_categories.ab]\nlabel_id = "x"', "label_en are required"),
        ('[activity_categories.ab]\nlabel_id = "x"\nlabel_en = "y"\nsynonyms_id = "z"', "list"),
        ("[tools.ab]", "unknown sections"),
        ("[skills", "taxonomy.toml"),
    ],
)
def test_malformed_taxonomy_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(TaxonomyError, match=message):
        read_taxonomy(text)
