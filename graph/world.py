"""The prepared world of one run: lookups the scorer and the index read, built once from records.

Records stay as given; here they become sets and integer day numbers, so scoring a pair is a
few set operations and comparisons instead of walking objects.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from graph.config import Complement, EngineConfig
from graph.reasons import Reason
from graph.records import Inputs, Need, Offer, Person
from graph.text import PhraseMatcher

_T = TypeVar("_T")

OPEN_START = 0
OPEN_END = 10**7

#: A pair's skill, time, programs and capacity reasons, and the sum of their contributions.
ReasonParts = tuple[Reason, Reason, Reason, Reason, float]


def day(value: dt.date | None, default: int) -> int:
    return value.toordinal() if value is not None else default


@dataclass(frozen=True, slots=True)
class Side:
    """What can meet a need: an offer or a person, flattened for scoring."""

    kind: str  # "offer" | "person"
    id: int
    person_id: int
    skills: frozenset[str]
    #: Skills its words name besides (an offer's title): for near-ties only.
    text_skills: frozenset[str]
    all_skills: frozenset[str]
    #: Groups of its skills that may meet a need of the same field (no resources, no data).
    groups: frozenset[str]
    villages: frozenset[str]
    whole_kecamatan: frozenset[str]
    kecamatan: frozenset[str]  # every kecamatan it touches
    regencies: frozenset[str]
    start: int
    end: int
    capacity: int  # full capacity (offer) or commitment limit (person)
    remaining: int
    categories: frozenset[str]  # of the owner's programs
    programs: frozenset[int]


@dataclass(frozen=True, slots=True)
class NeedView:
    need: Need
    #: The skills that decide: those the need chose, else those its words name (``guessed``).
    skills: frozenset[str]
    guessed: bool
    #: Every skill its words name (chosen or not): they only break near-ties, so of two offers
    #: meeting "APBDes, RKPDes" the one the title speaks of ("APBDes perubahan") comes first.
    text_skills: frozenset[str]
    #: Groups of the deciding skills that a same-field side may meet (no resources, no data).
    groups: frozenset[str]
    start: int
    end: int
    categories: frozenset[str]
    programs: frozenset[int]


class World:
    """Lookups shared by scoring, blocking, synergy and overlaps for one run."""

    def __init__(self, inputs: Inputs, config: EngineConfig) -> None:
        self.config = config
        self.inputs = inputs
        self.village_names = {v.code: v.name for v in inputs.villages}
        self.kecamatan_names = {k.code: k.name for k in inputs.kecamatan}
        self.skill_parent = {s.code: s.parent for s in inputs.skills}
        self.skill_kind = {s.code: s.kind for s in inputs.skills}
        self.exact_kinds = frozenset(config.exact_kinds)
        self.reach = frozenset(config.reach)
        self.field_places = frozenset(config.field_places)
        self.kecamatan = {k.code: k for k in inputs.kecamatan}
        self.skill_labels = {s.code: (s.label_id, s.label_en) for s in inputs.skills}
        self.category_labels = {c.code: (c.label_id, c.label_en) for c in inputs.categories}
        self.category_parent = {c.code: c.parent for c in inputs.categories}
        self.matcher = PhraseMatcher(
            (s.code, (s.label_id, s.label_en, *s.synonyms))
            for s in sorted(inputs.skills, key=lambda s: s.code)
            if s.parent is not None  # groups are too broad to be named by a word
        )
        self.programs = {p.id: p for p in inputs.programs}
        self.program_by_code = {p.code: p.id for p in inputs.programs}
        self.people = {p.id: p for p in inputs.people}
        self.complements: dict[frozenset[str], Complement] = {}
        for comp in config.complements:
            self.complements.setdefault(frozenset((comp.a, comp.b)), comp)
        self.allowed: set[frozenset[int]] = set()
        for a, b in config.allowed:
            if a in self.program_by_code and b in self.program_by_code:
                self.allowed.add(frozenset((self.program_by_code[a], self.program_by_code[b])))
        self.overlapping_categories = {frozenset(pair) for pair in config.overlapping_categories}
        self.neighbours: dict[str, set[str]] = defaultdict(set)
        for a, b in config.adjacency:
            self.neighbours[a].add(b)
            self.neighbours[b].add(a)
        self._program_categories: dict[frozenset[int], frozenset[str]] = {}
        self._person_programs: dict[int, frozenset[int]] = {}
        self._groups: dict[frozenset[str], frozenset[str]] = {}
        self._complements: dict[tuple[frozenset[str], frozenset[str]], Complement | None] = {}
        self._relevant: dict[tuple[frozenset[str], frozenset[str], str], Complement | None] = {}
        #: One copy of each small set the views share (skills, places, programs): a national
        #: run holds a million views and sides, and a frozenset costs 216 bytes however small.
        #: Sets of two or more villages seldom repeat, so those are kept as they come.
        self._shared: dict[frozenset[Any], frozenset[Any]] = {}
        self._reasons: dict[tuple[Any, ...], Reason] = {}
        self._reason_parts: dict[tuple[Any, ...], ReasonParts] = {}
        w = config.weights
        #: ``weight * value`` of each score term, as ``scoring.parts`` adds them up.
        self.skill_terms = {k: w["skill"] * v for k, v in config.skill_values.items()}
        self.place_terms = {k: w["place"] * v for k, v in config.place_values.items()}
        self.program_terms = {k: w["programs"] * v for k, v in config.program_values.items()}
        self.time_weight = w["time"]
        self.capacity_weight = w["capacity"]

    # -- helpers -------------------------------------------------------------------------------
    def group_of(self, skill: str) -> str:
        parent = self.skill_parent.get(skill)
        return parent if parent is not None else skill

    def groups(self, skills: frozenset[str]) -> frozenset[str]:
        """The groups a same-field match may go through: resources and data are left out."""
        cached = self._groups.get(skills)
        if cached is None:
            cached = self._groups[skills] = self.share(
                frozenset(
                    self.group_of(s)
                    for s in skills
                    if self.skill_kind.get(s, "skill") not in self.exact_kinds
                    and self.skill_parent.get(s) is not None
                )
            )
        return cached

    def serves(self, skill: str) -> frozenset[str]:
        """The activity categories a skill (or its group) serves."""
        table = self.config.skill_categories
        found = set(table.get(skill, ()))
        parent = self.skill_parent.get(skill)
        if parent is not None:
            found |= set(table.get(parent, ()))
        return frozenset(found)

    def complement_for(self, a: frozenset[str], b: frozenset[str], skill: str) -> Complement | None:
        """The complement of ``a`` and ``b`` that concerns the work ``skill`` is about."""
        key = (a, b, skill)
        if key in self._relevant:
            return self._relevant[key]
        serves = self.serves(skill)
        found: Complement | None = None
        if serves:
            for x in sorted(a):
                for y in sorted(b):
                    comp = self.complements.get(frozenset((x, y))) if x != y else None
                    if comp is not None and (comp.a in serves or comp.b in serves):
                        found = comp
                        break
                if found is not None:
                    break
        self._relevant[key] = found
        return found

    def reason(self, key: tuple[Any, ...], make: Callable[[], Reason]) -> Reason:
        """The reason stored under ``key``, made by ``make`` the first time it is asked for."""
        found = self._reasons.get(key)
        if found is None:
            found = self._reasons[key] = make()
        return found

    def reason_parts(self, key: tuple[Any, ...], make: Callable[[], ReasonParts]) -> ReasonParts:
        """The reasons stored together under ``key`` (``scoring.explain``), made the first time."""
        found = self._reason_parts.get(key)
        if found is None:
            found = self._reason_parts[key] = make()
        return found

    def share(self, items: frozenset[_T]) -> frozenset[_T]:
        """The one stored copy of a set equal to ``items``."""
        return self._shared.setdefault(items, items)

    def complement(self, a: frozenset[str], b: frozenset[str]) -> Complement | None:
        """The first complement between categories ``a`` and ``b``, both taken in code order."""
        key = (a, b)
        if key in self._complements:
            return self._complements[key]
        found: Complement | None = None
        for x in sorted(a):
            for y in sorted(b):
                if x != y:
                    found = self.complements.get(frozenset((x, y)))
                    if found is not None:
                        break
            if found is not None:
                break
        self._complements[key] = found
        return found

    def categories_of(self, programs: frozenset[int]) -> frozenset[str]:
        cached = self._program_categories.get(programs)
        if cached is None:
            cats: set[str] = set()
            for pid in programs:
                program = self.programs.get(pid)
                if program is not None:
                    cats.update(program.categories)
            cached = self._program_categories[programs] = frozenset(cats)
        return cached

    def person_programs(self, person_id: int) -> frozenset[int]:
        cached = self._person_programs.get(person_id)
        if cached is None:
            person = self.people.get(person_id)
            programs = frozenset(person.programs) if person is not None else frozenset()
            cached = self._person_programs[person_id] = self.share(programs)
        return cached

    # -- views ---------------------------------------------------------------------------------
    def need_view(self, need: Need) -> NeedView:
        share = self.share
        chosen = frozenset(need.skills)
        named = self.matcher.codes_in(f"{need.title} {need.description}")
        skills = share(chosen or named)
        programs = self.person_programs(need.person_id)
        return NeedView(
            need=need,
            skills=skills,
            guessed=not chosen and bool(named),
            text_skills=share(named),
            groups=self.groups(skills),
            start=day(need.start, OPEN_START),
            end=day(need.end, OPEN_END),
            categories=self.categories_of(programs),
            programs=programs,
        )

    def offer_side(self, offer: Offer, assigned: int = 0) -> Side:
        share = self.share
        skills = share(frozenset(offer.skills))
        villages = frozenset(offer.villages)
        whole = share(frozenset(offer.kecamatan))
        kecamatan = share(whole | {v[:8] for v in villages})
        programs = self.person_programs(offer.person_id)
        text = self.matcher.codes_in(f"{offer.title} {offer.description}") - skills
        return Side(
            kind="offer",
            id=offer.id,
            person_id=offer.person_id,
            skills=skills,
            text_skills=share(text),
            all_skills=share(skills | text),
            groups=self.groups(skills),
            villages=share(villages) if len(villages) < 2 else villages,
            whole_kecamatan=whole,
            kecamatan=kecamatan,
            regencies=share(frozenset(k[:5] for k in kecamatan)),
            start=day(offer.start, OPEN_START),
            end=day(offer.end, OPEN_END),
            capacity=max(offer.capacity, 1),
            remaining=max(offer.capacity - offer.used - assigned, 0),
            categories=self.categories_of(programs),
            programs=programs,
        )

    def person_side(self, person: Person, assigned: int = 0) -> Side:
        share = self.share
        villages = frozenset(person.villages) | (
            {person.home_village} if person.home_village else frozenset()
        )
        kecamatan = share(frozenset(v[:8] for v in villages))
        skills = share(frozenset(person.skills))
        programs = share(frozenset(person.programs))
        limit = self.config.person_limit
        regencies = share(
            frozenset(k[:5] for k in kecamatan)
            | ({person.regency} if person.regency else frozenset())
        )
        return Side(
            kind="person",
            id=person.id,
            person_id=person.id,
            skills=skills,
            text_skills=share(frozenset()),
            all_skills=skills,
            groups=self.groups(skills),
            villages=share(villages) if len(villages) < 2 else villages,
            whole_kecamatan=share(frozenset()),
            kecamatan=kecamatan,
            regencies=regencies,
            start=OPEN_START,
            end=OPEN_END,
            capacity=max(limit, 1),
            remaining=max(limit - person.open_commitments - assigned, 0),
            categories=self.categories_of(programs),
            programs=programs,
        )
