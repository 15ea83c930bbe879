"""The regency graph: villages, kecamatan, programs, people, offers, needs, interventions, skills
and activity categories, joined by typed edges. The web's neighbourhood view reads it.

Node ids are short strings whose first letter is the node kind (``v33.10.01.2001``, ``o12``) and
nodes carry only ``kind`` and ``label``, so a regency of a few thousand records stays small.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from graph.records import Inputs

KINDS = {
    "k": "kecamatan",
    "v": "village",
    "g": "program",
    "u": "person",
    "o": "offer",
    "n": "need",
    "i": "intervention",
    "s": "skill",
    "c": "category",
}


def node_kind(node: str) -> str:
    return KINDS[node[0]]


def in_regency(codes: Iterable[str], regency: str) -> bool:
    return any(code.startswith(regency) for code in codes)


def build_graph(inputs: Inputs, regency: str) -> nx.Graph:
    """The graph of one regency; offers and people reaching into it from outside take part too.

    ``inputs`` may hold more than the regency (``graph.partition`` makes it hold just that).
    """
    g = nx.Graph(regency=regency)
    prefix = regency + "."
    kecamatan = [k for k in inputs.kecamatan if k.code.startswith(prefix)]
    g.add_nodes_from((f"k{k.code}", {"kind": "kecamatan", "label": k.name}) for k in kecamatan)
    villages = [v for v in inputs.villages if v.code.startswith(prefix)]
    g.add_nodes_from((f"v{v.code}", {"kind": "village", "label": v.name}) for v in villages)
    g.add_edges_from(((f"v{v.code}", f"k{v.code[:8]}") for v in villages), kind="located_in")

    people = [
        p
        for p in inputs.people
        if p.regency == regency or in_regency((*p.villages, p.home_village or ""), prefix)
    ]
    offers = [o for o in inputs.offers if in_regency((*o.villages, *o.kecamatan), prefix)]
    needs = [n for n in inputs.needs if n.kecamatan.startswith(prefix)]
    interventions = [i for i in inputs.interventions if i.village.startswith(prefix)]
    program_ids = {pid for p in people for pid in p.programs} | {
        i.program_id for i in interventions
    }
    programs = [p for p in inputs.programs if p.id in program_ids]

    g.add_nodes_from((f"g{p.id}", {"kind": "program", "label": p.code}) for p in programs)
    g.add_edges_from(
        ((f"g{p.id}", f"c{c}") for p in programs for c in p.categories), kind="works_in_category"
    )
    g.add_nodes_from((f"u{p.id}", {"kind": "person", "label": p.name}) for p in people)
    g.add_edges_from(((f"u{p.id}", f"g{q}") for p in people for q in p.programs), kind="member_of")
    g.add_edges_from(((f"u{p.id}", f"v{v}") for p in people for v in p.villages), kind="covers")
    g.add_edges_from(((f"u{p.id}", f"s{s}") for p in people for s in p.skills), kind="has_skill")

    g.add_nodes_from((f"o{o.id}", {"kind": "offer", "label": o.title}) for o in offers)
    g.add_edges_from(((f"u{o.person_id}", f"o{o.id}") for o in offers), kind="offers")
    g.add_edges_from(((f"o{o.id}", f"s{s}") for o in offers for s in o.skills), kind="has_skill")
    g.add_edges_from(((f"o{o.id}", f"v{v}") for o in offers for v in o.villages), kind="covers")
    g.add_edges_from(((f"o{o.id}", f"k{k}") for o in offers for k in o.kecamatan), kind="covers")

    g.add_nodes_from((f"n{n.id}", {"kind": "need", "label": n.title}) for n in needs)
    g.add_edges_from(((f"u{n.person_id}", f"n{n.id}") for n in needs), kind="needs")
    g.add_edges_from(((f"n{n.id}", f"s{s}") for n in needs for s in n.skills), kind="requires")
    g.add_edges_from(
        ((f"n{n.id}", f"v{n.village}" if n.village else f"k{n.kecamatan}") for n in needs),
        kind="located_in",
    )

    g.add_nodes_from(
        (f"i{i.id}", {"kind": "intervention", "label": i.title}) for i in interventions
    )
    g.add_edges_from(((f"i{i.id}", f"v{i.village}") for i in interventions), kind="located_in")
    g.add_edges_from(
        ((f"i{i.id}", f"g{i.program_id}") for i in interventions), kind="carried_out_by"
    )
    g.add_edges_from(
        ((f"i{i.id}", f"c{i.category}") for i in interventions), kind="works_in_category"
    )
    g.add_edges_from(
        ((f"i{i.id}", f"u{i.facilitator_id}") for i in interventions if i.facilitator_id),
        kind="carried_out_by",
    )
    labels = {s.code: s.label_id for s in inputs.skills} | {
        c.code: c.label_id for c in inputs.categories
    }
    for node, data in g.nodes(data=True):  # nodes reached only through an edge get their kind
        if "kind" not in data:
            data["kind"] = node_kind(node)
            data["label"] = labels.get(node[1:], node[1:])
    return g


def graph_size(inputs: Inputs, regency: str) -> tuple[int, int]:
    """The nodes and edges ``build_graph(inputs, regency)`` would have, without building it.

    A full pass reports every regency's graph size but reads no graph (the web builds one
    regency's graph where it shows it, ``Engine.graph``); building a national pass's 514 graphs
    only to count them took a tenth of its time. The count follows ``build_graph`` line by
    line: each node is a (kind, id) and each edge joins two kinds that no other edge joins, so
    the nodes are the union of the ids each kind is named by and the edges are the distinct
    pairs of each kind pair. ``tests/test_engine_graph_size.py`` holds the two equal.
    """
    prefix = regency + "."
    kecamatan = {k.code for k in inputs.kecamatan if k.code.startswith(prefix)}
    village_codes = {v.code for v in inputs.villages if v.code.startswith(prefix)}
    people = [
        p
        for p in inputs.people
        if p.regency == regency or in_regency((*p.villages, p.home_village or ""), prefix)
    ]
    offers = [o for o in inputs.offers if in_regency((*o.villages, *o.kecamatan), prefix)]
    needs = [n for n in inputs.needs if n.kecamatan.startswith(prefix)]
    interventions = [i for i in inputs.interventions if i.village.startswith(prefix)]
    program_ids = {pid for p in people for pid in p.programs} | {
        i.program_id for i in interventions
    }
    programs = [p for p in inputs.programs if p.id in program_ids]

    villages = set(village_codes)
    villages.update(*(p.villages for p in people), *(o.villages for o in offers))
    villages.update(n.village for n in needs if n.village)
    villages.update(i.village for i in interventions)
    kecamatan.update(code[:8] for code in village_codes)
    kecamatan.update(*(o.kecamatan for o in offers))
    kecamatan.update(n.kecamatan for n in needs if not n.village)
    persons = {p.id for p in people} | {o.person_id for o in offers} | {n.person_id for n in needs}
    persons.update(i.facilitator_id for i in interventions if i.facilitator_id)
    skills: set[str] = set()
    skills.update(*(p.skills for p in people), *(o.skills for o in offers))
    skills.update(*(n.skills for n in needs))
    categories = {c for p in programs for c in p.categories} | {i.category for i in interventions}
    nodes = (
        len(kecamatan)
        + len(villages)
        + len(program_ids)
        + len(persons)
        + len({o.id for o in offers})
        + len({n.id for n in needs})
        + len({i.id for i in interventions})
        + len(skills)
        + len(categories)
    )
    edges = (
        len(village_codes)  # village - kecamatan
        + _pairs((p.id, p.categories) for p in programs)
        + _pairs((p.id, p.programs) for p in people)
        + _pairs((p.id, p.villages) for p in people)
        + _pairs((p.id, p.skills) for p in people)
        + len({(o.person_id, o.id) for o in offers})
        + _pairs((o.id, o.skills) for o in offers)
        + _pairs((o.id, o.villages) for o in offers)
        + _pairs((o.id, o.kecamatan) for o in offers)
        + len({(n.person_id, n.id) for n in needs})
        + _pairs((n.id, n.skills) for n in needs)
        + len({(n.id, bool(n.village), n.village or n.kecamatan) for n in needs})
        + len({(i.id, i.village) for i in interventions})
        + len({(i.id, i.program_id) for i in interventions})
        + len({(i.id, i.category) for i in interventions})
        + len({(i.id, i.facilitator_id) for i in interventions if i.facilitator_id})
    )
    return nodes, edges


def _pairs(items: Iterable[tuple[object, tuple[object, ...]]]) -> int:
    """Distinct (owner, item) pairs: per owner its distinct items, summed, when no owner comes
    twice (as in the engine's records); as one set of pairs otherwise."""
    owners: set[object] = set()
    count = 0
    rows = list(items)
    for owner, values in rows:
        owners.add(owner)
        count += len(values) if len(values) < 2 else len(set(values))
    if len(owners) == len(rows):
        return count
    return len({(owner, value) for owner, values in rows for value in values})


def neighbourhood(g: nx.Graph, node: str, radius: int = 1) -> nx.Graph:
    """The subgraph within ``radius`` steps of ``node`` (for the web's graph view)."""
    return nx.ego_graph(g, node, radius=radius)
