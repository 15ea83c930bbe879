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


def neighbourhood(g: nx.Graph, node: str, radius: int = 1) -> nx.Graph:
    """The subgraph within ``radius`` steps of ``node`` (for the web's graph view)."""
    return nx.ego_graph(g, node, radius=radius)
