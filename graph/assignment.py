"""Exact capacitated assignment: each need gets at most one primary, total score maximal.

Solved per connected component of the candidate graph with SciPy's LAPJVsp
(``min_weight_full_bipartite_matching``). A dummy column per need ("stays unmatched") makes the
full matching always exist and turns minimum cost into maximum score; an offer or person with
capacity c appears as c identical columns.

The candidates travel as flat arrays (``assign_arrays``), not a list of tuples per need: a
national pass has ten million of them.
"""

from __future__ import annotations

from itertools import pairwise

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
Bools = NDArray[np.bool_]

#: Columns per SciPy call when small components are solved side by side (``_solve``).
BLOCK_COLUMNS = 512
#: Rows of components prepared as arrays at once (``_solve``): bounds its memory.
SOLVE_ROWS = 20_000


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
    members = busy[np.argsort(labels[busy], kind="stable")]
    label = labels[members]
    first = np.ones(len(members), dtype=bool)
    first[1:] = label[1:] != label[:-1]
    component = np.cumsum(first) - 1
    alone = np.bincount(component)[component] == 1
    # A component of one row takes its best candidate with room.
    single = members[alone]
    ok_at = np.flatnonzero(entry_ok)
    found = np.minimum(np.searchsorted(ok_at, indptr[single]), len(ok_at) - 1)
    has = (ok_at[found] >= indptr[single]) & (ok_at[found] < indptr[single + 1])
    for r, c in zip(single[has].tolist(), columns[ok_at[found[has]]].tolist(), strict=True):
        chosen[r] = c
    # The other components, a few thousand rows at a time: their arrays stay small.
    rows, starts = members[~alone], first[~alone]
    marks = np.append(np.flatnonzero(starts), len(rows))
    cuts = marks[np.searchsorted(marks, np.arange(SOLVE_ROWS, len(rows), SOLVE_ROWS))]
    bounds = np.unique(np.concatenate(([0], cuts, [len(rows)]))).tolist()
    for a, b in pairwise(bounds):
        _solve(rows[a:b], starts[a:b], indptr, columns, scores, keys, key_of, room, chosen)
    return chosen


def _solve(
    rows: Ints,
    first: Bools,
    indptr: Ints,
    columns: Ints,
    scores: Floats,
    keys: Ints,
    key_of: Ints,
    room: Ints,
    chosen: list[int | None],
) -> None:
    """The components of several rows as LAPJVsp problems: each its rows, one column per free
    place, a dummy per row.

    ``rows`` lists the components' rows one component after the other (``first`` marks where
    each starts). A component's columns are its keys in ascending order, each as
    min(capacity, rows) slots, then its dummies; in each row the entries come in column order.
    Components are laid side by side as the blocks of one block-diagonal matrix, a few hundred
    columns at a time (``BLOCK_COLUMNS``): LAPJVsp then does for each block exactly what it does
    for it alone (a row's search only reaches its own block's columns, which keep their order,
    and rows are taken in order), so the answer is the same, without a SciPy call and its
    checks per component (a national pass has tens of thousands). Not all at once: each row's
    search clears an array as long as the matrix is wide.
    """
    component = np.cumsum(first) - 1
    height = np.bincount(component)
    row_base = np.cumsum(height) - height
    local_row = np.arange(len(rows), dtype=np.int64) - row_base[component]
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    # The components' entries, row by row, in candidate order.
    entry_row = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
    entries = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(
        int(lengths.sum()), dtype=np.int64
    )
    rank = entries - starts[entry_row]
    key = key_of[entries]
    free = room[key] > 0
    entries, entry_row, rank, key = entries[free], entry_row[free], rank[free], key[free]
    # Each component's keys in ascending order, each as min(capacity, height) slots.
    used, pair_of = np.unique(component[entry_row] * len(keys) + key, return_inverse=True)
    pair_of = pair_of.reshape(-1)
    used_component, used_key = used // len(keys), used % len(keys)
    width_of = np.minimum(room[used_key], height[used_component])
    slots = np.bincount(used_component, weights=width_of, minlength=len(height)).astype(np.int64)
    column_base = np.cumsum(slots + height) - slots - height
    slot_start = (
        column_base[used_component]
        + np.cumsum(width_of)
        - width_of
        - (np.cumsum(slots) - slots)[used_component]
    )
    widths = width_of[pair_of]
    expanded = np.repeat(np.arange(len(entries), dtype=np.int64), widths)
    offset = np.arange(len(expanded), dtype=np.int64) - np.repeat(
        np.cumsum(widths) - widths, widths
    )
    slot = slot_start[pair_of][expanded] + offset
    cost = BASE - scores[entries] + TIE_BREAK * rank.astype(np.float64)
    dummy = column_base[component] + slots[component] + local_row
    all_rows = np.concatenate((entry_row[expanded], np.arange(len(rows), dtype=np.int64)))
    all_cols = np.concatenate((slot, dummy))
    all_data = np.concatenate((cost[expanded], np.full(len(rows), BASE)))
    layout = np.lexsort((all_cols, all_rows))
    all_cols, all_data = all_cols[layout], all_data[layout]
    row_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.bincount(all_rows, minlength=len(rows)), out=row_ptr[1:])
    width = int(column_base[-1] + slots[-1] + height[-1])
    owner = np.full(width, -1, dtype=np.int64)
    owner[np.repeat(slot_start, width_of) + _offsets(width_of)] = np.repeat(
        keys[used_key], width_of
    )
    # Blocks: consecutive components, cut where the columns pass a multiple of BLOCK_COLUMNS.
    block = column_base // BLOCK_COLUMNS
    cuts = np.flatnonzero(np.diff(block)) + 1
    bounds = np.concatenate(([0], cuts, [len(height)]))
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        r0, r1 = int(row_base[a]), int(row_base[b - 1] + height[b - 1])
        c0 = int(column_base[a])
        c1 = int(column_base[b - 1] + slots[b - 1] + height[b - 1])
        e0, e1 = int(row_ptr[r0]), int(row_ptr[r1])
        matrix = csr_matrix(
            (all_data[e0:e1], all_cols[e0:e1] - c0, row_ptr[r0 : r1 + 1] - e0),
            shape=(r1 - r0, c1 - c0),
        )
        _, col_ind = min_weight_full_bipartite_matching(matrix)
        picked = owner[c0 + col_ind]
        for r, o in zip(rows[r0:r1].tolist(), picked.tolist(), strict=True):
            chosen[r] = o if o >= 0 else None


def _offsets(sizes: Ints) -> Ints:
    """For items of these sizes laid end to end: each entry's offset in its item."""
    return np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
