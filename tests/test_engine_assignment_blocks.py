"""The assignment solves small components side by side, as blocks of one LAPJVsp matrix
(``graph.assignment._solve``); it must choose exactly what solving each component alone chose.

The reference below is the one-call-per-component solver it replaced, kept here as the oracle.
The rows are drawn with few distinct scores and small capacities, so ties, full columns, rows
left without a usable candidate and components of every size come up often.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from graph import assignment
from graph.assignment import BASE, TIE_BREAK, assign

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]


def one_call_per_component(
    rows: list[list[tuple[int, float]]], capacity: dict[int, int]
) -> list[int | None]:
    """``assign`` as it was: each connected component its own SciPy call."""
    n = len(rows)
    counts = np.fromiter((len(row) for row in rows), dtype=np.int64, count=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    columns = np.array([c for row in rows for c, _ in row], dtype=np.int64)
    scores = np.array([s for row in rows for _, s in row], dtype=np.float64)
    chosen: list[int | None] = [None] * n
    if len(columns) == 0:
        return chosen
    keys, key_of = np.unique(columns, return_inverse=True)
    key_of = key_of.astype(np.int64).reshape(-1)
    room = np.array([capacity.get(int(c), 0) for c in keys.tolist()], dtype=np.int64)
    usable = room > 0
    if not usable.any():
        return chosen
    row_of = np.repeat(np.arange(n, dtype=np.int64), counts)
    entry_ok = usable[key_of]
    col_pos = np.cumsum(usable) - 1
    src = row_of[entry_ok]
    dst = n + col_pos[key_of[entry_ok]]
    size = n + int(usable.sum())
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    busy = np.flatnonzero(counts > 0)
    members = busy[np.argsort(labels[busy], kind="stable")]
    bounds = np.flatnonzero(np.diff(labels[members])) + 1
    for component in np.split(members, bounds):
        if len(component) == 1:
            r = int(component[0])
            start, end = int(indptr[r]), int(indptr[r + 1])
            ok = np.flatnonzero(entry_ok[start:end])
            chosen[r] = int(columns[start + ok[0]]) if len(ok) else None
        else:
            _solve_alone(component, indptr, columns, scores, keys, key_of, room, chosen)
    return chosen


def _solve_alone(
    component: Ints,
    indptr: Ints,
    columns: Ints,
    scores: Floats,
    keys: Ints,
    key_of: Ints,
    room: Ints,
    chosen: list[int | None],
) -> None:
    height = len(component)
    starts, ends = indptr[component], indptr[component + 1]
    lengths = ends - starts
    first = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    entries = first + np.arange(int(lengths.sum()), dtype=np.int64)
    local_row = np.repeat(np.arange(height, dtype=np.int64), lengths)
    rank = entries - np.repeat(starts, lengths)
    key = key_of[entries]
    free = room[key] > 0
    entries, local_row, rank, key = entries[free], local_row[free], rank[free], key[free]
    used_keys = np.unique(key)
    width_of = np.minimum(room[used_keys], height)
    slot_start = np.cumsum(width_of) - width_of
    local_key = np.searchsorted(used_keys, key)
    widths = width_of[local_key]
    expanded = np.repeat(np.arange(len(entries), dtype=np.int64), widths)
    offset = np.arange(len(expanded), dtype=np.int64) - np.repeat(
        np.cumsum(widths) - widths, widths
    )
    slot = slot_start[local_key][expanded] + offset
    cost = BASE - scores[entries] + TIE_BREAK * rank.astype(np.float64)
    dummy = int(width_of.sum())
    all_rows = np.concatenate((local_row[expanded], np.arange(height, dtype=np.int64)))
    all_cols = np.concatenate((slot, dummy + np.arange(height, dtype=np.int64)))
    all_data = np.concatenate((cost[expanded], np.full(height, BASE)))
    layout = np.argsort(2 * all_rows + (all_cols >= dummy), kind="stable")
    row_ptr = np.zeros(height + 1, dtype=np.int64)
    np.cumsum(np.bincount(all_rows, minlength=height), out=row_ptr[1:])
    matrix = csr_matrix(
        (all_data[layout], all_cols[layout], row_ptr), shape=(height, dummy + height)
    )
    matrix.sort_indices()
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
    owner = np.repeat(keys[used_keys], width_of)
    for i, s in zip(row_ind.tolist(), col_ind.tolist(), strict=True):
        chosen[int(component[i])] = int(owner[s]) if s < dummy else None


@st.composite
def problems(draw: st.DrawFn) -> tuple[list[list[tuple[int, float]]], dict[int, int]]:
    """Rows of distinct columns, best first, with few distinct scores; small capacities."""
    columns = draw(st.integers(1, 25))
    score = st.sampled_from([0.4, 0.55, 0.7, 0.7000000001, 0.85, 1.0, 1.2])
    rows = []
    for _ in range(draw(st.integers(0, 40))):
        picked = draw(st.lists(st.integers(0, columns - 1), max_size=6, unique=True))
        rows.append(sorted(((c, draw(score)) for c in picked), key=lambda p: -p[1]))
    capacity = {c: draw(st.integers(0, 3)) for c in range(columns)}
    return rows, capacity


@settings(max_examples=400, deadline=None)
@given(problems(), st.sampled_from([1, 4, 16, 512]), st.sampled_from([1, 3, 20_000]))
def test_blocks_choose_what_each_component_alone_chose(
    problem: tuple[list[list[tuple[int, float]]], dict[int, int]], block: int, chunk: int
) -> None:
    rows, capacity = problem
    expected = one_call_per_component(rows, capacity)
    saved = assignment.BLOCK_COLUMNS, assignment.SOLVE_ROWS
    # Few columns per call: many blocks; many: one block. Few rows at once: many slices.
    assignment.BLOCK_COLUMNS, assignment.SOLVE_ROWS = block, chunk
    try:
        assert assign(rows, capacity) == expected
    finally:
        assignment.BLOCK_COLUMNS, assignment.SOLVE_ROWS = saved
