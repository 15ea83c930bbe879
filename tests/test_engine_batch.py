"""The full pass finds candidates for all needs at once (``BlockingIndex.candidates_many``, the
arrays of graph/batch.py); the one-need walk (``BlockingIndex.candidates``) is the rule it must
follow exactly. These tests hold the two equal: the same sides, the same Fit (scores and ranks to
the last bit), in the same order, and the same engine result either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import generate, scale
from graph.candidates import BlockingIndex
from graph.config import EngineConfig
from graph.engine import Engine, Result
from graph.records import Inputs
from graph.scoring import Fit
from graph.world import NeedView, Side, World
from tests.test_engine_properties import KECAMATAN_CODES, outcome, worlds

EXAMPLES = settings(max_examples=80, deadline=None)


class OneByOne(BlockingIndex):
    """The previous full pass: every need walked and scored on its own."""

    def candidates_many(
        self, views: Sequence[NeedView], world: World
    ) -> list[list[tuple[Fit, Side]]]:
        return [self.candidates(view, world) for view in views]


def one_by_one(engine: Engine) -> Engine:
    for index in engine.indexes.values():
        index.__class__ = OneByOne
    return engine


@st.composite
def configs(draw: st.DrawFn) -> EngineConfig:
    """Small k, so the walk's cut-offs bite; neighbouring kecamatan, so that place counts too."""
    pairs = list(combinations(KECAMATAN_CODES, 2))
    adjacency = tuple(draw(st.lists(st.sampled_from(pairs), unique=True)))
    return EngineConfig(
        k=draw(st.integers(1, 4)),
        adjacency=adjacency,
        person_limit=draw(st.integers(0, 3)),
        min_score=draw(st.sampled_from((0.0, 0.35, 0.6))),
        reach=draw(
            st.sampled_from(
                (
                    ("village", "whole_kecamatan", "kecamatan", "neighbour"),
                    ("village", "kecamatan"),
                )
            )
        ),
        field_places=draw(st.sampled_from((("village",), ("village", "neighbour")))),
    )


def assert_same_candidates(engine: Engine) -> int:
    """Both paths on every need and both indexes; returns how many pairs were compared."""
    views = [engine.view(n) for n in sorted(engine.needs.values(), key=lambda n: n.id)]
    pairs = 0
    for index in engine.indexes.values():
        expected = [index.candidates(view, engine.world) for view in views]
        found = index.candidates_many(views, engine.world)
        assert found == expected
        for row_found, row_expected in zip(found, expected, strict=True):
            for (fit, side), (fit_e, side_e) in zip(row_found, row_expected, strict=True):
                assert type(fit) is Fit and side is side_e
                assert fit.rank.hex() == fit_e.rank.hex() and fit.score.hex() == fit_e.score.hex()
            pairs += len(row_found)
    return pairs


@EXAMPLES
@given(world=worlds(max_people=8, max_offers=14, max_needs=12), config=configs())
def test_candidates_for_many_needs_equal_the_one_need_walk(
    world: Inputs, config: EngineConfig
) -> None:
    assert_same_candidates(Engine(world, config))


@EXAMPLES
@given(world=worlds(max_people=6, max_offers=10, max_needs=10, dense=True), config=configs())
def test_a_full_pass_is_the_same_as_walking_needs_one_by_one(
    world: Inputs, config: EngineConfig
) -> None:
    batch: Result = Engine(world, config).run(build_graphs=False)
    reference = one_by_one(Engine(world, config)).run(build_graphs=False)
    assert outcome(batch) == outcome(reference)
    assert batch.retired == reference.retired


def test_candidates_equal_on_a_synthetic_regency() -> None:
    """Klaten's synthetic volume (1,000 offers, 1,000 needs, people with several skills): the
    two paths agree on every pair, and the whole result is the same."""
    inputs = generate(scale("klaten"), extra_needs=0).inputs
    config = EngineConfig(adjacency=(("33.10.01", "33.10.02"), ("33.10.10", "33.10.11")))
    assert assert_same_candidates(Engine(inputs, config)) > 1000
    batch = Engine(inputs, config).run(build_graphs=False)
    reference = one_by_one(Engine(inputs, config)).run(build_graphs=False)
    assert outcome(batch) == outcome(reference)


def test_the_table_follows_the_index_after_an_added_or_changed_side() -> None:
    """The arrays are made again after ``add`` or ``replace`` (an offer posted or edited)."""
    inputs = generate(scale("klaten"), extra_needs=0).inputs
    engine = Engine(inputs)
    views = [engine.view(n) for n in sorted(engine.needs.values(), key=lambda n: n.id)][:200]
    index = engine.offer_index
    taken = next(side for row in index.candidates_many(views, engine.world) for _, side in row)
    first = engine.offers[taken.id]
    index.replace(engine.world.offer_side(first, assigned=first.capacity))  # now full
    twin = engine.world.offer_side(first)
    index.add(Side(**{**{f: getattr(twin, f) for f in Side.__slots__}, "id": 10**6}))
    found = index.candidates_many(views, engine.world)
    assert found == [index.candidates(view, engine.world) for view in views]
    assert any(side.id == 10**6 for row in found for _fit, side in row)
    assert all(side.id != first.id for row in found for _fit, side in row)
