"""Issue 10's promise as properties: a value written in any accepted style reads back to itself.

The strings are generated from the value (a number, a date, a village), in every style clerks
use; where a style is ambiguous the expectation says so (computed, not assumed).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from titiktemu.extensions import db
from titiktemu.imports.parsing import (
    MONTHS_EN,
    MONTHS_ID,
    WEEKDAYS_EN,
    WEEKDAYS_ID,
    CellError,
    DateOrder,
    count,
    date,
    date_order,
    money,
)
from titiktemu.imports.places import Place, PlaceIndex, name_key

PROPERTY = settings(max_examples=300, deadline=None)
AMOUNTS = st.integers(min_value=0, max_value=10**13)
HIGH = 10**15

# --- numbers -------------------------------------------------------------------------------------


def _grouped(n: int, mark: str) -> str:
    return f"{n:,}".replace(",", mark)


#: How the digits are grouped, and which cents endings go with that grouping.
GROUPINGS: dict[str, tuple[Callable[[int], str], tuple[str, ...]]] = {
    "plain": (str, ("", ",-", ",00", ".00")),
    "dots": (lambda n: _grouped(n, "."), ("", ",-", ",00", ",-")),
    "commas": (lambda n: _grouped(n, ","), ("", ".00", ",-")),
    "spaces": (lambda n: _grouped(n, " "), ("", ",-", ",00")),
    "nbsp": (lambda n: _grouped(n, "\u00a0"), ("", ",00")),
}
CURRENCY_BEFORE = ("", "Rp ", "Rp", "Rp. ", "Rp.", "RP ", "rp ", "IDR ", "Rupiah ")
CURRENCY_AFTER = ("", " rupiah", " Rupiah", " IDR", " Rp")
UNITS = (
    "",
    " KK",
    "KK",
    " kk",
    " rumah",
    " rumah tangga",
    " unit",
    " Unit",
    " orang",
    " jiwa",
    " keluarga",
    " RT",
    " households",
    " KPM",
)


@st.composite
def money_text(draw: st.DrawFn, n: int) -> str:
    group, tails = GROUPINGS[draw(st.sampled_from(sorted(GROUPINGS)))]
    before = draw(st.sampled_from(CURRENCY_BEFORE))
    after = draw(st.sampled_from(CURRENCY_AFTER)) if not before else ""
    return f"{before}{group(n)}{draw(st.sampled_from(tails))}{after}"


@PROPERTY
@given(data=st.data(), n=AMOUNTS)
def test_rupiah_in_every_style_read_back(data: st.DataObject, n: int) -> None:
    written = data.draw(money_text(n))
    assert money(written, high=HIGH) == n, written
    assert money(n, high=HIGH) == n
    assert money(float(n), high=HIGH) == n


@PROPERTY
@given(data=st.data(), n=AMOUNTS)
def test_counts_in_every_style_read_back(data: st.DataObject, n: int) -> None:
    group, _ = GROUPINGS[data.draw(st.sampled_from(sorted(GROUPINGS)))]
    written = f"{group(n)}{data.draw(st.sampled_from(UNITS))}"
    assert count(written, high=HIGH) == n, written
    assert count(n, high=HIGH) == n
    assert count(float(n), high=HIGH) == n


#: Multipliers as written, with the power of ten they mean.
SCALES = (
    ("ribu", 3),
    ("rb", 3),
    ("juta", 6),
    ("jt", 6),
    ("Juta", 6),
    ("M", 9),
    ("miliar", 9),
    ("milyar", 9),
    ("Miliar", 9),
    ("T", 12),
    ("triliun", 12),
)


@PROPERTY
@given(
    n=AMOUNTS,
    scale=st.sampled_from(SCALES),
    space=st.sampled_from(["", " "]),
    before=st.sampled_from(["", "Rp ", "Rp. "]),
    whole_style=st.sampled_from(["plain", "dots"]),
    decimal=st.sampled_from([",", "."]),
)
def test_rupiah_with_multipliers_read_back(
    n: int,
    scale: tuple[str, int],
    space: str,
    before: str,
    whole_style: str,
    decimal: str,
) -> None:
    """ "Rp 1,5 M", "125 juta", "1.250,5 juta", "0,45 M": exact by construction."""
    word, power = scale
    whole, part = divmod(n, 10**power)
    fraction = f"{part:0{power}d}".rstrip("0")
    if decimal == "." and (len(fraction) == 3 or whole_style == "dots"):
        decimal = ","  # "1.250 M" groups thousands, as Indonesians read it
    digits = _grouped(whole, ".") if whole_style == "dots" else str(whole)
    written = f"{before}{digits}{decimal + fraction if fraction else ''}{space}{word}"
    assert money(written, high=HIGH) == n, written


@PROPERTY
@given(n=st.integers(min_value=1, max_value=10**6), unit=st.sampled_from(UNITS[1:]))
def test_the_wrong_kind_of_amount_is_refused(n: int, unit: str) -> None:
    with pytest.raises(CellError) as caught:
        money(f"{n}{unit}", high=HIGH)
    assert caught.value.code == "wrong_amount_kind"
    with pytest.raises(CellError) as caught:
        count(f"Rp {_grouped(n, '.')}", high=HIGH)
    assert caught.value.code == "wrong_amount_kind"


@PROPERTY
@given(n=st.integers(min_value=0, max_value=10**6), tenth=st.integers(min_value=1, max_value=9))
def test_a_fraction_without_multiplier_is_refused(n: int, tenth: int) -> None:
    for read in (lambda v: count(v, high=HIGH), lambda v: money(v, high=HIGH)):
        with pytest.raises(CellError) as caught:
            read(f"{n},{tenth}")
        assert caught.value.code == "not_whole_number"


# --- dates ---------------------------------------------------------------------------------------

DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))
SHORT_ID: dict[int, tuple[str, ...]] = {
    1: ("Jan",),
    2: ("Feb", "Peb"),
    3: ("Mar", "Mrt"),
    4: ("Apr",),
    5: ("Mei",),
    6: ("Jun",),
    7: ("Jul",),
    8: ("Agu", "Agt", "Agus", "Ags"),
    9: ("Sep", "Sept"),
    10: ("Okt",),
    11: ("Nov", "Nop"),
    12: ("Des",),
}
SHORT_EN: dict[int, tuple[str, ...]] = {
    m: (calendar.month_abbr[m], "Sept") if m == 9 else (calendar.month_abbr[m],)
    for m in range(1, 13)
}
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _serial(d: dt.date) -> int:
    return (d - EXCEL_EPOCH).days


def _day_styles(d: dt.date, short_id: str, short_en: str) -> list[object]:
    """Every way this module promises to read ``d`` (as text, a number or a date cell)."""
    day, month, year = d.day, d.month, d.year
    long_id, long_en = MONTHS_ID[month - 1], MONTHS_EN[month - 1]
    weekday_id, weekday_en = WEEKDAYS_ID[d.weekday()], WEEKDAYS_EN[d.weekday()]
    styles: list[object] = [
        d.isoformat(),
        f"{year}/{month:02d}/{day:02d}",
        f"{year}-{month}-{day}",
        f"{day:02d}/{month:02d}/{year}",
        f"{day}/{month}/{year}",
        f"{day:02d}-{month:02d}-{year}",
        f"{day:02d}.{month:02d}.{year}",
        f"{day} {long_id} {year}",
        f"{day} {long_id.upper()} {year}",
        f"{day} {long_id.lower()} {year}",
        f"{day} {short_id} {year}",
        f"{day:02d}-{short_id}-{year}",
        f"{day} {long_en} {year}",
        f"{day} {short_en} {year}",
        f"{day:02d}-{short_en}-{year}",
        f"{long_en} {day}, {year}",
        f"{weekday_id}, {day} {long_id} {year}",
        f"{weekday_id.upper()}, {day} {short_id} {year}",
        f"{weekday_en}, {day} {long_en} {year}",
        f"tgl. {day} {long_id} {year}",
        f"Tanggal {day:02d}/{month:02d}/{year}",
        f"{d.isoformat()} 00:00:00",
        _serial(d),
        float(_serial(d)) + 0.25,
        str(_serial(d)),
        d,
        dt.datetime(year, month, day, 13, 45),
    ]
    if year <= 2068:  # two digits: 69-99 are the 1900s, as spreadsheets read them
        styles += [f"{day:02d}/{month:02d}/{year % 100:02d}", f"{day}-{short_id}-{year % 100:02d}"]
    return styles


@PROPERTY
@given(d=DAYS, data=st.data())
def test_a_day_in_every_style_reads_back(d: dt.date, data: st.DataObject) -> None:
    short_id = data.draw(st.sampled_from(SHORT_ID[d.month]))
    short_en = data.draw(st.sampled_from(SHORT_EN[d.month]))
    for written in _day_styles(d, short_id, short_en):
        assert date(written) == d, written  # type: ignore[arg-type]
        assert date(written, end=True) == d, written  # type: ignore[arg-type]


@PROPERTY
@given(d=DAYS, order=st.sampled_from(list(DateOrder)))
def test_numeric_dates_follow_the_order_or_ask(d: dt.date, order: DateOrder) -> None:
    """Day first always reads under DAY_FIRST; month first reads when only one reading exists,
    else it is refused as ambiguous (never silently misread)."""
    day_first = f"{d.day:02d}/{d.month:02d}/{d.year}"
    month_first = f"{d.month:02d}/{d.day:02d}/{d.year}"
    one_reading = d.day > 12 or d.day == d.month
    for written, natural in ((day_first, DateOrder.DAY_FIRST), (month_first, None)):
        if one_reading or order is natural:
            assert date(written, order=order) == d, (written, order)
        elif order is DateOrder.DAY_FIRST:
            assert date(written, order=order) == dt.date(d.year, d.day, d.month)
        else:
            with pytest.raises(CellError) as caught:
                date(written, order=order)
            assert caught.value.code == "ambiguous_date"


@PROPERTY
@given(days=st.lists(DAYS, min_size=1, max_size=20))
def test_a_column_written_month_first_is_recognised(days: list[dt.date]) -> None:
    month_first = [f"{d.month:02d}/{d.day:02d}/{d.year}" for d in days]
    day_first = [f"{d.day:02d}/{d.month:02d}/{d.year}" for d in days]
    telling = any(d.day > 12 for d in days)
    assert date_order(day_first) is DateOrder.DAY_FIRST
    assert date_order(month_first) is (DateOrder.MONTH_FIRST if telling else DateOrder.DAY_FIRST)
    if telling:
        assert date_order([*month_first, *day_first]) is DateOrder.MIXED
        order = date_order(month_first)
        for written, d in zip(month_first, days, strict=True):
            if d.day > 12 or d.day == d.month:
                assert date(written, order=order) == d


@PROPERTY
@given(d=DAYS, data=st.data())
def test_a_month_reads_to_its_first_or_last_day(d: dt.date, data: st.DataObject) -> None:
    first = d.replace(day=1)
    last = d.replace(day=calendar.monthrange(d.year, d.month)[1])
    written = data.draw(
        st.sampled_from(
            [
                f"{MONTHS_ID[d.month - 1]} {d.year}",
                f"{MONTHS_ID[d.month - 1].upper()} {d.year}",
                f"{MONTHS_EN[d.month - 1]} {d.year}",
                f"{data.draw(st.sampled_from(SHORT_ID[d.month]))} {d.year}",
                f"{data.draw(st.sampled_from(SHORT_EN[d.month]))} {d.year}",
                f"{d.month:02d}/{d.year}",
                f"{d.month}/{d.year}",
                f"{d.year}-{d.month:02d}",
            ]
        )
    )
    assert date(written) == first, written
    assert date(written, end=True) == last, written
    assert date(str(d.year)) == dt.date(d.year, 1, 1)
    assert date(d.year, end=True) == dt.date(d.year, 12, 31)


@PROPERTY
@given(d=st.dates(max_value=dt.date(1999, 12, 31)) | st.dates(min_value=dt.date(2101, 1, 1)))
def test_days_outside_the_range_are_said_to_be(d: dt.date) -> None:
    for written in (d.isoformat(), d, f"{d.day} {MONTHS_ID[d.month - 1]} {d.year:04d}"):
        with pytest.raises(CellError) as caught:
            date(written)
        assert caught.value.code in ("date_out_of_range", "bad_date")
        if d.year >= 1000:
            assert caught.value.code == "date_out_of_range"


# --- places --------------------------------------------------------------------------------------


@pytest.fixture
def index(ctx: object) -> PlaceIndex:
    return PlaceIndex.load(db.session(), "33.10")


def _forms(name: str, kecamatan: str, code: str) -> list[tuple[str, str, bool]]:
    """(reference, kecamatan column, whether the kecamatan is needed to place ``name``)."""
    kec_code = code[:8]
    return [
        (code, "", False),
        (code, kecamatan, False),
        (name, "", True),
        (f"Desa {name}", "", True),
        (f"Ds. {name}", "", True),
        (f"KEL. {name.upper()}", "", True),
        (f"Kelurahan {name}", "", True),
        (f"Ds. {name} Kec. {kecamatan}", "", False),
        (f"Desa {name}, Kecamatan {kecamatan}", "", False),
        (f"DS. {name.upper()} KEC. {kecamatan.upper()}", "", False),
        (f"Ds {name} Kec {kecamatan} Kab. Klaten", "", False),
        (f"{name}, {kecamatan}", "", False),
        (f"{name}, {kec_code}", "", False),
        (f"{name} ({kecamatan})", "", False),
        (f"{name} (Kec. {kecamatan})", "", False),
        (f"{name} - {kecamatan}", "", False),
        (f"{name} Kec {kecamatan}", "", False),
        (name, kecamatan, False),
        (name.upper(), kecamatan.upper(), False),
        (f"Ds. {name}", f"Kec. {kecamatan}", False),
        (f"Kel. {name}", kec_code, False),
        (f"Desa {name} Kec. {kecamatan}", kecamatan, False),
    ]


def test_every_village_in_every_style_resolves_to_itself(index: PlaceIndex) -> None:
    checked = 0
    for code, (name, kec_code) in sorted(index.villages.items()):
        kecamatan = index.kecamatan[kec_code]
        unique = len(index.by_name[name_key(name)]) == 1
        for reference, column, needs_kecamatan in _forms(name, kecamatan, code):
            for whole in (False, True):
                if needs_kecamatan and not unique:
                    with pytest.raises(CellError) as caught:
                        index.resolve(reference, whole_kecamatan=whole, kecamatan=column)
                    assert caught.value.code == "ambiguous_village", reference
                    assert index.label(code) in caught.value.suggestion.split("; ")
                    continue
                place = index.resolve(reference, whole_kecamatan=whole, kecamatan=column)
                assert place == Place(kec_code, code), (reference, column)
                checked += 1
    assert checked > 401 * 30


def test_every_village_then_its_kecamatan_in_bare_words(index: PlaceIndex) -> None:
    """ "Jetis Delanggu": the last words name the kecamatan, unless the words together are a
    village's name or a longer ending names another kecamatan (then it is not this form)."""
    kecamatan_keys = set(index.kecamatan_by_name)
    for code, (name, kec_code) in sorted(index.villages.items()):
        kecamatan = index.kecamatan[kec_code]
        words = f"{name} {kecamatan}".split()
        longer_endings = [
            " ".join(words[-size:]) for size in range(len(kecamatan.split()) + 1, len(words))
        ]
        if name_key(" ".join(words)) in index.by_name or any(
            name_key(e) in kecamatan_keys for e in longer_endings
        ):
            continue
        for written in (f"{name} {kecamatan}", f"DS. {name.upper()} {kecamatan.upper()}"):
            assert index.resolve(written, whole_kecamatan=False) == Place(kec_code, code)


def test_a_village_written_with_another_kecamatan_is_placed_for_the_reader(
    index: PlaceIndex,
) -> None:
    others = sorted(index.kecamatan)
    for code, (name, kec_code) in sorted(index.villages.items()):
        other = next(
            k for k in others if k != kec_code and name_key(name) not in (index.in_kecamatan[k])
        )
        for reference, column in ((f"Ds. {name} Kec. {index.kecamatan[other]}", ""),
                                  (name, index.kecamatan[other]),
                                  (code, other)):  # fmt: skip
            with pytest.raises(CellError) as caught:
                index.resolve(reference, whole_kecamatan=False, kecamatan=column)
            assert caught.value.code == "village_not_in_kecamatan", reference
            assert caught.value.detail["given"] == index.kecamatan[other]
            assert index.label(code) in caught.value.suggestion.split("; ")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_whole_kecamatan_in_every_style(index: PlaceIndex, data: st.DataObject) -> None:
    code = data.draw(st.sampled_from(sorted(index.kecamatan)))
    name = index.kecamatan[code]
    prefix = data.draw(st.sampled_from(["Kec. ", "Kec.", "Kec ", "Kecamatan ", "KEC. ", "kec "]))
    tail = data.draw(st.sampled_from(["", " Kab. Klaten", ", Kabupaten Klaten"]))
    casing: Callable[[str], str] = data.draw(st.sampled_from([str.title, str.upper, str.lower]))
    written = casing(f"{prefix}{name}{tail}")
    assert index.resolve(written, whole_kecamatan=True) == Place(code), written
    assert index.resolve(code, whole_kecamatan=True, kecamatan=casing(name)) == Place(code)
    with pytest.raises(CellError) as caught:
        index.resolve(written, whole_kecamatan=False)
    assert caught.value.code == "kecamatan_not_allowed"
