"""The neighbourhood of one node of the engine's graph, laid out for a small drawing.

Phone first: the drawing is 360 units wide, so on a 360 px screen a unit is about 0.9 px. The
layout is an arc diagram, deterministic and never crossing a label: every node on its own row in
one column (the node itself on top, then the nodes one step away, then two steps away, each band
grouped by kind), labels to the right, and each edge an arc bulging to the left. At most
``MAX_NODES`` are placed, chosen round-robin across kinds; the rest are counted.

This module only places things (nodes, headings and arcs with their coordinates); the web draws
them as an inline SVG from a template (``web/templates/places/graph.svg``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx


#: The order kinds are shown in, most useful first.
KIND_ORDER = (
    "person",
    "program",
    "village",
    "intervention",
    "need",
    "offer",
    "kecamatan",
    "category",
    "skill",
)
#: Which letter starts the node id of each kind the web can ask for.
PREFIX = {"village": "v", "person": "u", "program": "g"}
MAX_NODES = 40

WIDTH = 360
DOT_X = 104  # the column of node dots; arcs use the space to its left, labels the right
ROW = 27
BAND_GAP = 36  # a band's title ("one step away")
KIND_GAP = 20  # a kind group's title ("People · 5")
ARC_MAX = 96  # how far left the widest arc may bulge


def node_id(kind: str, ident: str) -> str:
    """The graph's node id for a page's kind and identifier ("village", "33.10.01.2001")."""
    return PREFIX[kind] + ident


def kind_of(g: nx.Graph, node: str) -> str:
    """A node's kind ("village", "person", ...)."""
    return str(g.nodes[node].get("kind", "other"))


def label_of(g: nx.Graph, node: str) -> str:
    """A node's label (name, code or title)."""
    return str(g.nodes[node].get("label", node))


@dataclass(frozen=True)
class PlacedNode:
    id: str
    kind: str
    label: str
    ring: int
    x: float
    y: float


@dataclass(frozen=True)
class Heading:
    """A band's title (``kind`` None: "one step away") or a kind group's ("People · 5")."""

    ring: int
    kind: str | None
    count: int
    y: float


@dataclass(frozen=True)
class Arc:
    """An edge drawn as a cubic curve from the upper node down to the lower one, both control
    points at ``cx`` (left of the column): wider the further apart the nodes are."""

    top: PlacedNode
    bottom: PlacedNode
    cx: float
    #: An edge of the centre: what the bands already say, so drawn lighter.
    of_centre: bool


@dataclass
class GraphLayout:
    centre: str
    radius: int
    nodes: list[PlacedNode]
    edges: list[tuple[str, str]]
    headings: list[Heading]
    hidden: Counter[str] = field(default_factory=Counter)
    width: int = WIDTH
    height: int = 0

    @property
    def hidden_total(self) -> int:
        return sum(self.hidden.values())

    @property
    def arcs(self) -> list[Arc]:
        """Every edge as an arc, in the order of ``edges``."""
        at = {n.id: n for n in self.nodes}
        return [arc(at[a], at[b], self.centre in (a, b)) for a, b in self.edges]


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _round_robin(
    g: nx.Graph, nodes: Iterable[str], budget: int, key: Callable[[str], tuple[object, ...]]
) -> list[str]:
    """Up to ``budget`` nodes, taking one of each kind in turn, so no kind crowds out the rest."""
    groups: dict[str, list[str]] = {}
    for n in nodes:
        groups.setdefault(kind_of(g, n), []).append(n)
    ordered = [sorted(groups[k], key=key) for k in sorted(groups, key=lambda k: (_kind_rank(k), k))]
    picked: list[str] = []
    depth = 0
    while len(picked) < budget and any(depth < len(group) for group in ordered):
        for group in ordered:
            if depth < len(group) and len(picked) < budget:
                picked.append(group[depth])
        depth += 1
    return sorted(picked, key=lambda n: (_kind_rank(kind_of(g, n)), kind_of(g, n), *key(n)))


def select(
    g: nx.Graph, centre: str, radius: int = 1, limit: int = MAX_NODES
) -> tuple[list[str], list[str], Counter[str]]:
    """The nodes one and two steps away that fit in ``limit`` (with the centre), and a count by
    kind of those left out."""
    import networkx as nx  # with the first graph drawn: the app starts without it

    distance = nx.single_source_shortest_path_length(g, centre, cutoff=max(1, min(radius, 2)))
    ring1 = [n for n, d in distance.items() if d == 1]
    ring2 = [n for n, d in distance.items() if d == 2]

    def by_label(n: str) -> tuple[object, ...]:
        return (label_of(g, n).casefold(), n)

    shown1 = _round_robin(g, ring1, limit - 1, by_label)
    position = {n: i for i, n in enumerate(shown1)}
    reachable = [n for n in ring2 if any(m in position for m in g.adj[n])]

    def by_parent(n: str) -> tuple[object, ...]:
        return (min(position[m] for m in g.adj[n] if m in position), *by_label(n))

    shown2 = _round_robin(g, reachable, limit - 1 - len(shown1), by_parent)
    shown = set(shown1) | set(shown2)
    hidden = Counter(kind_of(g, n) for n in (*ring1, *ring2) if n not in shown)
    return shown1, shown2, hidden


def layout(g: nx.Graph, centre: str, radius: int = 1, limit: int = MAX_NODES) -> GraphLayout:
    """One row per node: the centre, then each band (one step, two steps) grouped by kind."""
    if centre not in g:
        raise KeyError(centre)
    shown1, shown2, hidden = select(g, centre, radius, limit)
    nodes = [PlacedNode(centre, kind_of(g, centre), label_of(g, centre), 0, DOT_X, 20)]
    headings: list[Heading] = []
    y = 20 + ROW / 2
    for ring, members in ((1, shown1), (2, shown2)):
        if not members:
            continue
        headings.append(Heading(ring, None, len(members), y))
        y += BAND_GAP
        groups: dict[str, list[str]] = {}
        for n in members:
            groups.setdefault(kind_of(g, n), []).append(n)
        for kind, group in groups.items():
            headings.append(Heading(ring, kind, len(group), y))
            y += KIND_GAP
            for n in group:
                nodes.append(PlacedNode(n, kind, label_of(g, n), ring, DOT_X, y))
                y += ROW
    placed = {n.id for n in nodes}
    edges = sorted((a, b) if a < b else (b, a) for a, b in g.subgraph(placed).edges() if a != b)
    height = int(y + (ROW if hidden else 0))
    return GraphLayout(centre, radius, nodes, edges, headings, hidden, WIDTH, height)


def arc(p: PlacedNode, q: PlacedNode, of_centre: bool = False) -> Arc:
    """The arc from p to q bulging left, wider the further apart they are."""
    top, bottom = (p, q) if p.y <= q.y else (q, p)
    bulge = min(ARC_MAX, 8 + (bottom.y - top.y) * 0.3)
    cx = top.x - bulge * 4 / 3  # a cubic's control points reach 3/4 of the way out
    return Arc(top, bottom, cx, of_centre)
