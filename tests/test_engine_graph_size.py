"""A full pass counts each regency's graph (``graph_size``) instead of building it; the count
must be what ``build_graph`` makes, node for node and edge for edge."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings

from benchmarks.synthetic import generate, scale
from graph.engine import Engine
from graph.network import build_graph, graph_size
from graph.partition import partition
from graph.records import Inputs, Intervention, Need, Offer, Person
from tests.test_engine_properties import worlds


def built_size(inputs: Inputs, regency: str) -> tuple[int, int]:
    g = build_graph(inputs, regency)
    return g.number_of_nodes(), g.number_of_edges()


@settings(max_examples=60, deadline=None)
@given(worlds())
def test_the_count_is_the_built_graphs_size(world: Inputs) -> None:
    assert graph_size(world, "33.10") == built_size(world, "33.10")
    assert graph_size(world, "33.11") == built_size(world, "33.11")


def crafted() -> Inputs:
    """Klaten with repeated skills and villages, records named twice, people and programs known
    only by an edge, and records of another regency that reach in."""
    world = generate(scale("klaten"), extra_needs=0).inputs
    outside = "33.11.01.2001"
    village = world.villages[0].code
    person = Person(900_001, "Luar", "33.11", villages=(outside, village, village))
    world = replace(
        world,
        programs=(*world.programs, world.programs[0]),
        people=(*world.people, person, person),
        offers=(
            *world.offers,
            Offer(900_001, 900_002, "Dobel", ("gis", "gis"), villages=(village, outside)),
            Offer(900_001, 900_002, "Dobel", ("gis", "planning"), kecamatan=(village[:8],)),
        ),
        needs=(
            *world.needs,
            Need(900_001, 900_003, "Tanpa desa", ("gis", "gis"), kecamatan=village[:8]),
            Need(900_001, 900_003, "Dengan desa", ("gis",), kecamatan=village[:8], village=village),
        ),
        interventions=(
            *world.interventions,
            Intervention(
                900_001, 999, village, "sanitation", dt.date(2026, 1, 1), dt.date(2026, 6, 1),
                facilitator_id=900_004,
            ),
        ),
    )  # fmt: skip
    return world


def test_the_count_follows_repeats_and_records_from_outside() -> None:
    world = crafted()
    for regency in ("33.10", "33.11"):
        assert graph_size(world, regency) == built_size(world, regency)


def test_a_full_pass_reports_the_size_of_every_regencys_graph() -> None:
    world = crafted()
    parts = partition(world)
    sizes = [built_size(part, regency) for regency, part in parts.items()]
    result = Engine(world).run()
    assert (result.graph_nodes, result.graph_edges) == (
        sum(n for n, _ in sizes),
        sum(e for _, e in sizes),
    )
