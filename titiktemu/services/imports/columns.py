"""The columns of each importable kind: a contract with the programs' spreadsheets.

Exports of the same kinds write exactly these columns first, so an export imports back unchanged.
"""

from __future__ import annotations

from typing import Final

COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "programs": ("code", "name", "agency", "funding_source", "categories"),
    "people": (
        "email",
        "name",
        "phone",
        "role",
        "program_codes",
        "home_village",
        "villages",
        "skills",
        "language",
    ),
    "interventions": (
        "program_code",
        "village",
        "activity",
        "start_date",
        "end_date",
        "households",
        "budget_idr",
        "facilitator_email",
        "title",
    ),
    "offers": (
        "email",
        "title",
        "skills",
        "villages",
        "available_from",
        "available_until",
        "capacity",
        "description",
    ),
    "needs": (
        "email",
        "title",
        "skills",
        "village",
        "needed_from",
        "needed_until",
        "description",
    ),
}

#: The order an upload is applied in: what a later kind refers to comes first.
KINDS: Final[tuple[str, ...]] = ("programs", "people", "interventions", "offers", "needs")

#: Separator of lists inside a cell.
LIST_SEPARATOR: Final = ";"
