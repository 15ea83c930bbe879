"""Possible duplicates: open needs and running interventions near a new one that say the same thing.

Candidates come from SQL (the same kecamatan, still open or still running); the ranking is plain
word and skill overlap in Python, so it is deterministic and explainable: every hit carries the
words and skills it shares. Place names are not counted as shared words, the area is the filter.

An intervention being written is first put to the engine's own overlap rule (``would_flag``):
the interventions its save would be flagged with come first, past periods included, so the
box never says "nothing similar" for something the save then flags.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from graph import records as r
from titiktemu.matching.config import load_config
from titiktemu.matching.inputs import overlap_inputs
from titiktemu.models import (
    ExchangeStatus,
    Intervention,
    Kecamatan,
    Need,
    Skill,
    SkillKind,
    Village,
)
from titiktemu.models.places import regency_of, under
from titiktemu.vocabulary.taxonomy import TaxonomyIndex

#: How much each kind of overlap weighs in the score (they add up to 1).
WORD_WEIGHT = 0.6
SKILL_WEIGHT = 0.3
VILLAGE_WEIGHT = 0.1
LIMIT = 5

#: Words that say nothing about what is needed or done (Indonesian and English).
STOPWORDS = frozenset(
    [
        "yang",
        "dan",
        "di",
        "ke",
        "dari",
        "untuk",
        "dengan",
        "pada",
        "atau",
        "dalam",
        "bagi",
        "oleh",
        "para",
        "ini",
        "itu",
        "akan",
        "ada",
        "juga",
        "butuh",
        "perlu",
        "membutuhkan",
        "dibutuhkan",
        "kebutuhan",
        "mencari",
        "cari",
        "minta",
        "mohon",
        "tolong",
        "desa",
        "kelurahan",
        "kecamatan",
        "kec",
        "kabupaten",
        "kab",
        "kota",
        "dusun",
        "tahun",
        "bulan",
        "the",
        "and",
        "for",
        "with",
        "from",
        "into",
        "onto",
        "our",
        "their",
        "this",
        "that",
        "some",
        "any",
        "need",
        "needs",
        "needed",
        "looking",
        "village",
        "villages",
        "district",
        "regency",
        "year",
    ]
)
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> frozenset[str]:
    """The content words of ``text``: lower case, at least three letters, no stop words or numbers."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return frozenset(
        w for w in _WORD.findall(folded) if len(w) >= 3 and not w.isdigit() and w not in STOPWORDS
    )


def title_skills(
    index: TaxonomyIndex, title: str, groups: frozenset[str] = frozenset()
) -> frozenset[str]:
    """Skill codes a title names by label or synonym (runs of up to three words); ``groups``
    are left out, a group name ("data", "finance") is too broad to call two needs alike."""
    tokens = _WORD.findall(unicodedata.normalize("NFKC", title).casefold())
    found: set[str] = set()
    for n in (1, 2, 3):
        for i in range(len(tokens) - n + 1):
            code = index.resolve_skill(" ".join(tokens[i : i + n]))
            if code is not None:
                found.add(code)
    return frozenset(found - groups)


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


@dataclass(frozen=True)
class Similar:
    """One possible duplicate, with what it shares with the text being written."""

    kind: str  # "need" or "intervention"
    id: int
    title: str
    village_code: str | None
    place_name: str  # the village, or the kecamatan when a need names no village
    who: str  # the need's owner, or the intervention's program
    owner_id: int | None  # the need's owner, or who recorded the intervention
    start: dt.date | None
    end: dt.date | None
    score: float
    shared_words: tuple[str, ...]
    shared_skills: tuple[str, ...]  # skill codes (needs) or the activity category (interventions)
    same_village: bool


def _place_words(session: Session, kecamatan_code: str) -> frozenset[str]:
    names = session.scalars(sa.select(Village.name).where(Village.kecamatan_code == kecamatan_code))
    kecamatan = session.get(Kecamatan, kecamatan_code)
    text = " ".join([*names, kecamatan.name if kecamatan else ""])
    return words(text)


def _rank(hits: Iterable[Similar], limit: int) -> list[Similar]:
    return sorted(hits, key=lambda s: (-s.score, s.id))[:limit]


def similar_needs(
    session: Session,
    *,
    title: str,
    kecamatan_code: str,
    village_code: str | None = None,
    skills: Iterable[str] = (),
    exclude_id: int | None = None,
    limit: int = LIMIT,
) -> list[Similar]:
    """Open needs in the kecamatan sharing title words or skills with the one being written."""
    places = _place_words(session, kecamatan_code)
    index = TaxonomyIndex.from_session(session, regency_of(kecamatan_code))  # and its own words
    groups = frozenset(session.scalars(sa.select(Skill.code).where(Skill.kind == SkillKind.GROUP)))
    mine_words = words(title) - places
    mine_skills = frozenset(skills) | title_skills(index, title, groups)
    if not mine_words and not mine_skills:
        return []
    query = (
        sa.select(Need)
        .where(Need.kecamatan_code == kecamatan_code, Need.status == ExchangeStatus.OPEN)
        .options(selectinload(Need.skills), selectinload(Need.person), selectinload(Need.village))
        .order_by(Need.id)
    )
    if exclude_id is not None:
        query = query.where(Need.id != exclude_id)
    kecamatan = session.get(Kecamatan, kecamatan_code)
    hits = []
    for need in session.scalars(query):
        their_words = words(need.title) - places
        their_skills = frozenset(s.code for s in need.skills) | title_skills(
            index, need.title, groups
        )
        shared_words = mine_words & their_words
        shared_skills = mine_skills & their_skills
        if not shared_words and not shared_skills:
            continue
        same_village = village_code is not None and need.village_code == village_code
        score = (
            WORD_WEIGHT * _dice(mine_words, their_words)
            + SKILL_WEIGHT * _dice(mine_skills, their_skills)
            + VILLAGE_WEIGHT * same_village
        )
        hits.append(
            Similar(
                kind="need",
                id=need.id,
                title=need.title,
                village_code=need.village_code,
                place_name=need.village.name
                if need.village
                else (kecamatan.name if kecamatan else ""),
                who=need.person.name,
                owner_id=need.person_id,
                start=need.needed_from,
                end=need.needed_until,
                score=round(score, 3),
                shared_words=tuple(sorted(shared_words)),
                shared_skills=tuple(sorted(shared_skills)),
                same_village=same_village,
            )
        )
    return _rank(hits, limit)


def similar_interventions(
    session: Session,
    *,
    title: str,
    kecamatan_code: str,
    today: dt.date,
    village_code: str | None = None,
    category_code: str | None = None,
    exclude_id: int | None = None,
    skip: Collection[int] = (),
    limit: int = LIMIT,
) -> list[Similar]:
    """Interventions in the kecamatan not yet over that share title words or the activity
    (``skip``: ids already shown, e.g. those ``would_flag`` found)."""
    places = _place_words(session, kecamatan_code)
    mine_words = words(title) - places
    if not mine_words and not category_code:
        return []
    query = (
        sa.select(Intervention)
        .where(under(Intervention.village_code, kecamatan_code), Intervention.end_date >= today)
        .options(selectinload(Intervention.program), selectinload(Intervention.village))
        .order_by(Intervention.id)
    )
    if exclude_id is not None:
        query = query.where(Intervention.id != exclude_id)
    if skip:
        query = query.where(Intervention.id.not_in(sorted(skip)))
    hits = []
    for item in session.scalars(query):
        their_words = words(item.title) - places
        shared_words = mine_words & their_words
        same_category = category_code is not None and item.category_code == category_code
        if not shared_words and not same_category:
            continue
        same_village = village_code is not None and item.village_code == village_code
        score = (
            WORD_WEIGHT * _dice(mine_words, their_words)
            + SKILL_WEIGHT * same_category
            + VILLAGE_WEIGHT * same_village
        )
        hits.append(
            _as_similar(
                item,
                score=round(score, 3),
                shared_words=shared_words,
                shared_skills=(item.category_code,) if same_category else (),
                same_village=same_village,
            )
        )
    return _rank(hits, limit)


def _as_similar(
    item: Intervention,
    *,
    score: float,
    shared_words: AbstractSet[str],
    shared_skills: tuple[str, ...],
    same_village: bool,
) -> Similar:
    """A stored intervention as a line of the box, whether it looks alike or would be flagged."""
    return Similar(
        kind="intervention",
        id=item.id,
        title=item.title,
        village_code=item.village_code,
        place_name=item.village.name,
        who=item.program.code,
        owner_id=item.facilitator_id,
        start=item.start_date,
        end=item.end_date,
        score=score,
        shared_words=tuple(sorted(shared_words)),
        shared_skills=shared_skills,
        same_village=same_village,
    )


@dataclass(frozen=True)
class Draft:
    """An intervention being written, as far as its form is filled in."""

    program_id: int | None
    village_code: str
    category_code: str | None
    start: dt.date | None
    end: dt.date | None
    title: str = ""
    households: int | None = None
    budget_idr: int | None = None
    id: int | None = None  # the intervention being edited; None for a new one

    def record(self) -> r.Intervention | None:
        """The draft as the engine reads it; None until program, place, activity and both
        dates are given (a draft without them cannot overlap anything)."""
        if not (self.program_id and self.village_code and self.category_code):
            return None
        if self.start is None or self.end is None or self.start > self.end:
            return None
        return r.Intervention(
            id=self.id or 0,  # 0: no row has it; the flag it would join is found by it
            program_id=self.program_id,
            village=self.village_code,
            category=self.category_code,
            start=self.start,
            end=self.end,
            title=self.title,
            households=self.households,
            budget_idr=self.budget_idr,
        )


@dataclass(frozen=True)
class WouldFlag:
    """The overlap flag saving a draft would put it in: how severe, and with whom."""

    level: str  # "high" | "medium" | "low" (graph.overlaps.severity_level)
    severity: float
    others: list[Similar]


def would_flag(session: Session, draft: Draft) -> WouldFlag | None:
    """The flag the save's overlap check would put ``draft`` in (same village, another program,
    periods that meet, the same or an overlapping activity, not an allowed pair; past periods
    included), or None. The engine answers, with the records the check uses."""
    # The engine brings numpy, SciPy and NetworkX (0.7 s): loaded when a form first asks, not
    # by every process that imports the pages.
    from graph.engine import Engine

    mine = draft.record()
    if mine is None:
        return None
    engine = Engine(
        overlap_inputs(session, draft.village_code),
        load_config(session, regency_of(draft.village_code)),
    )
    flag = next(iter(engine.check_intervention(mine)), None)
    if flag is None:
        return None
    ids = [i for i in flag.intervention_ids if i != mine.id]
    rows = session.scalars(
        sa.select(Intervention)
        .where(Intervention.id.in_(ids))
        .options(selectinload(Intervention.program), selectinload(Intervention.village))
        .order_by(Intervention.start_date, Intervention.id)
    )
    mine_words = words(draft.title)
    others = [
        _as_similar(
            item,
            score=1.0,
            shared_words=mine_words & words(item.title),
            shared_skills=(item.category_code,),  # its activity: the draft's, or overlapping it
            same_village=True,
        )
        for item in rows
    ]
    return WouldFlag(level=flag.level, severity=flag.severity, others=others)


@dataclass(frozen=True)
class InterventionCheck:
    """What the "similar interventions" box shows: the flag the save would raise, then the
    looser look-alikes nearby (never repeating one already in the flag)."""

    flag: WouldFlag | None
    similar: list[Similar]

    def __bool__(self) -> bool:
        return bool(self.flag or self.similar)


def check_intervention_draft(
    session: Session, draft: Draft, *, today: dt.date, limit: int = LIMIT
) -> InterventionCheck:
    """The box's answer for a draft: ``would_flag``, then ``similar_interventions``."""
    flag = would_flag(session, draft)
    similar = similar_interventions(
        session,
        title=draft.title,
        kecamatan_code=draft.village_code[:8],
        village_code=draft.village_code,
        category_code=draft.category_code,
        today=today,
        exclude_id=draft.id,
        skip=[s.id for s in flag.others] if flag else (),
        limit=limit,
    )
    return InterventionCheck(flag=flag, similar=similar)
