"""Program <-> program synergy: programs working in complementary categories in the same villages
in the same period are proposed to "plan together in these villages"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from graph.config import Complement
from graph.reasons import Reason, reason, total
from graph.records import Intervention
from graph.world import World

SYNERGY_WEIGHTS = {"complement": 0.5, "villages": 0.3, "period": 0.2}
VILLAGES_FULL = 5  # shared villages at which that term is full


@dataclass(frozen=True)
class Synergy:
    key: str
    regency: str
    program_a: int
    program_b: int
    villages: tuple[str, ...]
    score: float
    reasons: tuple[Reason, ...]


def find_synergies(interventions: Iterable[Intervention], world: World) -> list[Synergy]:
    """One proposal per regency and program pair, ordered by regency then program ids."""
    by_village: dict[str, list[Intervention]] = defaultdict(list)
    for item in interventions:
        by_village[item.village].append(item)
    shared: dict[tuple[str, int, int], dict[str, float]] = defaultdict(dict)
    why: dict[tuple[str, int, int], Complement] = {}
    partners: dict[str, set[str]] = defaultdict(set)  # category -> its complements
    for pair in world.complements:
        if len(pair) == 2:
            a_cat, b_cat = pair
            partners[a_cat].add(b_cat)
            partners[b_cat].add(a_cat)
    for village in sorted(by_village):
        items = sorted(by_village[village], key=lambda i: i.id)
        # Only pairs of complementary categories can plan together: look at those alone, in
        # the order of the full pair loop (a before b, both by id), so the first reason found
        # for a program pair is the same.
        positions: dict[str, list[int]] = defaultdict(list)
        for y, item in enumerate(items):
            positions[item.category].append(y)
        # Days as numbers: (end - start).days of two dates is the difference of their ordinals.
        days = [(i.start.toordinal(), i.end.toordinal()) for i in items]
        regency = village[:5]
        for x, a in enumerate(items):
            later = sorted(
                y for c in partners.get(a.category, ()) for y in positions.get(c, ()) if y > x
            )
            a_start, a_end = days[x]
            for y in later:
                b = items[y]
                if a.program_id == b.program_id:
                    continue
                b_start, b_end = days[y]
                start, end = max(a_start, b_start), min(a_end, b_end)
                if end < start:
                    continue
                span = max(a_end - a_start, b_end - b_start) + 1
                overlap = (end - start + 1) / span
                p, q = sorted((a.program_id, b.program_id))
                key = (regency, p, q)
                shared[key][village] = max(shared[key].get(village, 0.0), overlap)
                why.setdefault(key, world.complements[frozenset((a.category, b.category))])
    synergies: list[Synergy] = []
    for key in sorted(shared):
        villages = shared[key]
        if len(villages) < world.config.synergy_min_villages:
            continue
        synergies.append(_synergy(key, villages, why[key], world))
    return synergies


def _synergy(
    key: tuple[str, int, int], villages: dict[str, float], comp: Complement, world: World
) -> Synergy:
    regency, p, q = key
    names = tuple(world.village_names.get(v, v) for v in sorted(villages))
    code_a = world.programs[p].code if p in world.programs else str(p)
    code_b = world.programs[q].code if q in world.programs else str(q)
    w = SYNERGY_WEIGHTS
    period = sum(villages.values()) / len(villages)
    reasons = (
        reason(
            "complement",
            w["complement"],
            1.0,
            "synergy.complement",
            program_a=code_a,
            program_b=code_b,
            complement=comp.code,
        ),
        reason(
            "villages",
            w["villages"],
            min(1.0, len(villages) / VILLAGES_FULL),
            "synergy.villages",
            count=len(villages),
            villages=names,
        ),
        reason("period", w["period"], period, "synergy.period", percent=round(period * 100)),
    )
    return Synergy(
        key=f"program_synergy:{regency}:{p}:{q}",
        regency=regency,
        program_a=p,
        program_b=q,
        villages=tuple(sorted(villages)),
        score=round(total(reasons), 6),
        reasons=reasons,
    )
