"""The two peers the engine is measured against, doing the same need -> offer/person work.

(a) ``naive``: every need against every offer (then every person) of its regency with the
    engine's own scorer, and ``networkx.max_weight_matching`` per regency; capacity by repeating
    an offer's node once per free place. What one would write without blocking or a sparse
    solver.
(b) ``unsplit``: the engine's own candidates (the same blocking), but one exact LAPJVsp problem
    (``scipy.sparse.csgraph.min_weight_full_bipartite_matching``) for all needs and all candidate
    offers at once: no split into connected components. The same dummy column per need and the
    same costs as ``graph.assignment``. The quality reference: exact on the same candidates.

Both run the engine's two phases: offers first, then people for the needs still waiting.
"""

from __future__ import annotations

import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from graph.assignment import BASE, TIE_BREAK
from graph.candidates import BlockingIndex, Ranked
from graph.config import EngineConfig
from graph.partition import partition
from graph.records import Inputs
from graph.scoring import fit, owner_is_full
from graph.world import NeedView, Side, World


@dataclass
class PeerResult:
    seconds: float
    primaries: int
    total: float  # sum of the primaries' scores
    pairs: int  # pairs scored (a) or candidate edges (b)
    #: (a): the matchings; (b): building the two matrices and solving them.
    solve_seconds: float = 0.0


# --- (a) all pairs and NetworkX, per regency --------------------------------------------------


Progress = Callable[[str, int, int, float], None]


def naive(inputs: Inputs, config: EngineConfig, progress: Progress) -> PeerResult:
    """All pairs per regency, max-weight matching per regency.

    ``progress(regency, done, regencies, seconds)`` is called after each regency, so a caller
    that stops the peer at a time budget still knows how far it got.
    """
    clock = time.perf_counter()
    world = World(inputs, config)
    parts = partition(inputs)
    primaries = pairs = 0
    total = matching = 0.0
    for count, (regency, part) in enumerate(parts.items(), 1):
        views = [world.need_view(n) for n in sorted(part.needs, key=lambda n: n.id)]
        offers = [world.offer_side(o) for o in sorted(part.offers, key=lambda o: o.id)]
        chosen, scored, seconds = _match_all_pairs(views, offers, world, lambda v, s: False)
        pairs += scored
        matching += seconds
        waiting = [v for v in views if v.need.id not in chosen]
        people = [
            world.person_side(p) for p in sorted(part.people, key=lambda p: p.id) if p.available
        ]
        taken = Counter(side_id for side_id, _score in chosen.values())
        own = _own_offers(part, world)
        by_person, scored, seconds = _match_all_pairs(
            waiting,
            people,
            world,
            _owner_rule(own, taken),
        )
        pairs += scored
        matching += seconds
        chosen.update(by_person)
        primaries += len(chosen)
        total += sum(score for _side_id, score in chosen.values())
        progress(regency, count, len(parts), time.perf_counter() - clock)
    return PeerResult(time.perf_counter() - clock, primaries, total, pairs, matching)


def _match_all_pairs(
    views: Sequence[NeedView],
    sides: Sequence[Side],
    world: World,
    excluded: Callable[[NeedView, Side], bool],
) -> tuple[dict[int, tuple[int, float]], int, float]:
    """Need id -> (side id, score) of its match, how many pairs were scored, seconds spent
    matching."""
    g = nx.Graph()
    for view in views:
        for side in sides:
            f = fit(view, side, world)
            if f is None or excluded(view, side):
                continue
            # The engine's objective (tier + score: a direct skill before a same-field one);
            # the score of the pair is what is summed.
            for slot in range(min(side.remaining, len(views))):
                g.add_edge(("n", view.need.id), ("s", side.id, slot), weight=f.rank, score=f.score)
    clock = time.perf_counter()
    matching = nx.max_weight_matching(g)
    seconds = time.perf_counter() - clock
    chosen: dict[int, tuple[int, float]] = {}
    for a, b in matching:
        need, slot = (a, b) if a[0] == "n" else (b, a)
        chosen[need[1]] = (slot[1], g.edges[need, slot]["score"])
    return chosen, len(views) * len(sides), seconds


# --- (b) the engine's candidates, one exact problem -------------------------------------------


def unsplit(inputs: Inputs, config: EngineConfig) -> PeerResult:
    """Exact assignment of the engine's candidates as one matrix per phase, no component split.

    The candidates are found with the engine's blocking index (not timed: that is the engine's
    own work); ``solve_seconds`` is building the two matrices and solving them.
    """
    clock = time.perf_counter()
    world = World(inputs, config)
    offer_index = BlockingIndex(
        world.offer_side(o) for o in sorted(inputs.offers, key=lambda o: o.id)
    )
    person_index = BlockingIndex(
        world.person_side(p) for p in sorted(inputs.people, key=lambda p: p.id) if p.available
    )
    views = [world.need_view(n) for n in sorted(inputs.needs, key=lambda n: n.id)]
    offer_rows = [offer_index.ranked(v, world) for v in views]
    solve = time.perf_counter()
    chosen = _solve_unsplit(offer_rows)
    solve_seconds = time.perf_counter() - solve
    waiting = [i for i, pick in enumerate(chosen) if pick is None]
    taken = Counter(side.id for side in chosen if side is not None)
    own = _own_offers(inputs, world)
    person_rows = [
        _without_full_owners(person_index.ranked(views[i], world), views[i], own, taken)
        for i in waiting
    ]
    solve = time.perf_counter()
    by_person = _solve_unsplit(person_rows)
    solve_seconds += time.perf_counter() - solve
    # The rows' values are ranks (tier + score, what both solve for); what is summed is the
    # chosen pairs' scores, as the engine's side of the comparison sums its primaries' scores.
    pairs = [(views[i], side) for i, side in enumerate(chosen) if side is not None] + [
        (views[i], side) for i, side in zip(waiting, by_person, strict=True) if side is not None
    ]
    picks = [found.score for view, side in pairs if (found := fit(view, side, world))]
    return PeerResult(
        seconds=time.perf_counter() - clock,
        primaries=len(picks),
        total=sum(picks),
        pairs=sum(len(r.sides) for r in offer_rows) + sum(len(r.sides) for r in person_rows),
        solve_seconds=solve_seconds,
    )


def _owner_rule(
    own: dict[int, list[Side]], taken: Counter[int]
) -> Callable[[NeedView, Side], bool]:
    def excluded(view: NeedView, side: Side) -> bool:
        return owner_is_full(view, own.get(side.id, ()), lambda o: taken[o.id])

    return excluded


def _own_offers(inputs: Inputs, world: World) -> dict[int, list[Side]]:
    own: dict[int, list[Side]] = defaultdict(list)
    for offer in sorted(inputs.offers, key=lambda o: o.id):
        own[offer.person_id].append(world.offer_side(offer))
    return own


def _without_full_owners(
    row: Ranked, view: NeedView, own: dict[int, list[Side]], taken: Counter[int]
) -> Ranked:
    """The engine's rule (``graph.scoring.owner_is_full``): the owner of an offer of the
    skill that the offer phase filled is no person candidate for it."""
    keep = [
        i
        for i, side in enumerate(row.sides)
        if not owner_is_full(view, own.get(side.id, ()), lambda o: taken[o.id])
    ]
    return Ranked(tuple(row.sides[i] for i in keep), array("d", [row.scores[i] for i in keep]))


def _solve_unsplit(rows: list[Ranked]) -> list[Side | None]:
    """One LAPJVsp problem: a row per need, a column per free place, a dummy column per need.

    Returns each row's chosen side (None: unmatched).
    """
    n = len(rows)
    if n == 0:
        return []
    counts = np.fromiter((len(r.sides) for r in rows), dtype=np.int64, count=n)
    size = int(counts.sum())
    side_ids = np.fromiter((s.id for r in rows for s in r.sides), dtype=np.int64, count=size)
    room = np.fromiter((s.remaining for r in rows for s in r.sides), dtype=np.int64, count=size)
    scores = np.frombuffer(b"".join(r.scores.tobytes() for r in rows), dtype=np.float64)
    row_of = np.repeat(np.arange(n, dtype=np.int64), counts)
    rank = np.arange(size, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    keys, first_entry, key_of = np.unique(side_ids, return_index=True, return_inverse=True)
    key_of = key_of.reshape(-1)
    # As in graph.assignment: a side with capacity c is c identical columns (no more than rows).
    width = np.minimum(room[first_entry], n)
    start = np.cumsum(width) - width
    repeat = width[key_of]
    expanded = np.repeat(np.arange(size, dtype=np.int64), repeat)
    offset = np.arange(len(expanded), dtype=np.int64) - np.repeat(
        np.cumsum(repeat) - repeat, repeat
    )
    cols = start[key_of][expanded] + offset
    cost = BASE - scores + TIE_BREAK * rank.astype(np.float64)
    dummy = int(width.sum())
    matrix = csr_matrix(
        (
            np.concatenate((cost[expanded], np.full(n, BASE))),
            (
                np.concatenate((row_of[expanded], np.arange(n, dtype=np.int64))),
                np.concatenate((cols, dummy + np.arange(n, dtype=np.int64))),
            ),
        ),
        shape=(n, dummy + n),
    )
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
    # A slot's entry in row r: the row's candidate whose side owns that slot.
    slot_key = np.repeat(np.arange(len(keys), dtype=np.int64), width)
    chosen: list[Side | None] = [None] * n
    for r, c in zip(row_ind.tolist(), col_ind.tolist(), strict=True):
        if c < dummy:
            side_id = int(keys[slot_key[c]])
            chosen[r] = next(side for side in rows[r].sides if side.id == side_id)
    return chosen
