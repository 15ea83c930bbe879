"""Candidate generation by blocking: offers and people indexed by place and skill, never all pairs.

A need looks in widening rings (its village, its kecamatan, neighbouring kecamatan, the regency),
exact skills before skill fields, and stops once it holds enough candidates; so the work per need
is bounded by k, whatever the size of the regency, and the cost grows linearly with the data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from graph.scoring import Fit, fit
from graph.world import NeedView, Side, World

#: Stop widening once this many times k candidates are in hand ...
GATHER_FACTOR = 2
#: ... and never look at more than this many times k.
LOOK_FACTOR = 4


class BlockingIndex:
    """(place key, skill key) -> positions of sides, in the order the sides were added."""

    def __init__(self, sides: Iterable[Side]) -> None:
        self.sides: list[Side] = []
        self._index: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._position: dict[tuple[str, int], int] = {}
        for side in sides:
            self.add(side)

    def add(self, side: Side) -> int:
        position = len(self.sides)
        self.sides.append(side)
        self._position[(side.kind, side.id)] = position
        places = (
            [f"v{v}" for v in side.villages]
            + [f"k{k}" for k in side.kecamatan]
            + [f"r{r}" for r in side.regencies]
        )
        skills = [f"s{s}" for s in side.skills | side.text_skills] + [f"g{g}" for g in side.groups]
        for place in places:
            for skill in skills:
                self._index[(place, skill)].append(position)
        return position

    def replace(self, side: Side) -> None:
        """Swap a side for an updated copy (remaining capacity changed); same places and skills."""
        self.sides[self._position[(side.kind, side.id)]] = side

    def position(self, kind: str, ident: int) -> int | None:
        return self._position.get((kind, ident))

    def candidates(self, view: NeedView, world: World) -> list[tuple[Fit, Side]]:
        """The best k sides for the need, highest score first, ties by kind and id."""
        k = world.config.k
        need = view.need
        places: list[str] = []
        if need.village is not None:
            places.append(f"v{need.village}")
        places.append(f"k{need.kecamatan}")
        places.extend(f"k{n}" for n in sorted(world.neighbours.get(need.kecamatan, ())))
        places.append(f"r{need.regency}")
        skill_keys = [f"s{s}" for s in sorted(view.skills | view.text_skills)] + [
            f"g{g}" for g in sorted(view.groups)
        ]
        seen: set[int] = set()
        looked: list[int] = []
        enough, most = GATHER_FACTOR * k, LOOK_FACTOR * k
        index = self._index
        for place in places:
            for skill in skill_keys:
                for position in index.get((place, skill), ()):
                    if position not in seen:
                        seen.add(position)
                        looked.append(position)
                        if len(looked) >= most:
                            break
                if len(looked) >= most:
                    break
            if len(looked) >= enough:
                break
        scored: list[tuple[Fit, Side]] = []
        for position in looked:
            side = self.sides[position]
            result = fit(view, side, world)
            if result is not None:
                scored.append((result, side))
        scored.sort(key=lambda pair: (-pair[0].score, pair[1].kind, pair[1].id))
        return scored[:k]
