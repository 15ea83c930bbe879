"""The engine: records in; proposals, gaps, overlap flags and synergies out.

A full pass settles every need: it keeps the proposals people were already shown (incumbents)
whose facts still hold, assigns primaries exactly per component to the needs that have none,
lets an incumbent give way only to a clearly better option (``EngineConfig.switch_margin``),
falls back to people for needs no offer meets, gives alternatives where capacity is spare, and
reports what stays unmet as gaps that say why ("nobody offers GIS mapping in Kecamatan Klaten
Utara; the nearest is 20 km away in Kemalang"). Proposals it no longer makes come back as
``Result.retired`` with their reason.

The same object then answers incremental questions (one new need, offer or intervention) by the
same rules against the state the pass left, so a full pass right after any sequence of
incremental answers changes nothing.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter, itemgetter

import networkx as nx
import numpy as np

from graph.assignment import assign_arrays
from graph.candidates import BlockingIndex
from graph.config import EngineConfig
from graph.distance import km
from graph.network import build_graph, graph_size
from graph.overlaps import Flag, find_overlaps, village_flags
from graph.partition import partition
from graph.reasons import Reason, reason
from graph.records import Incumbent, Inputs, Intervention, Need, Offer
from graph.scoring import Fit, explain, fit, owner_is_full, place_of
from graph.synergy import Synergy, find_synergies
from graph.world import OPEN_END, OPEN_START, NeedView, Side, World, day

NEED_OFFER = "need_offer"
NEED_PERSON = "need_person"
PROGRAM_SYNERGY = "program_synergy"
KIND_ORDER = {NEED_OFFER: 0, NEED_PERSON: 1, PROGRAM_SYNERGY: 2}
PROPOSAL_KIND = {"offer": NEED_OFFER, "person": NEED_PERSON}

#: (side kind, side id)
SideKey = tuple[str, int]


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
    #: 1 = primary, 2 and 3 = alternatives; None for synergies.
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
    #: Proposal key -> why an incumbent is no longer proposed (``retired.*``).
    retired: dict[str, Reason] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    candidate_edges: int = 0
    graph_nodes: int = 0
    graph_edges: int = 0


Progress = Callable[[str, float], None]


def _quiet(_stage: str, _percent: float) -> None:
    return None


def proposal_key(need_id: int, side: SideKey) -> str:
    return f"{PROPOSAL_KIND[side[0]]}:{need_id}:{side[1]}"


def key_need(key: str) -> int:
    """The need of a need proposal's key (``proposal_key``)."""
    return int(key.split(":")[1])


@dataclass
class _Held:
    """What one need holds: its primary (with its rank and score) and its alternatives."""

    primary: SideKey | None = None
    rank: float = 0.0
    score: float = 0.0
    alternatives: list[SideKey] = field(default_factory=list)
    #: True while the primary is one people were shown before this pass (an incumbent).
    kept: bool = False


@dataclass
class _GapLooks:
    """What the gaps of one pass share (``Engine._nearest``)."""

    #: (regency, skills) -> kecamatan -> owners of the regency's sides offering one of the
    #: skills that work there.
    owners: dict[tuple[str, frozenset[str]], dict[str, frozenset[int]]] = field(
        default_factory=dict
    )
    #: (regency, skills, the need's kecamatan) -> those kecamatan as (km, code, owners),
    #: nearest first.
    ranked: dict[tuple[str, frozenset[str], str], list[tuple[float, str, frozenset[int]]]] = field(
        default_factory=dict
    )


class Engine:
    """One run's state: build it from records, ``run()`` it, then ask incremental questions."""

    def __init__(self, inputs: Inputs, config: EngineConfig | None = None) -> None:
        self.inputs = inputs
        self.config = config or EngineConfig()
        self.world = World(inputs, self.config)
        self.offers: dict[int, Offer] = {o.id: o for o in inputs.offers}
        self.indexes = {
            "offer": BlockingIndex(
                self.world.offer_side(o) for o in sorted(inputs.offers, key=lambda o: o.id)
            ),
            "person": BlockingIndex(
                self.world.person_side(p)
                for p in sorted(inputs.people, key=lambda p: p.id)
                if p.available
            ),
        }
        self.needs: dict[int, Need] = {n.id: n for n in inputs.needs}
        #: Primaries handed out, per side: they use up capacity. Alternatives use up what is
        #: spare beyond that (``alternative_use``), so nobody is proposed past capacity.
        self.assigned: Counter[SideKey] = Counter()
        self.alternative_use: Counter[SideKey] = Counter()
        self.held: dict[int, _Held] = {}
        self.by_village: dict[str, list[Intervention]] = defaultdict(list)
        for item in inputs.interventions:
            self.by_village[item.village].append(item)
        self._views: dict[int, NeedView] = {}
        #: Seconds the current full pass has spent finding candidates (for ``Result.timings``).
        self._searching = 0.0
        #: What the last incremental answer retired besides the asked need's own proposals
        #: (another need's alternative that lost its room, an incumbent that gave way).
        self.retired: dict[str, Reason] = {}
        self.offers_of: dict[int, list[int]] = defaultdict(list)
        #: Other needs whose proposals the last incremental answer changed.
        self.changed: set[int] = set()
        #: Per side, the needs that may hold it as an alternative (``_holders_of`` checks each):
        #: ``_trim`` asks it on an incremental answer, and scanning every held need for that
        #: took tens of milliseconds at national scale. Made on first use after a pass, then
        #: kept up to date by ``_add_alternative``, the one place an alternative is handed out.
        self._holders: defaultdict[SideKey, list[int]] | None = None
        self._distances: dict[tuple[str, str], float] = {}
        for offer in sorted(inputs.offers, key=lambda o: o.id):
            self.offers_of[offer.person_id].append(offer.id)
        self._seed(inputs.incumbents)

    @property
    def offer_index(self) -> BlockingIndex:
        return self.indexes["offer"]

    @property
    def person_index(self) -> BlockingIndex:
        return self.indexes["person"]

    @property
    def primary(self) -> dict[int, SideKey]:
        return {n: h.primary for n, h in self.held.items() if h.primary is not None}

    def view(self, need: Need) -> NeedView:
        found = self._views.get(need.id)
        if found is None or found.need != need:
            found = self._views[need.id] = self.world.need_view(need)
        return found

    def side(self, key: SideKey) -> Side | None:
        index = self.indexes[key[0]]
        position = index.position(*key)
        return None if position is None else index.sides[position]

    def free(self, key: SideKey, side: Side) -> int:
        """Primaries the side can still take."""
        return side.remaining - self.assigned[key]

    def spare(self, key: SideKey, side: Side) -> int:
        """Alternatives the side can still be named in."""
        return side.remaining - self.assigned[key] - self.alternative_use[key]

    # -- incumbents ----------------------------------------------------------------------------
    def _seed(self, incumbents: Iterable[Incumbent]) -> None:
        """Take the stored proposals as the state (validated by ``run``; trusted incrementally)."""
        for inc in sorted(incumbents, key=lambda i: (i.need_id, i.rank, i.kind, i.side_id)):
            if inc.need_id not in self.needs or inc.kind not in self.indexes:
                continue
            held = self.held.setdefault(inc.need_id, _Held())
            key = (inc.kind, inc.side_id)
            if inc.rank == 1 and held.primary is None:
                side = self.side(key)
                found = (
                    None
                    if side is None
                    else fit(self.view(self.needs[inc.need_id]), side, self.world)
                )
                held.primary, held.kept = key, True
                held.rank = found.rank if found else inc.score
                held.score = found.score if found else inc.score
                self.assigned[key] += 1
            elif inc.rank > 1 and key != held.primary:
                self._add_alternative(inc.need_id, held, key)

    # -- full pass -----------------------------------------------------------------------------
    def run(self, progress: Progress = _quiet, build_graphs: bool = True) -> Result:
        """Everything for the records given: deterministic, ordered, explained.

        ``build_graphs`` reports the size of every regency's graph (``Result.graph_nodes``,
        ``graph_edges``); the graphs are counted (``graph_size``), not built, as nothing in
        the pass reads them: ``Engine.graph`` builds the one a page shows."""
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        nodes = edges = 0
        if build_graphs:
            progress("graph", 0.0)
            parts = partition(self.inputs)
            for count, (regency, part) in enumerate(parts.items(), 1):
                # Counted, not built: the pass reads no graph (``Engine.graph`` builds one).
                part_nodes, part_edges = graph_size(part, regency)
                nodes += part_nodes
                edges += part_edges
                if count % 50 == 0:
                    progress("graph", 100.0 * count / len(parts))
            timings["graph"] = time.perf_counter() - clock
            clock = time.perf_counter()

        progress("candidates", 0.0)
        views = [self.view(n) for n in sorted(self.needs.values(), key=lambda n: n.id)]
        retired: dict[str, Reason] = {}
        self._validate(views, retired)
        edges_seen = 0
        timings["candidates"] = time.perf_counter() - clock
        clock = time.perf_counter()
        progress("assignment", 0.0)
        rows: dict[str, dict[int, list[tuple[Fit, Side]]]] = {}
        self._searching = 0.0
        for kind in ("offer", "person"):
            rows[kind] = self._phase(kind, views, retired)
            edges_seen += sum(len(row) for row in rows[kind].values())
        self._alternatives(views, rows, retired)
        # The candidate search runs inside each kind's phase; it is shown as its own stage.
        timings["assignment"] = time.perf_counter() - clock - self._searching
        timings["candidates"] += self._searching
        clock = time.perf_counter()
        found = self._held_pairs(views, rows)
        del rows  # before the proposals are made: a national pass's rows hold 1.6M pairs
        proposals = [p for v in views for p in self._proposals_of(v, found.get(v.need.id))]
        del found
        looks = _GapLooks()
        gaps = [self._gap(v, looks) for v in views if self._held(v).primary is None]
        del looks
        timings["gaps"] = time.perf_counter() - clock
        clock = time.perf_counter()
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
            retired=retired,
            timings=timings,
            candidate_edges=edges_seen,
            graph_nodes=nodes,
            graph_edges=edges,
        )

    def _held(self, view: NeedView) -> _Held:
        # Not ``setdefault``: a pass asks this a dozen times per need, and would make (and
        # throw away) a new ``_Held`` each time.
        found = self.held.get(view.need.id)
        if found is None:
            found = self.held[view.need.id] = _Held()
        return found

    def _validate(self, views: list[NeedView], retired: dict[str, Reason]) -> None:
        """Keep the incumbents whose facts still hold; retire the others with their reason.

        Capacity goes to the best-ranked incumbents first, so if an offer lost room (accepted
        elsewhere), the weakest of its pending proposals is the one that goes.
        """
        live = {v.need.id for v in views}
        for need_id in [n for n in self.held if n not in live]:
            self._drop_all(need_id)
        self._holders = None  # a pass hands alternatives out anew; made again when asked
        self.assigned.clear()
        self.alternative_use.clear()
        primaries: list[tuple[float, int, SideKey, Fit | None]] = []
        for view in views:
            held = self._held(view)
            if held.primary is None:
                continue
            side = self.side(held.primary)
            found = None if side is None else fit(view, side, self.world)
            primaries.append((found.rank if found else 0.0, view.need.id, held.primary, found))
        primaries.sort(key=lambda item: (-item[0], item[1]))
        for _rank, need_id, key, found in primaries:
            held = self.held[need_id]
            side = self.side(key)
            why = self._unfit(self.view(self.needs[need_id]), key, side, found)
            if why is None and side is not None and self.free(key, side) <= 0:
                why = reason("retired", 0.0, 0.0, "retired.side_full")
            if why is not None or found is None:
                if why is not None:
                    retired[proposal_key(need_id, key)] = why
                held.primary, held.rank, held.score, held.kept = None, 0.0, 0.0, False
                continue
            held.rank, held.score, held.kept = found.rank, found.score, True
            self.assigned[key] += 1
        for view in views:
            held = self._held(view)
            for key in list(held.alternatives):
                side = self.side(key)
                found = None if side is None else fit(view, side, self.world)
                why = self._unfit(view, key, side, found)
                if why is None and held.primary is None:
                    why = reason("retired", 0.0, 0.0, "retired.reassigned")
                if why is not None:
                    retired[proposal_key(view.need.id, key)] = why
                    held.alternatives.remove(key)

    def _unfit(
        self, view: NeedView, key: SideKey, side: Side | None, found: Fit | None
    ) -> Reason | None:
        """Why a stored proposal no longer holds, or None when it still does."""
        if side is None:
            return reason("retired", 0.0, 0.0, f"retired.{key[0]}_gone")
        if found is not None:
            return None
        if side.remaining <= 0:
            return reason("retired", 0.0, 0.0, "retired.side_full")
        if min(view.end, side.end) < max(view.start, side.start):
            return reason("retired", 0.0, 0.0, "retired.out_of_window")
        return reason("retired", 0.0, 0.0, "retired.no_longer_fits")

    def _drop_all(self, need_id: int) -> None:
        held = self.held.pop(need_id, None)
        if held is None:
            return
        if held.primary is not None:
            self.assigned[held.primary] -= 1
        for key in held.alternatives:
            self.alternative_use[key] -= 1

    def _phase(
        self, kind: str, views: list[NeedView], retired: dict[str, Reason]
    ) -> dict[int, list[tuple[Fit, Side]]]:
        """Primaries of one kind: exact assignment for the needs holding none, then incumbents
        meet clearly better options. Returns each considered need's candidates (best first)."""
        asked = [
            v
            for v in views
            if kind == "offer" or (held := self._held(v)).primary is None or held.primary[0] == kind
        ]
        clock = time.perf_counter()
        found = self.indexes[kind].candidates_many(asked, self.world)
        if kind == "person":
            rows = {
                v.need.id: [(f, side) for f, side in row if not self._excluded(v, side)]
                for v, row in zip(asked, found, strict=True)
            }
        else:  # only a person can be excluded (``_excluded``): offers' rows stand as found
            rows = {v.need.id: row for v, row in zip(asked, found, strict=True)}
        self._searching += time.perf_counter() - clock
        waiting = [v for v in views if self._held(v).primary is None]
        self._assign_rows(kind, waiting, [rows[v.need.id] for v in waiting])
        # Until nothing moves: a switch frees its old side, which may be another incumbent's
        # clearly better option. Each switch gains at least the margin, so this ends.
        while self._improve(kind, views, rows, retired):
            waiting = [v for v in views if self._held(v).primary is None]
            self._assign_rows(kind, waiting, [rows[v.need.id] for v in waiting])
        return rows

    def _improve(
        self,
        kind: str,
        views: list[NeedView],
        rows: dict[int, list[tuple[Fit, Side]]],
        retired: dict[str, Reason],
    ) -> bool:
        """A primary (an incumbent, or one given earlier in this pass) gives way to a side of
        ``kind`` with room that ranks at least ``switch_margin`` higher: best gain first, while
        the better side has room. Only an incumbent's going is a retirement."""
        margin = self.config.switch_margin
        better: list[tuple[float, int, SideKey, Fit]] = []
        for view in views:
            held = self._held(view)
            # Primaries given in this pass too: one given while a better side was still held by
            # a need that has since switched away would otherwise move only in the next pass,
            # so a pass run again on its own result would not be a fixed point.
            if held.primary is None:
                continue
            if kind == "person" and held.primary[0] == "offer":
                continue
            best = self._best_free(kind, rows[view.need.id], held.primary)
            if best is not None and best[0].rank >= held.rank + margin:
                better.append((best[0].rank - held.rank, view.need.id, best[1], best[0]))
        better.sort(key=lambda item: (-item[0], item[1]))
        switched = False
        for _gain, need_id, key, found in better:
            side = self.side(key)
            held = self.held[need_id]
            if side is None or self.free(key, side) <= 0 or held.primary is None:
                continue
            if held.kept:  # a primary given in this pass was never shown: nothing to retire
                retired[proposal_key(need_id, held.primary)] = reason(
                    "retired",
                    0.0,
                    0.0,
                    "retired.better_option",
                    before=round(held.score, 2),
                    after=round(found.score, 2),
                )
            self._switch(need_id, held, key, found, retired)
            switched = True
        return switched

    def _best_free(
        self, kind: str, row: list[tuple[Fit, Side]], current: SideKey | None
    ) -> tuple[Fit, SideKey] | None:
        """The best candidate of ``row`` with room for a primary, other than ``current``."""
        for found, side in row:
            key = (kind, side.id)
            if key != current and self.free(key, side) > 0:
                return found, key
        return None

    def _switch(
        self, need_id: int, held: _Held, key: SideKey, found: Fit, retired: dict[str, Reason]
    ) -> None:
        """Make ``key`` the primary; alternatives of the other kind (people, when an offer
        took over) go, as the full pass would not keep them."""
        assert held.primary is not None
        self.assigned[held.primary] -= 1
        held.primary, held.rank, held.score = key, found.rank, found.score
        self.assigned[key] += 1
        for other in list(held.alternatives):
            if other == key or other[0] != key[0]:
                held.alternatives.remove(other)
                self.alternative_use[other] -= 1
                if other != key:
                    retired[proposal_key(need_id, other)] = reason(
                        "retired", 0.0, 0.0, "retired.reassigned"
                    )

    def _fill_alternatives(self, view: NeedView, row: list[tuple[Fit, Side]]) -> None:
        """Alternatives for one need from ``row`` (its candidates of its primary's kind), best
        first, where room is spare: what the full pass gives a need nobody contests."""
        held = self._held(view)
        assert held.primary is not None
        kind = held.primary[0]
        for _found, other in row:
            if len(held.alternatives) >= self.config.alternatives:
                break
            key = (kind, other.id)
            if key != held.primary and key not in held.alternatives and self.spare(key, other) > 0:
                self._add_alternative(view.need.id, held, key)

    def _add_alternative(self, need_id: int, held: _Held, key: SideKey) -> None:
        """Name ``key`` as one of ``need_id``'s alternatives (``held``), using up its room."""
        held.alternatives.append(key)
        self.alternative_use[key] += 1
        if self._holders is not None:
            self._holders[key].append(need_id)

    def _holders_of(self, key: SideKey) -> list[int]:
        """The needs holding ``key`` as an alternative now. The index may name needs that have
        since given it up (nothing removes them as they go): they are dropped here."""
        if self._holders is None:
            self._holders = defaultdict(list)
            for need_id, held in self.held.items():
                for alternative in held.alternatives:
                    self._holders[alternative].append(need_id)
        holders = [
            n
            for n in dict.fromkeys(self._holders.get(key, ()))
            if (holds := self.held.get(n)) is not None and key in holds.alternatives
        ]
        self._holders[key] = holders
        return holders

    def _rows(self, kind: str, index: BlockingIndex, view: NeedView) -> list[tuple[Fit, Side]]:
        return [
            (found, side)
            for found, side in index.candidates(view, self.world)
            if not self._excluded(view, side)
        ]

    def _assign_rows(
        self, kind: str, views: list[NeedView], rows: list[list[tuple[Fit, Side]]]
    ) -> None:
        # The pairs are read by C iterators (``map``, ``chain``), not a Python loop per pair,
        # and each side's room is asked once, not once per need it is a candidate of.
        sides = dict(zip(map(_side_id, _sides_of(rows)), _sides_of(rows), strict=True))
        capacity = {ident: self.free((kind, ident), side) for ident, side in sides.items()}
        counts = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        size = int(indptr[-1])
        side_ids = np.fromiter(map(_side_id, _sides_of(rows)), dtype=np.int64, count=size)
        ranks = np.fromiter(
            map(_rank_of, map(_fit_of, chain.from_iterable(rows))), dtype=np.float64, count=size
        )
        chosen = assign_arrays(indptr, side_ids, ranks, capacity)
        for view, row, pick in zip(views, rows, chosen, strict=True):
            if pick is None:
                continue
            found = next(f for f, side in row if side.id == pick)
            held = self._held(view)
            held.primary, held.rank, held.score = (kind, pick), found.rank, found.score
            held.kept = False
            self.assigned[(kind, pick)] += 1

    def _excluded(self, view: NeedView, side: Side) -> bool:
        """A person whose own offer of the skill asked for is full (``owner_is_full``)."""
        if side.kind != "person":
            return False
        own = [o for i in self.offers_of.get(side.id, ()) if (o := self.side(("offer", i)))]
        return owner_is_full(view, own, lambda o: self.assigned[("offer", o.id)])

    def _alternatives(
        self,
        views: list[NeedView],
        rows: dict[str, dict[int, list[tuple[Fit, Side]]]],
        retired: dict[str, Reason],
    ) -> None:
        """Kept alternatives first (where room is still spare), then new ones where it is,
        best pairs first, up to ``config.alternatives`` per need."""
        for view in views:
            held = self._held(view)
            if not held.alternatives:
                continue
            for key in list(held.alternatives):
                side = self.side(key)
                if held.primary is None or key[0] != held.primary[0] or key == held.primary:
                    why = "retired.reassigned"
                elif side is None or self.spare(key, side) <= 0:
                    why = "retired.side_full"
                else:
                    self.alternative_use[key] += 1
                    continue
                retired[proposal_key(view.need.id, key)] = reason("retired", 0.0, 0.0, why)
                held.alternatives.remove(key)
        # Every need's candidates in one order, best pair first: (-rank, need, side id), each
        # taken if the need still wants one and the side has room to spare. A need's row is in
        # that order already (rank first, then id), so this is the order in which merging the
        # rows would meet the pairs; the order is found as arrays (a national pass has over a
        # million pairs here) and only the walk through it is Python.
        limit = self.config.alternatives
        open_rows: list[list[tuple[Fit, Side]]] = []
        open_needs: list[int] = []
        for view in views:
            held = self._held(view)
            if held.primary is None or len(held.alternatives) >= limit:
                continue
            row = rows[held.primary[0]].get(view.need.id)
            if row:
                open_rows.append(row)
                open_needs.append(view.need.id)
        pairs = list(chain.from_iterable(open_rows))
        if not pairs:
            return
        sizes = np.fromiter(map(len, open_rows), dtype=np.int64, count=len(open_rows))
        need_ids = np.repeat(np.array(open_needs, dtype=np.int64), sizes)
        ranks = np.fromiter(map(_rank_of, map(_fit_of, pairs)), dtype=np.float64, count=len(pairs))
        side_ids = np.fromiter(
            map(_side_id, map(_side_of, pairs)), dtype=np.int64, count=len(pairs)
        )
        order = np.lexsort((side_ids, need_ids, -ranks))
        held_of, assigned, used = self.held, self.assigned, self.alternative_use
        # Read a slice of the order at a time: as Python numbers, all of it would be millions
        # of int objects at once.
        for at, need_id in chain.from_iterable(
            zip(
                order[a : a + _SLICE].tolist(),
                need_ids[order[a : a + _SLICE]].tolist(),
                strict=True,
            )
            for a in range(0, len(order), _SLICE)
        ):
            held = held_of[need_id]
            alternatives = held.alternatives
            if len(alternatives) >= limit:
                continue
            assert held.primary is not None
            side = pairs[at][1]
            key = (held.primary[0], side.id)
            if key == held.primary or key in alternatives:
                continue
            if side.remaining - assigned[key] - used[key] > 0:  # ``spare``
                self._add_alternative(need_id, held, key)

    def _held_pairs(
        self, views: list[NeedView], rows: dict[str, dict[int, list[tuple[Fit, Side]]]]
    ) -> dict[int, list[tuple[Fit, Side] | None]]:
        """Per need holding a primary, the candidate pair (fit, side) of its primary and of each
        alternative, in that order, from its row (None for one not there, a kept incumbent):
        the proposals then need not score them again."""
        out: dict[int, list[tuple[Fit, Side] | None]] = {}
        for view in views:
            held = self._held(view)
            if held.primary is None:
                continue
            row = rows[held.primary[0]].get(view.need.id)
            if row:
                known = {pair[1].id: pair for pair in row}
                out[view.need.id] = [
                    known.get(key[1]) for key in (held.primary, *held.alternatives)
                ]
        return out

    def _proposals_of(
        self, view: NeedView, pairs: list[tuple[Fit, Side] | None] | None = None
    ) -> list[Proposal]:
        """The need's proposals, primary first; ``pairs`` are their candidate pairs where at
        hand (``_held_pairs``)."""
        held = self._held(view)
        if held.primary is None:
            return []
        keys = (held.primary, *held.alternatives)
        if pairs is None:
            return [self._proposal(view, key, rank) for rank, key in enumerate(keys, 1)]
        return [
            self._proposal(view, key, rank, pair)
            for rank, (key, pair) in enumerate(zip(keys, pairs, strict=True), 1)
        ]

    def _proposal(
        self, view: NeedView, key: SideKey, rank: int, pair: tuple[Fit, Side] | None = None
    ) -> Proposal:
        """The proposal of one held pair; ``pair`` is its candidate (fit, side) if at hand."""
        side = self.side(key)
        assert side is not None, "a held side is indexed"
        # The candidate's fit holds only if it was scored against this very side.
        found = pair[0] if pair is not None and pair[1] is side else fit(view, side, self.world)
        assert found is not None, "a held pair fits"
        return Proposal(
            kind=PROPOSAL_KIND[key[0]],
            key=proposal_key(view.need.id, key),
            regency=view.need.regency,
            score=found.score,
            reasons=explain(view, side, found, self.world),
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

    # -- gaps ----------------------------------------------------------------------------------
    def _gap(self, view: NeedView, looks: _GapLooks | None = None) -> Gap:
        """Why nobody is proposed: those who can are taken or busy then, or they are far (the
        nearest named, with its distance), or nobody in the regency can yet.

        Someone else's side of the regency offering one of the need's deciding skills, in
        reach of it, makes it "taken"; otherwise the nearest kecamatan where someone else's
        such side works is named. The first is asked of the few sides under the need's own
        blocking buckets; the second of what the regency offers per kecamatan, found once per
        regency and skills for a whole pass (``looks``), as a national pass has 80,000 gaps."""
        need = view.need
        world = self.world
        skills = tuple(sorted(view.skills))
        kecamatan = world.kecamatan_names.get(need.kecamatan, need.kecamatan)
        if self._taken(view):
            why = reason("gap", 0.0, 0.0, "gap.taken", skills=skills, kecamatan=kecamatan)
        elif (nearest := self._nearest(view, looks or _GapLooks())) is not None:
            distance, code = nearest
            why = reason(
                "gap",
                0.0,
                0.0,
                "gap.far",
                skills=skills,
                kecamatan=kecamatan,
                nearest=world.kecamatan_names.get(code, code),
                km=None if distance == float("inf") else round(distance),
            )
        else:
            why = reason("gap", 0.0, 0.0, "gap.none", skills=skills, kecamatan=kecamatan)
        return Gap(
            need_id=need.id,
            regency=need.regency,
            kecamatan=need.kecamatan,
            village=need.village,
            skills=skills,
            reason=why,
        )

    def _taken(self, view: NeedView) -> bool:
        """Whether a side of someone else, of the need's regency and offering one of its
        deciding skills, is in reach of it. Only sides under the need's walk buckets can be
        (``BlockingIndex.around``), unless reach takes in the whole regency."""
        need = view.need
        world = self.world
        wide = "regency" in world.reach
        for index in self.indexes.values():
            sides = index.nearest(view, need.regency) if wide else index.around(view, world)
            for side in sides:
                if (
                    side.person_id != need.person_id
                    and need.regency in side.regencies
                    and place_of(view, side, world) in world.reach
                ):
                    return True
        return False

    def _nearest(self, view: NeedView, looks: _GapLooks) -> tuple[float, str] | None:
        """The nearest kecamatan (km, code) where someone else's side of the regency offering
        one of the need's deciding skills works; ties go to the smaller code."""
        need = view.need
        ranked = looks.ranked.get((need.regency, view.skills, need.kecamatan))
        if ranked is None:
            owners = looks.owners.get((need.regency, view.skills))
            if owners is None:
                found: defaultdict[str, set[int]] = defaultdict(set)
                for index in self.indexes.values():
                    for side in index.nearest(view, need.regency):
                        for code in side.kecamatan:
                            found[code].add(side.person_id)
                owners = looks.owners[(need.regency, view.skills)] = {
                    code: frozenset(people) for code, people in found.items()
                }
            ranked = looks.ranked[(need.regency, view.skills, need.kecamatan)] = sorted(
                (self._km(need.kecamatan, code), code, people) for code, people in owners.items()
            )
        me = need.person_id
        for distance, code, people in ranked:
            if len(people) > 1 or me not in people:
                return distance, code
        return None

    def _km(self, a: str, b: str) -> float:
        """Kilometres between two kecamatan (infinite when either has no centroid), kept: the
        gaps of a regency ask the same few pairs over and over."""
        found = self._distances.get((a, b))
        if found is None:
            world = self.world
            distance = km(world.kecamatan.get(a), world.kecamatan.get(b))
            found = self._distances[(a, b)] = distance if distance is not None else float("inf")
        return found

    def gap_for(self, need: Need) -> Gap:
        """Why ``need`` has no proposal (see ``_gap``)."""
        return self._gap(self.view(need))

    # -- incremental ---------------------------------------------------------------------------
    def propose_for_need(self, need: Need) -> list[Proposal]:
        """Proposals for one new or edited need against the current state (primary first):
        what a full pass gives a need nobody contests, by the same rules. A side it takes may
        leave another need one alternative short; that need's new list follows."""
        self.needs[need.id] = need
        self.retired = {}
        self.changed = set()
        self._drop_all(need.id)
        view = self.view(need)
        held = self._held(view)
        for kind in ("offer", "person"):
            row = self._rows(kind, self.indexes[kind], view)
            free = [(f, s) for f, s in row if self.free((kind, s.id), s) > 0]
            if not free:
                continue
            found, side = free[0]
            held.primary, held.rank, held.score = (kind, side.id), found.rank, found.score
            held.kept = True
            self.assigned[held.primary] += 1
            self._fill_alternatives(view, row)
            self._trim(held.primary)
            out = self._proposals_of(view)
            for other in sorted(self.changed - {need.id}):
                out += self._proposals_of(self.view(self.needs[other]))
            return out
        return []

    def propose_for_offer(self, offer: Offer) -> list[Proposal]:
        """What one new or edited offer changes: the full pass's assignment over the current
        state, so the two can never disagree (waiting needs take it, incumbents it clearly
        beats switch to it, and what a switch frees goes on to the next need, by the same
        rules). A regency's needs are a few thousand at most, so this stays well under a
        second; a new need, far more frequent, has its own cheap path. Returns the proposals
        of every need that changed; ``retired`` says why the others went."""
        side = self.world.offer_side(offer)
        self.offers[offer.id] = offer
        if offer.id not in self.offers_of[offer.person_id]:
            self.offers_of[offer.person_id].append(offer.id)
        index = self.offer_index
        if index.position("offer", offer.id) is None:
            index.add(side)
        else:
            index.replace(side)
        before = {n: (h.primary, tuple(h.alternatives)) for n, h in self.held.items()}
        views = [self.view(n) for n in sorted(self.needs.values(), key=lambda n: n.id)]
        retired: dict[str, Reason] = {}
        self._validate(views, retired)
        rows = {kind: self._phase(kind, views, retired) for kind in ("offer", "person")}
        self._alternatives(views, rows, retired)
        self.retired = retired
        out: list[Proposal] = []
        for view in views:
            held = self._held(view)
            if before.get(view.need.id, (None, ())) != (held.primary, tuple(held.alternatives)):
                out += self._proposals_of(view)
        return out

    def _trim(self, key: SideKey) -> None:
        """A side that took a primary may have less room for alternatives: drop its weakest."""
        side = self.side(key)
        if side is None:
            return
        while self.spare(key, side) < 0:
            holders = sorted(self._holders_of(key), key=lambda n: (self.held[n].rank, -n))
            if not holders:
                return
            loser = self.held[holders[0]]
            loser.alternatives.remove(key)
            self.alternative_use[key] -= 1
            self.retired[proposal_key(holders[0], key)] = reason(
                "retired", 0.0, 0.0, "retired.side_full"
            )
            # The need that lost it takes the next option with room, as the full pass would.
            if loser.primary is not None:
                view = self.view(self.needs[holders[0]])
                kind = loser.primary[0]
                self._fill_alternatives(view, self._rows(kind, self.indexes[kind], view))
                self.changed.add(holders[0])

    # -- a held state kept up to date (a worker's warm engine) ----------------------------------
    def put_need(self, need: Need) -> None:
        """Take ``need`` (new, or edited) as one of the open needs; what it holds is unchanged
        until ``reseed`` says (an engine built anew would read both from the same store)."""
        self.needs[need.id] = need

    def drop_need(self, need_id: int) -> None:
        """Forget a need no longer open here, and give back what it held."""
        self._drop_all(need_id)
        self.needs.pop(need_id, None)
        self._views.pop(need_id, None)

    def reseed(self, need_ids: Iterable[int], incumbents: Iterable[Incumbent]) -> None:
        """Make what ``need_ids`` hold exactly what ``incumbents`` (their stored proposals) say,
        as an engine built from them would hold it: the rest of the state stays as it is, and
        capacity counts follow."""
        ids = set(need_ids)
        for need_id in ids:
            self._drop_all(need_id)
        self._seed(i for i in incumbents if i.need_id in ids)

    def touched(self) -> set[int]:
        """The needs the last incremental answer changed besides the one asked about: those
        that took another alternative, and those whose proposal it retired."""
        out = set(self.changed)
        out.update(key_need(key) for key in self.retired)
        return out

    def incumbents(self) -> tuple[Incumbent, ...]:
        """What the engine holds now, as the proposals people see (what a store would load)."""
        out: list[Incumbent] = []
        for need_id in sorted(self.held):
            held = self.held[need_id]
            if held.primary is None:
                continue
            for rank, key in enumerate([held.primary, *held.alternatives], 1):
                side = self.side(key)
                found = (
                    None if side is None else fit(self.view(self.needs[need_id]), side, self.world)
                )
                score = held.score if rank == 1 else (found.score if found else 0.0)
                out.append(Incumbent(need_id, key[0], key[1], rank, score))
        return tuple(out)

    def check_intervention(self, intervention: Intervention) -> list[Flag]:
        """The flags a new or edited intervention takes part in, against the current 3W."""
        items = [i for i in self.by_village[intervention.village] if i.id != intervention.id]
        items.append(intervention)
        self.by_village[intervention.village] = items
        flags = village_flags(intervention.village, items, self.world)
        return [f for f in flags if intervention.id in f.intervention_ids]

    # -- graph ---------------------------------------------------------------------------------
    def graph(self, regency: str) -> nx.Graph:
        """The regency's graph, for the neighbourhood view and explanations."""
        return build_graph(partition(self.inputs).get(regency, self.inputs), regency)


_fit_of = itemgetter(0)
_rank_of = itemgetter(Fit._fields.index("rank"))
_side_id = attrgetter("id")
_side_of = itemgetter(1)
#: Pairs read from NumPy into Python at a time (``_alternatives``).
_SLICE = 1 << 16


def _sides_of(rows: list[list[tuple[Fit, Side]]]) -> Iterator[Side]:
    """The sides of every row's pairs, in order."""
    return map(itemgetter(1), chain.from_iterable(rows))


def _proposal_order(p: Proposal) -> tuple[int, int, int, str]:
    return (KIND_ORDER[p.kind], p.need_id or 0, p.rank or 0, p.key)


def run(inputs: Inputs, config: EngineConfig | None = None) -> Result:
    """A full pass over ``inputs`` (shorthand for ``Engine(inputs, config).run()``)."""
    return Engine(inputs, config).run()


__all__ = [
    "NEED_OFFER",
    "NEED_PERSON",
    "OPEN_END",
    "OPEN_START",
    "PROGRAM_SYNERGY",
    "Engine",
    "Gap",
    "Proposal",
    "Result",
    "day",
    "run",
]
