"""Reasons are codes and values everywhere but at the edge, and every edge says them in Indonesian.

The engine (``graph/``) and the stored rows know no language; ``reason_text`` renders a reason
through the one catalog. A reason code without Indonesian fails here, and so does a channel
(page, API, export) that shows a reason in English to an Indonesian reader.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask import Flask

from titiktemu.exports.tables import reason_texts
from titiktemu.extensions import db
from titiktemu.i18n import TRANSLATIONS_DIR, translations
from titiktemu.matching.reason_text import (
    AT_LEAST,
    COMPLEMENTS,
    LEGACY,
    MESSAGES,
    WITH_DISTANCE,
    Labels,
    in_both,
    labels_for,
    render_reason,
)
from titiktemu.models import Skill
from web.api.schemas.common import reasons_of
from web.reasons import reason_lines, reason_text

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = TRANSLATIONS_DIR / "id" / "LC_MESSAGES" / "messages.po"
#: A reason code as the engine and the shared package write it: "skill.exact", "retired.side_full".
CODE = re.compile(
    r"[\"']((?:skill|place|time|programs|capacity|gap|overlap|synergy|retired|flag)\.[a-z_]+)[\"']"
)
#: A code the shared package stores itself: {"code": "flag.grown", ...} or code="retired...".
STORED = re.compile(r"(?:[\"']code[\"']: |code=)" + CODE.pattern)
#: Every value any reason takes (a code's message uses some of them; extras are ignored).
PARAMS: dict[str, Any] = {
    "skill": "bookkeeping",
    "field": "bookkeeping",
    "village": "Sengon",
    "kecamatan": "Prambanan",
    "neighbours": ["Kalasan", "Manisrenggo"],
    "percent": 60,
    "complement": "latrines_and_hygiene",
    "free": 1,
    "total": 2,
    "skills": ["bookkeeping"],
    "nearest": "Kemalang",
    "count": 3,
    "programs": ["PKH", "RTLH", "BAZNAS"],
    "households": 1200,
    "budget": 170_500_000,
    "categories": ["house_renovation"],
    "start": "2021-03-01",
    "end": "2021-06-30",
    "program_a": "PKH",
    "program_b": "RTLH",
    "villages": ["Sengon", "Jetis"],
    "after": 0.9,
    "before": 0.5,
    "title": "Bedah rumah",
    "program": "BAZNAS",
    "flag": 7,
}


def samples() -> list[dict[str, Any]]:
    """One stored reason per message: every code, and the variants a value chooses."""
    found = [
        {"name": "x", "weight": 0.0, "value": 1.0, "code": c, "params": PARAMS} for c in MESSAGES
    ]
    found += [
        {
            "name": "x",
            "weight": 0.0,
            "value": 1.0,
            "code": c,
            "params": {**PARAMS, "at_least": True},
        }
        for c in AT_LEAST
    ]
    found += [
        {"name": "x", "weight": 0.0, "value": 1.0, "code": c, "params": {**PARAMS, "km": 20.5}}
        for c in WITH_DISTANCE
    ]
    found += [
        {"name": "x", "weight": 0.0, "value": 1.0, "code": "programs.complement",
         "params": {"complement": c}}
        for c in COMPLEMENTS
    ]  # fmt: skip
    return found


def _sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_every_reason_message_has_indonesian_in_the_catalog() -> None:
    with PO_FILE.open("rb") as f:
        catalog = read_po(f)
    msgids = [
        *MESSAGES.values(),
        *AT_LEAST.values(),
        *WITH_DISTANCE.values(),
        *COMPLEMENTS.values(),
    ]
    missing = [m for m in msgids if catalog.get(m) is None or not str(catalog[m].string).strip()]
    assert not missing, "reason msgids without Indonesian in messages.po:\n  " + "\n  ".join(
        missing
    )
    compiled = translations("id")
    untranslated = [m for m in msgids if compiled.gettext(m) == m]
    assert not untranslated, "not in the compiled catalog (pybabel compile):\n  " + "\n  ".join(
        untranslated
    )


def test_every_code_the_engine_writes_has_a_message() -> None:
    written = {code for path in _sources("graph") for code in CODE.findall(path.read_text())}
    # The shared package writes a few itself (a proposal that goes, a flag that changes).
    written |= {
        code
        for path in _sources("titiktemu/matching")
        for code in STORED.findall(path.read_text(encoding="utf-8"))
    }
    assert {
        "place.village",
        "gap.far",
        "overlap.budget",
        "flag.grown",
        "retired.offer_gone",
    } <= written
    assert not written - set(MESSAGES), f"codes without words: {sorted(written - set(MESSAGES))}"


def test_the_engine_holds_no_words_of_the_catalog() -> None:
    """No Indonesian sentence of a reason is written inside ``graph/`` (its English msgids are
    plain code documentation there: "complementary programs count ...")."""
    id_catalog = translations("id")
    sentences = [*MESSAGES.values(), *AT_LEAST.values(), *COMPLEMENTS.values()]
    fragments = {
        part.strip()
        for msgid in sentences
        for part in re.split(r"%\(\w+\)s|%%", id_catalog.gettext(msgid))
        if len(part.strip()) >= 16
    }
    assert len(fragments) > 30
    for path in _sources("graph"):
        source = path.read_text(encoding="utf-8")
        found = sorted(f for f in fragments if f in source)
        assert not found, f"{path.relative_to(ROOT)} holds reason words: {found}"


@pytest.mark.parametrize("reason", samples(), ids=lambda r: r["code"])
def test_a_reason_differs_in_indonesian_and_english(reason: dict[str, Any]) -> None:
    """An Indonesian rendering equal to the English one is a reason left untranslated."""
    said = in_both(reason, Labels({"bookkeeping": ("Pembukuan", "Bookkeeping")}))
    assert said["id"] and said["en"] and said["id"] != said["en"]
    assert "%(" not in said["id"] and "%(" not in said["en"]


def test_indonesian_numbers_money_and_dates() -> None:
    labels = Labels({})
    budget = {"code": "overlap.budget", "params": {"budget": 170_500_000, "at_least": True}}
    assert render_reason(budget, "id", labels) == "anggaran sedikitnya Rp 170.500.000"
    assert render_reason(budget, "en", labels) == "budget of at least Rp 170,500,000"
    period = {"code": "overlap.period", "params": {"start": "2021-03-01", "end": "2021-06-30"}}
    assert render_reason(period, "id", labels) == "periode bersamaan 1 Mar 2021 s.d. 30 Jun 2021"
    assert (
        render_reason(period, "en", labels) == "running together from Mar 1, 2021 to Jun 30, 2021"
    )


def test_a_reason_stored_before_codes_keeps_its_words() -> None:
    old = {"code": LEGACY, "params": {"id": "waktunya cocok", "en": "the timing fits"}}
    assert in_both(old, Labels({})) == {"id": "waktunya cocok", "en": "the timing fits"}
    assert render_reason({"name": "x"}, "id", Labels({})) == ""  # says nothing: not shown


def test_every_channel_says_a_reason_in_indonesian(ctx: Flask) -> None:
    """Page, API and export render each reason with the catalog: the reader's Indonesian."""
    labels = labels_for(db.session())
    reasons = samples()
    expected = [in_both(r, labels) for r in reasons]
    with ctx.test_request_context("/"):  # no one signed in: the page speaks Indonesian
        page = [reason_text(r) for r in reasons]
    api = reasons_of(reasons)
    export = [reason_texts([r], "id", labels) for r in reasons]
    for words, on_page, in_api, in_export in zip(expected, page, api, export, strict=True):
        assert on_page == in_api.text_id == in_export == words["id"] != words["en"]
        assert in_api.text_en == words["en"]


def test_a_card_renders_its_reasons_in_one_call(ctx: Flask) -> None:
    """The pages' list of reasons says what ``reason_text`` says of each, and skips the silent."""
    reasons: list[dict[str, Any] | None] = [*samples(), None, {"name": "x"}]
    with ctx.test_request_context("/"):
        expected = [(reason_text(r), r) for r in reasons if r is not None and reason_text(r)]
        assert reason_lines(reasons) == expected
    assert len(expected) == len(samples())


# -- the data migration (c34e2f3a4d5b) ----------------------------------------------------------
BEFORE = "b23f1d2e3c4a"
MIGRATION = "c34e2f3a4d5b"
CODED = {
    "name": "skill",
    "weight": 0.4,
    "value": 1.0,
    "contribution": 0.4,
    "code": "skill.exact",
    "params": {"skill": "bookkeeping"},
    "text_id": "keahlian yang sama: Pembukuan",
    "text_en": "the same skill: Bookkeeping",
}
#: Stored before reasons had codes (revision d7e2f9a1c3b4): its words only.
WORDS_ONLY = {"name": "time", "weight": 0.2, "value": 1.0, "text_id": "waktunya cocok",
              "text_en": "the timing fits"}  # fmt: skip
STAMP = dt.datetime(2026, 12, 1)


def _titiktemu(args: list[str], env: dict[str, str]) -> None:
    script = Path(sys.executable).parent / "titiktemu"
    done = subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[str]:
    """An empty database of the test database's kind, for migrations only: a SQLite file, or a
    throwaway PostgreSQL database beside the test one (CI runs the suite on both)."""
    base = os.environ.get("TITIKTEMU_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = sa.make_url(base)
    name = f"{url.database}_reasons"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _plant(url: str) -> None:
    """One row of each table that stores reasons, as the previous release wrote them (the rows
    they point at need not exist: only the reasons are read)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SET session_replication_role = replica"))  # no FK checks
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")  # before the transaction begins
        meta = sa.MetaData()
        meta.reflect(conn, only=["proposals", "gaps", "overlap_flags"])
        stamps = {"created_at": STAMP, "updated_at": STAMP}
        conn.execute(
            meta.tables["proposals"].insert(),
            {"id": 1, "key": "need_offer:1:1", "kind": "need_offer", "regency_code": "33.10",
             "village_codes": [], "score": 0.6, "reasons": [CODED, WORDS_ONLY],
             "status": "obsolete", "decision_note": "", **stamps,
             "retired_reason": {"code": "retired.need_closed", "text_id": "kebutuhan ini sudah "
                                "terpenuhi atau ditarik", "text_en": "the need was met or withdrawn"}},
        )  # fmt: skip
        conn.execute(
            meta.tables["gaps"].insert(),
            {"id": 1, "need_id": 1, "regency_code": "33.10", "reasons": [WORDS_ONLY], **stamps},
        )
        conn.execute(
            meta.tables["overlap_flags"].insert(),
            {"id": 1, "key": "1,2", "regency_code": "33.10", "village_code": "33.10.01.2001",
             "severity": 0.5, "reasons": [CODED], "status": "open", "decision_note": "",
             "change_note": None, **stamps},
        )  # fmt: skip
        conn.commit()
    engine.dispose()


def _stored(url: str) -> dict[str, Any]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        meta = sa.MetaData()
        meta.reflect(conn, only=["proposals", "gaps", "overlap_flags"])
        proposal = conn.execute(sa.select(meta.tables["proposals"])).one()
        gap = conn.execute(sa.select(meta.tables["gaps"])).one()
        flag = conn.execute(sa.select(meta.tables["overlap_flags"])).one()
    engine.dispose()
    return {
        "proposal": proposal.reasons,
        "retired": proposal.retired_reason,
        "gap": gap.reasons,
        "flag": flag.reasons,
        "note": flag.change_note,
    }


@pytest.mark.slow  # three runs of every migration, end to end
def test_the_migration_turns_stored_words_into_codes_and_back(scratch: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITIKTEMU_")}
    env |= {"TITIKTEMU_INSTANCE_DIR": str(tmp_path), "TITIKTEMU_DATABASE_URL": scratch}
    _titiktemu(["db", "upgrade", BEFORE], env)
    _plant(scratch)
    _titiktemu(["db", "upgrade", MIGRATION], env)

    after = _stored(scratch)
    coded = {k: v for k, v in CODED.items() if k not in ("text_id", "text_en")}
    legacy = {"name": "time", "weight": 0.2, "value": 1.0, "code": LEGACY,
              "params": {"id": "waktunya cocok", "en": "the timing fits"}}  # fmt: skip
    assert after["proposal"] == [coded, legacy]
    assert after["retired"] == {"code": "retired.need_closed", "params": {}}
    assert after["gap"] == [legacy] and after["flag"] == [coded] and after["note"] is None
    words = in_both(after["proposal"][0], Labels({"bookkeeping": ("Pembukuan", "Bookkeeping")}))
    assert words == {"id": CODED["text_id"], "en": CODED["text_en"]}  # the same words as before
    assert in_both(legacy, Labels({})) == {"id": "waktunya cocok", "en": "the timing fits"}

    _titiktemu(["db", "downgrade", BEFORE], env)
    before = _stored(scratch)
    assert before["gap"] == [WORDS_ONLY]  # the old words come back as they were
    assert before["proposal"][0] == {**coded, "text_id": "skill.exact", "text_en": "skill.exact"}
    assert before["retired"]["text_id"] == "retired.need_closed"


def test_equal_labels_share_what_they_said_and_new_labels_say_it_anew() -> None:
    """A request's labels are the process's equal ones, with their rendered reasons kept; a
    relabelled skill makes other labels, which render the new word."""
    reason = {"code": "skill.exact", "params": {"skill": "data_collection"}}
    first = Labels.shared({"data_collection": ("Pendataan", "Data collection")})
    said = render_reason(reason, "en", first)
    again = Labels.shared({"data_collection": ("Pendataan", "Data collection")})
    assert again is first and again.said  # the next request starts with what was said
    relabelled = Labels.shared({"data_collection": ("Pendataan", "Surveys")})
    assert relabelled is not first
    assert said == "the same skill: Data collection"
    assert render_reason(reason, "en", relabelled) == "the same skill: Surveys"


def test_labels_are_read_again_when_the_taxonomy_changes_and_never_kept_uncommitted(
    ctx: Flask,
) -> None:
    """A page reads the labels only when the counter of what every regency reads has moved: a
    committed relabel shows at once; a relabel seen inside a transaction that rolls back is
    never kept for the next page."""

    def label_now() -> tuple[Labels, str]:
        labels = Labels.load(db.session())
        db.session.rollback()  # a page's read-only transaction ends
        return labels, labels.of("bookkeeping", "en")

    first, before = label_now()
    again, same = label_now()
    assert again is first and same == before  # kept: the counter did not move
    skill = db.session.get_one(Skill, "bookkeeping")
    try:
        skill.label_en = "Ledgers"
        db.session.flush()  # this transaction wrote: it reads for itself and keeps nothing
        assert Labels.load(db.session()).of("bookkeeping", "en") == "Ledgers"
        db.session.rollback()
        assert label_now()[1] == before  # the rolled-back label was not kept
        db.session.get_one(Skill, "bookkeeping").label_en = "Ledgers"
        db.session.commit()  # bumps the counter of every regency
        assert label_now()[1] == "Ledgers"
    finally:
        db.session.rollback()
        db.session.get_one(Skill, "bookkeeping").label_en = before
        db.session.commit()
    assert label_now()[1] == before
