"""CSV and XLSX bytes in, sheets of rows out: each row keyed by column, with its spreadsheet number.

Nothing here knows what a row means; it finds the kind (sheet or file name), the header, skips
comment rows (first non-empty cell starting with ``#``) and empty rows, and reports what it
cannot read as problems instead of raising.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Final

from titiktemu.services.imports.columns import COLUMNS, KINDS
from titiktemu.services.imports.problems import Problems

#: What a cell can hold: text from a CSV; also numbers and dates from an XLSX.
Cell = str | int | float | bool | dt.date | dt.time | None

#: Data rows read from one file or sheet at most.
MAX_ROWS: Final = 50_000
#: Characters a CSV field may hold before the file is refused (cells have smaller limits).
MAX_FIELD: Final = 1_000_000

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_NAME_SPLIT = re.compile(r"[\s_\-.]+")


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as given and its bytes."""

    name: str
    data: bytes


@dataclass
class Row:
    number: int  # 1-based, as the spreadsheet shows it
    cells: dict[str, Cell]


@dataclass
class Sheet:
    """The rows of one kind from one file (a CSV, or one sheet of a workbook)."""

    file: str
    kind: str
    header_row: int = 0
    rows: list[Row] = field(default_factory=list)
    #: Header names that are not imported (exports may carry read-only columns after ours).
    ignored: list[str] = field(default_factory=list)


#: Other names a file or sheet of a kind goes by: the 3W export, the Indonesian words.
ALIASES: Final[dict[str, str]] = {
    **{kind: kind for kind in KINDS},
    "3w": "interventions",
    "intervensi": "interventions",
    "program": "programs",
    "orang": "people",
    "pendamping": "people",
    "tawaran": "offers",
    "kebutuhan": "needs",
}


def kind_of_name(name: str) -> str | None:
    """The kind a file or sheet name says: ``needs.csv``, ``Needs``, ``klaten-3w.csv``."""
    stem = PurePath(name.strip()).stem if "." in name else name.strip()
    stem = stem.casefold().strip()
    if stem in ALIASES:
        return ALIASES[stem]
    found = {ALIASES[w] for w in _NAME_SPLIT.split(stem) if w in ALIASES}
    return found.pop() if len(found) == 1 else None


def is_xlsx(upload: Upload) -> bool:
    return upload.data.startswith(_XLSX_MAGIC) or upload.name.casefold().endswith(".xlsx")


def read_upload(upload: Upload, kind: str | None, problems: Problems) -> list[Sheet]:
    """The sheets of ``upload``; what cannot be read is added to ``problems``."""
    if upload.data.startswith(_XLS_MAGIC):
        problems.add("unsupported_format", file=upload.name, kind="", value=upload.name)
        return []
    if is_xlsx(upload):
        return _read_xlsx(upload, kind, problems)
    sheet_kind = kind or kind_of_name(upload.name)
    if sheet_kind is None:
        problems.add(
            "unknown_kind", file=upload.name, kind="", value=upload.name, kinds=", ".join(KINDS)
        )
        return []
    sheet = _read_csv(upload, sheet_kind, problems)
    return [] if sheet is None else [sheet]


def _read_csv(upload: Upload, kind: str, problems: Problems) -> Sheet | None:
    data = upload.data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(upload.data) - len(data))
        problems.add("not_utf8", file=upload.name, kind=kind, value="", position=offset + 1)
        return None
    if "\x00" in text:
        problems.add("not_utf8", file=upload.name, kind=kind, value="", position=text.index("\x00"))
        return None
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Cell]]] = []
    previous = 0
    old_limit = csv.field_size_limit(MAX_FIELD)
    try:
        for cells in reader:
            # A quoted cell may span lines: the row's number is the line it starts on.
            rows.append((previous + 1, list(cells)))
            previous = reader.line_num
            if len(rows) > MAX_ROWS + 50:
                break
    except csv.Error as exc:
        problems.add(
            "unreadable_csv",
            file=upload.name,
            kind=kind,
            row=reader.line_num,
            line=reader.line_num,
            reason=str(exc),
        )
        return None
    finally:
        csv.field_size_limit(old_limit)
    return _sheet(upload.name, kind, rows, problems)


def _delimiter(text: str) -> str:
    """Comma or semicolon (Excel in an Indonesian locale writes ``;``), judged on the header."""
    for line in text.splitlines():
        bare = line.strip().lstrip('"').strip()
        if not bare or bare.startswith("#"):
            continue
        return ";" if line.count(";") > line.count(",") else ","
    return ","


def _read_xlsx(upload: Upload, kind: str | None, problems: Problems) -> list[Sheet]:
    import openpyxl

    sheets: list[Sheet] = []
    try:
        with warnings.catch_warnings():
            # Workbooks from other tools trip openpyxl's style warnings; they change nothing here.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(upload.data), read_only=True, data_only=False)
            try:
                named = {ws.title: kind_of_name(ws.title) for ws in book.worksheets}
                only = len(book.worksheets) == 1
                for ws in book.worksheets:
                    sheet_kind = named[ws.title] or (
                        (kind or kind_of_name(upload.name)) if only else None
                    )
                    where = f"{upload.name} [{ws.title}]"
                    if sheet_kind is None and any(named.values()):
                        # An instructions sheet beside the data: said, not refused.
                        problems.note("ignored_sheet", file=where, kind="", value=ws.title)
                        continue
                    if sheet_kind is None:
                        problems.add(
                            "unknown_kind",
                            file=where,
                            kind="",
                            value=ws.title,
                            kinds=", ".join(KINDS),
                        )
                        continue
                    rows = _xlsx_rows(ws.iter_rows(), where, sheet_kind, problems)
                    sheet = _sheet(where, sheet_kind, rows, problems)
                    if sheet is not None:
                        sheets.append(sheet)
            finally:
                book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        problems.add(
            "unreadable_xlsx", file=upload.name, kind="", reason=type(exc).__name__, value=""
        )
        return []
    except Exception as exc:  # openpyxl raises many kinds on broken XML; each means "unreadable"
        problems.add(
            "unreadable_xlsx", file=upload.name, kind="", reason=type(exc).__name__, value=""
        )
        return []
    return sheets


def _xlsx_rows(
    rows: Iterable[Sequence[object]], where: str, kind: str, problems: Problems
) -> list[tuple[int, list[Cell]]]:
    out: list[tuple[int, list[Cell]]] = []
    for number, cells in enumerate(rows, start=1):
        values: list[Cell] = []
        for position, cell in enumerate(cells, start=1):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f" or not isinstance(
                value, str | int | float | bool | dt.date | dt.time | type(None)
            ):
                problems.add(
                    "formula_cell",
                    file=where,
                    kind=kind,
                    row=number,
                    column=_column_letter(position),
                    value=str(value),
                )
                value = str(value)  # checked as text only, so the formula is its one problem
            values.append(value)
        out.append((number, values))
        if len(out) > MAX_ROWS + 50:
            break
    return out


def _column_letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position)


def _is_empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _sheet(
    file: str, kind: str, rows: list[tuple[int, list[Cell]]], problems: Problems
) -> Sheet | None:
    """Find the header, check the columns and key each data row by column."""
    sheet = Sheet(file=file, kind=kind)
    header: list[str] | None = None
    for number, cells in rows:
        filled = [c for c in cells if not _is_empty(c)]
        if not filled or str(filled[0]).lstrip().startswith("#"):
            continue
        if header is None:
            header = [str(c or "").strip().casefold() for c in cells]
            sheet.header_row = number
            if not _check_header(sheet, header, problems):
                return None
            sheet.ignored = [h for h in header if h and h not in COLUMNS[kind]]
            continue
        if len(sheet.rows) >= MAX_ROWS:
            problems.add("too_many_rows", file=file, kind=kind, row=number, limit=MAX_ROWS)
            return None
        keyed = {
            name: cells[i] if i < len(cells) else None
            for i, name in enumerate(header)
            if name in COLUMNS[kind]
        }
        sheet.rows.append(Row(number, keyed))
    if header is None:
        problems.add("no_header", file=file, kind=kind)
        return None
    return sheet


def _check_header(sheet: Sheet, header: list[str], problems: Problems) -> bool:
    ok = True
    named = [h for h in header if h]
    for name in sorted({h for h in named if named.count(h) > 1}):
        problems.add(
            "duplicate_column", file=sheet.file, kind=sheet.kind, row=sheet.header_row, value=name
        )
        ok = False
    for name in COLUMNS[sheet.kind]:
        if name not in named:
            problems.add(
                "missing_column",
                file=sheet.file,
                kind=sheet.kind,
                row=sheet.header_row,
                column=name,
                value=name,
            )
            ok = False
    return ok
