"""Large imports on PostgreSQL go in by ``COPY`` (``titiktemu.imports.apply``): the same rows,
links and ids as the row-by-row insert, still all or nothing, and the engine's change counter
moves as it does for any import. On SQLite the same tests drive the ``INSERT`` path."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.test_imports_support import PEOPLE, PROGRAMS, csv_bytes
from titiktemu.bulk import COPY_FROM
from titiktemu.extensions import db
from titiktemu.imports import Upload, run_import
from titiktemu.models import ImportStatus, Need, Offer
from titiktemu.models.exchange import need_skills, offer_kecamatan, offer_skills, offer_villages
from titiktemu.models.versions import EVERY_REGENCY, RegencyVersion

#: More than COPY_FROM rows of each kind, so PostgreSQL takes the COPY path.
ROWS = COPY_FROM + 20
VILLAGES = ("33.10.24.2003", "33.10.24.2001")
KECAMATAN = "33.10.24"


@pytest.fixture
def session(ctx: object) -> Session:
    return db.session()


def _uploads(capacity: int = 2) -> list[Upload]:
    offers = [
        [
            "sri@example.org",
            f"Tawaran {i}",
            "bookkeeping" if i % 2 else "bookkeeping; gis",
            VILLAGES[i % 2] if i % 3 else KECAMATAN,
            "",
            "",
            str(capacity),
            "",
        ]
        for i in range(ROWS)
    ]
    needs = [
        ["sri@example.org", f"Kebutuhan {i}", "accounting", VILLAGES[i % 2], "", "", ""]
        for i in range(ROWS)
    ]
    return [
        Upload("programs.csv", csv_bytes("programs", PROGRAMS)),
        Upload("people.csv", csv_bytes("people", PEOPLE)),
        Upload("offers.csv", csv_bytes("offers", offers)),
        Upload("needs.csv", csv_bytes("needs", needs)),
    ]


def _everywhere(session: Session) -> int:
    query = sa.select(RegencyVersion.version).where(RegencyVersion.regency_code == EVERY_REGENCY)
    return int(session.scalar(query) or 0)


def _count(session: Session, what: object) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


def test_a_large_import_writes_each_record_with_its_links(session: Session) -> None:
    before = _everywhere(session)
    run = run_import(session, _uploads(), None, dry_run=False)
    session.commit()
    assert run.status is ImportStatus.APPLIED, run.problems
    assert run.counts["offers"]["new"] == ROWS and run.counts["needs"]["new"] == ROWS
    offers = {o.title: o for o in session.scalars(sa.select(Offer))}
    assert len(offers) == ROWS
    # Each offer's links name its own id: the ids drawn before COPY are the rows' ids.
    for i in (0, 1, 2, 3, ROWS - 1):
        offer = offers[f"Tawaran {i}"]
        skills = set(
            session.scalars(
                sa.select(offer_skills.c.skill_code).where(offer_skills.c.offer_id == offer.id)
            )
        )
        assert skills == ({"bookkeeping"} if i % 2 else {"bookkeeping", "gis"})
        villages = set(
            session.scalars(
                sa.select(offer_villages.c.village_code).where(
                    offer_villages.c.offer_id == offer.id
                )
            )
        )
        kecamatan = set(
            session.scalars(
                sa.select(offer_kecamatan.c.kecamatan_code).where(
                    offer_kecamatan.c.offer_id == offer.id
                )
            )
        )
        assert (villages, kecamatan) == (
            ({VILLAGES[i % 2]}, set()) if i % 3 else (set(), {KECAMATAN})
        )
        assert offer.capacity == 2 and offer.person.email == "sri@example.org"
    assert _count(session, offer_skills) == ROWS + ROWS // 2
    assert _count(session, need_skills) == ROWS
    assert {n.village_code for n in session.scalars(sa.select(Need))} == set(VILLAGES)
    # Every regency's engine inputs changed, as an ORM insert of the import tells them.
    assert _everywhere(session) > before
    # A new record made after the import gets an id of its own (the sequence moved on).
    again = run_import(
        session,
        [
            Upload(
                "needs.csv",
                csv_bytes(
                    "needs",
                    [["sri@example.org", "Satu lagi", "accounting", VILLAGES[0], "", "", ""]],
                ),
            )
        ],
        None,
        dry_run=False,
    )
    session.commit()
    assert again.status is ImportStatus.APPLIED, again.problems
    assert _count(session, Need) == ROWS + 1


def test_a_refusal_by_the_database_during_copy_leaves_nothing(session: Session) -> None:
    """The checks pass every row; the database refuses one (a constraint the test adds): the
    run is rejected with the database's reason, and no record, link or counter move is left."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("a CHECK added to a live table: PostgreSQL")
    session.execute(sa.text("ALTER TABLE offers ADD CONSTRAINT test_small CHECK (capacity < 50)"))
    before = _everywhere(session)
    run = run_import(session, _uploads(capacity=60), None, dry_run=False)
    assert run.status is ImportStatus.REJECTED
    assert [p["code"] for p in run.problems] == ["write_failed"]
    assert "test_small" in str(run.problems[0]["params"])
    for what in (Offer, Need, offer_skills, offer_villages, offer_kecamatan, need_skills):
        assert _count(session, what) == 0, what
    assert _everywhere(session) == before
