"""Program <-> program synergy: programs working in complementary categories in the same villages
in the same period are proposed to "plan together in these villages"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from graph.config import Complement
from graph.reasons import Reason, total
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
    for village in sorted(by_village):
        items = sorted(by_village[village], key=lambda i: i.id)
        for x, a in enumerate(items):
            for b in items[x + 1 :]:
                if a.program_id == b.program_id or a.category == b.category:
                    continue
                comp = world.complements.get(frozenset((a.category, b.category)))
                if comp is None:
                    continue
                start, end = max(a.start, b.start), min(a.end, b.end)
                if end < start:
                    continue
                span = max((a.end - a.start).days, (b.end - b.start).days) + 1
                overlap = ((end - start).days + 1) / span
                p, q = sorted((a.program_id, b.program_id))
                key = (village[:5], p, q)
                shared[key][village] = max(shared[key].get(village, 0.0), overlap)
                why.setdefault(key, comp)
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
    names = [world.village_names.get(v, v) for v in sorted(villages)]
    shown = ", ".join(names[:5]) + (f" (+{len(names) - 5})" if len(names) > 5 else "")
    code_a = world.programs[p].code if p in world.programs else str(p)
    code_b = world.programs[q].code if q in world.programs else str(q)
    w = SYNERGY_WEIGHTS
    period = sum(villages.values()) / len(villages)
    reasons = (
        Reason(
            "complement",
            w["complement"],
            1.0,
            f"{code_a} dan {code_b}: {comp.text_id}",
            f"{code_a} and {code_b}: {comp.text_en}",
        ),
        Reason(
            "villages",
            w["villages"],
            min(1.0, len(villages) / VILLAGES_FULL),
            f"bekerja bersama di {len(villages)} desa: {shown}",
            f"both work in {len(villages)} villages: {shown}",
        ),
        Reason(
            "period",
            w["period"],
            period,
            f"masa kerja bersamaan rata-rata {round(period * 100)}%",
            f"their periods overlap {round(period * 100)}% on average",
        ),
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
