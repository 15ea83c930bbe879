"""Which rows of different lists are the same person or the same household: pure, no database.

Three kinds of evidence, strongest first:

- ``nik``: the same keyed NIK hash;
- ``person``: the same person by CLK, Dice similarity of the Bloom filters at least
  ``PERSON_THRESHOLD`` (``anonlink``: candidate pairs within a block of the same kecamatan and
  birth year, then its greedy solver, so one row is one person in each other list at most);
  when both rows carry a NIK and the NIKs differ, the CLKs must agree more
  (``CONFLICT_THRESHOLD``: a NIK typed with one wrong digit, not two people alike);
- ``kk``: the same keyed family-card hash: not the same person, the same household.

Rows of the same list are never linked, nor rows of lists that ``may_link`` refuses (the same
program in another year; an allowed combination such as PKH + BPNT).
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

NIK: Final = "nik"
PERSON: Final = "person"
KK: Final = "kk"
STRENGTHS: Final = (NIK, PERSON, KK)

#: Dice similarity from which two CLKs are taken as one person (benchmarks.linkage tunes it).
PERSON_THRESHOLD: Final = 0.8
#: ... and when both rows give different NIKs.
CONFLICT_THRESHOLD: Final = 0.9


@dataclass(frozen=True)
class Linkable:
    """One stored row as linkage reads it."""

    id: int
    list_id: int
    kecamatan: str
    birth_year: int
    nik_hmac: str | None
    kk_hmac: str | None
    clk: bytes


@dataclass(frozen=True, order=True)
class Link:
    """Rows ``a`` < ``b`` (ids) of two lists, and how sure the link is."""

    a: int
    b: int
    strength: str
    similarity: float


def link(rows: Sequence[Linkable], may_link: Callable[[int, int], bool]) -> list[Link]:
    """Every link between rows of different lists that ``may_link`` (list ids) allows."""
    by_id = {r.id: r for r in rows}
    found: dict[tuple[int, int], Link] = {}

    def add(x: Linkable, y: Linkable, strength: str, similarity: float) -> None:
        if x.list_id == y.list_id or not may_link(x.list_id, y.list_id):
            return
        a, b = (x.id, y.id) if x.id < y.id else (y.id, x.id)
        if (a, b) not in found:
            found[(a, b)] = Link(a, b, strength, round(similarity, 4))

    for group in _groups(rows, lambda r: r.nik_hmac):
        for i, x in enumerate(group):
            for y in group[i + 1 :]:
                add(x, y, NIK, 1.0)
    for x_id, y_id, similarity in _clk_pairs(rows):
        x, y = by_id[x_id], by_id[y_id]
        conflict = x.nik_hmac and y.nik_hmac and x.nik_hmac != y.nik_hmac
        if conflict and similarity < CONFLICT_THRESHOLD:
            continue
        add(x, y, PERSON, similarity)
    for group in _groups(rows, lambda r: r.kk_hmac):
        for i, x in enumerate(group):
            for y in group[i + 1 :]:
                add(x, y, KK, 1.0)
    # One link per pair, so the pair alone orders them as Link's own order would (without
    # its generated comparisons: a second of 500,000 rows' links).
    return [found[pair] for pair in sorted(found)]


def _groups(
    rows: Sequence[Linkable], key: Callable[[Linkable], str | None]
) -> list[list[Linkable]]:
    grouped: dict[str, list[Linkable]] = defaultdict(list)
    for row in rows:
        value = key(row)
        if value:
            grouped[value].append(row)
    return [g for g in grouped.values() if len(g) > 1]


def _clk_pairs(rows: Sequence[Linkable]) -> list[tuple[int, int, float]]:
    """Pairs of row ids the CLKs say are one person, with their Dice similarity."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # anonlink imports pkg_resources, which warns
        from anonlink import candidate_generation, similarities, solving
    from bitarray import bitarray

    lists = sorted({r.list_id for r in rows})
    if len(lists) < 2:
        return []
    position = {list_id: i for i, list_id in enumerate(lists)}
    members: list[list[Linkable]] = [[] for _ in lists]
    for row in rows:
        members[position[row.list_id]].append(row)
    datasets: list[list[bitarray]] = []
    for group in members:
        filters = []
        for row in group:
            bits = bitarray(endian="big")
            bits.frombytes(row.clk)
            filters.append(bits)
        datasets.append(filters)

    def block(dataset: int, record: int, _bits: object) -> tuple[tuple[str, int]]:
        row = members[dataset][record]
        return ((row.kecamatan, row.birth_year),)

    candidates = candidate_generation.find_candidate_pairs(
        datasets,
        similarities.dice_coefficient_accelerated,
        PERSON_THRESHOLD,
        blocking_f=block,
    )
    sims, (dsets_a, dsets_b), (recs_a, recs_b) = candidates
    similarity = {
        (da, ra, db, rb): s
        for s, da, db, ra, rb in zip(sims, dsets_a, dsets_b, recs_a, recs_b, strict=True)
    }
    pairs: list[tuple[int, int, float]] = []
    for group in solving.greedy_solve(candidates):
        records = sorted(group)
        for i, (da, ra) in enumerate(records):
            for db, rb in records[i + 1 :]:
                s = similarity.get((da, ra, db, rb), similarity.get((db, rb, da, ra)))
                if s is not None:
                    pairs.append((members[da][ra].id, members[db][rb].id, float(s)))
    return pairs
