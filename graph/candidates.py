"""Candidate generation by blocking: offers and people indexed by place and skill, never all pairs.

A need looks in widening rings (its village, its kecamatan, neighbouring kecamatan), the skills
it decides on before their fields, and stops once it holds enough candidates; so the work per
need is bounded by k, whatever the size of the regency, and the cost grows linearly with the
data. Sides farther away are no candidates (the floor on reach, graph.scoring); ``nearest``
finds them for a gap's reason.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from graph.batch import Table, build_table, candidates_many
from graph.scoring import Fit, Parts, parts
from graph.world import NeedView, Side, World

#: Stop widening once this many times k candidates are in hand ...
GATHER_FACTOR = 2
#: ... and never look at more than this many times k.
LOOK_FACTOR = 4


class Ranked(NamedTuple):
    """One need's candidates, best first: a full pass holds one per need until it assigns."""

    sides: tuple[Side, ...]
    scores: array[float]


class BlockingIndex:
    """(place key, skill key) -> positions of sides, in the order the sides were added.

    Stored as place key -> skill key -> positions, each skill key string kept once: a national
    run indexes some two million (place, skill) pairs, and a tuple key per pair would cost more
    than the positions themselves.
    """

    def __init__(self, sides: Iterable[Side]) -> None:
        self.sides: list[Side] = []
        self._index: dict[str, dict[str, list[int]]] = {}
        self._position: dict[tuple[str, int], int] = {}
        self._keys: dict[str, str] = {}
        self._skill_keys: dict[tuple[frozenset[str], ...], tuple[str, ...]] = {}
        #: The arrays ``candidates_many`` walks, made on first use after any change.
        self._table: Table | None = None
        for side in sides:
            self.add(side)

    def _key(self, key: str) -> str:
        return self._keys.setdefault(key, key)

    def add(self, side: Side) -> int:
        self._table = None
        position = len(self.sides)
        self.sides.append(side)
        self._position[(side.kind, side.id)] = position
        places = (
            [f"v{v}" for v in side.villages]
            + [f"k{k}" for k in side.kecamatan]
            + [f"r{r}" for r in side.regencies]
        )
        found = (side.skills, side.groups)
        skills = self._skill_keys.get(found)
        if skills is None:
            key = self._key
            skills = self._skill_keys[found] = tuple(
                [key(f"s{s}") for s in side.skills] + [key(f"g{g}") for g in side.groups]
            )
        index = self._index
        for place in places:
            bucket = index.get(place)
            if bucket is None:
                bucket = index[place] = {}
            for skill in skills:
                positions = bucket.get(skill)
                if positions is None:
                    bucket[skill] = [position]
                else:
                    positions.append(position)
        return position

    def replace(self, side: Side) -> None:
        """Swap a side for an updated copy (remaining capacity changed); same places and skills."""
        self.sides[self._position[(side.kind, side.id)]] = side
        self._table = None

    def position(self, kind: str, ident: int) -> int | None:
        return self._position.get((kind, ident))

    def candidates(self, view: NeedView, world: World) -> list[tuple[Fit, Side]]:
        """The best k sides for the need, highest rank first, ties by kind and id."""
        return [(Fit(*found), side) for found, side in self._best(view, world)]

    def candidates_many(
        self, views: Sequence[NeedView], world: World
    ) -> list[list[tuple[Fit, Side]]]:
        """``candidates`` for every view, in order, computed as arrays (``graph.batch``): the
        same sides, scores and order, at a fraction of the cost for a full pass."""
        if not views:
            return []
        if self._table is None:
            self._table = build_table(self.sides, self._index.items(), self._keys)
        k = world.config.k
        return candidates_many(self._table, views, world, GATHER_FACTOR * k, LOOK_FACTOR * k)

    def ranked(self, view: NeedView, world: World) -> Ranked:
        """``candidates`` kept small: the sides and their ranks (``fit`` gives the rest)."""
        best = self._best(view, world)
        return Ranked(tuple(side for _, side in best), array("d", [found[8] for found, _ in best]))

    def nearest(self, view: NeedView, regency: str) -> list[Side]:
        """Every side of the regency offering one of the need's deciding skills, wherever it
        works (for a gap: "the nearest is ... in Kemalang")."""
        bucket = self._index.get(f"r{regency}", {})
        positions = sorted(
            {p for skill in sorted(view.skills) for p in bucket.get(f"s{skill}", ())}
        )
        return [self.sides[p] for p in positions]

    def around(self, view: NeedView, world: World) -> Iterator[Side]:
        """The sides offering one of the need's deciding skills in its village, its kecamatan
        or a neighbouring one (for a gap: is anyone in reach at all?). Every side in reach of
        the need is among them; some may be of another regency. Each comes once, in the order
        of the need's walk, as it is found: a gap stops at the first that will do."""
        index = self._index
        sides = self.sides
        skills = [f"s{skill}" for skill in view.skills]
        seen: set[int] = set()
        for place in _walk(view, world):
            bucket = index.get(place)
            if bucket is not None:
                for skill in skills:
                    for position in bucket.get(skill, ()):
                        if position not in seen:
                            seen.add(position)
                            yield sides[position]

    def _best(self, view: NeedView, world: World) -> list[tuple[Parts, Side]]:
        k = world.config.k
        places = _walk(view, world)
        skill_keys = [f"s{s}" for s in sorted(view.skills)] + [f"g{g}" for g in sorted(view.groups)]
        seen: set[int] = set()
        looked: list[int] = []
        enough, most = GATHER_FACTOR * k, LOOK_FACTOR * k
        index = self._index
        for place in places:
            bucket = index.get(place)
            if bucket is not None:
                for skill in skill_keys:
                    for position in bucket.get(skill, ()):
                        if position not in seen:
                            seen.add(position)
                            looked.append(position)
                            if len(looked) >= most:
                                break
                    if len(looked) >= most:
                        break
            if len(looked) >= enough:
                break
        scored: list[tuple[Parts, Side]] = []
        sides = self.sides
        for position in looked:
            side = sides[position]
            found = parts(view, side, world)
            if found is not None:
                scored.append((found, side))
        scored.sort(key=lambda pair: (-pair[0][8], pair[1].kind, pair[1].id))
        return scored[:k]


def _walk(view: NeedView, world: World) -> list[str]:
    """The place keys a need looks under, in order: its village, its kecamatan, neighbours."""
    need = view.need
    places: list[str] = []
    if need.village is not None:
        places.append(f"v{need.village}")
    places.append(f"k{need.kecamatan}")
    places.extend(f"k{n}" for n in sorted(world.neighbours.get(need.kecamatan, ())))
    return places
