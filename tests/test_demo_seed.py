"""The Klaten demo: plausible, deterministic, idempotent, with the overlaps the forum knows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.accounts.signin import authenticate
from titiktemu.demo.seed import (
    DEMO_COORDINATOR,
    DEMO_FACILITATOR,
    DEMO_PASSWORD,
    DemoRefused,
    RegionsNotLoadedError,
    demo_files,
    seed_demo,
    shipped_files,
)
from titiktemu.imports.bundled import BundledDataInvalid, add_missing
from titiktemu.imports.reading import Upload
from titiktemu.models import (
    Base,
    ExchangeStatus,
    FundingSource,
    Intervention,
    Kecamatan,
    Language,
    Need,
    Offer,
    Person,
    Program,
    Role,
)
from titiktemu.places.regions import load_regions, resolve_codes
from titiktemu.places.stats import RegencyCounts, regency_counts
from titiktemu.vocabulary.taxonomy import load_taxonomy

KLATEN = "33.10"


def empty_session() -> tuple[sa.Engine, Session]:
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return engine, Session(engine)


def klaten_session() -> tuple[sa.Engine, Session]:
    engine, session = empty_session()
    load_regions(session, resolve_codes([KLATEN]))
    return engine, session


@pytest.fixture
def klaten() -> Iterator[Session]:
    engine, session = klaten_session()
    yield session
    session.close()
    engine.dispose()


@pytest.fixture(scope="module")
def seeded() -> Iterator[Session]:
    """One seeded Klaten shared by the read-only tests."""
    engine, session = klaten_session()
    seed_demo(session)
    yield session
    session.close()
    engine.dispose()


def dump(session: Session, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, without the ``skip`` columns."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name not in skip]
        rows = [tuple(row) for row in session.execute(sa.select(*columns))]
        tables[table.name] = sorted(rows, key=repr)
    return tables


def count(session: Session, model: type, *where: sa.ColumnElement[bool]) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def test_sizes_are_plausible(seeded: Session) -> None:
    facilitators = seeded.scalars(sa.select(Person).where(Person.role == Role.FACILITATOR)).all()
    assert 55 <= len(facilitators) <= 70
    assert 12 <= count(seeded, Program) <= 16
    offers, needs = count(seeded, Offer), count(seeded, Need)
    assert 60 <= offers <= 90
    assert 60 <= needs <= 90
    assert 140 <= offers + needs <= 170
    assert 180 <= count(seeded, Intervention) <= 230


def test_facilitators_cover_all_26_kecamatan(seeded: Session) -> None:
    facilitators = seeded.scalars(sa.select(Person).where(Person.role == Role.FACILITATOR)).all()
    homes = {p.home_village.kecamatan_code for p in facilitators if p.home_village}
    assert homes == set(seeded.scalars(sa.select(Kecamatan.code)))
    for person in facilitators:
        assert person.email.endswith("@example.org"), person.email
        assert person.is_demo
        assert person.regency_code == KLATEN
        assert person.programs
        assert person.villages
        assert person.skills
        assert person.phone.startswith("08")
        assert person.phone.isdigit()
    languages = [p.language for p in facilitators]
    assert languages.count(Language.EN) in range(2, 8)


def test_programs_have_real_funding_and_categories(seeded: Session) -> None:
    programs = {p.code: p for p in seeded.scalars(sa.select(Program))}
    expected = {
        "PKH": FundingSource.APBN,
        "KOTAKU": FundingSource.APBN,
        "P3MD": FundingSource.APBN,
        "RTLH": FundingSource.APBD,
        "BSPS": FundingSource.APBN,
        "PAMSIMAS": FundingSource.APBN,
        "BLT-DD": FundingSource.APBDES,
        "BPNT": FundingSource.APBN,
    }
    for code, source in expected.items():
        assert programs[code].funding_source is source, code
    assert "STBM" in programs
    sources = {p.funding_source for p in programs.values()}
    assert {FundingSource.CSR, FundingSource.DONOR, FundingSource.BAZNAS} <= sources
    assert all(p.categories for p in programs.values())
    assert "house_renovation" in {c.code for c in programs["RTLH"].categories}


def test_offers_needs_and_interventions_are_well_formed(seeded: Session) -> None:
    for offer in seeded.scalars(sa.select(Offer)):
        assert offer.status is ExchangeStatus.OPEN
        assert 1 <= offer.capacity <= 4
        assert offer.skills
        assert offer.villages or offer.kecamatan
        assert offer.available_from
        assert offer.available_until
        assert dt.date(2026, 1, 1) <= offer.available_from <= offer.available_until
        assert offer.available_until <= dt.date(2027, 12, 31)
    for need in seeded.scalars(sa.select(Need)):
        assert need.status is ExchangeStatus.OPEN
        assert need.skills
        assert need.needed_from
        assert need.needed_until
        assert dt.date(2026, 1, 1) <= need.needed_from <= need.needed_until <= dt.date(2027, 12, 31)
        if need.village is not None:
            assert need.village.kecamatan_code == need.kecamatan_code
    for item in seeded.scalars(sa.select(Intervention)):
        assert dt.date(2025, 1, 1) <= item.start_date <= item.end_date <= dt.date(2027, 12, 31)
        assert item.budget_year == item.start_date.year
        assert item.households is not None and item.households > 0
        assert item.budget_idr is not None and item.budget_idr > 0
        assert item.title
        assert item.village_code.startswith(KLATEN + ".")
        assert item.category in item.program.categories


def test_two_runs_change_nothing(klaten: Session) -> None:
    first = seed_demo(klaten)
    assert first.total_added == first.programs + first.people + first.offers + first.needs + (
        first.interventions
    )
    before = dump(klaten)
    second = seed_demo(klaten)
    assert second.total_added == 0
    assert sum(second.existing.values()) == first.total_added
    assert dump(klaten) == before


def test_same_places_give_the_same_demo(klaten: Session) -> None:
    seed_demo(klaten)
    engine, other = klaten_session()
    try:
        seed_demo(other)
        volatile = frozenset({"created_at", "updated_at", "password_hash"})
        assert dump(other, volatile) == dump(klaten, volatile)
    finally:
        other.close()
        engine.dispose()


def test_demo_logins_authenticate(klaten: Session) -> None:
    seed_demo(klaten)
    coordinator = authenticate(klaten, DEMO_COORDINATOR, DEMO_PASSWORD)
    assert coordinator is not None
    assert coordinator.role is Role.COORDINATOR
    assert coordinator.regency_code == KLATEN
    facilitator = authenticate(klaten, DEMO_FACILITATOR, DEMO_PASSWORD)
    assert facilitator is not None
    assert facilitator.role is Role.FACILITATOR
    assert facilitator.is_demo
    assert coordinator.is_demo
    assert authenticate(klaten, DEMO_FACILITATOR, "wrong") is None
    hashed = facilitator.password_hash
    seed_demo(klaten)
    assert authenticate(klaten, DEMO_FACILITATOR, DEMO_PASSWORD) is not None
    assert facilitator.password_hash == hashed
    others = klaten.scalars(sa.select(Person).where(Person.password_hash.is_not(None))).all()
    assert {p.email for p in others} == {DEMO_COORDINATOR, DEMO_FACILITATOR}


def overlapping_programs(items: list[Intervention]) -> set[str]:
    """The largest set of programs whose periods all share a day."""
    best: set[str] = set()
    for day in sorted({i.start_date for i in items}):
        running = {i.program.code for i in items if i.start_date <= day <= i.end_date}
        best = max(best, running, key=len)
    return best


def by_village(session: Session, category: str) -> dict[str, list[Intervention]]:
    grouped: dict[str, list[Intervention]] = defaultdict(list)
    for item in session.scalars(
        sa.select(Intervention).where(Intervention.category_code == category)
    ):
        grouped[item.village_code].append(item)
    return grouped


def test_planted_overlaps_exist(seeded: Session) -> None:
    houses = by_village(seeded, "house_renovation")
    crowded = [v for v, items in houses.items() if len(overlapping_programs(items)) >= 3]
    assert len(crowded) >= 2
    assert any(len(overlapping_programs(houses[v])) >= 4 for v in crowded)
    training = by_village(seeded, "livelihood_training")
    bookkeeping = {
        village: [
            i for i in items if "pembukuan" in i.title.lower() or "keuangan" in i.title.lower()
        ]
        for village, items in training.items()
    }
    assert any(len({i.program.code for i in items}) >= 3 for items in bookkeeping.values())
    latrines = by_village(seeded, "sanitation")
    assert any({"KOTAKU", "STBM"} <= overlapping_programs(items) for items in latrines.values())


def test_demo_facilitator_sees_a_meeting_point(seeded: Session) -> None:
    """The PKH data the RTLH team needs, in the demo facilitator's own village."""
    demo = seeded.scalars(sa.select(Person).where(Person.email == DEMO_FACILITATOR)).one()
    offers = seeded.scalars(sa.select(Offer).where(Offer.person_id == demo.id)).all()
    assert any("poor_household_data" in {s.code for s in o.skills} for o in offers)
    here = [v.code for v in demo.villages]
    wanting = seeded.scalars(
        sa.select(Need).where(Need.person_id != demo.id, Need.village_code.in_(here))
    ).all()
    assert any("poor_household_data" in {s.code for s in n.skills} for n in wanting)
    assert any(
        len(overlapping_programs(items)) >= 3
        for village, items in by_village(seeded, "house_renovation").items()
        if village in {v.code for v in demo.villages}
    )


def test_production_is_refused(klaten: Session) -> None:
    with pytest.raises(DemoRefused, match="production"):
        seed_demo(klaten, production=True)
    assert count(klaten, Person) == 0
    assert count(klaten, Program) == 0


def test_missing_places_are_a_clear_error() -> None:
    engine, session = empty_session()
    try:
        with pytest.raises(RegionsNotLoadedError, match=r"regions load 33\.10"):
            seed_demo(session)
    finally:
        session.close()
        engine.dispose()


def test_natural_keys_are_unique(seeded: Session) -> None:
    for model in (Offer, Need):
        keys = [tuple(r) for r in seeded.execute(sa.select(model.person_id, model.title))]
        assert len(keys) == len(set(keys))
    names = seeded.scalars(sa.select(Person.name)).all()
    assert len(names) == len(set(names))


def test_another_regency_beside_klaten(klaten: Session) -> None:
    """Sleman, seeded into the same database, gets its own people and reuses the programs."""
    seed_demo(klaten)
    load_regions(klaten, resolve_codes(["34.04"]))
    report = seed_demo(klaten, "34.04")
    assert report.added["programs"] == 0
    assert report.added["people"] == report.people
    sleman = klaten.scalars(sa.select(Person).where(Person.regency_code == "34.04")).all()
    assert all(p.email.endswith(".3404@example.org") for p in sleman)
    assert all(v.code.startswith("34.04.") for p in sleman for v in p.villages)


def test_the_shipped_files_are_what_the_generator_writes(klaten: Session) -> None:
    """The Klaten files in the package are the plan of its places; after changing the planner,
    regenerate them with `python -m titiktemu.demo.seed`."""
    shipped = shipped_files(KLATEN)
    assert shipped is not None
    assert demo_files(klaten, KLATEN) == shipped
    assert shipped_files("34.04") is None


def test_the_demo_goes_through_the_importers_checks(klaten: Session) -> None:
    """A demo row the importer would refuse stops the demo, and nothing of it is written."""
    load_taxonomy(klaten)
    files = dict(demo_files(klaten, KLATEN))
    header, first, *rest = files["people"].decode("utf-8").splitlines()
    files["people"] = "\n".join([header, first.replace("@example.org", "@", 1), *rest]).encode()
    with pytest.raises(BundledDataInvalid, match="bad_email"):
        add_missing(klaten, [Upload(f"{k}.csv", data) for k, data in files.items()], KLATEN)
    assert count(klaten, Person) == count(klaten, Program) == 0


def test_the_home_counts_are_the_rows_counted_one_by_one(seeded: Session) -> None:
    """The home page's ten counts come from one statement; each equals the rows counted here
    in Python, from the objects themselves."""
    people = seeded.scalars(sa.select(Person).where(Person.regency_code == KLATEN)).all()
    interventions = [
        i for i in seeded.scalars(sa.select(Intervention)) if i.village_code.startswith("33.10.")
    ]
    programs = {p.id for person in people for p in person.programs} | {
        i.program_id for i in interventions
    }
    assert len(programs) >= 2 and len({p.id for x in people for p in x.programs}) >= 1
    counts = regency_counts(seeded, KLATEN)
    assert counts == RegencyCounts(
        kecamatan=count(seeded, Kecamatan, Kecamatan.regency_code == KLATEN),
        villages=401,
        programs=len(programs),
        people=len(people),
        open_offers=sum(
            o.person.regency_code == KLATEN and o.status == ExchangeStatus.OPEN
            for o in seeded.scalars(sa.select(Offer))
        ),
        open_needs=sum(
            n.kecamatan_code.startswith("33.10.") and n.status == ExchangeStatus.OPEN
            for n in seeded.scalars(sa.select(Need))
        ),
        proposals_awaiting=0,
        proposals_accepted=0,
        open_flags=0,
        interventions=len(interventions),
    )
    assert counts.kecamatan == 26 and counts.open_offers > 0 and counts.open_needs > 0
