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

#: Columns a sheet of each kind must have; the others may be left out (a clerk's recap rarely
#: has an email column) and then count as empty for a new record and keep what is stored for
#: an existing one.
REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "programs": ("code", "name", "agency", "funding_source"),
    "people": ("email", "name"),
    "interventions": ("program_code", "village", "activity", "start_date", "end_date"),
    "offers": ("email", "title", "skills", "villages"),
    "needs": ("email", "title", "skills", "village"),
}

#: Columns read beside ours that no template has: a separate kecamatan column that places a
#: village name, and one date column ("Tanggal", "Bulan") that gives both start and end.
EXTRA_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "interventions": ("kecamatan", "date"),
    "needs": ("kecamatan",),
}

#: For each optional column, the values and link sets of a record it gives: when a sheet does
#: not have the column, an existing record keeps what is stored for them.
GIVES: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "programs": {"categories": ("categories",)},
    "people": {
        "phone": ("phone",),
        "role": ("role",),
        "program_codes": ("programs",),
        "home_village": ("home_village_code",),
        "villages": ("villages",),
        "skills": ("skills",),
        "language": ("language",),
    },
    "interventions": {
        "households": ("households",),
        "budget_idr": ("budget_idr",),
        "facilitator_email": ("facilitator_email",),
        "title": ("title",),
    },
    "offers": {
        "available_from": ("available_from",),
        "available_until": ("available_until",),
        "capacity": ("capacity",),
        "description": ("description",),
    },
    "needs": {
        "needed_from": ("needed_from",),
        "needed_until": ("needed_until",),
        "description": ("description",),
    },
}
