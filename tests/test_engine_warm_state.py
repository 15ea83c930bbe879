"""An engine kept up to date need by need (``put_need``, ``drop_need``, ``reseed``: what a
worker's warm engine does as needs and proposals change) holds exactly what an engine built
from the changed records holds, and answers the next need alike."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from graph.engine import Engine
from graph.records import Incumbent, Inputs

from .test_engine_properties import FAST, worlds


def settled(world: Inputs) -> Inputs:
    """The world with what a full pass proposes as its stored (incumbent) proposals."""
    engine = Engine(world)
    engine.run(build_graphs=False)
    return replace(world, incumbents=engine.incumbents())


def held(engine: Engine) -> tuple[object, ...]:
    return (
        sorted(engine.needs),
        engine.incumbents(),
        sorted((+engine.assigned).items()),
        sorted((+engine.alternative_use).items()),
    )


def without(world: Inputs, gone: set[int]) -> Inputs:
    return replace(
        world,
        needs=tuple(n for n in world.needs if n.id not in gone),
        incumbents=tuple(i for i in world.incumbents if i.need_id not in gone),
    )


@FAST
@given(world=worlds(), data=st.data())
def test_dropping_needs_is_building_without_them(world: Inputs, data: st.DataObject) -> None:
    world = settled(world)
    ids = sorted(n.id for n in world.needs)
    gone = set(data.draw(st.lists(st.sampled_from(ids), unique=True))) if ids else set()
    kept = Engine(world)
    for need_id in sorted(gone):
        kept.drop_need(need_id)
    assert held(kept) == held(Engine(without(world, gone)))


@FAST
@given(world=worlds(), data=st.data())
def test_putting_needs_back_is_building_with_them(world: Inputs, data: st.DataObject) -> None:
    world = settled(world)
    ids = sorted(n.id for n in world.needs)
    back = set(data.draw(st.lists(st.sampled_from(ids), unique=True))) if ids else set()
    kept = Engine(without(world, back))
    for need in world.needs:
        if need.id in back:
            kept.put_need(need)
    kept.reseed(back, world.incumbents)
    full = Engine(world)
    assert held(kept) == held(full)
    for need in world.needs[:3]:
        assert kept.propose_for_need(need) == full.propose_for_need(need)


@FAST
@given(world=worlds(), data=st.data())
def test_reseeding_takes_the_stored_proposals_as_they_are(
    world: Inputs, data: st.DataObject
) -> None:
    """Proposals changed elsewhere (some withdrawn, as a decline does) are re-read for their
    needs only: the same as an engine built from the changed proposals."""
    world = settled(world)
    if not world.incumbents:
        return
    dropped = set(data.draw(st.lists(st.sampled_from(range(len(world.incumbents))), unique=True)))
    stored: tuple[Incumbent, ...] = tuple(
        i for k, i in enumerate(world.incumbents) if k not in dropped
    )
    kept = Engine(world)
    kept.reseed({world.incumbents[k].need_id for k in dropped}, stored)
    assert held(kept) == held(Engine(replace(world, incumbents=stored)))
