"""The neighbourhood of one node of the engine's graph, laid out and drawn as a small inline SVG.

Phone first: the drawing is 360 units wide, so on a 360 px screen a unit is about 0.9 px and the
15-unit labels read at about 13 px. The layout is an arc diagram, deterministic and never
crossing a label: every node on its own row in one column (the node itself on top, then the
nodes one step away, then two steps away, each band grouped by kind), labels to the right, and
each edge an arc bulging to the left. At most ``MAX_NODES`` are drawn, chosen round-robin across
kinds; the rest are counted.

The SVG carries presentation attributes only (``fill=``, ``stroke=``, ``font-size=``), never a
``style`` attribute or element: the Content-Security-Policy allows no inline styles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import networkx as nx
from markupsafe import Markup, escape

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
COLOURS = {
    "person": "#1d4ed8",
    "program": "#7c3aed",
    "village": "#0b6e4f",
    "kecamatan": "#52796f",
    "intervention": "#be123c",
    "need": "#b45309",
    "offer": "#0f766e",
    "skill": "#64748b",
    "category": "#a16207",
}
#: Which letter starts the node id of each kind the web can ask for.
PREFIX = {"village": "v", "person": "u", "program": "g"}
MAX_NODES = 40

WIDTH = 360
DOT_X = 104  # the column of node dots; arcs use the space to its left, labels the right
ROW = 27
BAND_GAP = 36  # a band's title ("one step away")
KIND_GAP = 20  # a kind group's title ("People · 5")
FONT = 15
HEADING_FONT = 14
LABEL_CHARS = 26
ARC_MAX = 96  # how far left the widest arc may bulge
INK, MUTED, EDGE = "#1d2a2f", "#5b6b70", "#8fa3a8"


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


def arc(p: PlacedNode, q: PlacedNode) -> str:
    """An SVG path from p to q bulging left, wider the further apart they are."""
    top, bottom = (p, q) if p.y <= q.y else (q, p)
    bulge = min(ARC_MAX, 8 + (bottom.y - top.y) * 0.3)
    cx = top.x - bulge * 4 / 3  # a cubic's control points reach 3/4 of the way out
    return (
        f"M{_num(top.x)} {_num(top.y)}C{_num(cx)} {_num(top.y)} {_num(cx)} {_num(bottom.y)} "
        f"{_num(bottom.x)} {_num(bottom.y)}"
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _num(value: float) -> str:
    return f"{value:g}"


def render_svg(
    lay: GraphLayout,
    href: Callable[[PlacedNode], str | None],
    heading_text: Callable[[Heading], str],
    title: str,
    more_text: str = "",
) -> Markup:
    """The layout as an inline SVG: every node a link (when ``href`` gives one) with its label
    and full name as a tooltip; no style attributes, no script."""
    at = {n.id: n for n in lay.nodes}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width} {lay.height}" '
        f'width="{lay.width}" height="{lay.height}" class="graph-svg" role="group" '
        f'aria-label="{escape(title)}" font-family="system-ui, sans-serif">'
        f"<title>{escape(title)}</title>"
    ]
    # Edges of the centre are what the bands already say: drawn lighter than the others.
    for centre_edges, opacity in ((True, "0.4"), (False, "0.85")):
        out.append(f'<g fill="none" stroke="{EDGE}" stroke-width="1.2" stroke-opacity="{opacity}">')
        out.extend(
            f'<path d="{arc(at[a], at[b])}"/>'
            for a, b in lay.edges
            if (lay.centre in (a, b)) == centre_edges
        )
        out.append("</g>")
    for h in lay.headings:
        if h.kind is None:
            out.append(
                f'<line x1="{DOT_X}" y1="{_num(h.y + 4)}" x2="{lay.width - 2}" y2="{_num(h.y + 4)}" '
                f'stroke="{EDGE}" stroke-width="1"/>'
                f'<text x="{DOT_X + 12}" y="{_num(h.y + 21)}" font-size="{HEADING_FONT}" '
                f'font-weight="700" fill="{INK}">{escape(heading_text(h))}</text>'
            )
        else:
            out.append(
                f'<text x="{DOT_X + 12}" y="{_num(h.y + 5)}" font-size="{HEADING_FONT}" '
                f'font-weight="600" fill="{COLOURS.get(h.kind, MUTED)}">'
                f"{escape(heading_text(h))}</text>"
            )
    for n in lay.nodes:
        colour = COLOURS.get(n.kind, MUTED)
        centre = n.ring == 0
        size, weight, r = (FONT + 2, ' font-weight="700"', 9) if centre else (FONT, "", 6)
        ring = f' stroke="{INK}" stroke-width="2"' if centre else ' stroke="#fff" stroke-width="2"'
        body = (
            f"<title>{escape(n.label)}</title>"
            f'<rect x="{_num(n.x - 10)}" y="{_num(n.y - ROW / 2)}" width="{lay.width - n.x + 8}" '
            f'height="{ROW}" fill="transparent"/>'
            f'<circle cx="{_num(n.x)}" cy="{_num(n.y)}" r="{r}" fill="{colour}"{ring}/>'
            f'<text x="{_num(n.x + r + 6)}" y="{_num(n.y + 5)}" font-size="{size}"{weight} '
            f'fill="{INK}">{escape(_short(n.label, LABEL_CHARS))}</text>'
        )
        klass = f"node k-{n.kind}" + (" centre" if centre else "")
        link = href(n)
        if link:
            out.append(f'<a href="{escape(link)}" class="{klass}">{body}</a>')
        else:
            out.append(f'<g class="{klass}">{body}</g>')
    if lay.hidden and more_text:
        out.append(
            f'<text x="{DOT_X + 12}" y="{lay.height - 8}" font-size="{HEADING_FONT}" '
            f'font-style="italic" fill="{MUTED}">{escape(more_text)}</text>'
        )
    out.append("</svg>")
    # Safe: every label, title and link above went through escape().
    return Markup("".join(out))  # noqa: S704
