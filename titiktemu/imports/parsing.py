"""Cell values to Python values: text, whole numbers, counts, rupiah, dates and ``;`` lists.

Each reader raises :class:`CellError` with a message code; the row checker turns it into a
problem at the right row and column. CSV gives text, XLSX also numbers and datetimes: both are
accepted, so the two formats import alike.

The readers take a value the way a careful Indonesian clerk writes it ("Rp 240.000.000",
"125 juta", "12 KK", "1 Maret 2021", "Maret 2021", an Excel serial number) and refuse only what
a person would have to ask about, saying why: a budget in a count column, a date that reads two
ways, a formula typed as text. A blank, "-" or "tidak ada data" is unknown (None), never zero.
Pure functions: no database, no app.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Final

from titiktemu.exports.cells import unescape_formula
from titiktemu.i18n import N_
from titiktemu.imports.columns import LIST_SEPARATOR

#: What a cell can hold: text from a CSV; also numbers and dates from an XLSX. Defined here, where
#: cells are read as values, so the reader imports it and nothing imports back.
Cell = str | int | float | bool | dt.date | dt.time | None

FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100
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


def is_formula_text(cell: Cell) -> bool:
    """Text that starts with "=": a formula typed or pasted as text ("=SUM(F5:F9)").

    An export's apostrophe ("'=SUM...") says the opposite: that is text, and not counted here.
    """
    return isinstance(cell, str) and cell.lstrip().startswith("=") and len(cell.strip()) > 1


def items(cell: Cell) -> list[str]:
    """The ``;``-separated entries of a cell, trimmed, empty ones and repeats dropped."""
    seen: dict[str, None] = {}
    for part in text(cell).split(LIST_SEPARATOR):
        entry = unescape_formula(part.strip()).strip()
        if entry:
            seen.setdefault(entry, None)
    return list(seen)


# --- whole numbers, counts and rupiah ------------------------------------------------------------


def integer(cell: Cell, low: int, high: int, empty: int) -> int:
    """A whole number in [low, high] from digits or an XLSX number; empty gives ``empty``."""
    if is_formula_text(cell):
        raise CellError("formula_text")
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


#: What a clerk writes for "no data" (compared without case, outer dots and extra spaces).
UNKNOWN_WORDS: Final = frozenset(
    {
        "",
        "-",
        "--",
        "---",
        "–",
        "—",
        "?",
        "??",
        "n/a",
        "na",
        "n.a",
        "#n/a",
        "tidak ada data",
        "tdk ada data",
        "belum ada data",
        "blm ada data",
        "data tidak ada",
        "tidak diketahui",
        "belum diketahui",
        "unknown",
        "no data",
    }
)
#: Longest text read as an amount: anything longer is not one number.
_MAX_AMOUNT_TEXT: Final = 64
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_CURRENCY_BEFORE = re.compile(r"^(?:rp|idr|rupiah)\.?\s*", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(r"\s*(?:rp|idr|rupiah)\.?$", re.IGNORECASE)
_NO_CENTS = re.compile(r"\s*[.,]-+$")  # "Rp 5.000,-"
#: "About" before an amount ("± 30 KK", "kurang lebih Rp 100 juta"): a reader keeps the number.
_ABOUT = re.compile(
    r"^(?:±|\+/-|\+-|~|≈|(?i:kurang lebih|lebih kurang|kurleb|sekitar|kira-kira|kira kira"
    r"|kl\.|approx\.?|about|circa|ca\.))\s*"
)
#: A remark in brackets after an amount ("Rp 2,5 M (APBD)", "25 KK (75 jiwa)"): the writer's note.
_AMOUNT_REMARK = re.compile(r"\s*\([^()]*\)$")
#: An amount for each one ("Rp 15 juta/KK", "15 jt per unit"): not the total a column holds.
_PER_UNIT = re.compile(
    r"\s*(?:/|(?i:per)\s+)(?i:kk|keluarga|rumah|unit|orang|jiwa|kpm|paket|desa|kelompok)\.?$"
)
#: Words for households and people, as recaps write them after a count ("12 KK", "20 unit").
_UNIT = re.compile(
    r"\s*(?i:kk|kepala keluarga|keluarga|rumah tangga|rumah|ruta|rtsm|rts|rtm|rt|kpm|units?|orang|org"
    r"|jiwa|kelompok|households?|hh|houses?|people|persons?|groups?|buah)\.?$"
)
#: Multipliers of money; "M" (miliar) and "T" (triliun) only in capitals, as budgets write them.
_SCALE = re.compile(
    r"\s*(?:(?P<word>(?i:ribu|rb|juta|jt|miliar|milyar|milliar|triliun|trilyun|thousand"
    r"|million|billion|trillion))|(?P<letter>[MT]))\.?$"
)
_EXPONENTS: Final[dict[str, int]] = {
    "ribu": 3,
    "rb": 3,
    "thousand": 3,
    "juta": 6,
    "jt": 6,
    "million": 6,
    "miliar": 9,
    "milyar": 9,
    "milliar": 9,
    "billion": 9,
    "m": 9,
    "triliun": 12,
    "trilyun": 12,
    "trillion": 12,
    "t": 12,
}
_NUMBER_BODY = re.compile(r"^[0-9][0-9., ]*$")
_ASCII_DIGITS = re.compile(r"^[0-9]+$")

#: What a wrongly kind amount is, and what the column wants: phrases of the one catalog.
_MONEY = N_("an amount of money")
_COUNT = N_("a number of households or people")


def count(cell: Cell, *, high: int) -> int | None:
    """Households or people: "12", "1.200", "12 KK", "20 unit", "30 jiwa"; blank or "-" is None.

    A count is whole ("1,5" is refused); rupiah ("Rp 5 juta", "125 juta") is the wrong kind.
    """
    amount = _amount(cell)
    if amount is None:
        return None
    if amount.currency or (amount.scaled and not amount.unit):
        raise _wrong_kind(found_money=True)
    if amount.value.denominator != 1:
        raise _not_whole(money=False)
    return _in_range(int(amount.value), high)


def money(cell: Cell, *, high: int) -> int | None:
    """Rupiah: "240000000", "Rp 240.000.000,-", "240,000,000", "Rp 125 juta", "1,5 M"; blank is None.

    A fraction of a rupiah from a multiplier or an XLSX number is rounded; written without one
    ("1,5") it is refused, since nobody budgets one and a half rupiah. "12 KK" is the wrong kind.
    """
    amount = _amount(cell)
    if amount is None:
        return None
    if amount.unit:
        raise _wrong_kind(found_money=False)
    value = amount.value
    if value.denominator != 1:
        if not (amount.scaled or amount.rounded):
            raise _not_whole(money=True)
        value = Fraction(math.floor(value + Fraction(1, 2)))  # half a rupiah up
    return _in_range(int(value), high)


class _Amount:
    """A number read from a cell, with the words that said what it counts."""

    __slots__ = ("currency", "rounded", "scaled", "unit", "value")

    def __init__(
        self,
        value: Fraction,
        *,
        currency: bool = False,
        scaled: bool = False,
        unit: bool = False,
        rounded: bool = False,
    ) -> None:
        self.value, self.currency, self.scaled, self.unit = value, currency, scaled, unit
        self.rounded = rounded  # an XLSX number: its fraction is arithmetic, not writing


def _amount(cell: Cell) -> _Amount | None:
    if is_formula_text(cell):
        raise CellError("formula_text")
    if isinstance(cell, bool | dt.date | dt.time):
        raise CellError("bad_number")
    if isinstance(cell, int):
        return _Amount(Fraction(cell))
    if isinstance(cell, float):
        if not math.isfinite(cell):
            raise CellError("bad_number")
        return _Amount(Fraction(Decimal(repr(cell))), rounded=True)  # as the sheet showed it
    raw = _SPACES.sub(" ", text(cell)).strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= _MAX_AMOUNT_TEXT:
        return _Amount(Fraction(int(raw)))  # plain digits, most cells of a large file
    if _is_unknown(raw):
        return None
    if len(raw) > _MAX_AMOUNT_TEXT:
        raise CellError("bad_number")
    raw = _ABOUT.sub("", _AMOUNT_REMARK.sub("", raw)).strip()
    if _PER_UNIT.search(raw):
        raise CellError("amount_per_unit")
    rest, currency = raw, False
    if found := _CURRENCY_BEFORE.match(rest):
        rest, currency = rest[found.end() :], True
    rest = _NO_CENTS.sub("", rest)
    if found := _CURRENCY_AFTER.search(rest):
        rest, currency = rest[: found.start()], True
    rest = _NO_CENTS.sub("", rest).strip()
    unit = bool(found := _UNIT.search(rest))
    if found:
        rest = rest[: found.start()]
    exponent = 0
    if found := _SCALE.search(rest):
        exponent = _EXPONENTS[(found["word"] or found["letter"]).casefold()]
        rest = rest[: found.start()]
    rest = rest.strip()
    if not exponent and _is_unknown(rest):
        return None  # "Rp -", "- KK": said to be unknown, with its kind
    negative = rest[:1] in ("-", "−")
    value = _number(rest[1:].strip() if negative else rest, scaled=bool(exponent))
    if value is None:
        raise CellError("bad_number")
    if negative:
        value = -value  # a number all the same: the range says what is wrong
    return _Amount(value * 10**exponent, currency=currency, scaled=bool(exponent), unit=unit)


def _number(body: str, *, scaled: bool) -> Fraction | None:
    """Digits with thousands marks and a decimal mark, as Indonesians and others write them.

    Two kinds of mark: the last is the decimal one ("1.500.000,00", "1,500,000.00"). One kind
    repeated groups thousands ("240.000.000", "240,000,000"). One mark once: before exactly
    three digits it groups thousands ("1.500", "1,500": a count or a rupiah sum is whole),
    except a comma before a multiplier ("1,250 M" is 1,25 miliar); otherwise it is a decimal
    ("1,5", "1.5 M"). Spaces group thousands too ("240 000 000").
    """
    if not _NUMBER_BODY.match(body) or not body[-1].isdigit():
        return None
    dots, commas = body.count("."), body.count(",")
    decimal = thousands = ""
    if dots and commas:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        if body.count(decimal) > 1:
            return None
    elif dots + commas > 1:
        thousands = "." if dots else ","
    elif dots + commas == 1:
        mark = "." if dots else ","
        before, _, after = body.partition(mark)
        if (mark == "," and scaled) or len(after) != 3:
            decimal = mark
        elif len(before.replace(" ", "")) <= 3 or " " in before:
            thousands = mark
        else:
            return None  # "1500.000": a decimal or a misplaced mark; a person would ask
    whole, _, fraction = body.partition(decimal) if decimal else (body, "", "")
    if decimal and not _ASCII_DIGITS.match(fraction):
        return None
    groups = whole.split(thousands) if thousands else whole.split(" ")
    if thousands and " " in whole:
        return None
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        return None
    digits = "".join(groups)
    if not _ASCII_DIGITS.match(digits):
        return None
    return Fraction(int(digits + fraction), 10 ** len(fraction))


def _is_unknown(raw: str) -> bool:
    return " ".join(raw.casefold().split()).strip(" .") in UNKNOWN_WORDS


def _in_range(value: int, high: int) -> int:
    if not 0 <= value <= high:
        raise CellError("number_out_of_range", low=0, high=high)
    return value


def _wrong_kind(*, found_money: bool) -> CellError:
    if found_money:
        return CellError(
            "wrong_amount_kind",
            found=_MONEY,
            needed=N_("a number of households or people, such as 12 or 12 KK"),
        )
    return CellError(
        "wrong_amount_kind",
        found=_COUNT,
        needed=N_("rupiah, such as 240.000.000 or Rp 125 juta"),
    )


def _not_whole(*, money: bool) -> CellError:
    if money:
        return CellError(
            "not_whole_number",
            hint=N_("write whole rupiah, or add juta or miliar (1,5 juta)"),
        )
    return CellError(
        "not_whole_number",
        hint=N_("households and people are counted whole"),
    )


# --- dates ---------------------------------------------------------------------------------------


class DateOrder(enum.Enum):
    """How a sheet writes numeric dates, judged from the values that read only one way."""

    DAY_FIRST = "day_first"  # the Indonesian convention: 01/03/2021 is 1 March
    MONTH_FIRST = "month_first"  # some value reads only month first (03/25/2021)
    MIXED = "mixed"  # values of both kinds: an ambiguous one must be asked about


#: The columns of every kind that hold dates (a sheet decides one order for all of them).
DATE_COLUMNS: Final = (
    "start_date",
    "end_date",
    "available_from",
    "available_until",
    "needed_from",
    "needed_until",
)
#: Excel's day 0 in the 1900 date system (its fake 29 February 1900 lies before 2000).
EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
FIRST_SERIAL: Final = (dt.date(FIRST_YEAR, 1, 1) - EXCEL_EPOCH).days  # 36526
LAST_SERIAL: Final = (dt.date(LAST_YEAR, 12, 31) - EXCEL_EPOCH).days  # 73415

MONTHS_ID: Final = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_EN: Final = tuple(calendar.month_name[1:])
WEEKDAYS_ID: Final = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
WEEKDAYS_EN: Final = tuple(calendar.day_name)

#: Month names and short forms, Indonesian and English, folded: "agt" -> 8.
MONTHS: Final[dict[str, int]] = {
    **{name.casefold(): n for n, name in enumerate(MONTHS_ID, start=1)},
    **{name.casefold(): n for n, name in enumerate(MONTHS_EN, start=1)},
    **{name.casefold()[:3]: n for n, name in enumerate(MONTHS_ID, start=1)},
    **{name.casefold()[:3]: n for n, name in enumerate(MONTHS_EN, start=1)},
    "pebruari": 2,
    "peb": 2,
    "mrt": 3,
    "agt": 8,
    "ags": 8,
    "agus": 8,
    "sept": 9,
    "nopember": 11,
    "nop": 11,
}
#: Weekday names and short forms (Monday is 0, as in :meth:`datetime.date.weekday`).
WEEKDAYS: Final[dict[str, int]] = {
    **{name.casefold(): n for n, name in enumerate(WEEKDAYS_ID)},
    **{name.casefold(): n for n, name in enumerate(WEEKDAYS_EN)},
    **{name.casefold()[:3]: n for n, name in enumerate(WEEKDAYS_ID)},
    **{name.casefold()[:3]: n for n, name in enumerate(WEEKDAYS_EN)},
    "jumat": 4,
    "ahad": 6,
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}
_LEADING = re.compile(
    r"(?P<word>tanggal|tgl|hari|tahun|thn|"
    + "|".join(sorted(WEEKDAYS, key=len, reverse=True))
    + r")\b[\s.,:]*"
)
_TIME = re.compile(r"(?:\s+|t)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_YMD = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_YEAR = re.compile(r"^\d{4}$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_WORDS = re.compile(r"[0-9]+|[a-z]+")
_WORD_SEPARATORS = re.compile(r"^(?:[0-9]+|[a-z]+|[\s,./\-]+)*$")
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th)\b")
#: A remark in brackets after a date, "12 Juli 2027 (tentatif)": the date is what a reader keeps.
_REMARK = re.compile(r"\s*\([^()]*\)\s*")
_ROMAN: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
#: A quarter ("Triwulan II 2027", "TW 2/2027", "Q2 2027", "kuartal 3 tahun 2027") or a half year
#: ("Semester 1 2027"), as planning documents give periods: its first day, or its last.
_PERIOD = re.compile(
    r"^(?P<kind>triwulan|tw|kuartal|kwartal|q|semester|smt|sem)[\s.\-]*"
    r"(?P<n>[1-4]|iv|i{1,3})[\s.,\-/]*(?:tahun\s*|thn\.?\s*)?(?P<year>\d{4})$"
)
#: Excel's "mmm-yy" as a CSV export writes it: "Mar-21" is March 2021.
_MONTH_SHORT_YEAR = re.compile(r"^(?P<month>[a-z]+)[-/](?P<year>\d{2})$")


def date(
    cell: Cell,
    *,
    end: bool = False,
    order: DateOrder = DateOrder.DAY_FIRST,
    years: tuple[int, int] = (FIRST_YEAR, LAST_YEAR),
) -> dt.date | None:
    """A date as clerks write one; blank or "-" is None.

    "2021-03-01", "01/03/2021", "1-3-21", "1 Maret 2021", "Senin, 1 Mar 2021", an XLSX date or
    an Excel serial number (44256); a remark in brackets after it is dropped. A month ("Maret
    2021", "03/2021", Excel's "Mar-21"), a quarter ("Triwulan II 2027", "TW 2 2027", "Q2 2027"),
    a half year ("Semester 1 2027") or a year ("2021") is its first day, or its last with
    ``end``. ``order`` is how the sheet writes numeric dates (see
    :func:`date_order`): 01/03/2021 is 1 March unless the sheet shows month-first dates, then a
    date that reads two ways is refused with both readings. ``years``: the first and last year
    a date of the column may have (a birth date's go back further than a plan's).
    """
    if is_formula_text(cell):
        raise CellError("formula_text")
    if isinstance(cell, bool | dt.time):
        raise CellError("bad_date")
    if isinstance(cell, dt.datetime):
        value = cell.date()
    elif isinstance(cell, dt.date):
        value = cell
    elif isinstance(cell, int | float):
        value = _from_number(cell, end=end)
    else:
        raw = text(cell)
        if _is_unknown(raw):
            return None
        value = _from_text(raw, end=end, order=order)
    if not years[0] <= value.year <= years[1]:
        raise CellError("date_out_of_range")
    return value


def date_order(cells: Iterable[Cell]) -> DateOrder:
    """How a column (or a sheet) writes numeric dates: month first when some value reads only
    that way (03/25/2021), day first by Indonesian custom, mixed when both kinds occur."""
    day_first = month_first = False
    for cell in cells:
        readings = _numeric_readings(cell)
        if readings is None:
            continue
        as_day_first, as_month_first = readings
        day_first |= as_day_first and not as_month_first
        month_first |= as_month_first and not as_day_first
    if day_first and month_first:
        return DateOrder.MIXED
    return DateOrder.MONTH_FIRST if month_first else DateOrder.DAY_FIRST


def date_orders(rows: Iterable[Mapping[str, Cell]]) -> dict[str, DateOrder]:
    """The order of each date column of a sheet: one for all of them, since one hand wrote the
    sheet, so 03/25/2021 in an end column also decides how 03/04/2021 in the start column reads."""
    rows = list(rows)
    columns = [c for c in DATE_COLUMNS if any(c in row for row in rows)]
    order = date_order(row.get(column) for row in rows for column in columns)
    return dict.fromkeys(columns, order)


def _from_number(number: int | float, *, end: bool) -> dt.date:
    """An XLSX number in a date column: a year (2021) or an Excel serial (44256, 44256.5)."""
    if isinstance(number, float) and not math.isfinite(number):
        raise CellError("bad_date")
    if isinstance(number, float) and not number.is_integer():
        if 10_000 <= number < 2_958_466:
            return EXCEL_EPOCH + dt.timedelta(days=math.floor(number))  # a date and a time
        raise CellError("bad_date")
    whole = int(number)
    if 1000 <= whole <= 9999:
        return dt.date(whole, 12, 31) if end else dt.date(whole, 1, 1)
    if 10_000 <= whole <= 2_958_465:  # Excel's last day is 9999-12-31
        return EXCEL_EPOCH + dt.timedelta(days=whole)
    raise CellError("bad_date")


def _clean(raw: str) -> tuple[str, int | None]:
    """Folded text without a leading "tgl", "hari", weekday or a trailing time; the weekday."""
    folded = " ".join(raw.casefold().replace("'", "").replace("’", "").split())
    weekday: int | None = None
    while found := _LEADING.match(folded):
        word = found["word"]
        if word in WEEKDAYS:
            if weekday is not None:
                break
            weekday = WEEKDAYS[word]
        folded = folded[found.end() :]
    return _REMARK.sub(" ", _TIME.sub("", folded)).strip(" ,"), weekday


def _from_text(raw: str, *, end: bool, order: DateOrder) -> dt.date:
    folded, weekday = _clean(raw)
    value: dt.date | None
    if found := _YMD.match(folded):
        value = _day(int(found[1]), int(found[3]), int(found[4]))
    elif found := _DMY.match(folded):
        value = _day_or_month_first(found, order)
    elif found := _MONTH_YEAR.match(folded):
        return _month(int(found[2]), int(found[1]), end=end, weekday=weekday)
    elif found := _YEAR_MONTH.match(folded):
        return _month(int(found[1]), int(found[2]), end=end, weekday=weekday)
    elif _YEAR.match(folded) and weekday is None and int(folded) >= 1:
        year = int(folded)
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    elif _SERIAL.match(folded) and weekday is None:
        return _from_number(float(folded), end=end)
    elif (found := _PERIOD.match(folded)) and weekday is None:
        return _period(found, end=end)
    elif (found := _MONTH_SHORT_YEAR.match(folded)) and found["month"] in MONTHS:
        return _month(_full_year(found["year"]), MONTHS[found["month"]], end=end, weekday=weekday)
    else:
        return _from_words(folded, end=end, weekday=weekday)
    if value is None:
        raise CellError("bad_date")
    return _check_weekday(value, weekday)


def _from_words(folded: str, *, end: bool, weekday: int | None) -> dt.date:
    """ "1 maret 2021", "01-mar-21", "march 1, 2021", "maret 2021"."""
    folded = _ORDINAL.sub(r"\1", folded)
    if not _WORD_SEPARATORS.match(folded):
        raise CellError("bad_date")
    words = _WORDS.findall(folded)
    shapes = "".join("n" if w.isdigit() else "w" for w in words)
    if shapes == "nwn" and words[1] in MONTHS and len(words[0]) <= 2 and len(words[2]) in (2, 4):
        value = _day(_full_year(words[2]), MONTHS[words[1]], int(words[0]))
    elif shapes == "wnn" and words[0] in MONTHS and len(words[1]) <= 2 and len(words[2]) == 4:
        value = _day(int(words[2]), MONTHS[words[0]], int(words[1]))
    elif shapes == "wn" and words[0] in MONTHS and len(words[1]) == 4:
        return _month(int(words[1]), MONTHS[words[0]], end=end, weekday=weekday)
    else:
        raise CellError("bad_date")
    if value is None:
        raise CellError("bad_date")
    return _check_weekday(value, weekday)


def _period(found: re.Match[str], *, end: bool) -> dt.date:
    """The first (or, with ``end``, the last) day of a quarter or a half year."""
    number = _ROMAN.get(found["n"]) or int(found["n"])
    months = 6 if found["kind"] in ("semester", "smt", "sem") else 3
    if number > 12 // months:
        raise CellError("bad_date")
    year = int(found["year"])
    first = (number - 1) * months + 1
    if not end:
        return dt.date(year, first, 1)
    last = first + months - 1
    return dt.date(year, last, calendar.monthrange(year, last)[1])


def _day_or_month_first(found: re.Match[str], order: DateOrder) -> dt.date | None:
    first, second, year = int(found[1]), int(found[3]), _full_year(found[4])
    day_first, month_first = _day(year, second, first), _day(year, first, second)
    if day_first and month_first and first != second:
        if order is DateOrder.DAY_FIRST:
            return day_first
        raise CellError(
            "ambiguous_date",
            suggestion=f"{day_first.isoformat()}; {month_first.isoformat()}",
            readings=N_("%(first)s or %(second)s"),
            first=day_first.isoformat(),
            second=month_first.isoformat(),
            example=day_first.isoformat(),
        )
    return day_first or month_first


def _numeric_readings(cell: Cell) -> tuple[bool, bool] | None:
    """For a numeric day-month-year text: whether it reads day first, and month first."""
    if not isinstance(cell, str) or len(cell) > 60:
        return None
    found = _DMY.match(_clean(cell)[0])
    if found is None:
        return None
    first, second, year = int(found[1]), int(found[3]), _full_year(found[4])
    return _day(year, second, first) is not None, _day(year, first, second) is not None


def _full_year(digits: str) -> int:
    """ "21" -> 2021; "99" -> 1999 (out of range): the POSIX pivot, as spreadsheets use."""
    year = int(digits)
    if len(digits) == 4:
        return year
    return 2000 + year if year <= 68 else 1900 + year


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month(year: int, month: int, *, end: bool, weekday: int | None) -> dt.date:
    if not 1 <= month <= 12 or weekday is not None or not 1 <= year <= 9999:
        raise CellError("bad_date")
    return dt.date(year, month, calendar.monthrange(year, month)[1] if end else 1)


def _check_weekday(value: dt.date, weekday: int | None) -> dt.date:
    """A written weekday must be the date's: if not, one of the two is wrong and a person asks."""
    if weekday is None or value.weekday() == weekday:
        return value
    raise CellError(
        "date_weekday_mismatch", day=N_("%(date)s is a %(weekday)s"), date=value.isoformat()
    )
