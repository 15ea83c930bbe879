"""CSV and XLSX writers: the same cells in both, never a formula.

CSV is UTF-8 with a BOM (so Excel opens Indonesian names right), lists ``;``-joined, dates ISO.
XLSX keeps numbers and dates typed, writes every text as a string cell (never a formula), bolds
and freezes the header row. Formula-looking text gets its apostrophe in both (``escape_formula``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from titiktemu.exports.cells import escape_formula
from titiktemu.exports.tables import Table, Value
from titiktemu.imports.columns import LIST_SEPARATOR

if TYPE_CHECKING:  # openpyxl loads with the first workbook written, not with every process
    from openpyxl.cell.cell import Cell as XlsxCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: Control characters XLSX cannot hold; dropped from CSV too, so both say the same.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Characters a sheet title may not contain, and its length limit.
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31

Cell = str | int | float | dt.date | dt.datetime


def text(value: str) -> str:
    """A text cell's content: control characters dropped, formulas neutralised."""
    return escape_formula(CONTROL.sub("", value))


def cell(value: Value) -> Cell:
    """The typed cell a value becomes: lists joined, None empty, text escaped."""
    if value is None:
        return ""
    if isinstance(value, list):
        return text(LIST_SEPARATOR.join(value))
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    return value


def csv_text(value: Value) -> str:
    """A value as CSV text: ISO dates, numbers as a spreadsheet shows them."""
    c = cell(value)
    if isinstance(c, dt.datetime):
        return c.isoformat(sep=" ")
    if isinstance(c, dt.date):
        return c.isoformat()
    if isinstance(c, float):
        return f"{c:g}"  # 1.0 -> "1", as a spreadsheet shows it; scores keep 4 decimals
    return str(c)


def to_csv(table: Table) -> bytes:
    """One table as CSV, UTF-8 with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([text(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_text(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its title and the tables on it, one under the other."""

    title: str
    tables: Sequence[Table]
    #: Each table's heading above its header (a summary sheet holds several tables).
    headings: Sequence[str] = ()


def sheet_title(title: str, taken: set[str]) -> str:
    """A title Excel accepts (31 characters, no ``[]:*?/\\``), unique in the workbook."""
    base = SHEET_TITLE_FORBIDDEN.sub(" ", title).strip()[:SHEET_TITLE_MAX] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[: SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _xlsx_cell(ws: WriteOnlyWorksheet, value: Cell, bold: bool = False) -> XlsxCell:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    out = WriteOnlyCell(ws, value=cast(Any, value))  # the stubs forget plain dates
    if isinstance(value, str):
        out.data_type = "s"  # a string cell whatever it starts with: never a formula
    elif isinstance(value, dt.datetime):
        out.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, dt.date):
        out.number_format = "yyyy-mm-dd"
    if bold:
        out.font = Font(bold=True)
    return out


def _write_table(ws: WriteOnlyWorksheet, table: Table) -> None:
    ws.append([_xlsx_cell(ws, text(c), bold=True) for c in table.columns])
    for row in table.rows:
        ws.append([_xlsx_cell(ws, cell(v)) for v in row])


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook, one sheet per entry; a one-table sheet has its header frozen."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    taken: set[str] = set()
    for sheet in sheets:
        ws = book.create_sheet(sheet_title(sheet.title, taken))
        if len(sheet.tables) == 1 and not sheet.headings:
            ws.freeze_panes = "A2"
            _write_table(ws, sheet.tables[0])
            continue
        for index, table in enumerate(sheet.tables):
            if index:
                ws.append([])
            if index < len(sheet.headings):
                ws.append([_xlsx_cell(ws, text(sheet.headings[index]), bold=True)])
            _write_table(ws, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_xlsx(table: Table, title: str) -> bytes:
    """One table as a one-sheet workbook."""
    return to_xlsx([Sheet(title, [table])])
