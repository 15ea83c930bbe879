"""Overlap flags grow: a newcomer to a flagged cluster joins that flag, it does not open another.

Interventions are saved through the real service; on commit their overlap check runs in process
(the embedded default), as the save page and the import do. The flag keeps its id and its review
history, its members, severity and reasons are the engine's for the grown cluster, and its
``change_note`` says who joined. A decided flag reopens only when the newcomer brings a program
the decision did not cover (engine_results._note_newcomers); otherwise it stays decided.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Flask

from graph.overlaps import find_overlaps
from graph.world import World
from titiktemu.exchange.commands import InterventionInput, save_intervention
from titiktemu.extensions import db
from titiktemu.matching.config import load_config
from titiktemu.matching.incremental import check_intervention
from titiktemu.matching.inputs import load_inputs
from titiktemu.matching.reason_text import in_both, labels_for
from titiktemu.matching.rebuild import rebuild_regency
from titiktemu.models import (
    AuditEntry,
    FlagStatus,
    Intervention,
    OverlapFlag,
    Person,
    Program,
    Role,
)
from titiktemu.models.programs import FundingSource
from titiktemu.overlaps import review as overlap_review

from .snapshot import seeded_demo

KLATEN = "33.10"
SENGON = "33.10.01.2001"  # Desa Sengon, Kecamatan Prambanan
YEAR = dt.date.today().year
#: Three programs renovating houses in Sengon this year, every period meeting the others.
CLUSTER = (
    ("RTLH", "Rehab RTLH Sengon", dt.date(YEAR, 3, 1), dt.date(YEAR, 8, 31)),
    ("BSPS", "BSPS bedah rumah Sengon", dt.date(YEAR, 5, 4), dt.date(YEAR, 10, 30)),
    ("CSR", "CSR bedah rumah Sengon", dt.date(YEAR, 6, 15), dt.date(YEAR, 9, 15)),
)


def program(code: str) -> int:
    row = Program(
        code=code, name=f"Program {code}", agency="Dinas", funding_source=FundingSource.APBD
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def save(
    person_id: int,
    program_id: int,
    title: str,
    start: dt.date,
    end: dt.date,
    *,
    village: str = SENGON,
    households: int = 20,
    budget_idr: int = 300_000_000,
) -> int:
    """Record through the real service and commit: its overlap check runs on commit."""
    who = db.session.get(Person, person_id)
    assert who is not None
    item = save_intervention(
        db.session(),
        who,
        InterventionInput(
            program_id=program_id,
            village_code=village,
            category_code="house_renovation",
            title=title,
            start_date=start,
            end_date=end,
            households=households,
            budget_idr=budget_idr,
        ),
    )
    db.session.commit()
    return item.id


def flags_in(village: str = SENGON) -> list[OverlapFlag]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OverlapFlag)
            .where(OverlapFlag.village_code == village)
            .order_by(OverlapFlag.id)
        )
    )


def members(flag: OverlapFlag) -> set[int]:
    return {i.id for i in flag.interventions}


def audit(flag_id: int) -> list[tuple[str, dict[str, Any]]]:
    rows = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "overlap_flag", AuditEntry.object_id == str(flag_id))
        .order_by(AuditEntry.id)
    )
    return [(a.action, a.detail) for a in rows]


def full_pass_flag(ids: set[int]) -> Any:
    """The one flag a full pass over the regency makes with any of these interventions."""
    inputs = load_inputs(db.session(), KLATEN)
    world = World(inputs, load_config(db.session(), KLATEN))
    found = [f for f in find_overlaps(inputs.interventions, world) if set(f.intervention_ids) & ids]
    assert len(found) == 1, found
    return found[0]


def programs_reason(flag: OverlapFlag) -> dict[str, Any]:
    return next(r for r in flag.reasons if r["code"] == "overlap.programs")


def flagged_cluster(make_person: Any) -> dict[str, Any]:
    """Three programs flagged together in Sengon (one flag), and the people and programs."""
    owner = int(make_person("budi@example.org"))
    coordinator = int(make_person("koor@example.org", role=Role.COORDINATOR))
    ids: dict[str, int] = {code: program(code) for code in ("RTLH", "BSPS", "CSR", "BAZNAS")}
    items = [save(owner, ids[code], title, start, end) for code, title, start, end in CLUSTER]
    flags = flags_in()
    assert len(flags) == 1 and members(flags[0]) == set(items)
    assert flags[0].status == FlagStatus.OPEN and flags[0].change_note is not None  # the third
    return {"owner": owner, "coordinator": coordinator, "programs": ids, "items": items}


def test_a_fourth_overlap_grows_the_flag(ctx: Flask, make_person: Any) -> None:
    made = flagged_cluster(make_person)
    flag = flags_in()[0]
    flag_id, key, severity = flag.id, flag.key, flag.severity
    assert programs_reason(flag)["params"]["count"] == 3
    history = audit(flag_id)
    assert [a for a, _ in history][:1] == ["flag.created"]
    fourth = save(
        made["owner"],
        made["programs"]["BAZNAS"],
        "Bedah rumah mustahik Sengon",
        dt.date(YEAR, 7, 1),
        dt.date(YEAR, 8, 31),
    )
    flags = flags_in()
    assert len(flags) == 1  # one flag card for Sengon, not a second beside the first
    grown = flags[0]
    assert grown.id == flag_id
    assert members(grown) == {*made["items"], fourth}
    assert grown.key == ",".join(str(i) for i in sorted(members(grown))) != key
    engine = full_pass_flag(members(grown))
    assert set(engine.intervention_ids) == members(grown)
    assert grown.severity == round(engine.severity, 6) > severity
    assert [r["code"] for r in grown.reasons] == [r.code for r in engine.reasons]
    assert programs_reason(grown)["params"]["count"] == 4
    assert "BAZNAS" in programs_reason(grown)["params"]["programs"]
    assert grown.status == FlagStatus.OPEN
    assert grown.change_note is not None and grown.change_note["code"] == "flag.grown"
    assert grown.change_note["params"] == {
        "title": "Bedah rumah mustahik Sengon",
        "program": "BAZNAS",
    }
    said = in_both(grown.change_note, labels_for(db.session()))
    assert said["en"] and said["id"] and said["en"] != said["id"]
    after = audit(flag_id)
    assert after[: len(history)] == history  # the history is kept, the growth added to it
    assert after[-1][0] == "flag.updated" and after[-1][1]["joined"] == [fourth]
    # Asking again, and a full pass, change nothing: the grown flag is what the engine sees.
    assert not check_intervention(db.session(), fourth).changed
    report = rebuild_regency(db.session(), KLATEN)
    db.session.commit()
    assert not report.flags_created and not report.flags_cleared and not report.flags_updated
    assert [f.id for f in flags_in()] == [flag_id]


def test_an_acknowledged_flag_keeps_its_note_when_the_same_programs_join(
    ctx: Flask, make_person: Any
) -> None:
    made = flagged_cluster(make_person)
    coordinator = db.session.get(Person, made["coordinator"])
    assert coordinator is not None
    flag_id = flags_in()[0].id
    overlap_review.acknowledge(db.session(), coordinator, flag_id, "dibahas di forum desa")
    db.session.commit()
    again = save(
        made["owner"],
        made["programs"]["RTLH"],
        "Rehab RTLH Sengon tahap 2",
        dt.date(YEAR, 9, 1),
        dt.date(YEAR, 11, 30),
    )
    [flag] = flags_in()
    assert flag.id == flag_id and members(flag) == {*made["items"], again}
    assert flag.status == FlagStatus.ACKNOWLEDGED
    assert flag.decision_note == "dibahas di forum desa" and flag.reviewer_id == coordinator.id
    assert flag.change_note is not None and flag.change_note["code"] == "flag.grown"
    actions = [a for a, _ in audit(flag_id)]
    assert "flag.acknowledged" in actions and "flag.reopened" not in actions


def test_a_resolved_flag_stays_resolved_when_a_covered_program_joins(
    ctx: Flask, make_person: Any
) -> None:
    made = flagged_cluster(make_person)
    coordinator = db.session.get(Person, made["coordinator"])
    assert coordinator is not None
    flag_id = flags_in()[0].id
    overlap_review.resolve(db.session(), coordinator, flag_id, "daftar penerima sudah dipisah")
    db.session.commit()
    decided_at = flags_in()[0].decided_at
    joined = save(
        made["owner"],
        made["programs"]["BSPS"],
        "BSPS bedah rumah Sengon tambahan",
        dt.date(YEAR, 8, 1),
        dt.date(YEAR, 9, 30),
    )
    [flag] = flags_in()
    assert flag.id == flag_id and len(members(flag)) == 4 and joined in members(flag)
    assert flag.status == FlagStatus.RESOLVED  # BSPS was in what was decided
    assert flag.decision_note == "daftar penerima sudah dipisah"
    assert flag.decided_at == decided_at and flag.reviewer_id == coordinator.id
    assert flag.change_note is not None and flag.change_note["code"] == "flag.grown"
    assert flag.severity == round(full_pass_flag(members(flag)).severity, 6)
    # A full pass leaves the decision alone too.
    rebuild_regency(db.session(), KLATEN)
    db.session.commit()
    [flag] = flags_in()
    assert flag.id == flag_id and flag.status == FlagStatus.RESOLVED


def test_a_resolved_flag_reopens_when_a_new_program_joins(ctx: Flask, make_person: Any) -> None:
    made = flagged_cluster(make_person)
    coordinator = db.session.get(Person, made["coordinator"])
    assert coordinator is not None
    flag_id = flags_in()[0].id
    overlap_review.resolve(db.session(), coordinator, flag_id, "daftar penerima sudah dipisah")
    db.session.commit()
    newcomer = save(
        made["owner"],
        made["programs"]["BAZNAS"],
        "Bedah rumah mustahik Sengon",
        dt.date(YEAR, 7, 1),
        dt.date(YEAR, 8, 31),
    )
    [flag] = flags_in()
    assert flag.id == flag_id and members(flag) == {*made["items"], newcomer}
    assert flag.status == FlagStatus.OPEN
    assert flag.change_note is not None and flag.change_note["code"] == "flag.reopened"
    assert flag.change_note["params"] == {
        "title": "Bedah rumah mustahik Sengon",
        "program": "BAZNAS",
    }
    assert flag.decision_note == "daftar penerima sudah dipisah"  # what was decided, kept
    actions = [a for a, _ in audit(flag_id)]
    assert actions.index("flag.resolved") < actions.index("flag.reopened")
    assert programs_reason(flag)["params"]["count"] == 4


def test_an_allowed_flag_reopens_only_for_a_program_the_allowance_does_not_cover(
    ctx: Flask, make_person: Any
) -> None:
    made = flagged_cluster(make_person)
    coordinator = db.session.get(Person, made["coordinator"])
    assert coordinator is not None
    flag_id = flags_in()[0].id
    allowed = overlap_review.allow(db.session(), coordinator, flag_id, "saling melengkapi")
    assert len(allowed.added) == 3
    db.session.commit()  # the rebuild it queued runs now, in process
    [flag] = flags_in()
    assert flag.status == FlagStatus.ALLOWED and len(members(flag)) == 3
    # RTLH again: every pair it makes is allowed, so nothing is flagged and nothing changes.
    covered = save(
        made["owner"],
        made["programs"]["RTLH"],
        "Rehab RTLH Sengon tahap 2",
        dt.date(YEAR, 9, 1),
        dt.date(YEAR, 11, 30),
    )
    [flag] = flags_in()
    assert flag.id == flag_id and flag.status == FlagStatus.ALLOWED
    assert covered not in members(flag) and flag.decision_note == "saling melengkapi"
    # BAZNAS is outside the allowance: it joins this flag (no second one) and reopens it.
    newcomer = save(
        made["owner"],
        made["programs"]["BAZNAS"],
        "Bedah rumah mustahik Sengon",
        dt.date(YEAR, 7, 1),
        dt.date(YEAR, 8, 31),
    )
    [flag] = flags_in()
    assert flag.id == flag_id and newcomer in members(flag)
    assert flag.status == FlagStatus.OPEN
    assert flag.change_note is not None and flag.change_note["code"] == "flag.reopened"
    assert flag.change_note["params"]["program"] == "BAZNAS"
    assert flag.decision_note == "saling melengkapi"
    assert members(flag) == set(full_pass_flag({newcomer}).intervention_ids)


def test_a_newcomer_joining_two_flags_leaves_one_card(ctx: Flask, make_person: Any) -> None:
    owner = int(make_person("budi@example.org"))
    ids = {code: program(code) for code in ("RTLH", "BSPS", "CSR", "BAZNAS", "KOTAKU")}
    spring = (dt.date(YEAR, 1, 6), dt.date(YEAR, 3, 27))
    autumn = (dt.date(YEAR, 8, 3), dt.date(YEAR, 10, 30))
    a = save(owner, ids["RTLH"], "Rehab RTLH Sengon", *spring)
    b = save(owner, ids["BSPS"], "BSPS Sengon", *spring)
    c = save(owner, ids["CSR"], "CSR bedah rumah Sengon", *autumn)
    d = save(owner, ids["BAZNAS"], "Bedah rumah mustahik Sengon", *autumn)
    first, second = flags_in()
    assert (members(first), members(second)) == ({a, b}, {c, d})
    # A year-long Kotaku upgrading meets both: the engine sees one cluster of five.
    e = save(owner, ids["KOTAKU"], "Kotaku Sengon", dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    assert set(full_pass_flag({e}).intervention_ids) == {a, b, c, d, e}
    live = [f for f in flags_in() if f.status in (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)]
    assert [f.id for f in live] == [first.id]
    assert members(live[0]) == {a, b, c, d, e}
    merged = next(f for f in flags_in() if f.id == second.id)
    assert merged.status == FlagStatus.RESOLVED and members(merged) == {c, d}  # history kept
    # A full pass agrees with what the incremental check left.
    report = rebuild_regency(db.session(), KLATEN)
    db.session.commit()
    assert not report.flags_created and not report.flags_cleared


def test_the_demo_cluster_grows_instead_of_doubling(ctx: Flask) -> None:
    seeded_demo(db.session(), KLATEN)
    rebuild_regency(db.session(), KLATEN)
    db.session.commit()
    csr = db.session.scalars(
        sa.select(Intervention)
        .join(Program)
        .where(Program.code == "CSR-BEDAH-RUMAH", Intervention.start_date == dt.date(2026, 6, 15))
    ).one()  # planted: four programs renovating houses in one desa in 2026
    village = csr.village_code
    [flag] = [f for f in flags_in(village) if csr.id in members(f)]
    before = members(flag)
    assert len({i.program_id for i in flag.interventions}) == 4
    open_before = [f.id for f in flags_in(village) if f.status == FlagStatus.OPEN]
    kotaku = db.session.scalars(sa.select(Program).where(Program.code == "KOTAKU")).one()
    assert kotaku.id not in {i.program_id for i in flag.interventions}
    added = save(
        csr.facilitator_id or int(db.session.scalars(sa.select(Person.id)).first() or 0),
        kotaku.id,
        "Peningkatan kualitas permukiman kumuh",
        dt.date(2026, 7, 1),
        dt.date(2026, 8, 15),
        village=village,
    )
    after = [f for f in flags_in(village) if added in members(f)]
    assert [f.id for f in after] == [flag.id]
    assert members(after[0]) == before | {added}
    assert after[0].change_note is not None and after[0].change_note["code"] == "flag.grown"
    assert [f.id for f in flags_in(village) if f.status == FlagStatus.OPEN] == open_before
