"""Exact capacitated assignment: each need gets at most one primary, total score maximal.

Solved per connected component of the candidate graph with SciPy's LAPJVsp
(``min_weight_full_bipartite_matching``). A dummy column per need ("stays unmatched") makes the
full matching always exist and turns minimum cost into maximum score; an offer or person with
capacity c appears as c identical columns.

The candidates travel as flat arrays (``assign_arrays``), not a list of tuples per need: a
national pass has ten million of them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

#: cost = BASE - score: positive for every ranking score (a tier in [0, 1] plus a score in
#: [0, 1] plus a near-tie bonus, see graph.scoring), so no edge is a stored zero.
BASE = 3.0
#: A nudge by candidate rank so equal scores resolve the way the ranking does, deterministically.
TIE_BREAK = 1e-9

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]


def assign(rows: list[list[tuple[int, float]]], capacity: dict[int, int]) -> list[int | None]:
    """For each row (need), the chosen column (offer/person key) or None.

    ``rows[i]`` lists the candidates ``(column, score)`` best first; ``capacity[column]`` is how
    many rows a column may take. The sum of chosen scores is maximal.
    """
    counts = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    size = int(indptr[-1])
    columns = np.fromiter((c for row in rows for c, _ in row), dtype=np.int64, count=size)
    scores = np.fromiter((s for row in rows for _, s in row), dtype=np.float64, count=size)
    return assign_arrays(indptr, columns, scores, capacity)


def assign_arrays(
    indptr: Ints, columns: Ints, scores: Floats, capacity: dict[int, int]
) -> list[int | None]:
    """``assign`` on flat arrays: row i's candidates are ``columns[indptr[i]:indptr[i + 1]]``."""
    n = len(indptr) - 1
    chosen: list[int | None] = [None] * n
    if len(columns) == 0:
        return chosen
    keys, key_of = np.unique(columns, return_inverse=True)
    key_of = key_of.astype(np.int64).reshape(-1)
    room = np.fromiter(
        (capacity.get(int(c), 0) for c in keys.tolist()), dtype=np.int64, count=len(keys)
    )
    usable = room > 0
    if not usable.any():
        return chosen
    counts = np.diff(indptr)
    row_of = np.repeat(np.arange(n, dtype=np.int64), counts)
    entry_ok = usable[key_of]
    # Rows and usable columns as one graph: its connected components are independent problems.
    col_pos = np.cumsum(usable) - 1
    src = row_of[entry_ok]
    dst = n + col_pos[key_of[entry_ok]]
    size = n + int(usable.sum())
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    busy = np.flatnonzero(counts > 0)
    order = np.argsort(labels[busy], kind="stable")
    members = busy[order]
    bounds = np.flatnonzero(np.diff(labels[members])) + 1
    for component in np.split(members, bounds):
        if len(component) == 1:
            r = int(component[0])
            start, end = int(indptr[r]), int(indptr[r + 1])
            ok = np.flatnonzero(entry_ok[start:end])
            chosen[r] = int(columns[start + ok[0]]) if len(ok) else None
        else:
            _solve(component, indptr, columns, scores, keys, key_of, room, chosen)
    return chosen


def _solve(
    component: Ints,
    indptr: Ints,
    columns: Ints,
    scores: Floats,
    keys: Ints,
    key_of: Ints,
    room: Ints,
    chosen: list[int | None],
) -> None:
    """One component as a LAPJVsp problem: its rows, one column per free place, a dummy each.

    Columns are the component's keys in ascending order, each as min(capacity, rows) slots; in
    each row the entries come in candidate order, a key's slots in order, the dummy last.
    """
    height = len(component)
    starts, ends = indptr[component], indptr[component + 1]
    lengths = ends - starts
    # Positions of the component's entries in the flat arrays, row by row, in candidate order.
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
    # Row by row, the dummy after the row's own entries (a stable sort keeps candidate order).
    layout = np.argsort(2 * all_rows + (all_cols >= dummy), kind="stable")
    row_sizes = np.bincount(all_rows, minlength=height)
    row_ptr = np.zeros(height + 1, dtype=np.int64)
    np.cumsum(row_sizes, out=row_ptr[1:])
    matrix = csr_matrix(
        (all_data[layout], all_cols[layout], row_ptr), shape=(height, dummy + height)
    )
    matrix.sort_indices()
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
    owner = np.repeat(keys[used_keys], width_of)
    for i, s in zip(row_ind.tolist(), col_ind.tolist(), strict=True):
        chosen[int(component[i])] = int(owner[s]) if s < dummy else None
