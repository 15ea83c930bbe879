"""The engine: records in; proposals, gaps, overlap flags and synergies out.

A full pass blocks candidates for every need, assigns primaries exactly per component, adds
alternatives where capacity is spare, falls back to people for needs no offer meets, and reports
what stays unmet as gaps. The same object then answers incremental questions (one new need,
offer or intervention) against the state the pass left.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from graph.assignment import assign_arrays
from graph.candidates import BlockingIndex, Ranked
from graph.config import EngineConfig
from graph.network import build_graph
from graph.overlaps import Flag, find_overlaps, village_flags
from graph.partition import partition
from graph.reasons import Reason
from graph.records import Inputs, Intervention, Need, Offer
from graph.scoring import Fit, explain, fit
from graph.synergy import Synergy, find_synergies
from graph.world import NeedView, Side, World

NEED_OFFER = "need_offer"
NEED_PERSON = "need_person"
PROGRAM_SYNERGY = "program_synergy"
KIND_ORDER = {NEED_OFFER: 0, NEED_PERSON: 1, PROGRAM_SYNERGY: 2}


@dataclass(frozen=True)
class Proposal:
    kind: str
    key: str
    regency: str
    score: float
    reasons: tuple[Reason, ...]
    need_id: int | None = None
    offer_id: int | None = None
    person_id: int | None = None
    program_a: int | None = None
    program_b: int | None = None
    villages: tuple[str, ...] = ()
    #: 1 = primary from the assignment, 2 and 3 = alternatives; None for synergies.
    rank: int | None = None


@dataclass(frozen=True)
class Gap:
    """A need nobody can meet, and why."""

    need_id: int
    regency: str
    kecamatan: str
    village: str | None
    skills: tuple[str, ...]
    reason: Reason


@dataclass
class Result:
    proposals: list[Proposal]
    gaps: list[Gap]
    flags: list[Flag]
    timings: dict[str, float] = field(default_factory=dict)
    candidate_edges: int = 0
    graph_nodes: int = 0
    graph_edges: int = 0


Progress = Callable[[str, float], None]


def _quiet(_stage: str, _percent: float) -> None:
    return None


class Engine:
    """One run's state: build it from records, ``run()`` it, then ask incremental questions."""

    def __init__(self, inputs: Inputs, config: EngineConfig | None = None) -> None:
        self.inputs = inputs
        self.config = config or EngineConfig()
        self.world = World(inputs, self.config)
        self.offers: dict[int, Offer] = {o.id: o for o in inputs.offers}
        self.offer_index = BlockingIndex(
            self.world.offer_side(o) for o in sorted(inputs.offers, key=lambda o: o.id)
        )
        self.person_index = BlockingIndex(
            self.world.person_side(p)
            for p in sorted(inputs.people, key=lambda p: p.id)
            if p.available
        )
        #: Primaries handed out so far, per (kind, id): they use up capacity.
        self.assigned: Counter[tuple[str, int]] = Counter()
        self.primary: dict[int, tuple[str, int]] = {}
        self.needs: dict[int, Need] = {n.id: n for n in inputs.needs}
        self.by_village: dict[str, list[Intervention]] = defaultdict(list)
        for item in inputs.interventions:
            self.by_village[item.village].append(item)

    # -- full pass -----------------------------------------------------------------------------
    def run(self, progress: Progress = _quiet, build_graphs: bool = True) -> Result:
        """Everything for the records given: deterministic, ordered, explained."""
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        nodes = edges = 0
        if build_graphs:
            progress("graph", 0.0)
            parts = partition(self.inputs)
            for count, (regency, part) in enumerate(parts.items(), 1):
                g = build_graph(part, regency)
                nodes += g.number_of_nodes()
                edges += g.number_of_edges()
                # Counting edges caches a view on the graph that points back at it; emptied now,
                # the graph does not wait for a full garbage collection to give its memory back.
                g.clear()
                if count % 50 == 0:
                    progress("graph", 100.0 * count / len(parts))
            timings["graph"] = time.perf_counter() - clock
            clock = time.perf_counter()

        progress("candidates", 0.0)
        world = self.world
        views = [world.need_view(n) for n in sorted(self.needs.values(), key=lambda n: n.id)]
        offer_rows = [self.offer_index.ranked(v, world) for v in views]
        timings["candidates"] = time.perf_counter() - clock
        clock = time.perf_counter()

        progress("assignment", 0.0)
        self.assigned.clear()
        self.primary.clear()
        proposals = self._assign_phase(NEED_OFFER, views, offer_rows)
        offer_counts = [len(row.sides) for row in offer_rows]
        del offer_rows  # only their sizes are needed from here on
        timings["assignment"] = time.perf_counter() - clock
        clock = time.perf_counter()
        waiting = [i for i, v in enumerate(views) if v.need.id not in self.primary]
        person_rows = [self.person_index.ranked(views[i], world) for i in waiting]
        timings["candidates"] += time.perf_counter() - clock
        clock = time.perf_counter()
        proposals += self._assign_phase(NEED_PERSON, [views[i] for i in waiting], person_rows)
        person_counts = [len(row.sides) for row in person_rows]
        del person_rows
        timings["assignment"] += time.perf_counter() - clock
        clock = time.perf_counter()

        gaps = [
            self._gap(views[i], bool(offer_counts[i]) or bool(person_counts[n]))
            for n, i in enumerate(waiting)
            if views[i].need.id not in self.primary
        ]
        progress("overlaps", 0.0)
        flags = find_overlaps(self.inputs.interventions, self.world)
        timings["overlaps"] = time.perf_counter() - clock
        clock = time.perf_counter()
        synergies = find_synergies(self.inputs.interventions, self.world)
        proposals += [self._synergy_proposal(s) for s in synergies]
        timings["synergy"] = time.perf_counter() - clock
        proposals.sort(key=_proposal_order)
        progress("done", 100.0)
        return Result(
            proposals=proposals,
            gaps=gaps,
            flags=flags,
            timings=timings,
            candidate_edges=sum(offer_counts) + sum(person_counts),
            graph_nodes=nodes,
            graph_edges=edges,
        )

    def _assign_phase(self, kind: str, views: list[NeedView], rows: list[Ranked]) -> list[Proposal]:
        """Primaries by exact assignment, then alternatives where capacity is still spare.

        A pair's ``Fit`` is worked out again only for the pairs that become proposals: the
        sides do not change during a pass, so it is the one the candidate search saw.
        """
        side_kind = "offer" if kind == NEED_OFFER else "person"
        capacity = {side.id: side.remaining for row in rows for side in row.sides}
        counts = np.fromiter((len(row.sides) for row in rows), dtype=np.int64, count=len(rows))
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        size = int(indptr[-1])
        side_ids = np.fromiter(
            (side.id for row in rows for side in row.sides), dtype=np.int64, count=size
        )
        scores = np.frombuffer(b"".join(row.scores.tobytes() for row in rows), dtype=np.float64)
        chosen = assign_arrays(indptr, side_ids, scores, capacity)
        out: list[Proposal] = []
        for view, row, pick in zip(views, rows, chosen, strict=True):
            if pick is None:
                continue
            side = next(side for side in row.sides if side.id == pick)
            self.assigned[(side_kind, pick)] += 1
            self.primary[view.need.id] = (side_kind, pick)
            out.append(self._proposal(kind, view, side, self._fit(view, side), rank=1))
        # Alternatives only where capacity is still spare, best pairs first (score, then need
        # id, then side id), so an offer or a person is never proposed to more needs than it
        # can take. Spare capacity only shrinks, so pairs whose side has none left after the
        # primaries are never looked at.
        spare = {c: capacity[c] - self.assigned[(side_kind, c)] for c in capacity}
        need_ids = np.repeat(np.fromiter((v.need.id for v in views), np.int64, len(views)), counts)
        picks = np.repeat(np.asarray([-1 if c is None else c for c in chosen], np.int64), counts)
        has_pick = np.repeat(np.asarray([c is not None for c in chosen], np.bool_), counts)
        open_ids = np.asarray(sorted(c for c, n in spare.items() if n > 0), dtype=np.int64)
        has_spare = np.isin(side_ids, open_ids)
        candidates = np.flatnonzero(has_pick & (side_ids != picks) & has_spare)
        order = candidates[
            np.lexsort((side_ids[candidates], need_ids[candidates], -scores[candidates]))
        ]
        row_of = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
        given: Counter[int] = Counter()
        limit = self.config.alternatives
        for entry, need_id, side_id, r in zip(
            order.tolist(),
            need_ids[order].tolist(),
            side_ids[order].tolist(),
            row_of[order].tolist(),
            strict=True,
        ):
            if given[need_id] >= limit or spare[side_id] <= 0:
                continue
            spare[side_id] -= 1
            given[need_id] += 1
            view, side = views[r], rows[r].sides[entry - int(indptr[r])]
            out.append(
                self._proposal(kind, view, side, self._fit(view, side), rank=1 + given[need_id])
            )
        return out

    def _fit(self, view: NeedView, side: Side) -> Fit:
        found = fit(view, side, self.world)
        assert found is not None, "a candidate always fits"
        return found

    def _proposal(self, kind: str, view: NeedView, side: Side, f: Fit, rank: int) -> Proposal:
        return Proposal(
            kind=kind,
            key=f"{kind}:{view.need.id}:{side.id}",
            regency=view.need.regency,
            score=f.score,
            reasons=explain(view, side, f, self.world),
            need_id=view.need.id,
            offer_id=side.id if side.kind == "offer" else None,
            person_id=side.id if side.kind == "person" else side.person_id,
            rank=rank,
        )

    def _synergy_proposal(self, s: Synergy) -> Proposal:
        return Proposal(
            kind=PROGRAM_SYNERGY,
            key=s.key,
            regency=s.regency,
            score=s.score,
            reasons=s.reasons,
            program_a=s.program_a,
            program_b=s.program_b,
            villages=s.villages,
        )

    def _gap(self, view: NeedView, had_candidates: bool) -> Gap:
        need = view.need
        if had_candidates:
            reason = Reason(
                "capacity",
                0.0,
                0.0,
                "semua tawaran dan pendamping yang cocok sudah penuh",
                "every offer and person who fits is already fully taken",
            )
        else:
            labels = [self.world.skill_labels.get(s, (s, s)) for s in sorted(need.skills)]
            reason = Reason(
                "skill",
                0.0,
                0.0,
                "belum ada tawaran atau pendamping dengan keahlian "
                + (", ".join(lab[0] for lab in labels) or "ini")
                + " dalam jangkauan",
                "no offer or person with "
                + (", ".join(lab[1] for lab in labels) or "this skill")
                + " within reach",
            )
        return Gap(
            need_id=need.id,
            regency=need.regency,
            kecamatan=need.kecamatan,
            village=need.village,
            skills=tuple(sorted(need.skills)),
            reason=reason,
        )

    def gap_for(self, need: Need) -> Gap:
        """Why ``need`` has no proposal: nothing fits, or everything that fits is taken."""
        view = self.world.need_view(need)
        had = bool(self.offer_index.candidates(view, self.world)) or bool(
            self.person_index.candidates(view, self.world)
        )
        return self._gap(view, had)

    # -- incremental ---------------------------------------------------------------------------
    def propose_for_need(self, need: Need) -> list[Proposal]:
        """Proposals for one new or edited need against the current state (primary first).

        Scores are what a full pass would give; the primary is the best candidate whose
        capacity is not yet used up, which is what a full pass picks when nobody contests it.
        """
        self.needs[need.id] = need
        self._release(need.id)
        view = self.world.need_view(need)
        for kind, index in ((NEED_OFFER, self.offer_index), (NEED_PERSON, self.person_index)):
            side_kind = "offer" if kind == NEED_OFFER else "person"
            row = index.candidates(view, self.world)
            free = [(f, s) for f, s in row if s.remaining - self.assigned[(side_kind, s.id)] > 0]
            if not free:
                continue
            f, side = free[0]
            self.assigned[(side_kind, side.id)] += 1
            self.primary[need.id] = (side_kind, side.id)
            out = [self._proposal(kind, view, side, f, rank=1)]
            for rank, (g, other) in enumerate(free[1 : 1 + self.config.alternatives], 2):
                out.append(self._proposal(kind, view, other, g, rank=rank))
            return out
        return []

    def propose_for_offer(self, offer: Offer) -> list[Proposal]:
        """Primaries for waiting needs (gaps) that one new offer can meet, best first."""
        side = self.world.offer_side(offer)
        self.offers[offer.id] = offer
        if self.offer_index.position("offer", offer.id) is None:
            self.offer_index.add(side)
        else:
            self.offer_index.replace(side)
        regencies = side.regencies
        scored: list[tuple[Fit, NeedView]] = []
        for need in sorted(self.needs.values(), key=lambda n: n.id):
            if need.id in self.primary or need.regency not in regencies:
                continue
            view = self.world.need_view(need)
            f = fit(view, side, self.world)
            if f is not None:
                scored.append((f, view))
        scored.sort(key=lambda pair: (-pair[0].score, pair[1].need.id))
        out: list[Proposal] = []
        free = max(side.remaining - self.assigned[("offer", offer.id)], 0)
        for f, view in scored[:free]:
            self.assigned[("offer", offer.id)] += 1
            self.primary[view.need.id] = ("offer", offer.id)
            out.append(self._proposal(NEED_OFFER, view, side, f, rank=1))
        return out

    def check_intervention(self, intervention: Intervention) -> list[Flag]:
        """The flags a new or edited intervention takes part in, against the current 3W."""
        items = [i for i in self.by_village[intervention.village] if i.id != intervention.id]
        items.append(intervention)
        self.by_village[intervention.village] = items
        flags = village_flags(intervention.village, items, self.world)
        return [f for f in flags if intervention.id in f.intervention_ids]

    def _release(self, need_id: int) -> None:
        held = self.primary.pop(need_id, None)
        if held is not None:
            self.assigned[held] -= 1

    # -- graph ---------------------------------------------------------------------------------
    def graph(self, regency: str) -> nx.Graph:
        """The regency's graph, for the neighbourhood view and explanations."""
        return build_graph(partition(self.inputs).get(regency, self.inputs), regency)


def _proposal_order(p: Proposal) -> tuple[int, int, int, str]:
    return (KIND_ORDER[p.kind], p.need_id or 0, p.rank or 0, p.key)


def run(inputs: Inputs, config: EngineConfig | None = None) -> Result:
    """A full pass over ``inputs`` (shorthand for ``Engine(inputs, config).run()``)."""
    return Engine(inputs, config).run()
