"""Candidates for many needs at once: the blocking walk and the score as NumPy array work.

``BlockingIndex.candidates`` walks one need's buckets and scores its sides one by one in Python:
right for one new need, but a full pass asks that of half a million needs, and the walk and the
score were most of its time. Here the same walk and the same score (``graph.scoring.parts``) run
over a chunk of needs as array operations:

* the index becomes a table: one row per side (numbers, and its skill sets as bit masks over the
  skill codes in code order, so "the smallest matching code" is the lowest set bit), and the
  buckets as one sorted array of (place, skill key) numbers pointing into one array of positions;
* each need's walk (its places in order, its skill keys in order) becomes the list of buckets it
  visits; their positions, deduplicated per need keeping the first, cut where the one-need walk
  stops (``GATHER_FACTOR`` and ``LOOK_FACTOR``), are the pairs scored;
* the set questions that are not bits (programs, complements) are asked once per distinct pair
  of shared sets, in Python, by the same code as the one-need path.

A side found first under the need's village bucket works in that village; first under its
kecamatan bucket, in that kecamatan; otherwise under a neighbour's: so the place relation is the
walk itself, as ``scoring.place_of`` would find it. The floats are the same operations in the
same order, so scores and ranks are equal to the last bit, and the order (rank, then id) is the
one-need path's: ``tests/test_engine_batch.py`` holds the two paths equal.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import NDArray

from graph.config import Complement
from graph.scoring import DIRECT_TIER, TEXT_TIE, Fit
from graph.world import OPEN_END, OPEN_START, NeedView, Side, World

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Masks = NDArray[np.uint64]
Bools = NDArray[np.bool_]

#: Needs walked at once: bounds the arrays of a chunk to a few million entries.
CHUNK = 20_000
SKILL_KINDS = ("exact", "guessed", "field")
PLACES = ("village", "whole_kecamatan", "kecamatan", "neighbour")
PROGRAMS = ("unknown", "same", "different", "complementary")
VILLAGE, WHOLE, KECAMATAN, NEIGHBOUR = range(4)
UNKNOWN, SAME, DIFFERENT, COMPLEMENTARY = range(4)


class Interner:
    """Small numbers for shared sets (programs, categories), so pairs of them can be grouped."""

    def __init__(self) -> None:
        self.items: list[frozenset[Any]] = []
        self._ids: dict[frozenset[Any], int] = {}

    def id(self, item: frozenset[Any]) -> int:
        found = self._ids.get(item)
        if found is None:
            found = self._ids[item] = len(self.items)
            self.items.append(item)
        return found


@dataclass
class Table:
    """An index's sides as arrays, built once per state of the index."""

    sides: list[Side]
    ids: Ints
    person: Ints
    remaining: Ints
    capacity: Ints
    start: Ints
    end: Ints
    #: Skill codes (and groups) in code order: bit i of a mask is ``codes[i]``.
    codes: list[str]
    code_of: dict[str, int]
    skills: Masks
    groups: Masks
    everything: Masks
    programs: Ints
    categories: Ints
    program_sets: Interner
    category_sets: Interner
    #: Place key ("v33.10.01.2001", "k33.10.01") and skill key ("sgis", "gdata") -> number.
    place_of: dict[str, int]
    key_of: dict[str, int]
    #: Buckets: sorted ``place * len(key_of) + key``, and where each one's positions lie.
    bucket_keys: Ints
    bucket_start: Ints
    bucket_size: Ints
    positions: Ints
    #: Sorted ``position * len(place_of) + place`` for every kecamatan a side covers whole.
    whole: Ints


def build_table(
    sides: Sequence[Side],
    buckets: Iterable[tuple[str, dict[str, list[int]]]],
    skill_keys: Iterable[str],
) -> Table:
    """The table of an index: its sides, its buckets (place key -> skill key -> positions) and
    every skill key it knows."""
    n = len(sides)
    codes = sorted({c for s in sides for c in (*s.all_skills, *s.groups)})
    code_of = {c: i for i, c in enumerate(codes)}
    masks: dict[frozenset[str], int] = {}

    def mask(items: frozenset[str]) -> int:
        found = masks.get(items)
        if found is None:
            found = masks[items] = sum(1 << code_of[c] for c in items if c in code_of)
        return found

    width = max(1, (len(codes) + 63) // 64)
    program_sets, category_sets = Interner(), Interner()
    place_of: dict[str, int] = {}
    key_of = {key: i for i, key in enumerate(skill_keys)}
    keys, sizes, flat = array("q"), array("q"), array("q")
    for place, bucket in buckets:
        if place[0] == "r":
            continue  # regencies serve gaps (``nearest``), not the walk
        number = place_of.setdefault(place, len(place_of)) * len(key_of)
        keys.extend([number + key_of[key] for key in bucket])
        sizes.extend(map(len, bucket.values()))
        flat.extend(chain.from_iterable(bucket.values()))
    bucket_keys = np.frombuffer(keys, dtype=np.int64)
    bucket_size = np.frombuffer(sizes, dtype=np.int64)
    order = np.argsort(bucket_keys, kind="stable")
    whole = [
        p * len(place_of) + place_of[f"k{k}"]
        for p, side in enumerate(sides)
        if side.whole_kecamatan
        for k in side.whole_kecamatan
        if f"k{k}" in place_of
    ]
    return Table(
        sides=list(sides),
        ids=np.fromiter((s.id for s in sides), np.int64, n),
        person=np.fromiter((s.person_id for s in sides), np.int64, n),
        remaining=np.fromiter((s.remaining for s in sides), np.int64, n),
        capacity=np.fromiter((s.capacity for s in sides), np.int64, n),
        start=np.fromiter((s.start for s in sides), np.int64, n),
        end=np.fromiter((s.end for s in sides), np.int64, n),
        codes=codes,
        code_of=code_of,
        skills=_masks([mask(s.skills) for s in sides], width),
        groups=_masks([mask(s.groups) for s in sides], width),
        everything=_masks([mask(s.all_skills) for s in sides], width),
        programs=np.fromiter((program_sets.id(s.programs) for s in sides), np.int64, n),
        categories=np.fromiter((category_sets.id(s.categories) for s in sides), np.int64, n),
        program_sets=program_sets,
        category_sets=category_sets,
        place_of=place_of,
        key_of=key_of,
        bucket_keys=bucket_keys[order],
        bucket_start=(np.cumsum(bucket_size) - bucket_size)[order],
        bucket_size=bucket_size[order],
        positions=np.frombuffer(flat, dtype=np.int64).copy(),
        whole=np.sort(np.array(whole, dtype=np.int64)),
    )


def _masks(values: list[int], width: int) -> Masks:
    """Python integers as rows of ``width`` 64-bit words, lowest word first."""
    out = np.zeros((len(values), width), dtype=np.uint64)
    low = (1 << 64) - 1
    for w in range(width):
        shift = 64 * w
        out[:, w] = np.fromiter(((v >> shift) & low for v in values), np.uint64, len(values))
    return out


def _lowest(masks: Masks) -> Ints:
    """The lowest set bit of each (non-zero) row: the smallest code, as codes are in order."""
    nonzero = masks != 0
    word = np.argmax(nonzero, axis=1)
    value = masks[np.arange(len(masks)), word]
    low = value & (~value + np.uint64(1))
    bit: Ints = np.bitwise_count(low - np.uint64(1)).astype(np.int64)
    first: Ints = word.astype(np.int64) * 64 + bit
    return first


@dataclass
class Views:
    """A chunk of needs as arrays (one row per need)."""

    person: Ints
    start: Ints
    end: Ints
    guessed: Bools
    has_village: Bools
    kecamatan: Ints  # place number of the need's kecamatan (-1: no side works there)
    skills: Masks
    groups: Masks
    text: Masks
    programs: Ints
    categories: Ints
    #: The walk: per need, its places (in order) and its skill keys (in order), as numbers.
    place_ptr: Ints
    places: Ints
    key_ptr: Ints
    keys: Ints


def build_views(views: Sequence[NeedView], table: Table, world: World) -> Views:
    m = len(views)
    place_of, key_of, code_of = table.place_of, table.key_of, table.code_of
    width = table.skills.shape[1]
    walks: dict[tuple[str | None, str], tuple[int, ...]] = {}
    key_lists: dict[tuple[frozenset[str], frozenset[str]], tuple[int, ...]] = {}
    masks: dict[frozenset[str], int] = {}

    def mask(items: frozenset[str]) -> int:
        found = masks.get(items)
        if found is None:
            found = masks[items] = sum(1 << code_of[c] for c in items if c in code_of)
        return found

    places, keys = array("q"), array("q")
    place_ptr, key_ptr = array("q", [0]), array("q", [0])
    for view in views:
        need = view.need
        walk = walks.get((need.village, need.kecamatan))
        if walk is None:
            names = [f"v{need.village}"] if need.village is not None else []
            names.append(f"k{need.kecamatan}")
            names += [f"k{k}" for k in sorted(world.neighbours.get(need.kecamatan, ()))]
            walk = walks[(need.village, need.kecamatan)] = tuple(
                place_of.get(name, -1) for name in names
            )
        places.extend(walk)
        place_ptr.append(len(places))
        found = key_lists.get((view.skills, view.groups))
        if found is None:
            names = [f"s{s}" for s in sorted(view.skills)] + [f"g{g}" for g in sorted(view.groups)]
            found = key_lists[(view.skills, view.groups)] = tuple(
                key_of.get(name, -1) for name in names
            )
        keys.extend(found)
        key_ptr.append(len(keys))
    kecamatan = [place_of.get(f"k{v.need.kecamatan}", -1) for v in views]
    return Views(
        person=np.fromiter((v.need.person_id for v in views), np.int64, m),
        start=np.fromiter((v.start for v in views), np.int64, m),
        end=np.fromiter((v.end for v in views), np.int64, m),
        guessed=np.fromiter((v.guessed for v in views), np.bool_, m),
        has_village=np.fromiter((v.need.village is not None for v in views), np.bool_, m),
        kecamatan=np.array(kecamatan, dtype=np.int64),
        skills=_masks([mask(v.skills) for v in views], width),
        groups=_masks([mask(v.groups) for v in views], width),
        text=_masks([mask(v.text_skills) for v in views], width),
        programs=np.fromiter((table.program_sets.id(v.programs) for v in views), np.int64, m),
        categories=np.fromiter((table.category_sets.id(v.categories) for v in views), np.int64, m),
        place_ptr=np.frombuffer(place_ptr, dtype=np.int64),
        places=np.frombuffer(places, dtype=np.int64),
        key_ptr=np.frombuffer(key_ptr, dtype=np.int64),
        keys=np.frombuffer(keys, dtype=np.int64),
    )


def _find(sorted_keys: Ints, keys: Ints) -> tuple[Ints, Bools]:
    """Where each key sits in ``sorted_keys``, and whether it is there at all."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return at, sorted_keys[at] == keys


def _ranges(sizes: Ints) -> tuple[Ints, Ints]:
    """For items of these sizes laid end to end: each entry's item and its offset in the item."""
    item = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    offset = np.arange(len(item), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return item, offset


def walk(v: Views, table: Table, enough: int, most: int) -> tuple[Ints, Ints, Ints]:
    """What ``BlockingIndex._best`` looks at: (need, position, place ordinal) per pair, in the
    order of each need's walk, first sighting only, cut where the one-need walk stops."""
    n_places = np.diff(v.place_ptr)
    n_keys = np.diff(v.key_ptr)
    need, j = _ranges(n_places * n_keys)
    ordinal = j // n_keys[need]
    place = v.places[v.place_ptr[need] + ordinal]
    key = v.keys[v.key_ptr[need] + j % n_keys[need]]
    wanted = (place >= 0) & (key >= 0)
    need, ordinal = need[wanted], ordinal[wanted]
    combined = place[wanted] * len(table.key_of) + key[wanted]
    at, hit = _find(table.bucket_keys, combined)
    need, ordinal, at = need[hit], ordinal[hit], at[hit]
    bucket, offset = _ranges(table.bucket_size[at])
    need, ordinal = need[bucket], ordinal[bucket]
    position = table.positions[table.bucket_start[at][bucket] + offset]
    # First sighting per need, in walk order: a stable sort puts each one first among equals.
    pair = need * len(table.sides) + position
    order = np.argsort(pair, kind="stable")
    ordered = pair[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    seen = np.zeros(len(need), dtype=bool)
    seen[order[first]] = True
    need, position, ordinal = need[seen], position[seen], ordinal[seen]
    # Cut: the walk stops after the place where it holds ``enough``, and at ``most`` at once.
    m = len(v.place_ptr) - 1
    count = np.bincount(need, minlength=m)
    begin = np.cumsum(count) - count
    rank = np.arange(len(need), dtype=np.int64) - begin[need]
    stop = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    full = count >= enough
    stop[full] = ordinal[begin[full] + enough - 1]
    held = np.bincount(need[ordinal <= stop[need]], minlength=m)
    keep = rank < np.minimum(held, most)[need]
    return need[keep], position[keep], ordinal[keep]


def candidates_many(
    table: Table, views: Sequence[NeedView], world: World, enough: int, most: int
) -> list[list[tuple[Fit, Side]]]:
    """``BlockingIndex.candidates(view, world)`` for every view, in order; the walk stops as
    that one does (``enough`` and ``most`` candidates, see graph.candidates)."""
    k = world.config.k
    out: list[list[tuple[Fit, Side]]] = []
    for first in range(0, len(views), CHUNK):
        chunk = views[first : first + CHUNK]
        v = build_views(chunk, table, world)
        need, position, ordinal = walk(v, table, enough, most)
        out += _score(chunk, v, table, world, need, position, ordinal, k)
    return out


def _score(
    chunk: Sequence[NeedView],
    v: Views,
    t: Table,
    world: World,
    need: Ints,
    pos: Ints,
    ordinal: Ints,
    k: int,
) -> list[list[tuple[Fit, Side]]]:
    """``scoring.parts`` for every pair at once; each need's best k, rank first, then id."""
    ok = (t.person[pos] != v.person[need]) & (t.remaining[pos] > 0)
    exact = v.skills[need] & t.skills[pos]
    has_exact = (exact != 0).any(axis=1)
    same = v.groups[need] & t.groups[pos]
    has_same = (same != 0).any(axis=1)
    ok &= has_exact | has_same
    kind = np.where(has_exact, np.where(v.guessed[need], 1, 0), 2)
    code = np.zeros(len(need), dtype=np.int64)
    code[has_exact] = _lowest(exact[has_exact])
    field = ~has_exact & has_same
    code[field] = _lowest(same[field])
    # Place, from where the walk first saw the side (see the module's docstring).
    village_first = v.has_village[need] & (ordinal == 0)
    _, in_whole = _find(t.whole, pos * len(t.place_of) + v.kecamatan[need])
    in_whole &= v.kecamatan[need] >= 0
    own_kecamatan = ordinal == v.has_village[need].astype(np.int64)
    place = np.where(
        village_first,
        VILLAGE,
        np.where(in_whole, WHOLE, np.where(own_kecamatan, KECAMATAN, NEIGHBOUR)),
    )
    reach = np.array([p in world.reach for p in PLACES])
    field_ok = np.array([p in world.field_places for p in PLACES])
    ok &= reach[place] & (~field | field_ok[place])
    vs, ve = v.start[need], v.end[need]
    start = np.maximum(vs, t.start[pos])
    end = np.minimum(ve, t.end[pos])
    ok &= end >= start
    # Only the pairs still standing go on (programs and complements are asked in Python).
    keep = np.flatnonzero(ok)
    need, pos, kind, code, place = need[keep], pos[keep], kind[keep], code[keep], place[keep]
    vs, ve, start, end = vs[keep], ve[keep], start[keep], end[keep]
    open_window = (vs == OPEN_START) | (ve == OPEN_END)
    time = np.ones(len(need), dtype=np.float64)
    closed = ~open_window
    time[closed] = (end[closed] - start[closed] + 1) / (ve[closed] - vs[closed] + 1)
    programs, complement, comps = _programs(v, t, world, need, pos, code)
    capacity = t.remaining[pos] / t.capacity[pos]
    skill_terms = np.array([world.skill_terms[s] for s in SKILL_KINDS])
    place_terms = np.array([world.place_terms[p] for p in PLACES])
    program_terms = np.array([world.program_terms[p] for p in PROGRAMS])
    score = (
        skill_terms[kind]
        + place_terms[place]
        + world.time_weight * time
        + program_terms[programs]
        + world.capacity_weight * capacity
    )
    good = np.flatnonzero(~(score < world.config.min_score))
    need, pos, kind, code, place = need[good], pos[good], kind[good], code[good], place[good]
    time, programs, complement = time[good], programs[good], complement[good]
    capacity, score = capacity[good], np.minimum(1.0, score[good])
    shared = np.bitwise_count(v.text[need] & t.everything[pos]).sum(axis=1, dtype=np.int64)
    tier = np.where(kind == 2, 0.0, DIRECT_TIER)
    rank = tier + score + TEXT_TIE * np.minimum(shared, 2).astype(np.float64)
    order = np.lexsort((t.ids[pos], -rank, need))
    count = np.bincount(need, minlength=len(chunk))
    _, place_in_need = _ranges(count)
    order = order[place_in_need < k]
    return _rows(chunk, t, comps, need[order], pos[order], kind[order], code[order], place[order],
                 time[order], programs[order], complement[order], capacity[order], score[order],
                 rank[order])  # fmt: skip


def _programs(
    v: Views, t: Table, world: World, need: Ints, pos: Ints, code: Ints
) -> tuple[Ints, Ints, list[Complement]]:
    """The program relation of each pair and its complement (a number into the list returned,
    -1 for none): each asked once per distinct pair of sets, as ``scoring.parts`` asks it."""
    a, b = v.programs[need], t.programs[pos]
    sets = t.program_sets.items
    width = len(sets)
    pairs, back = np.unique(a * width + b, return_inverse=True)
    relation = np.empty(len(pairs), dtype=np.int64)
    for i, pair in enumerate(pairs.tolist()):
        x, y = sets[pair // width], sets[pair % width]
        if not x or not y:
            relation[i] = UNKNOWN
        elif x.isdisjoint(y):
            relation[i] = DIFFERENT
        else:
            relation[i] = SAME
    programs = relation[back.reshape(-1)]
    complement = np.full(len(need), -1, dtype=np.int64)
    comps: list[Complement] = []
    apart = np.flatnonzero(programs == DIFFERENT)
    if len(apart):
        cats = t.category_sets.items
        width_c, codes = len(cats), len(t.codes)
        key = (v.categories[need[apart]] * width_c + t.categories[pos[apart]]) * codes + code[apart]
        triples, back_c = np.unique(key, return_inverse=True)
        found = np.full(len(triples), -1, dtype=np.int64)
        for i, triple in enumerate(triples.tolist()):
            pair, skill = divmod(triple, codes)
            x, y = cats[pair // width_c], cats[pair % width_c]
            comp = world.complement_for(x, y, t.codes[skill])
            if comp is not None:
                found[i] = len(comps)
                comps.append(comp)
        complement[apart] = found[back_c.reshape(-1)]
        programs[apart[complement[apart] >= 0]] = COMPLEMENTARY
    return programs, complement, comps


def _rows(
    chunk: Sequence[NeedView],
    t: Table,
    comps: list[Complement],
    need: Ints,
    pos: Ints,
    kind: Ints,
    code: Ints,
    place: Ints,
    time: Floats,
    programs: Ints,
    complement: Ints,
    capacity: Floats,
    score: Floats,
    rank: Floats,
) -> list[list[tuple[Fit, Side]]]:
    """The pairs as (Fit, Side) lists, one per need of the chunk (empty where none fits); the
    objects are made by C loops (``map``, ``zip``), not a Python loop per pair."""
    skills, places, program_names = list(SKILL_KINDS), list(PLACES), list(PROGRAMS)
    complements: list[Complement | None] = [*comps, None]  # -1 is None
    fits = map(
        partial(tuple.__new__, Fit),  # Fit._make without its Python frame per pair
        zip(
            score.tolist(),
            map(skills.__getitem__, kind.tolist()),
            map(t.codes.__getitem__, code.tolist()),
            map(places.__getitem__, place.tolist()),
            time.tolist(),
            map(program_names.__getitem__, programs.tolist()),
            map(complements.__getitem__, complement.tolist()),
            capacity.tolist(),
            rank.tolist(),
            strict=True,
        ),
    )
    pairs = list(zip(fits, map(t.sides.__getitem__, pos.tolist()), strict=True))
    ends = np.cumsum(np.bincount(need, minlength=len(chunk))).tolist()
    return [pairs[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
