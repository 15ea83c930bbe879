"""The printable sync report page: which columns it shows, their headings, how cells read.

The workbook carries every column; the page keeps what fits a sheet of paper and a phone.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l

from titiktemu.services.exports.tables import Table, Value


def show_value(value: Value) -> str:
    """A cell as the report page shows it: lists comma-joined, dates ISO, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


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
