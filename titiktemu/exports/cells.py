"""Spreadsheet cells that look like formulas, neutralised on the way out and restored on the way in.

A text starting with ``=``, ``+``, ``-`` or ``@`` would run as a formula when a planner opens
the file (CSV injection). Exports prefix such text with an apostrophe, which spreadsheets show
as text; imports drop that apostrophe again, so an export imports back unchanged.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def escape_formula(text: str) -> str:
    """Text safe to put in a CSV or XLSX cell: never read as a formula."""
    return "'" + text if looks_like_formula(text) else text


def unescape_formula(text: str) -> str:
    """Undo :func:`escape_formula` (an apostrophe before a formula-looking text)."""
    if text.startswith("'") and looks_like_formula(text[1:]):
        return text[1:]
    return text
