"""The coverage matrix's rows, written here rather than in the template.

A regency's matrix is some 26 kecamatan by a dozen programs: in Jinja each of its 350 cells paid
a lookup, a condition and an escape through the template machinery, about a third of the page's
time; here a cell is one string format. What a cell says is unchanged: the number of villages
where the column works, shaded by the share of the kecamatan's villages (h3: half or more, h2: a
quarter or more, h1: fewer), or in a kecamatan's village table a dot where it works.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from flask import url_for
from markupsafe import Markup, escape

from titiktemu.places.coverage import Column, Coverage, KecamatanRow, VillageRow

EMPTY = "<td></td>"


def _shade(working: int, villages: int) -> int:
    return 3 if working * 2 >= villages else (2 if working * 4 >= villages else 1)


def kecamatan_cells(row: KecamatanRow, columns: Sequence[Column]) -> Markup:
    """A kecamatan's cells: how many of its villages each column works in."""
    cells = []
    for column in columns:
        working = row.counts[column.key]
        if working:
            label = escape(column.label)
            cells.append(
                f'<td class="h{_shade(working, row.villages)}" data-label="{label}">{working}</td>'
            )
        else:
            cells.append(EMPTY)
    return Markup("".join(cells))  # noqa: S704 - labels escaped above, the rest numbers


def village_cells(row: VillageRow, columns: Sequence[Column]) -> Markup:
    """A village's cells: a dot under each column that works there."""
    cells = []
    for column in columns:
        if column.key in row.marks:
            label = escape(column.label)
            cells.append(f'<td data-label="{label}"><span class="on" title="{label}">●</span></td>')
        else:
            cells.append(EMPTY)
    return Markup("".join(cells))  # noqa: S704 - labels escaped above, the rest numbers


def kecamatan_links(cov: Coverage) -> dict[str, str]:
    """Each kecamatan's link: the coverage page opened at it, in the same view and year, as
    ``url_for`` writes it (the route built once for all of them; codes and views need no
    quoting)."""
    base = url_for("places.coverage")
    links = {}
    for row in cov.kecamatan:
        args = {"kecamatan": row.code, "by": cov.by, "year": cov.year}
        query = urlencode({name: value for name, value in args.items() if value is not None})
        links[row.code] = f"{base}?{query}#k{row.code}"
    return links
