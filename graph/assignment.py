"""Exact capacitated assignment: each need gets at most one primary, total score maximal.

Solved per connected component of the candidate graph with SciPy's LAPJVsp
(``min_weight_full_bipartite_matching``). A dummy column per need ("stays unmatched") makes the
full matching always exist and turns minimum cost into maximum score; an offer or person with
capacity c appears as c identical columns.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

#: cost = BASE - score: positive for every score in [0, 1], so no edge is a stored zero.
BASE = 2.0
#: A nudge by candidate rank so equal scores resolve the way the ranking does, deterministically.
TIE_BREAK = 1e-9


def assign(rows: list[list[tuple[int, float]]], capacity: dict[int, int]) -> list[int | None]:
    """For each row (need), the chosen column (offer/person key) or None.

    ``rows[i]`` lists the candidates ``(column, score)`` best first; ``capacity[column]`` is how
    many rows a column may take. The sum of chosen scores is maximal.
    """
    chosen: list[int | None] = [None] * len(rows)
    columns = sorted({c for row in rows for c, _ in row if capacity.get(c, 0) > 0})
    if not columns:
        return chosen
    col_pos = {c: i for i, c in enumerate(columns)}
    n = len(rows)
    src: list[int] = []
    dst: list[int] = []
    for r, row in enumerate(rows):
        for c, _ in row:
            if c in col_pos:
                src.append(r)
                dst.append(n + col_pos[c])
    size = n + len(columns)
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    members: dict[int, list[int]] = defaultdict(list)
    for r in range(n):
        if rows[r]:
            members[int(labels[r])].append(r)
    for component in sorted(members.values()):
        if len(component) == 1:
            r = component[0]
            chosen[r] = next((c for c, _ in rows[r] if capacity.get(c, 0) > 0), None)
        else:
            _solve(component, rows, capacity, chosen)
    return chosen


def _solve(
    component: list[int],
    rows: list[list[tuple[int, float]]],
    capacity: dict[int, int],
    chosen: list[int | None],
) -> None:
    cols = sorted({c for r in component for c, _ in rows[r] if capacity.get(c, 0) > 0})
    slots: dict[int, list[int]] = {}
    width = 0
    for c in cols:
        count = min(capacity[c], len(component))
        slots[c] = list(range(width, width + count))
        width += count
    dummy = width
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for i, r in enumerate(component):
        for rank, (c, score) in enumerate(rows[r]):
            for slot in slots.get(c, ()):
                data.append(BASE - score + TIE_BREAK * rank)
                indices.append(slot)
        data.append(BASE)
        indices.append(dummy + i)
        indptr.append(len(data))
    matrix = csr_matrix(
        (np.asarray(data), np.asarray(indices), np.asarray(indptr)),
        shape=(len(component), dummy + len(component)),
    )
    matrix.sort_indices()
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
    owner = {slot: c for c, taken in slots.items() for slot in taken}
    for i, slot in zip(row_ind.tolist(), col_ind.tolist(), strict=True):
        chosen[component[i]] = owner.get(slot)
