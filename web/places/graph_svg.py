"""The graph page's drawing: a neighbourhood layout rendered through ``places/graph.svg``."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template
from markupsafe import Markup

from titiktemu.places.graph_view import DOT_X, ROW, GraphLayout, Heading, PlacedNode


def render_svg(
    lay: GraphLayout,
    href: Callable[[PlacedNode], str | None],
    heading_text: Callable[[Heading], str],
    title: str,
    more_text: str = "",
) -> Markup:
    """The layout as an inline SVG (an app context is needed): every node a link when ``href``
    gives one; labels, titles and links escaped by the template, no style, no script."""
    svg = render_template(
        "places/graph.svg",
        lay=lay,
        href=href,
        heading_text=heading_text,
        title=title,
        more_text=more_text,
        dot_x=DOT_X,
        row=ROW,
    )
    # Safe: rendered with autoescape on (the template says so itself).
    return Markup(svg)  # noqa: S704
