"""Properties of the engine on small generated worlds: deterministic, within capacity, explained,
optimal, and flagging exactly the overlaps there are.

The worlds are tiny (five Klaten villages in three kecamatan, three skill groups with five skills,
two to four programs) so that optimality and overlaps can be checked by brute force.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import Counter, defaultdict
from dataclasses import replace
from itertools import combinations, product

import networkx as nx
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from graph.assignment import assign
from graph.config import DEFAULT_ALLOWED, EngineConfig
from graph.engine import NEED_OFFER, NEED_PERSON, PROGRAM_SYNERGY, Engine, Proposal, Result
from graph.overlaps import Flag, collide
from graph.reasons import Reason
from graph.records import (
    Inputs,
    Intervention,
    Kecamatan,
    Label,
    Need,
    Offer,
    Person,
    Program,
    Village,
)
from graph.scoring import fit
from graph.world import World
from titiktemu.matching.reason_text import MESSAGES, Labels, render
from titiktemu.vocabulary.taxonomy import read_taxonomy

FAST = settings(max_examples=60, deadline=None)
#: TITIKTEMU_PROPERTY_EXAMPLES=2000 for a long hunt before a change to the engine lands.
SLOW = settings(
    max_examples=int(os.environ.get("TITIKTEMU_PROPERTY_EXAMPLES", "30")), deadline=None
)

BASE_DAY = dt.date(2024, 1, 1)
KECAMATAN = (
    Kecamatan("33.10.01", "Prambanan"),
    Kecamatan("33.10.02", "Gantiwarno"),
    Kecamatan("33.10.12", "Pedan"),
)
VILLAGES = (
    Village("33.10.01.2001", "Sengon"),
    Village("33.10.01.2002", "Cucukan"),
    Village("33.10.02.2001", "Gentan"),
    Village("33.10.12.2001", "Temuwangi"),
    Village("33.10.12.2002", "Beji"),
)
VILLAGE_CODES = tuple(v.code for v in VILLAGES)
KECAMATAN_CODES = tuple(k.code for k in KECAMATAN)
SKILLS = (
    Label("finance", None, "Keuangan", "Finance", ("keuangan", "finansial")),
    Label("bookkeeping", "finance", "Pembukuan", "Bookkeeping", ("pembukuan", "tata buku")),
    Label(
        "financial_literacy", "finance", "Literasi keuangan", "Financial literacy", ("menabung",)
    ),
    Label("data", None, "Data dan informasi", "Data and information", ()),
    Label("poor_household_data", "data", "Data keluarga miskin", "Poor-household data", ("DTKS",)),
    Label("gis", "data", "GIS dan peta digital", "GIS and digital mapping", ("peta digital",)),
    Label("legal", None, "Hukum", "Legal", ()),
    Label("legal_aid", "legal", "Bantuan hukum", "Legal aid", ("paralegal",)),
)
SKILL_CODES = tuple(s.code for s in SKILLS)
CATEGORIES = (
    Label("social_assistance", None, "Bantuan sosial", "Cash and food assistance"),
    Label("house_renovation", None, "Rehabilitasi rumah", "House renovation"),
    Label("sanitation", None, "Sanitasi dan jamban", "Sanitation and latrines"),
    Label("health_nutrition", None, "Kesehatan dan gizi", "Health and nutrition"),
    Label("village_governance", None, "Tata kelola desa", "Village governance"),
)
CATEGORY_CODES = tuple(c.code for c in CATEGORIES)
PROGRAM_TEMPLATES = (
    ("PKH", ("social_assistance",)),
    ("BPNT", ("social_assistance",)),
    ("RTLH", ("house_renovation",)),
    ("BSPS", ("house_renovation",)),
    ("STBM", ("sanitation", "health_nutrition")),
    ("P3MD", ("village_governance",)),
)
TITLES = (
    "",
    "Butuh pelatihan pembukuan",
    "Data DTKS untuk bedah rumah",
    "Peta digital desa",
    "Pendampingan paralegal",
    "Bantu kami",
)


# -- generated worlds ----------------------------------------------------------------------------
def dates(max_offset: int = 700) -> st.SearchStrategy[dt.date]:
    return st.integers(0, max_offset).map(lambda d: BASE_DAY + dt.timedelta(days=d))


@st.composite
def windows(draw: st.DrawFn) -> tuple[dt.date | None, dt.date | None]:
    """An optional [start, end] window; either bound may be open."""
    start = draw(st.none() | dates())
    if draw(st.booleans()):
        return start, None
    end = (start or BASE_DAY) + dt.timedelta(days=draw(st.integers(0, 400)))
    return start, end


@st.composite
def worlds(
    draw: st.DrawFn,
    max_people: int = 8,
    max_offers: int = 10,
    max_needs: int = 10,
    max_interventions: int = 12,
    min_needs: int = 0,
    dense: bool = False,
) -> Inputs:
    """A random world; ``dense`` crowds needs and offers onto few skills and places, capacity 1-2,
    so that offers are contested and the assignment has choices to get wrong."""
    templates = draw(
        st.lists(
            st.sampled_from(range(len(PROGRAM_TEMPLATES))), min_size=2, max_size=4, unique=True
        )
    )
    programs = tuple(
        Program(10 + n, PROGRAM_TEMPLATES[t][0], PROGRAM_TEMPLATES[t][0], PROGRAM_TEMPLATES[t][1])
        for n, t in enumerate(templates)
    )
    program_ids = [p.id for p in programs]
    village_pool = VILLAGE_CODES[:3] if dense else VILLAGE_CODES
    skill_pool = ("finance", "bookkeeping", "financial_literacy") if dense else SKILL_CODES
    some_villages = st.lists(
        st.sampled_from(village_pool), min_size=int(dense), max_size=3, unique=True
    ).map(tuple)
    some_skills = st.lists(
        st.sampled_from(skill_pool), min_size=int(dense), max_size=2, unique=True
    ).map(tuple)
    person_ids = st.integers(1, max(max_people, 1))

    people = []
    for pid in range(1, draw(st.integers(0, max_people)) + 1):
        people.append(
            Person(
                id=pid,
                name=f"Pendamping {pid}",
                regency=draw(st.sampled_from(["33.10", None])),
                home_village=draw(st.none() | st.sampled_from(VILLAGE_CODES)),
                villages=draw(some_villages),
                skills=draw(some_skills),
                programs=tuple(
                    draw(st.lists(st.sampled_from(program_ids), max_size=2, unique=True))
                ),
                open_commitments=draw(st.integers(0, 3)),
                available=draw(st.booleans()),
            )
        )
    offers = []
    for oid in range(1, draw(st.integers(0, max_offers)) + 1):
        start, end = draw(windows())
        offers.append(
            Offer(
                id=oid,
                person_id=draw(person_ids),
                title=draw(st.sampled_from(TITLES)),
                skills=draw(some_skills),
                villages=draw(some_villages),
                kecamatan=tuple(
                    draw(st.lists(st.sampled_from(KECAMATAN_CODES), max_size=1, unique=True))
                ),
                start=start,
                end=end,
                capacity=draw(st.integers(1, 2) if dense else st.integers(0, 3)),
                used=0 if dense else draw(st.integers(0, 2)),
            )
        )
    needs = []
    for nid in range(1, draw(st.integers(min_needs, max(max_needs, min_needs))) + 1):
        village = draw(st.none() | st.sampled_from(village_pool))
        kecamatan = village[:8] if village else draw(st.sampled_from(KECAMATAN_CODES))
        start, end = draw(windows())
        needs.append(
            Need(
                id=nid,
                person_id=draw(person_ids),
                title=draw(st.sampled_from(TITLES)),
                skills=draw(some_skills),
                kecamatan=kecamatan,
                village=village,
                start=start,
                end=end,
            )
        )
    interventions = []
    for iid in range(1, draw(st.integers(0, max_interventions)) + 1):
        start = draw(dates())
        interventions.append(
            Intervention(
                id=iid,
                program_id=draw(st.sampled_from(program_ids)),
                village=draw(st.sampled_from(VILLAGE_CODES[:3])),  # crowd a few villages
                category=draw(st.sampled_from(CATEGORY_CODES)),
                start=start,
                end=start + dt.timedelta(days=draw(st.integers(0, 400))),
                households=draw(st.integers(0, 300)),
                budget_idr=draw(st.integers(0, 2_000_000_000)),
                facilitator_id=draw(st.none() | person_ids),
            )
        )
    return Inputs(
        villages=VILLAGES,
        kecamatan=KECAMATAN,
        skills=SKILLS,
        categories=CATEGORIES,
        programs=programs,
        people=tuple(people),
        offers=tuple(offers),
        needs=tuple(needs),
        interventions=tuple(interventions),
    )


def shuffled(inputs: Inputs, rnd: random.Random) -> Inputs:
    """The same world with every tuple (top-level and inside records) in another order."""

    def mix(items: tuple) -> tuple:  # type: ignore[type-arg]
        out = list(items)
        rnd.shuffle(out)
        return tuple(out)

    return Inputs(
        villages=mix(inputs.villages),
        kecamatan=mix(inputs.kecamatan),
        skills=mix(tuple(replace(s, synonyms=mix(s.synonyms)) for s in inputs.skills)),
        categories=mix(inputs.categories),
        programs=mix(tuple(replace(p, categories=mix(p.categories)) for p in inputs.programs)),
        people=mix(
            tuple(
                replace(p, villages=mix(p.villages), skills=mix(p.skills), programs=mix(p.programs))
                for p in inputs.people
            )
        ),
        offers=mix(
            tuple(
                replace(
                    o, villages=mix(o.villages), skills=mix(o.skills), kecamatan=mix(o.kecamatan)
                )
                for o in inputs.offers
            )
        ),
        needs=mix(tuple(replace(n, skills=mix(n.skills)) for n in inputs.needs)),
        interventions=mix(inputs.interventions),
    )


def outcome(result: Result) -> tuple[object, ...]:
    """Everything of a result except the timings."""
    return (
        result.proposals,
        result.gaps,
        result.flags,
        result.candidate_edges,
        result.graph_nodes,
        result.graph_edges,
    )


def quick(inputs: Inputs, config: EngineConfig | None = None) -> Result:
    return Engine(inputs, config).run(build_graphs=False)


def flag_programs(flag: Flag, inputs: Inputs) -> set[int]:
    by_id = {i.id: i for i in inputs.interventions}
    return {by_id[i].program_id for i in flag.intervention_ids}


def with_planted_pair(
    inputs: Inputs, a: Program, b: Program, village: str, category: str, start: dt.date, gap: int
) -> tuple[Inputs, int, int]:
    """``inputs`` plus an intervention of ``a`` and one of ``b`` that overlap in time."""
    first = max((i.id for i in inputs.interventions), default=0) + 1
    one = Intervention(first, a.id, village, category, start, start + dt.timedelta(days=gap + 30))
    two = Intervention(
        first + 1,
        b.id,
        village,
        category,
        start + dt.timedelta(days=gap),
        start + dt.timedelta(days=400),
    )
    return replace(inputs, interventions=(*inputs.interventions, one, two)), one.id, two.id


# -- determinism ---------------------------------------------------------------------------------
@FAST
@given(world=worlds(), rnd=st.randoms(use_true_random=False))
def test_same_inputs_give_identical_results_in_any_order(world: Inputs, rnd: random.Random) -> None:
    first = Engine(world).run()
    engine = Engine(world)
    assert outcome(engine.run()) == outcome(first)
    assert outcome(engine.run()) == outcome(first), "a second run on one engine drifted"
    other = Engine(shuffled(world, rnd))
    assert outcome(other.run()) == outcome(first)
    assert graph_picture(other.graph("33.10")) == graph_picture(engine.graph("33.10"))


def graph_picture(g: nx.Graph) -> tuple[object, ...]:
    """A graph as comparable data: nodes with attributes, undirected edges with kinds."""
    nodes = sorted((n, tuple(sorted(d.items()))) for n, d in g.nodes(data=True))
    edges = sorted((*sorted((u, v)), d["kind"]) for u, v, d in g.edges(data=True))
    return nodes, edges


# -- capacity and ranks --------------------------------------------------------------------------
@FAST
@given(world=worlds(), person_limit=st.integers(0, 3))
def test_no_capacity_is_exceeded_and_ranks_are_contiguous(world: Inputs, person_limit: int) -> None:
    config = EngineConfig(person_limit=person_limit)
    result = quick(world, config)
    offers = {o.id: o for o in world.offers}
    people = {p.id: p for p in world.people}
    needs = {n.id: n for n in world.needs}
    matches = [p for p in result.proposals if p.kind in (NEED_OFFER, NEED_PERSON)]

    per_offer = Counter(p.offer_id for p in matches if p.kind == NEED_OFFER)
    for offer_id, count in per_offer.items():
        offer = offers[offer_id]  # type: ignore[index]
        assert count <= offer.capacity - offer.used, (offer, count)
    per_person = Counter(p.person_id for p in matches if p.kind == NEED_PERSON)
    for person_id, count in per_person.items():
        person = people[person_id]  # type: ignore[index]
        assert person.available, person
        assert count <= person_limit - person.open_commitments, (person, count)

    ranks: dict[int, list[int]] = defaultdict(list)
    kinds: dict[int, set[str]] = defaultdict(set)
    for p in matches:
        assert p.need_id is not None and p.rank is not None
        ranks[p.need_id].append(p.rank)
        kinds[p.need_id].add(p.kind)
        assert p.person_id != needs[p.need_id].person_id, "a need was matched with its own author"
        assert p.offer_id is None if p.kind == NEED_PERSON else p.offer_id is not None
    for need_id, given_ranks in ranks.items():
        assert sorted(given_ranks) == list(range(1, len(given_ranks) + 1)), (need_id, given_ranks)
        assert len(given_ranks) <= 1 + config.alternatives
        assert len(kinds[need_id]) == 1, "a need got both offer and person proposals"
    # Every need has exactly one answer: a primary or a gap.
    gap_ids = [g.need_id for g in result.gaps]
    assert len(gap_ids) == len(set(gap_ids))
    assert set(gap_ids).isdisjoint(ranks)
    assert set(gap_ids) | set(ranks) == set(needs)
    assert {g.reason.code for g in result.gaps} <= {"gap.taken", "gap.far", "gap.none"}


# -- explanations --------------------------------------------------------------------------------
LEVELS = {"low": 0, "medium": 1, "high": 2}
LABELS = Labels(
    {e.code: (e.label_id, e.label_en) for section in read_taxonomy().values() for e in section}
)


def said(reason: Reason) -> bool:
    """The reason has words in the catalog, and they render in both languages."""
    data = reason.as_dict()
    texts = [render(reason.code, data["params"], lang, LABELS) for lang in ("id", "en")]
    return reason.code in MESSAGES and all(t.strip() and "%(" not in t for t in texts)


@FAST
@given(world=worlds())
def test_reasons_add_up_to_scores_and_severities(world: Inputs) -> None:
    result = quick(world)
    for p in result.proposals:
        assert 0.0 <= p.score <= 1.0, p
        assert abs(sum(r.weight * r.value for r in p.reasons) - p.score) <= 1e-6, p
        assert p.reasons
        for r in p.reasons:
            assert said(r), (p.key, r)
        if p.kind == PROGRAM_SYNERGY:
            assert p.villages and p.program_a is not None and p.program_a < p.program_b  # type: ignore[operator]
    for flag in result.flags:
        assert 0.0 <= flag.severity <= 1.0, flag
        assert abs(sum(r.weight * r.value for r in flag.reasons) - flag.severity) <= 1e-6, flag
        for r in flag.reasons:
            assert said(r), (flag.key, r)
        assert flag.level in LEVELS
    # A more severe flag never gets a lower level.
    for x, y in combinations(result.flags, 2):
        if x.severity < y.severity:
            assert LEVELS[x.level] <= LEVELS[y.level], (x, y)
    for gap in result.gaps:
        assert said(gap.reason), gap


# -- overlap flags -------------------------------------------------------------------------------
def connected(members: list[Intervention], world: World) -> bool:
    reached = {members[0].id}
    frontier = [members[0]]
    while frontier:
        item = frontier.pop()
        for other in members:
            if other.id not in reached and collide(item, other, world):
                reached.add(other.id)
                frontier.append(other)
    return len(reached) == len(members)


@FAST
@given(world=worlds(max_people=0, max_offers=0, max_needs=0), data=st.data())
def test_flags_are_exactly_the_groups_of_colliding_interventions(
    world: Inputs, data: st.DataObject
) -> None:
    codes = [p.code for p in world.programs]
    allowed = tuple(data.draw(st.lists(st.tuples(st.sampled_from(codes), st.sampled_from(codes)))))
    config = EngineConfig(allowed=allowed)
    flags = quick(world, config).flags
    lookups = World(world, config)
    by_id = {i.id: i for i in world.interventions}
    flag_of: dict[int, str] = {}
    for flag in flags:
        assert list(flag.intervention_ids) == sorted(set(flag.intervention_ids))
        assert flag.key == ",".join(map(str, flag.intervention_ids))
        members = [by_id[i] for i in flag.intervention_ids]
        assert len(members) >= 2
        assert {m.village for m in members} == {flag.village}
        assert flag.regency == flag.village[:5]
        assert len({m.program_id for m in members}) >= 2
        for m in members:
            assert any(collide(m, o, lookups) for o in members if o is not m), (flag, m)
        assert connected(members, lookups), flag
        for i in flag.intervention_ids:
            assert i not in flag_of, f"intervention {i} is in two flags"
            flag_of[i] = flag.key
    for a, b in combinations(world.interventions, 2):
        if collide(a, b, lookups):
            assert a.id in flag_of and flag_of.get(b.id) == flag_of[a.id], (a, b)


def program_pairs(
    world: Inputs, allowed: tuple[tuple[str, str], ...]
) -> list[tuple[Program, Program]]:
    banned = {frozenset(pair) for pair in allowed}
    return [
        (a, b)
        for a, b in combinations(world.programs, 2)
        if frozenset((a.code, b.code)) not in banned
    ]


@FAST
@given(
    world=worlds(max_people=0, max_offers=0, max_needs=0),
    data=st.data(),
    village=st.sampled_from(VILLAGE_CODES),
    category=st.sampled_from(CATEGORY_CODES),
    start=dates(),
    gap=st.integers(0, 30),
)
def test_a_planted_overlap_is_always_found(
    world: Inputs, data: st.DataObject, village: str, category: str, start: dt.date, gap: int
) -> None:
    pairs = program_pairs(world, DEFAULT_ALLOWED)
    assume(pairs)
    a, b = data.draw(st.sampled_from(pairs))
    planted, one, two = with_planted_pair(world, a, b, village, category, start, gap)
    flags = quick(planted).flags
    assert any(one in f.intervention_ids and two in f.intervention_ids for f in flags), flags


@FAST
@given(
    world=worlds(max_people=0, max_offers=0, max_needs=0),
    data=st.data(),
    village=st.sampled_from(VILLAGE_CODES),
    category=st.sampled_from(CATEGORY_CODES),
    start=dates(),
    gap=st.integers(0, 30),
)
def test_an_allowed_combination_is_never_flagged(
    world: Inputs, data: st.DataObject, village: str, category: str, start: dt.date, gap: int
) -> None:
    a, b = data.draw(st.sampled_from(list(combinations(world.programs, 2))))
    planted, one, two = with_planted_pair(world, a, b, village, category, start, gap)
    # Without the allowance the planted pair is flagged (so the plant is a real overlap) ...
    assert any(
        one in f.intervention_ids and two in f.intervention_ids
        for f in quick(planted, EngineConfig(allowed=())).flags
    )
    # ... with it, no flag is made of those two programs alone.
    for flag in quick(planted, EngineConfig(allowed=((a.code, b.code),))).flags:
        assert flag_programs(flag, planted) != {a.id, b.id}, flag


# -- optimal assignment --------------------------------------------------------------------------
def best_total(rows: list[list[tuple[int, float]]], capacity: dict[int, int]) -> float:
    """The largest total score of any feasible assignment, by trying them all."""
    best = 0.0
    options = [[None, *(c for c, _ in row)] for row in rows]
    for picks in product(*options):
        used = Counter(c for c in picks if c is not None)
        if any(n > capacity.get(c, 0) for c, n in used.items()):
            continue
        total = sum(dict(row)[c] for row, c in zip(rows, picks, strict=True) if c is not None)
        best = max(best, total)
    return best


SCORES = st.sampled_from([0.25, 0.5, 0.75, 1.0]) | st.floats(0.0, 1.0, exclude_min=True)


@st.composite
def assignment_problems(draw: st.DrawFn) -> tuple[list[list[tuple[int, float]]], dict[int, int]]:
    columns = draw(st.lists(st.sampled_from([3, 7, 11, 42]), min_size=1, max_size=4, unique=True))
    capacity = {c: draw(st.integers(1, 2)) for c in columns}
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        picked = draw(st.lists(st.sampled_from(columns), unique=True, max_size=len(columns)))
        row = [(c, draw(SCORES)) for c in picked]
        row.sort(key=lambda pair: (-pair[1], pair[0]))  # the contract: best first
        rows.append(row)
    return rows, capacity


@settings(max_examples=300, deadline=None)
@given(problem=assignment_problems())
def test_assignment_total_equals_brute_force(
    problem: tuple[list[list[tuple[int, float]]], dict[int, int]],
) -> None:
    rows, capacity = problem
    chosen = assign(rows, capacity)
    assert len(chosen) == len(rows)
    for row, c in zip(rows, chosen, strict=True):
        assert c is None or c in dict(row)
    used = Counter(c for c in chosen if c is not None)
    assert all(n <= capacity[c] for c, n in used.items()), (chosen, capacity)
    total = sum(dict(row)[c] for row, c in zip(rows, chosen, strict=True) if c is not None)
    assert abs(total - best_total(rows, capacity)) <= 1e-6, (rows, capacity, chosen)


@settings(max_examples=150, deadline=None)
@given(world=worlds(max_people=4, max_offers=4, max_needs=5, max_interventions=0, dense=True))
def test_engine_primary_total_equals_brute_force(world: Inputs) -> None:
    """The primaries maximise the total of what the assignment compares: each fit's ``rank``
    (its tier, its score, the near-tie bonus), not its bare score — a direct match outranks a
    same-field match of a higher score."""
    result = quick(world)
    lookups = World(world, EngineConfig())
    sides = [lookups.offer_side(o) for o in world.offers]
    rows = []
    ranks: dict[tuple[int, int], float] = {}
    for need in sorted(world.needs, key=lambda n: n.id):
        view = lookups.need_view(need)
        row = [(side.id, f.rank) for side in sides if (f := fit(view, side, lookups)) is not None]
        ranks.update({(need.id, offer): rank for offer, rank in row})
        rows.append(row)
    capacity = {o.id: max(o.capacity - o.used, 0) for o in world.offers}
    primaries = [p for p in result.proposals if p.kind == NEED_OFFER and p.rank == 1]
    got = sum((ranks[(p.need_id or 0, p.offer_id or 0)] for p in primaries), 0.0)
    assert abs(got - best_total(rows, capacity)) <= 1e-6, (rows, capacity, primaries)


# -- incremental ---------------------------------------------------------------------------------
@SLOW
@given(world=worlds(min_needs=1, max_interventions=0), data=st.data())
def test_incremental_need_gets_the_full_pass_primary_when_nothing_is_contested(
    world: Inputs, data: st.DataObject
) -> None:
    many = len(world.needs)
    # Every offer and person can take every need: nothing is contested.
    world = replace(world, offers=tuple(replace(o, capacity=o.used + many) for o in world.offers))
    config = EngineConfig(person_limit=many + 3)  # open_commitments are at most 3
    picked = data.draw(st.sampled_from(world.needs))

    full = quick(world, config)
    expected = [p for p in full.proposals if p.need_id == picked.id and p.rank == 1]

    rest = Engine(replace(world, needs=tuple(n for n in world.needs if n.id != picked.id)), config)
    rest.run(build_graphs=False)
    got = rest.propose_for_need(picked)
    assert [p for p in got if p.rank == 1] == expected
    # Uncontested, the alternatives agree too.
    assert got == [p for p in full.proposals if p.need_id == picked.id]


DENSE_SKILLS = ("finance", "bookkeeping", "financial_literacy")
NEW_NEEDS = st.builds(
    lambda person, skill, village: Need(99, person, "", (skill,), village[:8], village),
    st.integers(1, 8),
    st.sampled_from(DENSE_SKILLS),
    st.sampled_from(VILLAGE_CODES[:3]),
)
NEW_OFFERS = st.builds(
    lambda person, village, capacity, used: Offer(
        99, person, "", ("bookkeeping",), villages=(village,), capacity=capacity, used=used
    ),
    st.integers(1, 8),
    st.sampled_from(VILLAGE_CODES[:3]),
    st.integers(0, 3),
    st.integers(0, 2),
)
#: One offer of capacity 2 in Sengon and four needs for it: two held, two waiting.
CROWDED = Inputs(
    villages=VILLAGES,
    kecamatan=KECAMATAN,
    skills=SKILLS,
    categories=CATEGORIES,
    programs=(Program(10, "PKH", "PKH", ("social_assistance",)),),
    people=(Person(1, "Sri", "33.10"), Person(2, "Budi", "33.10")),
    offers=(Offer(1, 1, "", ("bookkeeping",), villages=(VILLAGE_CODES[0],), capacity=2),),
    needs=tuple(
        Need(i, 2, "", ("bookkeeping",), "33.10.01", VILLAGE_CODES[0]) for i in range(1, 5)
    ),
)


@settings(max_examples=100, deadline=None)
@given(
    world=worlds(max_offers=3, max_interventions=0, dense=True),
    idle=st.booleans(),
    new_need=NEW_NEEDS,
    edit=st.booleans(),
    cut=st.integers(0, 3),
    new_offer=NEW_OFFERS,
)
@example(  # the offer is cut to capacity 1 while it holds two needs
    world=CROWDED,
    idle=True,
    new_need=Need(99, 2, "", ("legal_aid",), "33.10.12"),
    edit=True,
    cut=1,
    new_offer=Offer(99, 1, "", ("gis",)),
)
def test_incremental_answers_never_hand_out_more_than_is_free(
    world: Inputs, idle: bool, new_need: Need, edit: bool, cut: int, new_offer: Offer
) -> None:
    if idle:  # nobody to fall back on: more needs wait for an offer
        world = replace(world, people=tuple(replace(p, available=False) for p in world.people))
    engine = Engine(world)
    result = engine.run(build_graphs=False)
    held = Counter(
        (p.kind, p.offer_id if p.kind == NEED_OFFER else p.person_id)
        for p in result.proposals
        if p.rank == 1
    )
    offers = {o.id: o for o in world.offers}
    people = {p.id: p for p in world.people}
    waiting = {g.need_id for g in result.gaps}

    # One new need: a primary only where something is still free.
    # Its own proposals first; then any need that lost an alternative to it, with its new list.
    given = engine.propose_for_need(new_need)
    answer = [p for p in given if p.need_id == new_need.id]
    assert given[: len(answer)] == answer
    assert set(p.need_id for p in given[len(answer) :]) <= engine.changed
    assert [p.rank for p in answer] == list(range(1, len(answer) + 1))
    for p in answer[:1]:
        key = (p.kind, p.offer_id if p.kind == NEED_OFFER else p.person_id)
        if p.kind == NEED_OFFER:
            offer = offers[p.offer_id]  # type: ignore[index]
            assert held[key] < offer.capacity - offer.used, (p, held)
        else:
            person = people[p.person_id]  # type: ignore[index]
            assert held[key] < EngineConfig().person_limit - person.open_commitments, (p, held)
        held[key] += 1
    if not answer:
        waiting.add(new_need.id)
    # Who holds what now: the full pass's primaries, with every list the answer gave instead.
    primary_of = {p.need_id: _side(p) for p in result.proposals if p.rank == 1}
    primary_of.update(_primaries(given))

    # Then a new offer, or the busiest one with its capacity cut: never more new primaries than
    # the offer has free beside what it already holds, plus what holders give back by moving to
    # a free alternative (a cut offer's holder may move so that nobody is stranded; a holder
    # whose list changed is listed again with the primary it keeps).
    if edit and world.offers:
        old = max(world.offers, key=lambda o: (held[(NEED_OFFER, o.id)], -o.id))
        offer = replace(old, capacity=min(cut, old.capacity))
    else:
        offer = new_offer
    given_out = engine.propose_for_offer(offer)
    primaries = [p for p in given_out if p.rank == 1 and p.offer_id == offer.id]
    assert all(p.kind == NEED_OFFER for p in primaries)
    assert len({p.need_id for p in primaries}) == len(primaries)
    for need_id in {p.need_id for p in given_out}:
        ranks = [p.rank for p in given_out if p.need_id == need_id]
        assert ranks == list(range(1, len(ranks) + 1)), given_out
    here = (NEED_OFFER, offer.id)
    before = {need_id for need_id, side in primary_of.items() if side == here}
    after = _primaries(given_out)
    moved = {need_id for need_id in before if need_id in after and after[need_id] != here}
    moved |= before & {p.need_id for p in given_out if p.need_id not in after}
    new = {p.need_id for p in primaries} - before
    free = max(offer.capacity - offer.used - len(before), 0)
    assert len(new) <= free + len(moved), (offer, before, given_out)


def _side(p: Proposal) -> tuple[str, int | None]:
    return (p.kind, p.offer_id if p.kind == NEED_OFFER else p.person_id)


def _primaries(proposals: list[Proposal]) -> dict[int | None, tuple[str, int | None]]:
    """Each listed need's primary side in ``proposals`` (its list as the engine gave it)."""
    return {p.need_id: _side(p) for p in proposals if p.rank == 1}


STEPS = st.lists(st.one_of(NEW_NEEDS, NEW_OFFERS.map(lambda o: replace(o, used=0))), max_size=6)


def held_state(engine: Engine) -> list[tuple[int, str, int, int]]:
    return [(i.need_id, i.kind, i.side_id, i.rank) for i in engine.incumbents()]


def result_state(result: Result) -> list[tuple[int, str, int, int]]:
    return sorted(
        (
            p.need_id or 0,
            "offer" if p.kind == NEED_OFFER else "person",
            (p.offer_id if p.kind == NEED_OFFER else p.person_id) or 0,
            p.rank or 0,
        )
        for p in result.proposals
        if p.kind in (NEED_OFFER, NEED_PERSON)
    )


@SLOW
@given(world=worlds(max_offers=4, max_interventions=0, dense=True), steps=STEPS)
def test_a_full_pass_after_incremental_matches_changes_nothing(
    world: Inputs, steps: list[Need | Offer]
) -> None:
    """Incremental matching and the full pass agree: proposals shown after any sequence of new
    needs and offers are exactly what a full pass over the same records keeps."""
    engine = Engine(world)
    engine.run(build_graphs=False)
    inputs = world
    for n, step in enumerate(steps, start=1000):
        if isinstance(step, Need):
            item = replace(step, id=n)
            engine.propose_for_need(item)
            inputs = replace(inputs, needs=(*inputs.needs, item))
        else:
            offer = replace(step, id=n)
            engine.propose_for_offer(offer)
            inputs = replace(inputs, offers=(*inputs.offers, offer))
    shown = held_state(engine)
    again = Engine(replace(inputs, incumbents=engine.incumbents())).run(build_graphs=False)
    assert result_state(again) == sorted(shown)
    assert again.retired == {}


@SLOW
@given(world=worlds(max_interventions=6))
def test_a_full_pass_keeps_what_the_last_one_showed(world: Inputs) -> None:
    """Run twice (the second with the first's proposals as incumbents): nothing changes."""
    first = Engine(world)
    result = first.run(build_graphs=False)
    again = Engine(replace(world, incumbents=first.incumbents())).run(build_graphs=False)
    assert result_state(again) == result_state(result)
    assert again.retired == {}
