"""Rows to engine records: everything ``graph`` needs for one regency, in a handful of queries.

The engine is pure; this is the one place that knows both the tables and the records. Offers and
people reaching into the regency from outside are included, as the engine expects.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph import records as r
from titiktemu.models import (
    ActivityCategory,
    ExchangeStatus,
    Intervention,
    Kecamatan,
    Need,
    Offer,
    Person,
    Program,
    Proposal,
    ProposalStatus,
    Skill,
    Village,
)
from titiktemu.models.base import among, run
from titiktemu.models.exchange import need_skills, offer_kecamatan, offer_skills, offer_villages
from titiktemu.models.people import person_programs, person_skills, person_villages
from titiktemu.models.places import under
from titiktemu.models.programs import program_categories
from titiktemu.vocabulary.taxonomy import regency_phrases


def _grouped(
    session: Session, table: sa.Table, key: str, value: str, ids: set[int]
) -> dict[int, tuple[Any, ...]]:
    """``value`` of ``table`` by ``key`` for the keys ``ids``, as the database types them (codes
    as text, ids as integers): the records take them as they come."""
    out: dict[int, list[Any]] = defaultdict(list)
    if ids:
        column = table.c[key]
        rows = session.execute(
            sa.select(column, table.c[value])
            .where(among(session, column, ids))
            .order_by(column, table.c[value])
        ).all()
        for ident, item in rows:
            out[ident].append(item)
    return {k: tuple(v) for k, v in out.items()}


def load_inputs(session: Session, regency_code: str) -> r.Inputs:
    """The engine's records for one regency, read in a fixed order (deterministic runs)."""
    villages = session.execute(
        sa.select(Village.code, Village.name)
        .where(under(Village.code, regency_code))
        .order_by(Village.code)
    ).all()
    kecamatan = session.execute(
        sa.select(Kecamatan.code, Kecamatan.name, Kecamatan.lat, Kecamatan.lon)
        .where(Kecamatan.regency_code == regency_code)
        .order_by(Kecamatan.code)
    ).all()
    skills = session.scalars(sa.select(Skill).order_by(Skill.code)).all()
    categories = session.scalars(sa.select(ActivityCategory).order_by(ActivityCategory.code)).all()

    # Offers reaching into the regency: by village or by whole kecamatan.
    offer_ids = set(
        session.scalars(
            sa.select(offer_villages.c.offer_id).where(
                under(offer_villages.c.village_code, regency_code)
            )
        )
    ) | set(
        session.scalars(
            sa.select(offer_kecamatan.c.offer_id).where(
                under(offer_kecamatan.c.kecamatan_code, regency_code)
            )
        )
    )
    # Plain rows, not mapped objects, here and below: the engine reads a few columns of each,
    # and loading a regency's thousands of needs, offers and people as objects was half of a
    # rebuild's load.
    offers = session.execute(
        sa.select(*OFFER_COLUMNS)
        .where(among(session, Offer.id, offer_ids), Offer.status == ExchangeStatus.OPEN)
        .order_by(Offer.id)
    ).all()
    needs = session.execute(
        sa.select(*NEED_COLUMNS)
        .where(under(Need.kecamatan_code, regency_code), Need.status == ExchangeStatus.OPEN)
        .order_by(Need.id)
    ).all()
    interventions = session.execute(
        sa.select(*INTERVENTION_COLUMNS)
        .where(under(Intervention.village_code, regency_code))
        .order_by(Intervention.id)
    ).all()

    person_ids = (
        set(
            session.scalars(
                sa.select(Person.id).where(
                    Person.regency_code == regency_code, Person.active.is_(True)
                )
            )
        )
        | set(
            session.scalars(
                sa.select(person_villages.c.person_id).where(
                    under(person_villages.c.village_code, regency_code)
                )
            )
        )
        | {o.person_id for o in offers}
        | {n.person_id for n in needs}
    )
    people = session.execute(
        sa.select(*PERSON_COLUMNS).where(among(session, Person.id, person_ids)).order_by(Person.id)
    ).all()
    p_programs = _grouped(session, person_programs, "person_id", "program_id", person_ids)
    p_villages = _grouped(session, person_villages, "person_id", "village_code", person_ids)
    p_skills = _grouped(session, person_skills, "person_id", "skill_code", person_ids)
    oid = {o.id for o in offers}
    o_skills = _grouped(session, offer_skills, "offer_id", "skill_code", oid)
    o_villages = _grouped(session, offer_villages, "offer_id", "village_code", oid)
    o_kecamatan = _grouped(session, offer_kecamatan, "offer_id", "kecamatan_code", oid)
    n_skills = _grouped(session, need_skills, "need_id", "skill_code", {n.id for n in needs})

    # Accepted proposals use up offer capacity and a person's commitments.
    used = dict(
        session.execute(
            sa.select(Proposal.offer_id, sa.func.count())
            .where(
                among(session, Proposal.offer_id, oid), Proposal.status == ProposalStatus.ACCEPTED
            )
            .group_by(Proposal.offer_id)
        ).all()
    )
    commitments = dict(
        session.execute(
            sa.select(Proposal.person_id, sa.func.count())
            .where(
                among(session, Proposal.person_id, person_ids),
                Proposal.status == ProposalStatus.ACCEPTED,
                Proposal.offer_id.is_(None),
            )
            .group_by(Proposal.person_id)
        ).all()
    )

    incumbents = _incumbents(session, regency_code, {n.id for n in needs})

    # The regency's own words (kept by its coordinators) name skills in titles here, too.
    own: dict[tuple[str, str], list[str]] = defaultdict(list)
    for kind, pairs in regency_phrases(session, regency_code).items():
        for phrase, code in pairs:
            own[(kind, code)].append(phrase)

    def synonyms(row: Skill | ActivityCategory, kind: str) -> tuple[str, ...]:
        mine = own.get((kind, row.code), [])
        return (row.label_id, row.label_en, *row.synonyms_id, *row.synonyms_en, *mine)

    return r.Inputs(
        villages=tuple(r.Village(code, name) for code, name in villages),
        kecamatan=tuple(r.Kecamatan(code, name, lat, lon) for code, name, lat, lon in kecamatan),
        skills=tuple(
            r.Label(
                s.code, s.parent_code, s.label_id, s.label_en, synonyms(s, "skill"), s.kind.value
            )
            for s in skills
        ),
        categories=tuple(category_record(c, synonyms(c, "activity")) for c in categories),
        programs=program_records(session),
        people=tuple(
            r.Person(
                id=p.id,
                name=p.name,
                regency=p.regency_code,
                home_village=p.home_village_code,
                villages=p_villages.get(p.id, ()),
                skills=p_skills.get(p.id, ()),
                programs=p_programs.get(p.id, ()),
                open_commitments=int(commitments.get(p.id, 0)),
                available=p.active,
            )
            for p in people
        ),
        offers=tuple(
            r.Offer(
                id=o.id,
                person_id=o.person_id,
                title=o.title,
                skills=o_skills.get(o.id, ()),
                villages=o_villages.get(o.id, ()),
                kecamatan=o_kecamatan.get(o.id, ()),
                start=o.available_from,
                end=o.available_until,
                capacity=o.capacity,
                used=int(used.get(o.id, 0)),
                description=o.description,
            )
            for o in offers
        ),
        needs=tuple(need_record(n, n_skills.get(n.id, ())) for n in needs),
        interventions=tuple(
            r.Intervention(i, program, village, category, start, end, title, homes, budget, who)
            for i, program, village, category, start, end, title, homes, budget, who in interventions
        ),
        incumbents=incumbents,
    )


def need_record(row: Need | sa.Row[*tuple[Any, ...]], skills: tuple[Any, ...]) -> r.Need:
    """One need as the engine reads it (``skills``: its skill codes, sorted)."""
    return r.Need(
        id=row.id,
        person_id=row.person_id,
        title=row.title,
        skills=tuple(str(s) for s in skills),
        kecamatan=row.kecamatan_code,
        village=row.village_code,
        start=row.needed_from,
        end=row.needed_until,
        description=row.description,
    )


#: What the engine reads of an offer (``load_inputs``), as plain values.
OFFER_COLUMNS = (
    Offer.id,
    Offer.person_id,
    Offer.title,
    Offer.available_from,
    Offer.available_until,
    Offer.capacity,
    Offer.description,
)
#: What the engine reads of a person (``load_inputs``), as plain values.
PERSON_COLUMNS = (
    Person.id,
    Person.name,
    Person.regency_code,
    Person.home_village_code,
    Person.active,
)
#: What :func:`need_record` reads of a need, for reads that want rows, not objects.
NEED_COLUMNS = (
    Need.id,
    Need.person_id,
    Need.title,
    Need.kecamatan_code,
    Need.village_code,
    Need.needed_from,
    Need.needed_until,
    Need.description,
)


def open_needs(session: Session, regency_code: str, ids: set[int]) -> dict[int, r.Need]:
    """Those of the needs ``ids`` that ``load_inputs`` would read for the regency (open, in it).

    One statement, plain rows (a warm engine catching up reads a few needs per job): each need
    once per skill, its skills in code order as ``load_inputs`` reads them."""
    rows = run(session, _OPEN_NEEDS, {"ids": sorted(ids), "regency": regency_code})
    found: dict[int, tuple[sa.Row[Any], list[str]]] = {}
    for row in rows:
        _first, skills = found.setdefault(row.id, (row, []))
        if row.skill_code is not None:
            skills.append(row.skill_code)
    return {i: need_record(row, tuple(skills)) for i, (row, skills) in found.items()}


#: The statement of ``open_needs``, built once (a warm engine catching up runs it every job).
_OPEN_NEEDS = (
    sa.select(*NEED_COLUMNS, need_skills.c.skill_code)
    .outerjoin(need_skills, need_skills.c.need_id == Need.id)
    .where(
        Need.id.in_(sa.bindparam("ids", expanding=True)),
        under(Need.kecamatan_code, sa.bindparam("regency", type_=Need.kecamatan_code.type)),
        Need.status == ExchangeStatus.OPEN,
    )
    .order_by(Need.id, need_skills.c.skill_code)
)


def category_record(row: ActivityCategory, synonyms: tuple[str, ...] = ()) -> r.Label:
    """An activity category as the engine reads it."""
    return r.Label(row.code, row.parent_code, row.label_id, row.label_en, synonyms, "category")


def program_records(session: Session) -> tuple[r.Program, ...]:
    """Every program with the activity categories it runs, by id."""
    programs = session.scalars(sa.select(Program).order_by(Program.id)).all()
    categories = _grouped(
        session, program_categories, "program_id", "category_code", {p.id for p in programs}
    )
    return tuple(
        r.Program(p.id, p.code, p.name, tuple(str(c) for c in categories.get(p.id, ())))
        for p in programs
    )


#: What :func:`load_inputs` reads of an intervention, in the order of the record's fields.
INTERVENTION_COLUMNS = (
    Intervention.id,
    Intervention.program_id,
    Intervention.village_code,
    Intervention.category_code,
    Intervention.start_date,
    Intervention.end_date,
    Intervention.title,
    Intervention.households,
    Intervention.budget_idr,
    Intervention.facilitator_id,
)


def intervention_record(row: Intervention) -> r.Intervention:
    """One intervention (3W row) as the engine reads it."""
    return r.Intervention(
        id=row.id,
        program_id=row.program_id,
        village=row.village_code,
        category=row.category_code,
        start=row.start_date,
        end=row.end_date,
        title=row.title,
        households=row.households,
        budget_idr=row.budget_idr,
        facilitator_id=row.facilitator_id,
    )


def overlap_inputs(session: Session, village_code: str) -> r.Inputs:
    """What the overlap rule reads for one village: the village, every program and activity
    category, and every intervention recorded there, past periods included. Flags never reach
    across villages, so the overlap check of a saved intervention and the preview of one being
    written both ask the engine with exactly these records."""
    village = session.get(Village, village_code)
    categories = session.scalars(sa.select(ActivityCategory).order_by(ActivityCategory.code))
    interventions = session.scalars(
        sa.select(Intervention)
        .where(Intervention.village_code == village_code)
        .order_by(Intervention.id)
    )
    return r.Inputs(
        villages=(r.Village(village.code, village.name),) if village is not None else (),
        kecamatan=(),
        skills=(),
        categories=tuple(category_record(c) for c in categories),
        programs=program_records(session),
        people=(),
        interventions=tuple(intervention_record(i) for i in interventions),
    )


#: Proposal states the engine takes as already shown (and holding capacity); a coordinator's
#: "convene" holds too, and the store never changes it.
SHOWN = (ProposalStatus.PROPOSED, ProposalStatus.CONVENE)


def _incumbents_query(only: bool) -> sa.Executable:
    """The regency's pending need proposals (``only``: of the bound ``needs``), in the order the
    engine reads them; the regency is a bound parameter."""
    query = sa.select(
        Proposal.need_id, Proposal.offer_id, Proposal.person_id, Proposal.rank, Proposal.score
    ).where(
        Proposal.regency_code == sa.bindparam("regency", type_=Proposal.regency_code.type),
        Proposal.status.in_(SHOWN),
        Proposal.need_id.is_not(None),
        Proposal.rank.is_not(None),
    )
    if only:
        query = query.where(Proposal.need_id.in_(sa.bindparam("needs", expanding=True)))
    return query.order_by(Proposal.need_id, Proposal.rank, Proposal.id)


#: Built once: a warm engine reads the incumbents of a few needs in every job.
_INCUMBENTS = {only: _incumbents_query(only) for only in (False, True)}


def _incumbents(
    session: Session, regency_code: str, need_ids: set[int], only: bool = False
) -> tuple[r.Incumbent, ...]:
    """The regency's pending need proposals: the engine keeps them unless their facts changed
    (``only``: read just those of ``need_ids``, for a warm engine catching up)."""
    values: dict[str, Any] = {"regency": regency_code}
    if only:
        values["needs"] = sorted(need_ids)
    rows = run(session, _INCUMBENTS[only], values)
    found: list[r.Incumbent] = []
    for need_id, offer_id, person_id, rank, score in rows:
        side_id = offer_id if offer_id is not None else person_id
        if need_id in need_ids and side_id is not None and rank is not None:
            kind = "offer" if offer_id is not None else "person"
            found.append(r.Incumbent(need_id, kind, side_id, rank, score))
    return tuple(found)


def incumbents_of(
    session: Session, regency_code: str, need_ids: set[int]
) -> tuple[r.Incumbent, ...]:
    """The pending proposals of ``need_ids`` as ``load_inputs`` reads them."""
    return _incumbents(session, regency_code, need_ids, only=True) if need_ids else ()
