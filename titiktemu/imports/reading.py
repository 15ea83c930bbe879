"""CSV and XLSX bytes in, sheets of rows out: each row keyed by column, with its spreadsheet number.

Nothing here knows what a row means; it finds the kind (sheet or file name), the header, skips
comment rows (first non-empty cell starting with ``#``) and empty rows, and reports what it
cannot read as problems instead of raising.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Final

from titiktemu.imports.columns import EXTRA_COLUMNS, KINDS, REQUIRED
from titiktemu.imports.headers import (
    LOOKUP,
    SEARCH_ROWS,
    Header,
    find_header,
    guess_kind,
    header_key,
    header_score,
    is_total_row,
    kecamatan_heading,
)
from titiktemu.imports.parsing import Cell, DateOrder, date_orders
from titiktemu.imports.preflight import Damaged, Shape, check_xlsx, refusal
from titiktemu.imports.problems import Problems
from titiktemu.settings import UploadLimits


class Formula(str):
    """A cell holding a formula (an XLSX formula cell, or CSV text starting with "="): its text.

    Kept until the row is known, since a JUMLAH row of SUM formulas is skipped, not refused.
    """


#: Data rows read from one file or sheet at most.
MAX_ROWS: Final = 50_000
#: Characters a CSV field may hold before the file is refused (cells have smaller limits).
MAX_FIELD: Final = 1_000_000
#: Characters a CSV line may hold: room for a field at the limit and the rest of its row. A
#: longer line is refused before ``csv`` splits it (one list entry per delimiter).
MAX_LINE: Final = 4 * MAX_FIELD

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_NAME_SPLIT = re.compile(r"[\s_\-.]+")
_FORMULA_TEXT = re.compile(r"^\s*=\s*\S")
#: Characters of a line the delimiter is judged on (a header names a few dozen columns).
_HEAD_LINE: Final = 64 * 1024
#: Where ``csv`` (reading with ``newline=""``) sees a line end.
_CSV_LINE_END = re.compile(r"\r\n?|\n")
#: What ``str.splitlines`` splits on, so lines can be taken one at a time.
_LINE_END = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as given and its bytes."""

    name: str
    data: bytes


@dataclass
class Row:
    number: int  # 1-based, as the spreadsheet shows it
    cells: dict[str, Cell]
    #: Columns whose value was carried down from a row above (a merged kecamatan cell, a
    #: heading row): a hint, which the village may overrule.
    carried: frozenset[str] = frozenset()


@dataclass
class Sheet:
    """The rows of one kind from one file (a CSV, or one sheet of a workbook)."""

    file: str
    kind: str
    header_row: int = 0
    rows: list[Row] = field(default_factory=list)
    #: Header names that are not imported (exports may carry read-only columns after ours).
    ignored: list[str] = field(default_factory=list)
    #: The columns the header names (optional ones left out keep what is stored).
    columns: frozenset[str] = frozenset()
    #: The title block above the header, row by row (it may name the program or the year).
    title: list[str] = field(default_factory=list)
    #: How each date column writes numeric dates (01/03 or 03/01), judged from all its rows.
    date_orders: dict[str, DateOrder] = field(default_factory=dict)


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


def read_upload(
    upload: Upload, kind: str | None, problems: Problems, limits: UploadLimits | None = None
) -> list[Sheet]:
    """The sheets of ``upload``; what cannot be read is added to ``problems``.

    The kind comes from ``kind``, else the sheet's or file's name, else the sheet's header.
    Raises :class:`.preflight.UploadRefused` when the file is over one of ``limits`` (the
    defaults when None): then it is not read at all.
    """
    limits = limits or UploadLimits()
    if upload.data.startswith(_XLS_MAGIC):
        problems.add("unsupported_format", file=upload.name, kind="", value=upload.name)
        return []
    if is_xlsx(upload):
        return _read_xlsx(upload, kind, problems, limits)
    sheet = _read_csv(upload, kind or kind_of_name(upload.name), problems, limits)
    return [] if sheet is None else [sheet]


def _read_csv(
    upload: Upload, kind: str | None, problems: Problems, limits: UploadLimits
) -> Sheet | None:
    data = upload.data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(upload.data) - len(data))
        problems.add("not_utf8", file=upload.name, kind=kind or "", value="", position=offset + 1)
        return None
    if "\x00" in text:
        problems.add(
            "not_utf8", file=upload.name, kind=kind or "", value="", position=text.index("\x00")
        )
        return None
    delimiter = _delimiter(text)
    reader = csv.reader(_bounded_lines(upload.name, text), delimiter=delimiter)
    rows: list[tuple[int, list[Cell]]] = []
    previous = 0
    old_limit = csv.field_size_limit(MAX_FIELD)
    try:
        for cells in reader:
            if len(cells) > limits.max_columns:
                raise refusal(
                    "csv_too_many_columns",
                    file=upload.name,
                    row=previous + 1,
                    count=len(cells),
                    limit=limits.max_columns,
                )
            # A quoted cell may span lines: the row's number is the line it starts on.
            rows.append((previous + 1, [_csv_cell(c) for c in cells]))
            previous = reader.line_num
            if len(rows) > MAX_ROWS + 50:
                break
    except csv.Error as exc:
        problems.add(
            "unreadable_csv",
            file=upload.name,
            kind=kind or "",
            row=reader.line_num,
            line=reader.line_num,
            reason=str(exc),
        )
        return None
    finally:
        csv.field_size_limit(old_limit)
    if kind is None:
        kind = _kind_from_header(rows)
        if kind is None:
            problems.add(
                "unknown_kind", file=upload.name, kind="", value=upload.name, kinds=", ".join(KINDS)
            )
            return None
        problems.note("kind_from_header", file=upload.name, kind=kind, value=kind)
    return _sheet(upload.name, kind, rows, problems)


def _bounded_lines(name: str, text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, as ``io.StringIO(text, newline="")`` gives them
    to ``csv`` but without its copy of the text (four bytes a character), refusing a line
    longer than MAX_LINE before it is cut out."""
    start = 0
    for end in _CSV_LINE_END.finditer(text):
        if end.end() - start > MAX_LINE:
            raise refusal("csv_line_too_long", file=name, limit=MAX_LINE)
        yield text[start : end.end()]
        start = end.end()
    if len(text) - start > MAX_LINE:
        raise refusal("csv_line_too_long", file=name, limit=MAX_LINE)
    if start < len(text):
        yield text[start:]


def _lines(text: str) -> Iterator[str]:
    """``text.splitlines()`` one line at a time: 30 million empty lines make no list."""
    start = 0
    for end in _LINE_END.finditer(text):
        yield text[start : end.start()]
        start = end.end()
    if start < len(text):
        yield text[start:]


def _csv_cell(text: str) -> Cell:
    """CSV text as a cell: "=SUM(F5:F9)" typed or saved into a CSV is a formula, not text."""
    return Formula(text) if _FORMULA_TEXT.match(text) else text


def _delimiter(text: str) -> str:
    """Comma or semicolon (Excel in an Indonesian locale writes ``;``): the one that splits a row
    of the first lines into the most column names we know (a title block may come first, and
    lists inside cells use ``;`` too); without any, the header's own count decides."""
    first = itertools.islice(_lines(text), SEARCH_ROWS + 5)
    head = "\n".join(line[:_HEAD_LINE] for line in first)
    named = {d: _header_score(head, d) for d in (",", ";")}
    if named[","] != named[";"]:
        return max(named, key=lambda d: named[d])
    for line in itertools.islice(_lines(text), MAX_ROWS + 50):
        bare = line.strip().lstrip('"').strip()
        if bare and not bare.startswith("#"):
            return ";" if line.count(";") > line.count(",") else ","
    return ","


def _header_score(head: str, delimiter: str) -> int:
    try:
        rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
    except csv.Error:
        return 0
    return max((header_score(cells) for cells in rows), default=0)


def _read_xlsx(
    upload: Upload, kind: str | None, problems: Problems, limits: UploadLimits
) -> list[Sheet]:
    import openpyxl

    try:
        # Sizes, parts, sheet dimensions and shared strings, before openpyxl trusts any of them.
        shape = check_xlsx(upload.name, upload.data, limits)
    except Damaged as exc:
        problems.add("unreadable_xlsx", file=upload.name, kind="", reason=str(exc), value="")
        return []
    sheets: list[Sheet] = []
    try:
        with warnings.catch_warnings():
            # Workbooks from other tools trip openpyxl's style warnings; they change nothing here.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(upload.data), read_only=True, data_only=False)
            try:
                sheets = _xlsx_sheets(upload, book.worksheets, kind, problems, shape)
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


def _xlsx_sheets(
    upload: Upload, worksheets: Sequence[Any], kind: str | None, problems: Problems, shape: Shape
) -> list[Sheet]:
    """Each worksheet of a kind: named so, the one sheet of a file named so, or whose columns
    say so; a sheet of none (instructions, a chart) is noted and left when another has data."""
    named = {ws.title: kind_of_name(ws.title) for ws in worksheets}
    only = len(worksheets) == 1
    found: list[tuple[str, str | None, list[tuple[int, list[Cell]]]]] = []
    for ws in worksheets:
        where = f"{upload.name} [{ws.title}]"
        sheet_kind = named[ws.title] or ((kind or kind_of_name(upload.name)) if only else None)
        if sheet_kind is None and any(named.values()):
            problems.note("ignored_sheet", file=where, kind="", value=ws.title)
            continue
        # Only the columns the sheet really holds: openpyxl would pad each row to its dimension.
        columns = shape.columns_of(str(getattr(ws, "_worksheet_path", "")))
        rows = _xlsx_rows(ws.iter_rows(max_col=columns))
        if sheet_kind is None:
            sheet_kind = _kind_from_header(rows)
            if sheet_kind is not None:
                problems.note("kind_from_header", file=where, kind=sheet_kind, value=sheet_kind)
        found.append((where, sheet_kind, rows))
    sheets: list[Sheet] = []
    some_kind = any(sheet_kind for _, sheet_kind, _ in found)
    for where, sheet_kind, rows in found:
        if sheet_kind is None and some_kind:
            problems.note("ignored_sheet", file=where, kind="", value=where)
        elif sheet_kind is None:
            problems.add("unknown_kind", file=where, kind="", value=where, kinds=", ".join(KINDS))
        elif (sheet := _sheet(where, sheet_kind, rows, problems)) is not None:
            sheets.append(sheet)
    return sheets


def _kind_from_header(rows: list[tuple[int, list[Cell]]]) -> str | None:
    return guess_kind([cells for _, cells in rows if not _is_comment(cells)])


def _xlsx_rows(rows: Iterable[Sequence[object]]) -> list[tuple[int, list[Cell]]]:
    out: list[tuple[int, list[Cell]]] = []
    for number, cells in enumerate(rows, start=1):
        values: list[Cell] = []
        for cell in cells:
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f" or not isinstance(
                value, str | int | float | bool | dt.date | dt.time | type(None)
            ):
                values.append(Formula(str(value)))
            else:
                values.append(value)
        while values and values[-1] is None:  # what a row pads itself with
            values.pop()
        out.append((number, values))
        if len(out) > MAX_ROWS + 50:
            break
    return out


def _column_letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position)


def _is_empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _is_comment(cells: Sequence[Cell]) -> bool:
    filled = [c for c in cells if not _is_empty(c)]
    return not filled or str(filled[0]).lstrip().startswith("#")


def _sheet(
    file: str, kind: str, rows: list[tuple[int, list[Cell]]], problems: Problems
) -> Sheet | None:
    """Find the table (see :mod:`.headers`), check its columns and key each data row by column."""
    content = [(number, cells) for number, cells in rows if not _is_comment(cells)]
    sheet = Sheet(file=file, kind=kind)
    header = find_header([cells for _, cells in content], kind)
    if header is None:
        header = _first_row_header(kind, content)
        if header is None:
            problems.add("no_header", file=file, kind=kind)
            return None
    sheet.header_row = content[header.index][0]
    sheet.title = header.title
    if header.title:
        problems.note(
            "title_skipped", file=file, kind=kind, row=content[0][0], value=" / ".join(header.title)
        )
    if not _check_header(sheet, header, problems):
        return None
    sheet.columns = frozenset(header.named)
    sheet.ignored = list(header.ignored.values())
    skipped = set(header.skipped)
    carried_kecamatan: Cell = None
    after_total = False
    required = [c for c in REQUIRED[kind] if c in header.named]
    for index in range(header.index + 1, len(content)):
        if index in skipped:
            continue
        number, cells = content[index]
        named = kecamatan_heading(cells)
        if named is not None and "kecamatan" in EXTRA_COLUMNS.get(kind, ()):
            carried_kecamatan = named
            problems.note("kecamatan_heading", file=file, kind=kind, row=number, value=named)
            continue
        if is_total_row(cells):
            problems.note("total_row", file=file, kind=kind, row=number, value=_joined(cells))
            after_total = True
            continue
        keyed = {
            column: cells[position] if position < len(cells) else None
            for position, column in header.columns.items()
        }
        if all(_is_empty(value) for value in keyed.values()) or (
            # under the totals: a place and date, a signature, not a row of the table
            after_total and all(_is_empty(keyed.get(c)) for c in required)
        ):
            if any(not _is_empty(c) for c in cells):
                problems.note("nothing_to_import", file=file, kind=kind, row=number)
            continue
        for position, column in header.columns.items():
            if isinstance(keyed[column], Formula):
                problems.add(
                    "formula_cell",
                    file=file,
                    kind=kind,
                    row=number,
                    column=_column_letter(position + 1),
                    value=str(keyed[column]),
                )
                keyed[column] = str(keyed[column])  # then checked as text: one problem only
        carried: frozenset[str] = frozenset()
        if "kecamatan" in EXTRA_COLUMNS.get(kind, ()):
            if not _is_empty(keyed.get("kecamatan")):
                carried_kecamatan = keyed["kecamatan"]
            elif carried_kecamatan is not None:
                keyed["kecamatan"] = carried_kecamatan  # a merged cell, or a heading above
                carried = frozenset({"kecamatan"})
        if "date" in keyed:
            when = keyed.pop("date")
            keyed.setdefault("start_date", when)
            keyed.setdefault("end_date", when)
        if len(sheet.rows) >= MAX_ROWS:
            problems.add("too_many_rows", file=file, kind=kind, row=number, limit=MAX_ROWS)
            return None
        sheet.rows.append(Row(number, keyed, carried))
    sheet.date_orders = date_orders(row.cells for row in sheet.rows)
    return sheet


def _joined(cells: Sequence[Cell]) -> str:
    return " | ".join(str(c).strip() for c in cells if not _is_empty(c))


def _first_row_header(kind: str, content: list[tuple[int, list[Cell]]]) -> Header | None:
    """No row names two columns: take the first as the header (a file of another kind, a
    template with one column) so the report says which columns are missing."""
    if not content:
        return None
    cells = content[0][1]
    names = [(i, str(c).strip()) for i, c in enumerate(cells) if not _is_empty(c)]
    header = Header(kind=kind, index=0)
    keys = [header_key(n) for _, n in names]
    header.repeated = sorted(
        {n for (_, n), k in zip(names, keys, strict=True) if keys.count(k) > 1}
    )
    for position, name in names:
        column = LOOKUP[kind].get(header_key(name))
        if column is None or column in header.columns.values():
            header.ignored[position] = name
        else:
            header.columns[position] = column
    return header if header.columns else None


def _check_header(sheet: Sheet, header: Header, problems: Problems) -> bool:
    ok = True
    for name in header.repeated:
        if LOOKUP[sheet.kind].get(header_key(name)) is None:
            continue  # two "Keterangan" columns: neither is imported, nothing to choose
        problems.add(
            "duplicate_column", file=sheet.file, kind=sheet.kind, row=sheet.header_row, value=name
        )
        ok = False
    for name in header.missing:
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
