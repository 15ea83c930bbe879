"""The printable sync report pages: which columns they show, their headings, how cells read, and
how a long table is cut into pages.

The workbook carries every column and every row; the pages keep what fits a sheet of paper and a
phone: one section (table) at a time, a page of it light enough for the 60 KB page budget.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from markupsafe import escape

from titiktemu.exports.tables import Table, Value

#: The report's sections, each one table, in the workbook's order; the first opens the report.
SECTIONS = ("summary_kecamatan", "summary_programs", "3w", "overlaps", "proposals", "gaps")
#: A page of a section holds at most this many rows...
PAGE_ROWS = 30
#: ...and about this many bytes of table, so that with its style sheets it stays under 60 KB.
PAGE_BYTES = 20 * 1024
#: A cell's text is cut after this many characters on the page (the workbook has all of it).
CELL_CHARS = 400
#: Bytes of markup around a cell's label and value (``<td data-label="">…</td>``), and a row's.
CELL_MARKUP = 24
ROW_MARKUP = 12


def show_value(value: Value, limit: int | None = CELL_CHARS) -> str:
    """A cell as the report page shows it: lists comma-joined, dates ISO, nothing for None,
    text longer than ``limit`` cut with an ellipsis."""
    if value is None:
        return ""
    if isinstance(value, list):
        text = ", ".join(value)
    elif isinstance(value, dt.datetime):
        text = value.replace(microsecond=0).isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    if limit is not None and len(text) > limit:
        return text[: limit - 1].rstrip() + "…"
    return text


#: The columns the printed report shows of each detail table (the workbook has them all).
PAGE_COLUMNS = {
    "3w": (
        "id",
        "title",
        "program_code",
        "village_name",
        "kecamatan_name",
        "activity_label",
        "start_date",
        "end_date",
        "households",
        "budget_idr",
    ),
    "overlaps": (
        "id",
        "village_name",
        "kecamatan_name",
        "level",
        "status",
        "interventions",
        "reasons",
        "decision_note",
    ),
    "proposals": (
        "id",
        "kind",
        "status",
        "score",
        "need_title",
        "need_person",
        "offer_title",
        "helper",
        "program_a",
        "program_b",
        "kecamatan_name",
        "reasons",
        "reviewer",
        "decision_note",
    ),
    "gaps": ("need_id", "title", "owner", "village_name", "kecamatan_name", "reasons"),
}
#: Column headings on the report page, in the reader's language.
LABELS = {
    "kecamatan": _l("Kecamatan code"),
    "kecamatan_name": _l("Kecamatan"),
    "villages": _l("Villages"),
    "villages_reached": _l("Villages reached"),
    "interventions": _l("Interventions"),
    "programs": _l("Programs"),
    "households": _l("Households"),
    "budget_idr": _l("Budget (Rp)"),
    "open_overlaps": _l("Open overlaps"),
    "open_proposals": _l("Open proposals"),
    "gaps": _l("Gaps"),
    "program_code": _l("Program"),
    "program_name": _l("Program name"),
    "agency": _l("Agency"),
    "id": _l("ID"),
    "need_id": _l("ID"),
    "title": _l("Title"),
    "village_name": _l("Village"),
    "activity_label": _l("Activity"),
    "start_date": _l("Start"),
    "end_date": _l("End"),
    "level": _l("Severity"),
    "status": _l("Status"),
    "reasons": _l("Reasons"),
    "decision_note": _l("Decision note"),
    "kind": _l("Kind"),
    "score": _l("Score"),
    "need_title": _l("Need"),
    "need_person": _l("Needed by"),
    "offer_title": _l("Offer"),
    "helper": _l("Can help"),
    "program_a": _l("Program A"),
    "program_b": _l("Program B"),
    "reviewer": _l("Reviewer"),
    "owner": _l("Owner"),
}


def page_table(table: Table) -> Table:
    """The report page's view of a table: only its ``PAGE_COLUMNS``, when it has any."""
    keep = PAGE_COLUMNS.get(table.name)
    if keep is None:
        return table
    index = [table.columns.index(c) for c in keep]
    return Table(table.name, keep, [tuple(row[i] for i in index) for row in table.rows])


@dataclass(frozen=True)
class Paged:
    """One page of a section: its rows (``table.rows``), where they start, and how many pages."""

    table: Table
    page: int
    pages: int
    first: int  # the index of the page's first row in the whole table
    total: int  # rows in the whole table

    @property
    def last(self) -> int:
        """The index after the page's last row."""
        return self.first + len(self.table.rows)


def page_starts(
    weights: Sequence[int], budget: int = PAGE_BYTES, most: int = PAGE_ROWS
) -> list[int]:
    """Where each page starts: a page closes before the row that would take it over ``budget``
    bytes or ``most`` rows, and holds at least one row (an empty table has one empty page)."""
    starts = [0]
    size = count = 0
    for i, weight in enumerate(weights):
        if count and (size + weight > budget or count >= most):
            starts.append(i)
            size = count = 0
        size += weight
        count += 1
    return starts


def row_weights(table: Table, labels: Mapping[str, str]) -> list[int]:
    """About how many bytes each row takes on the page: its escaped cells, each with its column's
    label, and the markup around them."""
    label_bytes = [
        CELL_MARKUP + len(str(escape(labels.get(column, column))).encode())
        for column in table.columns
    ]
    return [
        ROW_MARKUP
        + sum(label_bytes)
        + sum(len(str(escape(show_value(value))).encode()) for value in row)
        for row in table.rows
    ]


def paginate(table: Table, page: int, labels: Mapping[str, str]) -> Paged | None:
    """Page ``page`` (from 1) of ``table`` as ``labels`` head its columns, or None when it has
    no such page."""
    starts = page_starts(row_weights(table, labels))
    if not 1 <= page <= len(starts):
        return None
    bounds = [*starts, len(table.rows)]
    first, end = bounds[page - 1], bounds[page]
    rows = table.rows[first:end]
    return Paged(Table(table.name, table.columns, rows), page, len(starts), first, len(table.rows))
