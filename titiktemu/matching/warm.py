"""A regency's engine kept warm in the worker process between jobs, never used stale.

Building a regency's engine reads everything the regency holds (a second or more for a busy
one); a new need asks it one cheap question. So each worker process keeps the engine of the
regencies it served last, with the regency's counter (``titiktemu.models.versions``) as it was
when the engine last matched the database. Before each use the counter is read again:

- unchanged: the engine is used as it is, after re-reading what the last answer changed in
  memory (``Engine.touched``), so an answer whose transaction rolled back, or whose store kept a
  person's decision over it, leaves nothing behind;
- moved on by needs and proposals only (a need submitted, another process's match stored): the
  engine catches up by re-reading those needs and their pending proposals (``Engine.put_need``,
  ``drop_need``, ``reseed``), as an engine built anew would read them;
- moved on by anything else, or too far, or the counter of every regency (``*``) moved: built
  anew.

The caller holds the regency's ``match`` lock (``hold_regency``) for the whole transaction, so
two processes never answer from the same capacity at once; each catches up on the other's
stored proposals through the log.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph.engine import Engine
from titiktemu.matching.config import load_config
from titiktemu.matching.inputs import incumbents_of, load_inputs, open_needs
from titiktemu.models import Offer, Person
from titiktemu.models.base import among, run
from titiktemu.models.changes import NEED, PROPOSAL
from titiktemu.models.people import person_villages
from titiktemu.models.places import under
from titiktemu.models.versions import EVERY_REGENCY, RegencyChange, RegencyVersion

#: Regencies whose engine one process keeps (the least recently used goes first).
KEEP_REGENCIES = 8
#: Changes a state catches up on row by row; further behind, building anew is as quick.
CATCH_UP_LIMIT = 500


@dataclass
class WarmState:
    engine: Engine
    #: The regency's counter and the counter of every regency the engine matches.
    version: int
    every: int
    #: People the engine reads for the regency whatever its needs (members, people working
    #: there, owners of offers reaching it): a need of anyone else reloads (see ``_base_people``).
    people: frozenset[int]
    #: Needs the last answer changed in memory: re-read before the engine is used again.
    touched: set[int] = field(default_factory=set)


class _Local(threading.local):
    """Each thread its own states, as each prefork process has its own (a threads pool too)."""

    def __init__(self) -> None:
        self.states: OrderedDict[str, WarmState] = OrderedDict()


_local = _Local()


def versions(session: Session, regency_code: str) -> tuple[int, int]:
    """The regency's counter and the counter of every regency, as committed now."""
    version, every, _log = _versions_and_log(session, regency_code, None)
    return version, every


#: (version, kind, item id) of the change log
Logged = tuple[int, str, int | None]


def _versions_and_log(
    session: Session, regency_code: str, since: int | None
) -> tuple[int, int, list[Logged]]:
    """The counters (as ``versions``) and, with ``since``, the regency's log after it (at most
    ``CATCH_UP_LIMIT + 1`` rows): one statement, so one snapshot holds the counter and its log."""
    query = _COUNTERS if since is None else _COUNTERS_AND_LOG
    found: dict[str, int] = {}
    logged: list[Logged] = []
    rows = run(session, query, {"regency": regency_code, "since": since})
    for code, version, kind, item in rows:
        if code is None:
            logged.append((int(version), str(kind), item))
        else:
            found[code] = int(version)
    return found.get(regency_code, 0), found.get(EVERY_REGENCY, 0), logged


def _counters_and_log() -> tuple[sa.Executable, sa.Executable]:
    """The statements of ``_versions_and_log``, built once (every job runs one): the counters
    alone, and the counters with the log; the regency and ``since`` are bound parameters."""
    regency = sa.bindparam("regency", type_=RegencyVersion.regency_code.type)
    counters = sa.select(
        RegencyVersion.regency_code,
        RegencyVersion.version,
        sa.null().label("kind"),
        sa.null().label("item_id"),
    ).where(RegencyVersion.regency_code.in_([regency, EVERY_REGENCY]))
    log = (
        sa.select(
            sa.null().label("regency_code"),
            RegencyChange.version,
            RegencyChange.kind,
            RegencyChange.item_id,
        )
        .where(
            RegencyChange.regency_code == regency,
            RegencyChange.version > sa.bindparam("since", type_=RegencyChange.version.type),
        )
        .order_by(RegencyChange.version)
        .limit(CATCH_UP_LIMIT + 1)
    )
    return counters, sa.union_all(counters, log.subquery().select())


_COUNTERS, _COUNTERS_AND_LOG = _counters_and_log()


def _base_people(session: Session, regency_code: str, engine: Engine) -> frozenset[int]:
    members = sa.select(Person.id).where(
        Person.regency_code == regency_code, Person.active.is_(True)
    )
    working = sa.select(person_villages.c.person_id).where(
        under(person_villages.c.village_code, regency_code)
    )
    owners = sa.select(Offer.person_id).where(among(session, Offer.id, engine.offers))
    found = set(session.scalars(members)) | set(session.scalars(working))
    return frozenset(found | set(session.scalars(owners)))


def _build(session: Session, regency_code: str, version: int, every: int) -> WarmState:
    engine = Engine(load_inputs(session, regency_code), load_config(session, regency_code))
    return WarmState(engine, version, every, _base_people(session, regency_code, engine))


def _catch_up(
    session: Session, regency_code: str, state: WarmState, version: int, logged: list[Logged]
) -> bool:
    """Apply the logged changes after the state's version (``logged``: the log after it, read
    with ``version``); False when only building anew can."""
    needs = set(state.touched)
    if version != state.version:
        rows = [row for row in logged if row[0] <= version]
        seen = {v for v, _kind, _item in rows}
        if len(rows) > CATCH_UP_LIMIT or seen != set(range(state.version + 1, version + 1)):
            return False  # too far behind, or the log of those versions is gone
        for _version, kind, item in rows:
            if kind not in (NEED, PROPOSAL):
                return False
            if item is not None:
                needs.add(item)
    if needs:
        engine = state.engine
        found = open_needs(session, regency_code, needs)
        for need_id in sorted(needs):
            record = found.get(need_id)
            known = engine.needs.get(need_id)
            for owner in {r.person_id for r in (record, known) if r is not None}:
                if owner not in state.people:
                    return False  # a need by someone the regency reads only through it
            if record is None:
                engine.drop_need(need_id)
            else:
                engine.put_need(record)
        engine.reseed(needs, incumbents_of(session, regency_code, needs))
    state.version, state.touched = version, set()
    return True


def warm_engine(session: Session, regency_code: str) -> WarmState:
    """The regency's engine, equal to one built from the database now; the caller holds the
    regency's ``match`` lock, asks one question, and adds what it changed to ``touched``."""
    states = _local.states
    state = states.pop(regency_code, None)
    since = None if state is None else state.version
    version, every, logged = _versions_and_log(session, regency_code, since)
    usable = state is not None and state.every == every and version >= state.version
    if state is None or not usable or not _catch_up(session, regency_code, state, version, logged):
        state = _build(session, regency_code, version, every)
    states[regency_code] = state
    while len(states) > KEEP_REGENCIES:
        states.popitem(last=False)
    return state


def forget(regency_code: str | None = None) -> None:
    """Drop this thread's warm state of a regency (None: of every one): the next question
    builds anew."""
    if regency_code is None:
        _local.states.clear()
    else:
        _local.states.pop(regency_code, None)
