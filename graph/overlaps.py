"""Overlap flags: interventions of different programs in one village, same or overlapping
activity categories, overlapping periods — found by sorting and sweeping per village.

Two interventions collide when all of that holds and their programs are not an allowed
combination; a flag is a connected group of collisions, so three programs renovating houses in
one desa in one year are one flag, not three.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from graph.reasons import Reason, reason, total
from graph.records import Intervention
from graph.world import World

#: Severity weights: more programs, more households, more money at stake.
SEVERITY_WEIGHTS = {"programs": 0.4, "households": 0.3, "budget": 0.3}
#: Severity from which a flag is high, and medium; below that it is low. Pages, exports and the
#: API all name levels through ``severity_level``, so they never disagree with the engine.
HIGH, MEDIUM = 0.6, 0.35


def severity_level(severity: float) -> str:
    """ "high", "medium" or "low"."""
    return "high" if severity >= HIGH else "medium" if severity >= MEDIUM else "low"


HOUSEHOLDS_FULL = 500  # households at which that term is full
BUDGET_FULL = 5_000_000_000  # rupiah at which that term is full


@dataclass(frozen=True)
class Flag:
    key: str  # sorted intervention ids, "12,40,41"
    regency: str
    village: str
    intervention_ids: tuple[int, ...]
    severity: float
    level: str  # "low" | "medium" | "high"
    reasons: tuple[Reason, ...]


def collide(a: Intervention, b: Intervention, world: World) -> bool:
    """True when a and b are a real overlap the regency has not allowed."""
    if a.village != b.village or a.program_id == b.program_id:
        return False
    if a.start > b.end or b.start > a.end:
        return False
    if (
        a.category != b.category
        and frozenset((a.category, b.category)) not in world.overlapping_categories
    ):
        return False
    return frozenset((a.program_id, b.program_id)) not in world.allowed


def find_overlaps(interventions: Iterable[Intervention], world: World) -> list[Flag]:
    """Every flag among ``interventions``, ordered by village then key."""
    by_village: dict[str, list[Intervention]] = defaultdict(list)
    for item in interventions:
        by_village[item.village].append(item)
    flags: list[Flag] = []
    for village in sorted(by_village):
        flags.extend(village_flags(village, by_village[village], world))
    return flags


def village_flags(village: str, items: list[Intervention], world: World) -> list[Flag]:
    items = sorted(items, key=lambda i: (i.start, i.id))
    parent = {i.id: i.id for i in items}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    active: list[Intervention] = []
    for item in items:  # sweep: only intervals still running at item.start can overlap it
        active = [a for a in active if a.end >= item.start]
        for other in active:
            if collide(item, other, world):
                parent[root(item.id)] = root(other.id)
        active.append(item)
    groups: dict[int, list[Intervention]] = defaultdict(list)
    for item in items:
        groups[root(item.id)].append(item)
    flags = [
        _flag(village, sorted(group, key=lambda i: i.id), world)
        for group in groups.values()
        if len(group) > 1
    ]
    return sorted(flags, key=lambda f: f.intervention_ids)


def _flag(village: str, group: list[Intervention], world: World) -> Flag:
    programs = sorted(
        {
            world.programs[i.program_id].code
            if i.program_id in world.programs
            else str(i.program_id)
            for i in group
        }
    )
    # Unknown amounts add nothing to the severity; the reason says when some are unknown.
    households = sum(i.households or 0 for i in group)
    budget = sum(i.budget_idr or 0 for i in group)
    some_households_unknown = any(i.households is None for i in group)
    some_budget_unknown = any(i.budget_idr is None for i in group)
    start = max(i.start for i in group)
    end = min(i.end for i in group)
    categories = sorted({i.category for i in group})
    village_name = world.village_names.get(village, village)
    w = SEVERITY_WEIGHTS
    program_value = min(1.0, (len(programs) - 1) / 3)
    household_value = min(1.0, math.log1p(households) / math.log1p(HOUSEHOLDS_FULL))
    budget_value = min(1.0, math.log1p(budget) / math.log1p(BUDGET_FULL))
    reasons = (
        reason(
            "programs",
            w["programs"],
            program_value,
            "overlap.programs",
            count=len(programs),
            village=village_name,
            programs=tuple(programs),
        ),
        reason(
            "households",
            w["households"],
            household_value,
            "overlap.households",
            households=households,
            at_least=some_households_unknown,
        ),
        reason(
            "budget",
            w["budget"],
            budget_value,
            "overlap.budget",
            budget=budget,
            at_least=some_budget_unknown,
        ),
        reason("category", 0.0, 1.0, "overlap.categories", categories=tuple(categories)),
        reason("period", 0.0, 1.0, "overlap.period", start=start, end=end)
        if start <= end
        else reason("period", 0.0, 1.0, "overlap.period_chain"),
    )
    severity = round(total(reasons), 6)
    level = severity_level(severity)
    ids = tuple(i.id for i in group)
    return Flag(
        key=",".join(str(i) for i in ids),
        regency=village[:5],
        village=village,
        intervention_ids=ids,
        severity=severity,
        level=level,
        reasons=reasons,
    )
