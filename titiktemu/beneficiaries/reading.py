"""A beneficiary list read in memory: clear (NIK, KK, name, birth date, sex) or already encoded.

The bytes come from an upload or a file the command line read; nothing here writes anything, and
nothing it returns or raises repeats a NIK, a KK number, a name or a birth date: rows are named by
their spreadsheet number and the agency's own ``ref``, problems by a code (``MESSAGES``).
Headers are read as clerks write them (*NIK*, *No. KK*, *Nama*, *Tgl Lahir*, *L/P*,
*Desa/Kelurahan*) and the table may start below a title block.
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
from typing import Any, Final, cast

from titiktemu.beneficiaries import identity
from titiktemu.i18n import N_, gettext
from titiktemu.imports.headers import header_key
from titiktemu.imports.parsing import Cell, CellError, DateOrder, date, date_order
from titiktemu.imports.preflight import Damaged, check_xlsx
from titiktemu.settings import UploadLimits

#: Columns of a clear list, and the header names each goes by.
CLEAR_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "ref": ("ref", "id", "no urut", "nomor urut", "no", "nomor", "no reg", "id penerima"),
    "nik": ("nik", "no nik", "nomor nik", "nik ktp", "no ktp", "nomor induk kependudukan"),
    "kk": ("kk", "no kk", "nomor kk", "nkk", "no kartu keluarga", "nomor kartu keluarga"),
    "name": (
        "name",
        "nama",
        "nama lengkap",
        "nama penerima",
        "nama penerima manfaat",
        "nama kepala keluarga",
        "nama krt",
        "full name",
    ),
    "birth_date": (
        "birth date",
        "tanggal lahir",
        "tgl lahir",
        "tgl lhr",
        "date of birth",
        "dob",
        "tanggal lahir dd mm yyyy",
    ),
    "sex": ("sex", "jenis kelamin", "jk", "l p", "gender", "kelamin"),
    "village": ("village", "desa", "desa kelurahan", "kelurahan", "desa kel", "kel desa"),
    "kecamatan": ("kecamatan", "kec"),
    "address": ("address", "alamat", "alamat lengkap"),
}
#: Columns of a list encoded on the agency's machine (``titiktemu beneficiaries encode``).
ENCODED_COLUMNS: Final = (
    "ref",
    "village",
    "kecamatan",
    "birth_year",
    "nik_hmac",
    "kk_hmac",
    "clk",
    "key_id",
)
REQUIRED_CLEAR: Final = ("name", "birth_date", "village")
_FOUR_DIGITS: Final = re.compile(r"\d{4}")
#: Rows searched for the header below a title block.
_HEADER_ROWS: Final = 15
_SEXES: Final = {
    "l": "L",
    "lk": "L",
    "laki": "L",
    "laki laki": "L",
    "lakilaki": "L",
    "pria": "L",
    "m": "L",
    "male": "L",
    "1": "L",
    "p": "P",
    "pr": "P",
    "perempuan": "P",
    "wanita": "P",
    "f": "P",
    "female": "P",
    "w": "P",
    "2": "P",
}

#: What each problem code says (msgids); none takes the cell's value.
MESSAGES: Final[dict[str, str]] = {
    identity.NOT_16_DIGITS: N_(
        "the NIK is not 16 digits (if the spreadsheet shows 3.31E+15, format the column as text)"
    ),
    identity.UNKNOWN_KECAMATAN: N_("the NIK's first six digits are not a kecamatan of Indonesia"),
    identity.IMPOSSIBLE_BIRTH_DATE: N_(
        "the NIK's birth-date digits (7 to 12) are not a date (women have 40 added to the day)"
    ),
    identity.KK_NOT_16_DIGITS: N_("the KK number is not 16 digits"),
    identity.KK_UNKNOWN_KECAMATAN: N_(
        "the KK number's first six digits are not a kecamatan of Indonesia"
    ),
    "name_missing": N_("the name is empty"),
    "birth_date_missing": N_("the birth date is empty"),
    "birth_date_unreadable": N_("the birth date cannot be read as a date"),
    "birth_date_impossible": N_("the birth date is in the future or before 1900"),
    "sex_unreadable": N_("the sex is not L/P (laki-laki, perempuan)"),
    "village_missing": N_("the village is empty"),
    "village_unknown": N_("the village is not a village of this regency: %(detail)s"),
    "ref_repeated": N_("the ref is used by another row of the file (row %(detail)s)"),
    "encoded_value_bad": N_(
        "the encoded column %(detail)s is not what 'beneficiaries encode' writes"
    ),
    "key_other": N_(
        "the row was encoded under another linkage key: ask the regency for its current key"
    ),
    # whole file
    "no_header": N_(
        "no header row found: the columns must be named (NIK, KK, Nama, Tanggal Lahir, Jenis "
        "Kelamin, Desa)"
    ),
    "missing_column": N_("the required column '%(detail)s' is missing"),
    "unreadable": N_("the file cannot be read (%(detail)s): save it as .xlsx or 'CSV UTF-8'"),
    "empty": N_("the file has no rows under its header"),
    "too_many_rows": N_("the file has more than %(detail)s rows"),
}


@dataclass(frozen=True)
class Problem:
    """One row's problem (row 0: the whole file), named by row and ``ref`` only."""

    row: int
    ref: str
    code: str
    column: str = ""
    detail: str = ""
    #: A place problem of the import reader (``titiktemu.imports.problems``: code and params),
    #: worded by its catalog: "Jetis is in two kecamatan ...".
    place: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str) -> str:
        if self.place:
            from titiktemu.imports.problems import problem_text

            found = dict(self.place)
            return problem_text({"code": found["code"], "params": found["params"]}, lang)
        return gettext(MESSAGES[self.code], lang, detail=self.detail)


@dataclass(frozen=True, repr=False)
class ClearRow:
    """One person as the list gives them: held in memory only until encoded.

    ``repr`` shows the row and ref only, so a traceback or a log line never carries the rest."""

    row: int
    ref: str
    nik: str
    kk: str
    name: str
    birth_date: dt.date
    sex: str  # "L", "P" or ""
    village: str
    kecamatan: str

    def __repr__(self) -> str:
        return f"ClearRow(row={self.row}, ref={self.ref!r})"


@dataclass(frozen=True)
class EncodedRow:
    """One person as stored and compared: nothing here identifies them without the key."""

    row: int
    ref: str
    village: str  # as written; resolved to a code when the list is stored
    kecamatan: str
    birth_year: int
    nik_hmac: str | None
    kk_hmac: str | None
    clk: str
    key_id: str


@dataclass
class Table:
    """A file's header (column keys by position) and its data rows (spreadsheet numbers)."""

    columns: dict[int, str]
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)

    @property
    def names(self) -> set[str]:
        return set(self.columns.values())


class ListRefused(ValueError):  # noqa: N818 (what happened to the list, not an error's kind)
    """The file as a whole cannot be read (no header, a missing column, not a spreadsheet)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


def read_table(name: str, data: bytes, limits: UploadLimits | None = None) -> Table:
    """The header and rows of the file's first sheet that names our columns."""
    limits = limits or UploadLimits()
    if data.startswith(b"PK\x03\x04") or name.casefold().endswith(".xlsx"):
        sheets = _xlsx_sheets(name, data, limits)
    else:
        sheets = [_csv_rows(data)]
    for rows in sheets:
        table = _table(rows)
        if table is not None:
            if len(table.rows) > limits.max_rows:
                raise ListRefused(Problem(0, "", "too_many_rows", detail=str(limits.max_rows)))
            if not table.rows:
                raise ListRefused(Problem(0, "", "empty"))
            return table
    raise ListRefused(Problem(0, "", "no_header"))


def _csv_rows(data: bytes) -> list[tuple[int, list[Cell]]]:
    # UTF-8 as "CSV UTF-8" saves it, else Windows' code page; latin-1 reads any byte, so a file
    # that is neither still gives its header and rows (and a name may read oddly, not crash).
    text = ""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    head = text[:4096]
    delimiter = max((";", ",", "\t"), key=head.count)
    try:
        return [
            (number, list(cells))
            for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)
        ]
    except csv.Error as exc:
        raise ListRefused(Problem(0, "", "unreadable", detail="CSV")) from exc


def _xlsx_sheets(
    name: str, data: bytes, limits: UploadLimits
) -> list[list[tuple[int, list[Cell]]]]:
    import openpyxl

    try:
        check_xlsx(name, data, limits)  # sizes and parts before openpyxl trusts any of them
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                # Cached values only: str, numbers, dates, times or None (a duration cell gives
                # a timedelta, read as text; formulas and rich text never come in this mode).
                return [
                    [
                        (number, cast("list[Cell]", list(values)))
                        for number, values in enumerate(ws.iter_rows(values_only=True), 1)
                    ]
                    for ws in book.worksheets
                ]
            finally:
                book.close()
    except (Damaged, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise ListRefused(Problem(0, "", "unreadable", detail="XLSX")) from exc


def _lookup() -> dict[str, str]:
    found = {header_key(c): c for c in ENCODED_COLUMNS}
    for column, names in CLEAR_COLUMNS.items():
        for alias in (column, *names):
            found.setdefault(header_key(alias.replace("_", " ")), column)
    return found


_LOOKUP: Final = _lookup()


def _table(rows: list[tuple[int, list[Any]]]) -> Table | None:
    for position, (_number, cells) in enumerate(rows[:_HEADER_ROWS]):
        columns: dict[int, str] = {}
        for index, cell in enumerate(cells):
            column = _LOOKUP.get(header_key(cell)) if cell is not None else None
            if column is not None and column not in columns.values():
                columns[index] = column
        if "clk" in columns.values() or {"name", "nik"} & set(columns.values()):
            body = [
                (number, cells)
                for number, cells in rows[position + 1 :]
                if any(c not in (None, "") for c in cells)
            ]
            return Table(columns, body)
    return None


def _cell(cells: Sequence[Cell], columns: dict[int, str], name: str) -> Cell:
    for index, column in columns.items():
        if column == name:
            return cells[index] if index < len(cells) else None
    return None


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def is_encoded(table: Table) -> bool:
    return "clk" in table.names


def clear_rows(
    table: Table, today: dt.date, is_kecamatan: Any = identity.is_national_kecamatan
) -> tuple[list[ClearRow], list[Problem]]:
    """Every row read, and every problem of every row (the caller refuses the file if any)."""
    missing = [c for c in REQUIRED_CLEAR if c not in table.names]
    if missing:
        raise ListRefused(Problem(0, "", "missing_column", detail=missing[0]))
    order = date_order(_cell(cells, table.columns, "birth_date") for _n, cells in table.rows)
    found: list[ClearRow] = []
    problems: list[Problem] = []
    refs: dict[str, int] = {}
    for number, cells in table.rows:

        def get(name: str, cells: Sequence[Cell] = cells) -> Cell:
            return _cell(cells, table.columns, name)

        ref = _text(get("ref")) or str(number)
        errors: list[tuple[str, str, str]] = []
        if ref in refs:
            errors.append(("ref_repeated", "ref", str(refs[ref])))
        refs.setdefault(ref, number)
        nik = identity.digits(_text(get("nik")))
        if nik and (problem := identity.nik_problem(nik, is_kecamatan)):
            errors.append((problem, "nik", ""))
        kk = identity.digits(_text(get("kk")))
        if kk and (problem := identity.kk_problem(kk, is_kecamatan)):
            errors.append((problem, "kk", ""))
        name = _text(get("name"))
        if not name:
            errors.append(("name_missing", "name", ""))
        born = _birth_date(get("birth_date"), order, today, errors)
        sex_text = header_key(_text(get("sex")))
        sex = _SEXES.get(sex_text, "") if sex_text else ""
        if sex_text and not sex:
            errors.append(("sex_unreadable", "sex", ""))
        village = _text(get("village"))
        if not village:
            errors.append(("village_missing", "village", ""))
        problems += [Problem(number, ref, code, column, detail) for code, column, detail in errors]
        if not errors and born is not None:
            kecamatan = _text(get("kecamatan"))
            found.append(ClearRow(number, ref, nik, kk, name, born, sex, village, kecamatan))
    return found, problems


def _birth_date(
    cell: Cell, order: DateOrder, today: dt.date, errors: list[tuple[str, str, str]]
) -> dt.date | None:
    try:
        born = date(cell, order=order, years=(1800, 2200))
    except CellError:
        errors.append(("birth_date_unreadable", "birth_date", ""))
        return None
    if born is None:
        errors.append(("birth_date_missing", "birth_date", ""))
        return None
    if born > today and _two_digit_year(cell):  # "12-03-55" read as 2055 is 1955
        born = born.replace(year=born.year - 100)
    if not dt.date(1900, 1, 1) <= born <= today:
        errors.append(("birth_date_impossible", "birth_date", ""))
        return None
    return born


def _two_digit_year(cell: Cell) -> bool:
    """A date written with a two-digit year ("12-03-55"), which a birth date's century decides;
    a four-digit year in the future is a mistake to report, not to move."""
    return isinstance(cell, str) and _FOUR_DIGITS.search(cell) is None


def encoded_rows(table: Table, key_id: str) -> tuple[list[EncodedRow], list[Problem]]:
    """The rows of an encoded file, each checked for shape and for the regency's key."""
    missing = [c for c in ("clk", "birth_year", "village", "key_id") if c not in table.names]
    if missing:
        raise ListRefused(Problem(0, "", "missing_column", detail=missing[0]))
    found: list[EncodedRow] = []
    problems: list[Problem] = []
    refs: dict[str, int] = {}
    for number, cells in table.rows:
        values = {c: _text(_cell(cells, table.columns, c)) for c in ENCODED_COLUMNS}
        ref = values["ref"] or str(number)
        errors = list(_encoded_errors(values))
        if ref in refs:
            errors.append(("ref_repeated", str(refs[ref])))
        refs.setdefault(ref, number)
        if not errors and values["key_id"] != key_id:
            errors.append(("key_other", ""))
        problems += [Problem(number, ref, code, "", detail) for code, detail in errors]
        if not errors:
            found.append(
                EncodedRow(
                    number,
                    ref,
                    values["village"],
                    values["kecamatan"],
                    int(values["birth_year"]),
                    values["nik_hmac"] or None,
                    values["kk_hmac"] or None,
                    values["clk"],
                    values["key_id"],
                )
            )
    return found, problems


def _encoded_errors(values: dict[str, str]) -> Iterable[tuple[str, str]]:
    from titiktemu.beneficiaries.clk import deserialise, product_schema

    for column in ("nik_hmac", "kk_hmac"):
        value = values[column]
        if value and (len(value) != 64 or any(c not in "0123456789abcdef" for c in value)):
            yield "encoded_value_bad", column
    year = values["birth_year"]
    if not (year.isdigit() and 1900 <= int(year) <= 2200):
        yield "encoded_value_bad", "birth_year"
    try:
        if len(deserialise(values["clk"])) * 8 != product_schema().length:
            yield "encoded_value_bad", "clk"
    except ValueError:
        yield "encoded_value_bad", "clk"
    if not values["village"]:
        yield "village_missing", ""
