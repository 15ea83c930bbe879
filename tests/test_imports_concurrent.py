"""Needs and offers are unique by owner and title (issue 12, finding 2: two overlapping
``needs.csv`` applied at once made 600 rows instead of 450).

Applying an import takes the regency's import lock (an advisory lock on PostgreSQL, the single
writer on SQLite) before it reads what is stored, and the schema holds (person_id, title_key)
unique. Two overlapping uploads applied by real threads released together by a barrier make
each row once; applying them again changes nothing. The migration that brings the key merges
the duplicates a database already has and says how many; the form and the API refuse a second
need or offer with the same title with a clear message, not a 500.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from titiktemu.exchange.commands import InputError, NeedInput, save_need
from titiktemu.extensions import db
from titiktemu.imports import Upload, run_import
from titiktemu.models import ImportRun, ImportStatus, Need, Offer, Person, Role
from titiktemu.models.exchange import title_key
from titiktemu.settings import Settings
from web.app import create_app

from .api_support import assert_problem, bearer
from .conftest import PASSWORD, AuthActions
from .test_imports_support import KLATEN, csv_bytes
from .test_web_facilitator import facilitator, need_data, offer_data, post, text

OWNERS = ("ani@example.org", "bayu@example.org", "citra@example.org")
#: Rows per file; the two files of a try share half of them.
ROWS = 90
TRIES = 3
VILLAGE = "33.10.24.2003"
KECAMATAN = "33.10.24"


def _needs(prefix: str, numbers: range) -> bytes:
    rows = [
        [OWNERS[i % 3], f"{prefix} kebutuhan {i}", "bookkeeping", VILLAGE, "", "", ""]
        for i in numbers
    ]
    return csv_bytes("needs", rows)


def _offers(prefix: str, numbers: range) -> bytes:
    rows = [
        [OWNERS[i % 3], f"{prefix} tawaran {i}", "accounting", KECAMATAN, "", "", "1", ""]
        for i in numbers
    ]
    return csv_bytes("offers", rows)


def _upload(prefix: str, numbers: range) -> list[Upload]:
    return [
        Upload("needs.csv", _needs(prefix, numbers)),
        Upload("offers.csv", _offers(prefix, numbers)),
    ]


def _count(session: Session, model: type[Need] | type[Offer], prefix: str) -> int:
    query = sa.select(sa.func.count()).select_from(model).where(model.title.like(f"{prefix} %"))
    return int(session.scalar(query) or 0)


def _apply_together(app: Flask, actors: list[int | None], uploads: list[list[Upload]]) -> list[Any]:
    """Apply each upload in its own thread and transaction, all released at once by a barrier;
    each run's (status, counts, problems)."""
    barrier = threading.Barrier(len(uploads))
    results: list[Any] = [None] * len(uploads)

    def apply(i: int) -> None:
        try:
            with app.app_context():
                session = db.session()
                actor = session.get(Person, actors[i]) if actors[i] is not None else None
                barrier.wait(timeout=30)
                run = run_import(session, uploads[i], actor, dry_run=False)
                session.commit()
                results[i] = (run.status, run.counts, run.problems)
                db.session.remove()
        except BaseException as exc:
            barrier.abort()
            results[i] = exc

    threads = [threading.Thread(target=apply, args=(i,)) for i in range(len(uploads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def test_two_overlapping_imports_at_once_add_each_row_once(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        for email in OWNERS:
            session.add(
                Person(email=email, name=email[:4], role=Role.FACILITATOR, regency_code=KLATEN)
            )
        koor = Person(
            email="koor@example.org", name="Koor", role=Role.COORDINATOR, regency_code=KLATEN
        )
        session.add(koor)
        session.commit()
        coordinator = koor.id
    # Two coordinators of the regency, then the operator (every regency) with a coordinator.
    pairs: list[list[int | None]] = [[coordinator, coordinator], [None, coordinator]]
    for attempt in range(TRIES):
        prefix = f"T{attempt}"
        first = _upload(prefix, range(0, ROWS))
        second = _upload(prefix, range(ROWS // 2, ROWS + ROWS // 2))
        actors = pairs[attempt % len(pairs)]
        results = _apply_together(app, actors, [first, second])
        assert [r[0] for r in results] == [ImportStatus.APPLIED] * 2, [r[2] for r in results]
        # One of the two came second and found the shared half stored: nothing counted twice.
        new = sum(r[1]["needs"]["new"] for r in results)
        assert new == ROWS + ROWS // 2, results
        with app.app_context():
            session = db.session()
            assert _count(session, Need, prefix) == ROWS + ROWS // 2
            assert _count(session, Offer, prefix) == ROWS + ROWS // 2
            db.session.remove()
        # The same files again, and at once again: nothing to change.
        again = _apply_together(app, actors, [first, second])
        for status, counts, problems in again:
            assert status is ImportStatus.APPLIED, problems
            for kind in ("needs", "offers"):
                assert counts[kind] == {"new": 0, "updated": 0, "unchanged": ROWS}, counts
        with app.app_context():
            assert _count(db.session(), Need, prefix) == ROWS + ROWS // 2
            db.session.remove()


def test_a_title_differing_in_case_and_spacing_is_the_same_need(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        session.add(Person(email=OWNERS[0], name="Ani", role=Role.FACILITATOR, regency_code=KLATEN))
        session.commit()
        rows = [[OWNERS[0], "Pelatihan  Pembukuan", "bookkeeping", VILLAGE, "", "", ""]]
        run = run_import(
            session, [Upload("needs.csv", csv_bytes("needs", rows))], None, dry_run=False
        )
        session.commit()
        assert run.counts["needs"]["new"] == 1
        rows[0][1] = "pelatihan pembukuan"
        run = run_import(
            session, [Upload("needs.csv", csv_bytes("needs", rows))], None, dry_run=False
        )
        session.commit()
        assert run.status is ImportStatus.APPLIED
        assert run.counts["needs"] == {"new": 0, "updated": 1, "unchanged": 0}
        need = session.scalars(sa.select(Need)).one()
        assert need.title == "pelatihan pembukuan" and need.title_key == "pelatihan pembukuan"
        assert session.scalar(sa.select(sa.func.count()).select_from(ImportRun)) == 2


def test_title_key_folds_case_spacing_and_unicode_form() -> None:
    assert title_key("  Pelatihan\u00a0 PEMBUKUAN\t") == "pelatihan pembukuan"
    assert title_key("Cafe\u0301") == title_key("Caf\u00e9") == "caf\u00e9"
    assert title_key("Straße") == "strasse"
    assert len(title_key("ß" * 200)) == 400


def test_the_form_refuses_a_second_need_or_offer_with_the_same_title(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Any
) -> None:
    facilitator(app, make_person, "sri@example.org")
    auth.login("sri@example.org", PASSWORD)
    assert post(client, "/needs/new", need_data()).status_code == 302
    again = post(client, "/needs/new", need_data(title="PELATIHAN pembukuan untuk KWT desa sengon"))
    assert again.status_code == 400
    assert "You already have a need with this title" in text(again)
    assert post(client, "/offers/new", offer_data()).status_code == 302
    twice = post(client, "/offers/new", offer_data(title=" pelatih  Pembukuan sederhana"))
    assert twice.status_code == 400 and "You already have an offer with this title" in text(twice)
    client.post("/language", data={"lang": "id", "csrf_token": _token(client)})
    in_id = post(client, "/needs/new", need_data())
    assert in_id.status_code == 400 and "Anda sudah punya kebutuhan dengan judul ini" in text(in_id)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Need)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Offer)) == 1


def _token(client: FlaskClient) -> str:
    from .conftest import csrf_token

    return csrf_token(client, "/needs")


def test_the_api_refuses_a_second_need_or_offer_with_the_same_title(
    app: Flask, client: FlaskClient, make_person: Any
) -> None:
    sri = facilitator(app, make_person, "sri@example.org")
    headers = bearer(app, sri)
    need = {
        "title": "Butuh pelatih pembukuan",
        "skills": ["bookkeeping"],
        "kecamatan_code": KECAMATAN,
    }
    assert client.post("/api/v1/needs", headers=headers, json=need).status_code == 201
    body = assert_problem(
        client.post(
            "/api/v1/needs", headers=headers, json={**need, "title": "butuh PELATIH pembukuan"}
        ),
        422,
    )
    assert body["errors"] == [
        {"field": "title", "message": "you already have a need with this title"}
    ]
    offer = {"title": "Pelatihan pembukuan", "skills": ["bookkeeping"], "village_codes": [VILLAGE]}
    created = client.post("/api/v1/offers", headers=headers, json=offer)
    assert created.status_code == 201
    other = client.post("/api/v1/offers", headers=headers, json={**offer, "title": "Lain"})
    assert other.status_code == 201
    # Renaming one to the other's title is refused too.
    renamed = client.put(f"/api/v1/offers/{other.get_json()['id']}", headers=headers, json=offer)
    assert assert_problem(renamed, 422)["errors"][0]["field"] == "title"


def test_two_saves_of_the_same_title_at_once_make_one_need(app: Flask, make_person: Any) -> None:
    """The second save looks for the title while the first has written it but not committed,
    so it finds none; the unique key then refuses its row, and it gets the same field error as
    when the first had committed - not a database error."""
    sri = facilitator(app, make_person, "sri@example.org")
    written = threading.Event()
    outcomes: list[object] = [None, None]

    def save(i: int) -> None:
        try:
            with app.app_context():
                session = db.session()
                person = session.get(Person, sri)
                assert person is not None
                if i:
                    assert written.wait(timeout=30)
                title = "Pendataan  keluarga" if i else "pendataan keluarga"
                data = NeedInput(title=title, skills=["bookkeeping"], village_code=VILLAGE)
                try:
                    outcomes[i] = save_need(session, person, data).id
                    if not i:
                        written.set()
                        _until_waiting(app)
                    session.commit()
                except InputError as exc:
                    session.rollback()
                    outcomes[i] = exc.errors
                db.session.remove()
        except BaseException as exc:
            written.set()
            outcomes[i] = exc

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert isinstance(outcomes[0], int), outcomes
    assert outcomes[1] == {"title": "you already have a need with this title"}, outcomes
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Need)) == 1


def _until_waiting(app: Flask) -> None:
    """Return once another transaction waits for a lock (PostgreSQL says so; SQLite cannot,
    so it gives the other thread time to reach its write)."""
    if db.engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    engine = sa.create_engine(db.engine.url)
    deadline = time.monotonic() + 20
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with engine.connect() as watch:
        while not watch.execute(query).scalar_one():
            assert time.monotonic() < deadline, "the second save never waited"
            time.sleep(0.02)
    engine.dispose()


# -- the migration ----------------------------------------------------------------------------

BEFORE = "d7e2f9a1c3b4"
NOW = "2026-01-01 00:00:00"


@contextmanager
def _empty_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own: a new PostgreSQL database beside the test one, or a SQLite file."""
    test_url = os.environ.get("TITIKTEMU_TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'natural_keys.db'}"
        return
    url = sa.make_url(test_url)
    name = f"{url.database}_natural_keys"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _insert(conn: sa.Connection, table: str, **values: object) -> None:
    names = ", ".join(values)
    conn.execute(
        sa.text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"),
        values,
    )


def _seed_duplicates(conn: sa.Connection) -> None:
    """Two people; Sri's need three times (case and spacing apart), Budi's offer twice, with
    links and proposals on the copies."""
    _insert(conn, "provinces", code="33", name="Jawa Tengah")
    _insert(conn, "regencies", code=KLATEN, province_code="33", name="Klaten", kind="kabupaten")
    _insert(conn, "kecamatan", code=KECAMATAN, regency_code=KLATEN, name="Klaten Utara")
    _insert(
        conn, "villages", code=VILLAGE, kecamatan_code=KECAMATAN, name="Karanganom", kind="desa"
    )
    for code in ("a", "b", "c"):
        _insert(
            conn, "skills", code=code, kind="skill", label_id=code, label_en=code,
            synonyms_id="[]", synonyms_en="[]",
        )  # fmt: skip
    for pid, email in ((1, "sri@example.org"), (2, "budi@example.org")):
        _insert(
            conn, "people", id=pid, email=email, name=email[:4], phone="", role="facilitator",
            language="id", notify="immediate", skills_note="", active=True, is_demo=False,
            created_at=NOW, updated_at=NOW,
        )  # fmt: skip
    needs = [
        (1, 1, "Pelatihan pembukuan"),  # the oldest: stays
        (2, 1, "pelatihan  Pembukuan "),
        (3, 1, "PELATIHAN PEMBUKUAN"),
        (4, 1, "Data kemiskinan"),
        (5, 2, "Pelatihan pembukuan"),  # another person's: not a copy
    ]
    for nid, pid, title in needs:
        _insert(
            conn, "needs", id=nid, person_id=pid, title=title, description="",
            kecamatan_code=KECAMATAN, status="open", created_at=f"2026-01-0{nid} 00:00:00",
            updated_at=NOW,
        )  # fmt: skip
    for nid, skill in ((1, "a"), (2, "a"), (2, "b"), (3, "c")):
        _insert(conn, "need_skills", need_id=nid, skill_code=skill)
    for oid, title in ((1, "Data keluarga miskin"), (2, "data keluarga miskin")):
        _insert(
            conn, "offers", id=oid, person_id=2, title=title, description="", capacity=1,
            status="open", created_at=f"2026-01-0{oid} 00:00:00", updated_at=NOW,
        )  # fmt: skip
    _insert(conn, "offer_skills", offer_id=1, skill_code="a")
    _insert(conn, "offer_skills", offer_id=2, skill_code="b")
    _insert(conn, "offer_villages", offer_id=2, village_code=VILLAGE)
    _insert(conn, "offer_kecamatan", offer_id=1, kecamatan_code=KECAMATAN)
    _insert(
        conn,
        "gaps",
        id=1,
        need_id=2,
        regency_code=KLATEN,
        reasons="[]",
        created_at=NOW,
        updated_at=NOW,
    )
    proposals = [
        (1, "need_offer:1:1", "need_offer", 1, 1, None, "proposed"),
        (2, "need_offer:2:1", "need_offer", 2, 1, None, "accepted"),
        (3, "need_offer:3:2", "need_offer", 3, 2, None, "declined"),
        (4, "need_person:2:2", "need_person", 2, None, 2, "proposed"),
    ]
    for pid, key, kind, need_id, offer_id, person_id, status in proposals:
        _insert(
            conn, "proposals", id=pid, key=key, kind=kind, regency_code=KLATEN, need_id=need_id,
            offer_id=offer_id, person_id=person_id, village_codes="[]", score=0.5, reasons="[]",
            status=status, decision_note="", created_at=NOW, updated_at=NOW,
        )  # fmt: skip


def test_the_migration_merges_stored_duplicates_and_says_how_many(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="alembic")
    with _empty_database(tmp_path) as url:
        settings = Settings.from_env(
            {
                "TITIKTEMU_INSTANCE_DIR": str(tmp_path),
                "TITIKTEMU_DATABASE_URL": url,
                "TITIKTEMU_BASE_URL": "http://127.0.0.1:5000",
            }
        )
        web = create_app(settings)
        try:
            with web.app_context():
                config = web.extensions["migrate"].migrate.get_config()
                config.attributes["configure_logger"] = False  # pytest keeps the log
                command.upgrade(config, BEFORE)
                with db.engine.begin() as conn:
                    _seed_duplicates(conn)
                caplog.clear()
                command.upgrade(config, "head")
                said = [r.getMessage() for r in caplog.records]
                with db.engine.begin() as conn:
                    _check_merged(conn)
        finally:
            with web.app_context():
                db.engine.dispose()
    assert (
        "needs: merged 2 duplicate row(s) into 1 (same person and title; "
        "proposals moved 3, dropped 1)"
    ) in said
    assert (
        "offers: merged 1 duplicate row(s) into 1 (same person and title; "
        "proposals moved 0, dropped 1)"
    ) in said


def _check_merged(conn: sa.Connection) -> None:
    def rows(query: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in conn.execute(sa.text(query))]

    assert rows("SELECT id, person_id, title, title_key FROM needs ORDER BY id") == [
        (1, 1, "Pelatihan pembukuan", "pelatihan pembukuan"),
        (4, 1, "Data kemiskinan", "data kemiskinan"),
        (5, 2, "Pelatihan pembukuan", "pelatihan pembukuan"),
    ]
    assert rows("SELECT need_id, skill_code FROM need_skills ORDER BY 1, 2") == [
        (1, "a"),
        (1, "b"),
        (1, "c"),
    ]
    assert rows("SELECT id, title_key FROM offers") == [(1, "data keluarga miskin")]
    assert rows("SELECT offer_id, skill_code FROM offer_skills ORDER BY 2") == [(1, "a"), (1, "b")]
    assert rows("SELECT offer_id, village_code FROM offer_villages") == [(1, VILLAGE)]
    assert rows("SELECT offer_id, kecamatan_code FROM offer_kecamatan") == [(1, KECAMATAN)]
    assert rows("SELECT count(*) FROM gaps") == [(0,)]
    # The accepted proposal outlives the proposed one it now repeats; the declined one, which
    # would repeat the accepted one once the offers merge, goes.
    assert rows("SELECT id, key, need_id, offer_id, status FROM proposals ORDER BY id") == [
        (2, "need_offer:1:1", 1, 1, "accepted"),
        (4, "need_person:1:2", 1, None, "proposed"),
    ]
    for table in ("needs", "offers"):
        unique = [
            ix["column_names"]
            for ix in sa.inspect(conn).get_indexes(table)
            if ix["unique"] and ix["name"] == f"uq_{table}_person_id_title_key"
        ]
        assert unique == [["person_id", "title_key"]]
    with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
        _insert(
            conn, "needs", person_id=1, title="Data  KEMISKINAN", title_key="data kemiskinan",
            description="", kecamatan_code=KECAMATAN, status="open", created_at=NOW,
            updated_at=NOW,
        )  # fmt: skip
