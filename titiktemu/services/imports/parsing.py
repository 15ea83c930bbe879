"""Cell values to Python values: text, dates, whole numbers and ``;``-separated lists.

Each parser raises :class:`CellError` with a message code; the row checker turns it into a
problem at the right row and column. CSV gives text, XLSX also numbers and datetimes: both are
accepted, so the two formats import alike.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from titiktemu.services.cells import unescape_formula
from titiktemu.services.imports.columns import LIST_SEPARATOR
from titiktemu.services.imports.reading import Cell

FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100
_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_DMY = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
#: "1.500.000", "Rp 1.500.000,-": thousands groups, for a suggestion (never read as a number).
_GROUPED = re.compile(r"^(?:rp\.?)?([0-9]{1,3}(?:[.,][0-9]{3})+)(?:,-|,00)?$", re.IGNORECASE)
_DIGITS = re.compile(r"^[0-9]+$")  # ASCII only: int() would take any script's digits


class CellError(ValueError):
    """A cell that does not hold what its column needs; ``code`` names the message."""

    def __init__(self, code: str, suggestion: str = "", **detail: object) -> None:
        super().__init__(code)
        self.code = code
        self.suggestion = suggestion
        self.detail = detail


def text(cell: Cell) -> str:
    """The cell as trimmed text; an export's apostrophe before ``=``, ``+``... is dropped.

    The text is only ever stored, never evaluated, so ``+62812...`` stays a phone number.
    """
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return unescape_formula(str(cell).strip()).strip()


def date(cell: Cell) -> dt.date | None:
    """A date from ``YYYY-MM-DD``, ``DD/MM/YYYY`` or an XLSX date cell; empty is None."""
    if isinstance(cell, dt.datetime):
        value = cell.date()
    elif isinstance(cell, dt.date):
        value = cell
    else:
        raw = text(cell)
        if not raw:
            return None
        value = _parse_date(raw)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise CellError("date_out_of_range")
    return value


def _parse_date(raw: str) -> dt.date:
    iso, dmy = _ISO.match(raw), _DMY.match(raw)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dmy:
            return dt.date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
    except ValueError:
        pass
    raise CellError("bad_date")


def integer(cell: Cell, low: int, high: int, empty: int) -> int:
    """A whole number in [low, high] from digits or an XLSX number; empty gives ``empty``."""
    if isinstance(cell, bool):
        raise CellError("bad_number")
    if isinstance(cell, int):
        value = cell
    elif isinstance(cell, float):
        if not cell.is_integer():
            raise CellError("bad_number")
        value = int(cell)
    else:
        raw = text(cell).replace(" ", "")
        if not raw:
            return empty
        if raw.startswith("-") and _DIGITS.match(raw[1:]) and len(raw) <= 19:
            value = int(raw)  # a whole number all the same: the range says what is wrong
        elif not _DIGITS.match(raw) or len(raw) > 18:
            grouped = _GROUPED.match(raw)
            suggestion = re.sub(r"[.,]", "", grouped[1]) if grouped else ""
            raise CellError("bad_number", suggestion=suggestion[:18])
        else:
            value = int(raw)
    if not low <= value <= high:
        raise CellError("number_out_of_range", low=low, high=high)
    return value


def items(cell: Cell) -> list[str]:
    """The ``;``-separated entries of a cell, trimmed, empty ones and repeats dropped."""
    seen: dict[str, None] = {}
    for part in text(cell).split(LIST_SEPARATOR):
        entry = unescape_formula(part.strip()).strip()
        if entry:
            seen.setdefault(entry, None)
    return list(seen)
