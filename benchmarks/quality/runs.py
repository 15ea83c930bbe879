"""Running the engine on the labelled set: one full pass, and the two stability scenarios.

Only the engine's public surface is used (``Engine(inputs, config).run()``,
``propose_for_need``, ``Result.proposals`` and ``.gaps``), as it was at commit 6860163, so this
module measures the engine before and after issue 11 alike. Incumbents (proposals already shown)
are passed only when ``graph.records`` has an ``Incumbent`` record and ``Inputs`` takes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from benchmarks.quality.labelled import LabelledSet
from benchmarks.quality.metrics import Change, Scores, Shown, change, judge, shown
from graph import records as r
from graph.config import EngineConfig
from graph.engine import Engine

UNRELATED = 100


def supports_incumbents() -> bool:
    return hasattr(r, "Incumbent") and "incumbents" in {f.name for f in fields(r.Inputs)}


def incumbents(proposals: Iterable[Shown]) -> dict[str, Any]:
    """``Inputs`` fields telling the engine what is already shown (nothing if it cannot hear)."""
    if not supports_incumbents():
        return {}
    make = r.Incumbent  # type: ignore[attr-defined,unused-ignore]
    return {
        "incumbents": tuple(
            make(need_id=p.need_id, kind=p.kind, side_id=p.side_id, rank=p.rank, score=p.score)
            for p in proposals
        )
    }


def config_for(labelled: LabelledSet) -> EngineConfig:
    """The defaults plus the regency's neighbours, as ``load_config`` gives a regency."""
    return EngineConfig(adjacency=labelled.adjacency)


@dataclass(frozen=True)
class Pass:
    scores: Scores
    shown: tuple[Shown, ...]
    gaps: tuple[int, ...]


def full_pass(labelled: LabelledSet, config: EngineConfig) -> Pass:
    result = Engine(labelled.inputs(), config).run()
    proposals = tuple(shown(result.proposals))
    gaps = tuple(sorted(g.need_id for g in result.gaps))
    return Pass(judge(labelled.labels, proposals, gaps), proposals, gaps)


def after_incremental(labelled: LabelledSet, config: EngineConfig) -> Change:
    """(a) The first half of the needs in a full pass, the second half one at a time
    (``propose_for_need`` in id order), then a full pass over all needs told what is shown."""
    needs = sorted(labelled.needs, key=lambda n: n.id)
    half = len(needs) // 2
    engine = Engine(labelled.inputs(needs=needs[:half]), config)
    before = shown(engine.run().proposals)
    for need in needs[half:]:
        before += shown(engine.propose_for_need(need))
    rebuilt = Engine(labelled.inputs(extra=incumbents(before)), config).run()
    return change(before, shown(rebuilt.proposals))


def after_unrelated_import(
    labelled: LabelledSet, config: EngineConfig, count: int = UNRELATED
) -> Change:
    """(b) A full pass, then the same records plus ``count`` interventions in villages no need
    is in (told what is shown), and a full pass again."""
    before = shown(Engine(labelled.inputs(), config).run().proposals)
    added = unrelated_interventions(labelled, count)
    inputs = labelled.inputs(interventions=added, extra=incumbents(before))
    return change(before, shown(Engine(inputs, config).run().proposals))


def unrelated_interventions(labelled: LabelledSet, count: int) -> tuple[r.Intervention, ...]:
    """``count`` plausible interventions spread evenly over the villages no need is in: each a
    program's own category, in 2027, with households and a budget (a recap's rows)."""
    taken = {n.village for n in labelled.needs if n.village is not None}
    free = [v.code for v in labelled.villages if v.code not in taken]
    if len(free) < count:
        raise ValueError(f"only {len(free)} villages are free of needs, {count} wanted")
    programs = [p for p in labelled.programs if p.categories]
    first_id = max((i.id for i in labelled.interventions), default=0) + 1
    out: list[r.Intervention] = []
    for n in range(count):
        village = free[n * len(free) // count]
        program = programs[n % len(programs)]
        category = program.categories[(n // len(programs)) % len(program.categories)]
        start = dt.date(2027, 1, 1) + dt.timedelta(days=(n * 37) % 270)
        households = 5 + (n * 7) % 40
        out.append(
            r.Intervention(
                id=first_id + n,
                program_id=program.id,
                village=village,
                category=category,
                start=start,
                end=start + dt.timedelta(days=60 + (n * 13) % 120),
                title=f"{program.code} {category} {n + 1}",
                households=households,
                budget_idr=households * 15_000_000,
            )
        )
    return tuple(out)
