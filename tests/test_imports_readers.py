"""Cell values as a careful Indonesian clerk writes them (issue 10): numbers, dates and places.

Each accepted form reads to what a person reads; each refusal has its own code and a message that
says what is wrong and what to write instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.test_imports_support import PROGRAMS, csv_bytes, errors, imported
from titiktemu.extensions import db
from titiktemu.imports import COLUMNS, Upload
from titiktemu.imports.parsing import (
    Cell,
    CellError,
    DateOrder,
    count,
    date,
    date_order,
    date_orders,
    integer,
    is_formula_text,
    money,
)
from titiktemu.imports.places import Place, PlaceIndex
from titiktemu.imports.problems import Problems
from titiktemu.models import ImportStatus, Intervention

HIGH = 10**15
SIDOWARNO, BENER, JELOBO = "33.10.15.2001", "33.10.15.2002", "33.10.15.2005"
JETIS_KLATEN_SELATAN, JETIS_DELANGGU = "33.10.26.2012", "33.10.16.2002"
GAYAMPRIT, NGALAS = "33.10.26.1009", "33.10.26.2003"
WONOSARI_KEC, JOGONALAN_KEC, KLATEN_SELATAN_KEC = "33.10.15", "33.10.08", "33.10.26"


def said(error: CellError, value: str) -> tuple[str, str]:
    """The English and Indonesian message a problem with ``error`` shows for ``value``."""
    problems, detail = Problems(), dict(error.detail)  # names no argument of add()
    problems.add(error.code, file="f.csv", kind="interventions", value=value, **detail)  # type: ignore[arg-type]
    return problems.listed[0]["text_en"], problems.listed[0]["text_id"]


def refusal(read: Callable[[str], object], value: str) -> CellError:
    with pytest.raises(CellError) as caught:
        read(value)
    return caught.value


# --- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("240000000", 240_000_000),
        ("240.000.000", 240_000_000),
        ("240,000,000", 240_000_000),
        ("240 000 000", 240_000_000),
        ("240\u00a0000\u00a0000", 240_000_000),
        ("Rp 240.000.000", 240_000_000),
        ("Rp. 240.000.000", 240_000_000),
        ("Rp240.000.000", 240_000_000),
        ("RP 240.000.000,-", 240_000_000),
        ("IDR 240,000,000", 240_000_000),
        ("240.000.000 rupiah", 240_000_000),
        ("240.000.000 Rp", 240_000_000),
        ("Rp 240.000.000,00", 240_000_000),
        ("240,000,000.00", 240_000_000),
        ("240000000.00", 240_000_000),
        ("Rp 125 juta", 125_000_000),
        ("125jt", 125_000_000),
        ("125 JT", 125_000_000),
        ("Rp 100 jt.", 100_000_000),
        ("1,5 M", 1_500_000_000),
        ("1.5 M", 1_500_000_000),
        ("1,2 miliar", 1_200_000_000),
        ("1,2 milyar", 1_200_000_000),
        ("Rp 0,45 M", 450_000_000),
        ("1,250 M", 1_250_000_000),  # a comma before a multiplier is a decimal comma
        ("1.250 M", 1_250_000_000_000),  # a dot before three digits groups thousands
        ("500 ribu", 500_000),
        ("500rb", 500_000),
        ("2 T", 2_000_000_000_000),
        ("2 triliun", 2_000_000_000_000),
        ("1,5 juta rupiah", 1_500_000),
        ("1,2345 rb", 1235),  # half a rupiah and more rounds up
        ("1,500", 1500),  # one comma group: thousands in a whole-number column
        ("1.500", 1500),
        (150_000_000, 150_000_000),
        (150_000_000.0, 150_000_000),
        (1234.5, 1235),  # arithmetic in the sheet: the nearest whole rupiah
        (0, 0),
        # "about" and a remark in brackets, as recaps write them
        ("± Rp 100 juta", 100_000_000),
        ("kurang lebih Rp 100 juta", 100_000_000),
        ("+/- 5 juta", 5_000_000),
        ("sekitar 2 M", 2_000_000_000),
        ("Rp 2,5 M (APBD)", 2_500_000_000),
    ],
)
def test_money_as_written(cell: str | int | float, expected: int) -> None:
    assert money(cell, high=HIGH) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("12", 12),
        ("1.200", 1200),
        ("1,200", 1200),
        ("12 KK", 12),
        ("12KK", 12),
        ("12 kk.", 12),
        ("12 rumah", 12),
        ("12 rumah tangga", 12),
        ("20 unit", 20),
        ("15 orang", 15),
        ("30 jiwa", 30),
        ("10 keluarga", 10),
        ("12 RT", 12),
        ("12 households", 12),
        ("40 KPM", 40),
        ("1,2 ribu jiwa", 1200),  # people counted in thousands, said so
        (12, 12),
        (12.0, 12),
        ("12,00", 12),
        ("± 30 KK", 30),
        ("sekitar 40 rumah", 40),
        ("25 KK (75 jiwa)", 25),
        ("25 RTS", 25),  # rumah tangga sasaran, target households
        ("12 RTSM", 12),
    ],
)
def test_counts_as_written(cell: str | int | float, expected: int) -> None:
    assert count(cell, high=10_000_000) == expected


@pytest.mark.parametrize(
    "cell",
    [
        None,
        "",
        "   ",
        "-",
        "–",
        "—",
        "--",
        "?",
        "n/a",
        "N/A",
        "tidak ada data",
        "Tidak Ada Data.",
        "belum ada data",
        "Rp -",
        "Rp. -,-",
        "- KK",
    ],
)
def test_blanks_are_unknown_not_zero(cell: str | None) -> None:
    assert count(cell, high=100) is None
    assert money(cell, high=100) is None


@pytest.mark.parametrize(
    ("read", "value", "code", "words"),
    [
        (lambda v: count(v, high=100), "1,5", "not_whole_number", "counted whole"),
        (lambda v: count(v, high=100), 2.5, "not_whole_number", "counted whole"),
        (lambda v: money(v, high=HIGH), "1,5", "not_whole_number", "1,5 juta"),
        (lambda v: money(v, high=HIGH), "Rp 1.500.000,50", "not_whole_number", "whole rupiah"),
        (lambda v: count(v, high=100), "Rp 5 juta", "wrong_amount_kind", "amount of money"),
        (lambda v: count(v, high=100), "125 juta", "wrong_amount_kind", "amount of money"),
        (lambda v: money(v, high=HIGH), "12 KK", "wrong_amount_kind", "households or people"),
        (lambda v: money(v, high=HIGH), "20 unit", "wrong_amount_kind", "households or people"),
        (lambda v: count(v, high=100), "101", "number_out_of_range", "0 to 100"),
        (lambda v: count(v, high=100), "-1", "number_out_of_range", "0 to 100"),
        (lambda v: money(v, high=10**9), "2 T", "number_out_of_range", "0 to 1000000000"),
        (lambda v: money(v, high=HIGH), "Rp -5.000", "number_out_of_range", "0 to"),
        (lambda v: money(v, high=HIGH), "banyak", "bad_number", "Rp 125 juta"),
        (lambda v: money(v, high=HIGH), "lima juta", "bad_number", "240.000.000"),
        (lambda v: money(v, high=HIGH), "1500.000", "bad_number", "12 KK"),  # a person asks
        (lambda v: money(v, high=HIGH), "1.000.00", "bad_number", "240000000"),
        (lambda v: money(v, high=HIGH), "1e9", "bad_number", "240000000"),
        (lambda v: money(v, high=HIGH), "١٢", "bad_number", "240000000"),
        (lambda v: money(v, high=HIGH), "1,5 m", "bad_number", "240000000"),  # million?
        (lambda v: money(v, high=HIGH), True, "bad_number", "240000000"),
        (lambda v: money(v, high=HIGH), dt.date(2021, 3, 1), "bad_number", "240000000"),
        (lambda v: money(v, high=HIGH), float("nan"), "bad_number", "240000000"),
        (lambda v: money(v, high=HIGH), "Rp 15 juta/KK", "amount_per_unit", "the total"),
        (lambda v: money(v, high=HIGH), "15 jt per unit", "amount_per_unit", "the total"),
        (lambda v: money(v, high=HIGH), "Rp 100-150 juta", "bad_number", "240000000"),  # a range
        (lambda v: count(v, high=100), "=SUM(H5:H9)", "formula_text", "paste the value"),
        (lambda v: money(v, high=HIGH), " =A1*2", "formula_text", "paste the value"),
    ],
)
def test_number_refusals_say_why(
    read: Callable[[object], object], value: object, code: str, words: str
) -> None:
    with pytest.raises(CellError) as caught:
        read(value)
    assert caught.value.code == code
    english, indonesian = said(caught.value, str(value))
    assert words in english
    assert english != indonesian and str(value)[:20] in indonesian


def test_messages_name_the_accepted_forms() -> None:
    english, indonesian = said(refusal(lambda v: money(v, high=HIGH), "x"), "x")
    assert english == (
        "'x' is not a number: write a number such as 240000000, 240.000.000, Rp 125 juta or 12 KK"
    )
    assert "240.000.000" in indonesian and "atau 12 KK" in indonesian
    english, indonesian = said(refusal(date, "besok"), "besok")
    assert english == "'besok' is not a date: write 2021-03-01, 01/03/2021 or 1 Maret 2021"
    assert indonesian == "'besok' bukan tanggal: tulis 2021-03-01, 01/03/2021 atau 1 Maret 2021"
    english, indonesian = said(refusal(date, "=TODAY()"), "=SUM(...)")
    assert english == "'=SUM(...)' is a formula: paste the value, not the formula"
    assert indonesian == "'=SUM(...)' adalah rumus: tempel nilainya, bukan rumusnya"


def test_formula_text_in_every_reader() -> None:
    for read in (
        lambda v: integer(v, 0, 10, 0),
        lambda v: count(v, high=10),
        lambda v: money(v, high=10),
        date,
    ):
        assert refusal(read, "=SUM(A1:A3)").code == "formula_text"
    assert is_formula_text("=SUM(A1)") and is_formula_text("  =A1")
    assert not is_formula_text("'=SUM(A1) is text")  # an export's apostrophe: text
    assert not is_formula_text("=") and not is_formula_text(12) and not is_formula_text(None)


def test_integer_stays_plain() -> None:
    """Capacity keeps its plain reader: digits, with the old suggestion for grouped ones."""
    assert integer("3", 1, 100, 1) == 3
    assert integer("", 1, 100, 1) == 1
    assert refusal(lambda v: integer(v, 0, 10**15, 0), "Rp 1.500.000,-").suggestion == "1500000"


# --- dates ---------------------------------------------------------------------------------------

MARCH_1 = dt.date(2021, 3, 1)


@pytest.mark.parametrize(
    "cell",
    [
        "2021-03-01",
        "2021-3-1",
        "2021/03/01",
        "2021.03.01",
        "01/03/2021",
        "1/3/2021",
        "01-03-2021",
        "01.03.2021",
        "01/03/21",
        "1-3-21",
        "1 Maret 2021",
        "1 maret 2021",
        "1 MARET 2021",
        "1 Mar 2021",
        "1 Mar. 2021",
        "01-Mar-2021",
        "01-Mar-21",
        "1 March 2021",
        "March 1, 2021",
        "1st March 2021",
        "Senin, 1 Maret 2021",
        "senin 1 maret 2021",
        "Monday, 1 March 2021",
        "Sen, 1 Mar 2021",
        "tgl 1 Maret 2021",
        "Tgl. 01/03/2021",
        "tanggal 1 Maret 2021",
        "Hari Senin, tanggal 1 Maret 2021",
        "1 Maret 2021 (tentatif)",
        "2021-03-01 00:00:00",
        "2021-03-01T08:30:00",
        "01/03/2021 10:30",
        "44256",
        "44256.5",
        44256,
        44256.75,
        MARCH_1,
        dt.datetime(2021, 3, 1, 14, 5),
    ],
)
def test_a_day_as_written(cell: str | int | float | dt.date) -> None:
    assert date(cell) == MARCH_1
    assert date(cell, end=True) == MARCH_1  # a whole date has no end to take


@pytest.mark.parametrize(
    ("cell", "month"),
    [
        ("1 Januari 2021", 1),
        ("1 Pebruari 2021", 2),
        ("1 Feb 2021", 2),
        ("1 Mrt 2021", 3),
        ("1 Mei 2021", 5),
        ("1 May 2021", 5),
        ("1 Agu 2021", 8),
        ("1 Agt 2021", 8),
        ("1 Agus 2021", 8),
        ("1 Ags 2021", 8),
        ("1 Aug 2021", 8),
        ("1 Agustus 2021", 8),
        ("1 Sept 2021", 9),
        ("1 Okt 2021", 10),
        ("1 Oct 2021", 10),
        ("1 Nop 2021", 11),
        ("1 Nopember 2021", 11),
        ("1 Des 2021", 12),
        ("1 Dec 2021", 12),
        ("1 Desember 2021", 12),
    ],
)
def test_month_names_and_short_forms(cell: str, month: int) -> None:
    assert date(cell) == dt.date(2021, month, 1)


@pytest.mark.parametrize(
    ("cell", "first", "last"),
    [
        ("Maret 2021", MARCH_1, dt.date(2021, 3, 31)),
        ("Mar 2021", MARCH_1, dt.date(2021, 3, 31)),
        ("MARET 2021", MARCH_1, dt.date(2021, 3, 31)),
        ("March 2021", MARCH_1, dt.date(2021, 3, 31)),
        ("03/2021", MARCH_1, dt.date(2021, 3, 31)),
        ("3-2021", MARCH_1, dt.date(2021, 3, 31)),
        ("2021-03", MARCH_1, dt.date(2021, 3, 31)),
        ("Feb 2024", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("Februari 2100", dt.date(2100, 2, 1), dt.date(2100, 2, 28)),
        ("2021", dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        ("tahun 2021", dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        (2021, dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        # Excel's "mmm-yy" as a CSV export writes it
        ("Mar-21", MARCH_1, dt.date(2021, 3, 31)),
        ("Des-27", dt.date(2027, 12, 1), dt.date(2027, 12, 31)),
        # quarters and half years, as planning documents name periods
        ("Triwulan II 2027", dt.date(2027, 4, 1), dt.date(2027, 6, 30)),
        ("TW 1 2027", dt.date(2027, 1, 1), dt.date(2027, 3, 31)),
        ("TW.IV/2027", dt.date(2027, 10, 1), dt.date(2027, 12, 31)),
        ("kuartal 3 tahun 2027", dt.date(2027, 7, 1), dt.date(2027, 9, 30)),
        ("Q2 2027", dt.date(2027, 4, 1), dt.date(2027, 6, 30)),
        ("Semester 1 2027", dt.date(2027, 1, 1), dt.date(2027, 6, 30)),
        ("semester II 2027", dt.date(2027, 7, 1), dt.date(2027, 12, 31)),
        # a remark in brackets is the writer's note, not part of the date
        ("Maret 2021 (rencana)", MARCH_1, dt.date(2021, 3, 31)),
    ],
)
def test_a_month_or_a_year_is_its_first_or_last_day(
    cell: str | int, first: dt.date, last: dt.date
) -> None:
    assert date(cell) == first
    assert date(cell, end=True) == last


@pytest.mark.parametrize("cell", [None, "", " ", "-", "—", "?", "n/a", "tidak ada data"])
def test_blank_dates_are_none(cell: str | None) -> None:
    assert date(cell) is None


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("2021-02-30", "bad_date"),
        ("31/02/2021", "bad_date"),
        ("13/13/2021", "bad_date"),
        ("1 Maret", "bad_date"),
        ("Maret", "bad_date"),
        ("1 Marett 2021", "bad_date"),
        ("besok", "bad_date"),
        ("13/2021", "bad_date"),
        ("0000", "bad_date"),
        ("Senin, Maret 2021", "bad_date"),
        ("Juli/Agustus 2027", "bad_date"),  # two months: the writer must say which
        ("Semester 3 2027", "bad_date"),
        ("Triwulan V 2027", "bad_date"),
        ("21-Mar", "bad_date"),  # a day without its year
        (True, "bad_date"),
        (dt.time(10, 30), "bad_date"),
        (float("inf"), "bad_date"),
        (12, "bad_date"),
        ("1999-12-31", "date_out_of_range"),
        ("01/03/99", "date_out_of_range"),  # 1999, as spreadsheets read two digits
        ("1 Januari 2101", "date_out_of_range"),
        ("36525", "date_out_of_range"),  # Excel's 31 December 1999
        (73416, "date_out_of_range"),  # Excel's 1 January 2101
        (1999, "date_out_of_range"),
        ("Selasa, 1 Maret 2021", "date_weekday_mismatch"),
        ("=DATE(2021;3;1)", "formula_text"),
    ],
)
def test_date_refusals(cell: object, code: str) -> None:
    assert refusal(date, cell).code == code  # type: ignore[arg-type]


def test_a_wrong_weekday_says_which_day_it_is() -> None:
    error = refusal(date, "Selasa, 1 Maret 2021")
    english, indonesian = said(error, "Selasa, 1 Maret 2021")
    assert "1 March 2021 is a Monday" in english
    assert "1 Maret 2021 adalah hari Senin" in indonesian


def test_excel_serials_span_the_range() -> None:
    assert date(36526) == dt.date(2000, 1, 1)
    assert date(73415) == dt.date(2100, 12, 31)
    assert date(44378) == dt.date(2021, 7, 1)


@pytest.mark.parametrize(
    ("cells", "order"),
    [
        ([], DateOrder.DAY_FIRST),
        (["01/03/2021", "02/04/2021"], DateOrder.DAY_FIRST),  # nothing decides: custom
        (["01/03/2021", "25/03/2021"], DateOrder.DAY_FIRST),
        (["01/03/2021", "03/25/2021"], DateOrder.MONTH_FIRST),
        (["25/03/2021", "03/25/2021"], DateOrder.MIXED),
        (["2021-03-25", "25 Maret 2021", MARCH_1, 44256, None, "x"], DateOrder.DAY_FIRST),
        (["tgl 03/25/2021"], DateOrder.MONTH_FIRST),
    ],
)
def test_date_order_of_a_column(cells: list[object], order: DateOrder) -> None:
    assert date_order(cells) is order  # type: ignore[arg-type]


def test_ambiguous_dates_follow_the_sheet() -> None:
    assert date("01/03/2021") == MARCH_1  # day first by Indonesian custom
    assert date("01/03/2021", order=DateOrder.DAY_FIRST) == MARCH_1
    for order in (DateOrder.MONTH_FIRST, DateOrder.MIXED):
        error = refusal(lambda v, o=order: date(v, order=o), "01/03/2021")  # type: ignore[misc]
        assert error.code == "ambiguous_date"
        assert error.suggestion == "2021-03-01; 2021-01-03"
        english, indonesian = said(error, "01/03/2021")
        assert english.startswith(
            "'01/03/2021' can be read two ways: 1 March 2021 or 3 January 2021 — write"
        )
        assert "2021-03-01" in english
        assert "1 Maret 2021 atau 3 Januari 2021" in indonesian
        # One reading only: read, whatever the sheet.
        assert date("03/25/2021", order=order) == dt.date(2021, 3, 25)
        assert date("25/03/2021", order=order) == dt.date(2021, 3, 25)
        assert date("03/03/2021", order=order) == dt.date(2021, 3, 3)
    assert date("03/25/2021") == dt.date(2021, 3, 25)


def test_a_sheet_decides_one_order_for_its_date_columns() -> None:
    rows: list[dict[str, Cell]] = [
        {"start_date": "03/04/2021", "end_date": "03/25/2021", "title": "01/02/2021"},
        {"start_date": "2021-01-01", "end_date": None},
    ]
    assert date_orders(rows) == {
        "start_date": DateOrder.MONTH_FIRST,
        "end_date": DateOrder.MONTH_FIRST,
    }
    assert date_orders([{"needed_from": "25/03/2021"}]) == {"needed_from": DateOrder.DAY_FIRST}
    assert date_orders([]) == {}


# --- places --------------------------------------------------------------------------------------


@pytest.fixture
def index(ctx: object) -> PlaceIndex:
    return PlaceIndex.load(db.session(), "33.10")


@pytest.mark.parametrize(
    ("reference", "kecamatan", "code"),
    [
        ("33.10.15.2001", "", SIDOWARNO),
        ("Sidowarno", "", SIDOWARNO),
        ("SIDOWARNO", "", SIDOWARNO),
        ("Desa Sidowarno", "", SIDOWARNO),
        ("Ds. Sidowarno", "", SIDOWARNO),
        ("Ds Sidowarno", "", SIDOWARNO),
        ("DS.SIDOWARNO", "", SIDOWARNO),
        ("Kel. Sidowarno", "", SIDOWARNO),  # "Kel." for a desa: no error, clerks use either
        ("Desa/Kel. Sidowarno", "", SIDOWARNO),
        ("Desa Sidowarno Kec. Wonosari", "", SIDOWARNO),
        ("Ds. Sidowarno, Kec. Wonosari", "", SIDOWARNO),
        ("Ds. Sidowarno Kecamatan Wonosari Kabupaten Klaten", "", SIDOWARNO),
        ("Sidowarno, Wonosari", "", SIDOWARNO),
        ("Sidowarno, Wonosari, Kab. Klaten", "", SIDOWARNO),
        ("Sidowarno, 33.10.15", "", SIDOWARNO),
        ("Sidowarno Kec Wonosari", "", SIDOWARNO),
        ("Sidowarno (Wonosari)", "", SIDOWARNO),
        ("Sidowarno (Kec. Wonosari)", "", SIDOWARNO),
        ("Sidowarno - Wonosari", "", SIDOWARNO),
        ("Sidowarno Wonosari", "", SIDOWARNO),
        # an address's neighbourhood, a hamlet before its village, a code without its dots
        ("Desa Sidowarno RT 02 RW 03", "", SIDOWARNO),
        ("Ds. Sidowarno RT.02/RW.03, Kec. Wonosari", "", SIDOWARNO),
        ("Sidowarno RT 2", "Wonosari", SIDOWARNO),
        ("Dk. Jetis, Ds. Sidowarno", "", SIDOWARNO),  # Jetis is also a village, four times
        ("Dusun Krajan, Desa Gayamprit", "", GAYAMPRIT),
        ("3310152001", "", SIDOWARNO),
        ("Kec. Wonosari, Desa Sidowarno", "", SIDOWARNO),
        ("KEL. GAYAMPRIT", "", GAYAMPRIT),
        ("Desa Gayamprit", "", GAYAMPRIT),  # a kelurahan written "Desa": no error
        ("Kelurahan Gayamprit, Kecamatan Klaten Selatan", "", GAYAMPRIT),
        ("Ngalas (Klaten Selatan)", "", NGALAS),
        # Jetis is in four kecamatan: the kecamatan column or words decide.
        ("Jetis", "Klaten Selatan", JETIS_KLATEN_SELATAN),
        ("Ds. Jetis", "Kec. Klaten Selatan", JETIS_KLATEN_SELATAN),
        ("JETIS", "DELANGGU", JETIS_DELANGGU),
        ("Jetis", "33.10.16", JETIS_DELANGGU),
        ("Jetis Delanggu", "", JETIS_DELANGGU),
        ("Jetis Klaten Selatan", "", JETIS_KLATEN_SELATAN),
        ("Ds. Jetis (Klaten Selatan)", "", JETIS_KLATEN_SELATAN),
        ("33.10.26.2012", "Klaten Selatan", JETIS_KLATEN_SELATAN),
        ("Jetis, Klaten Selatan", "Klaten Selatan", JETIS_KLATEN_SELATAN),
        # A village named like a kecamatan.
        ("Karanganom", "Karanganom", "33.10.18.2011"),
        ("Ds. Wonosari", "Trucuk", "33.10.06.2013"),
        ("Wonosari", "", "33.10.06.2013"),  # the village: no village of that name elsewhere
        ("Ds. Kebondalem Kidul", "Prambanan", "33.10.01.2005"),
        ("Kebondalem Kidul Prambanan", "", "33.10.01.2005"),
        # Klaten's kelurahan named Kabupaten is a name, not a regency to drop.
        ("Kel. Kabupaten", "", "33.10.25.1002"),
        ("Kabupaten, Klaten Tengah", "", "33.10.25.1002"),
        ("Kabupaten Klaten Tengah", "", "33.10.25.1002"),
        ("Kel. Kabupaten Kec. Klaten Tengah Kab. Klaten", "", "33.10.25.1002"),
        ("Kabupaten", "Klaten Tengah, Kab. Klaten", "33.10.25.1002"),
    ],
)
def test_villages_as_written(index: PlaceIndex, reference: str, kecamatan: str, code: str) -> None:
    place = index.resolve(reference, whole_kecamatan=False, kecamatan=kecamatan)
    assert place == Place(code[:8], code)


@pytest.mark.parametrize(
    "reference", ["Kec. Wonosari", "Kecamatan Wonosari", "KEC WONOSARI", "kec.wonosari", "33.10.15"]
)
def test_a_whole_kecamatan(index: PlaceIndex, reference: str) -> None:
    assert index.resolve(reference, whole_kecamatan=True) == Place(WONOSARI_KEC)
    assert index.resolve(reference, whole_kecamatan=True, kecamatan="Wonosari") == Place(
        WONOSARI_KEC
    )
    error = refusal(lambda r: index.resolve(r, whole_kecamatan=False), reference)
    assert error.code == "kecamatan_not_allowed"


def test_a_kecamatan_name_alone_where_no_village_has_it(index: PlaceIndex) -> None:
    """ "Pedan" names no village in Klaten: in an area column it is the kecamatan."""
    assert index.resolve("Pedan", whole_kecamatan=True) == Place("33.10.12")
    assert refusal(lambda r: index.resolve(r, whole_kecamatan=False), "Pedan").code == (
        "kecamatan_not_allowed"
    )


def test_a_village_in_another_kecamatan_says_where_it_is(index: PlaceIndex) -> None:
    for reference, kecamatan in [
        ("Sidowarno", "Jogonalan"),
        ("Ds. Sidowarno Kec. Jogonalan", ""),
        ("Sidowarno, Jogonalan", ""),
        ("Sidowarno Jogonalan", ""),
        ("33.10.15.2001", "Kec. Jogonalan"),
        ("Ds. Sidowarno Kec. Wonosari", "Jogonalan"),
    ]:
        with pytest.raises(CellError) as caught:
            index.resolve(reference, whole_kecamatan=False, kecamatan=kecamatan)
        error = caught.value
        assert error.code == "village_not_in_kecamatan", reference
        english, indonesian = said(error, reference)
        assert english == "Sidowarno is in Kecamatan Wonosari, not Kecamatan Jogonalan"
        assert indonesian == "Sidowarno ada di Kecamatan Wonosari, bukan Kecamatan Jogonalan"
        assert error.suggestion == "Sidowarno, Wonosari"
    error = refusal(
        lambda r: index.resolve(r, whole_kecamatan=False, kecamatan="Wonosari"), "Jetis"
    )
    assert error.code == "village_not_in_kecamatan"
    assert said(error, "Jetis")[0] == (
        "Jetis is in Kecamatan Delanggu / Juwiring / Karangnongko / Klaten Selatan, "
        "not Kecamatan Wonosari"
    )


def test_a_kecamatan_that_disagrees_with_the_column(index: PlaceIndex) -> None:
    error = refusal(
        lambda r: index.resolve(r, whole_kecamatan=True, kecamatan="Wonosari"), "Kec. Jogonalan"
    )
    assert error.code == "kecamatan_disagrees"
    english, indonesian = said(error, "Kec. Jogonalan")
    assert english == (
        "'Kec. Jogonalan' is Kecamatan Jogonalan, but the kecamatan column says Wonosari"
    )
    assert "Jogonalan" in indonesian and "Wonosari" in indonesian


def test_a_carried_kecamatan_is_a_hint(index: PlaceIndex) -> None:
    """A kecamatan carried down from a merged cell places names that need it, and yields."""
    resolve = index.resolve
    assert resolve(
        "Jetis", whole_kecamatan=False, kecamatan="Delanggu", kecamatan_carried=True
    ) == Place("33.10.16", JETIS_DELANGGU)
    assert resolve(
        "Kec. Jogonalan", whole_kecamatan=True, kecamatan="Wonosari", kecamatan_carried=True
    ) == Place(JOGONALAN_KEC)
    assert resolve(
        "Ngalas", whole_kecamatan=False, kecamatan="Wonosari", kecamatan_carried=True
    ) == Place(KLATEN_SELATAN_KEC, NGALAS)


def test_ambiguous_and_unknown_names(index: PlaceIndex) -> None:
    error = refusal(lambda r: index.resolve(r, whole_kecamatan=False), "Ds. Jetis")
    assert error.code == "ambiguous_village"
    assert error.suggestion == (
        "Jetis, Delanggu; Jetis, Juwiring; Jetis, Karangnongko; Jetis, Klaten Selatan"
    )
    error = refusal(lambda r: index.resolve(r, whole_kecamatan=False), "Sidowarnoo")
    assert (error.code, error.suggestion) == ("unknown_village_name", "Sidowarno")
    error = refusal(lambda r: index.resolve(r, whole_kecamatan=False), "Jetiss")
    assert error.code == "unknown_village_name"
    assert error.suggestion.startswith("Jetis, Delanggu; ")  # the options, with kecamatan
    error = refusal(
        lambda r: index.resolve(r, whole_kecamatan=False, kecamatan="Wonosari"), "Sidowarnoo"
    )
    assert (error.code, error.suggestion) == ("unknown_village", "Sidowarno")
    # Nothing like it in that kecamatan: the nearest village elsewhere, with its kecamatan.
    error = refusal(
        lambda r: index.resolve(r, whole_kecamatan=False, kecamatan="Wonosari"), "Gergunungg"
    )
    assert (error.code, error.suggestion) == ("unknown_village", "Gergunung, Klaten Utara")
    error = refusal(lambda r: index.resolve(r, whole_kecamatan=False), "Kec. Wonosarii")
    assert (error.code, error.suggestion) == ("unknown_kecamatan", "Wonosari")


def test_a_suggestion_for_a_village_is_never_a_kecamatan(index: PlaceIndex) -> None:
    villages = {name for name, _ in index.villages.values()}
    only_kecamatan = set(index.kecamatan.values()) - villages
    suggested: dict[str, str] = {}
    for name in sorted(only_kecamatan):
        for typo in (name + "x", name[:-1], name.upper() + "O"):
            try:
                index.resolve(typo, whole_kecamatan=False)
            except CellError as error:
                suggested[typo] = error.suggestion
    assert len(suggested) > len(only_kecamatan)  # most typos are refused, with a suggestion
    for typo, suggestion in suggested.items():
        offered = {s.split(",")[0].strip() for s in suggestion.split(";")}
        assert not offered & only_kecamatan, (typo, suggestion)


# --- wired into the import -----------------------------------------------------------------------


@pytest.fixture
def session(ctx: object) -> Session:
    return db.session()


HEADER = [*COLUMNS["interventions"], "kecamatan"]


def _upload(rows: list[list[str]]) -> list[Upload]:
    return [
        Upload("programs.csv", csv_bytes("programs", PROGRAMS)),
        Upload("interventions.csv", csv_bytes("interventions", rows, header=HEADER)),
    ]


def test_a_recap_row_imports_as_a_person_reads_it(session: Session) -> None:
    rows = [
        ["RTLH", "Ds. Jetis", "house_renovation", "Maret 2021", "Mei 2021", "12 KK",
         "Rp 125 juta", "", "", "Kec. Klaten Selatan"],
        ["RTLH", "Sidowarno", "house_renovation", "Senin, 1 Maret 2021", "31/05/2021", "-",
         "tidak ada data", "", "", "Wonosari"],
    ]  # fmt: skip
    imported(session, _upload(rows), expect=ImportStatus.APPLIED)
    stored = {
        i.village_code: (i.start_date, i.end_date, i.households, i.budget_idr)
        for i in session.scalars(sa.select(Intervention))
    }
    assert stored == {
        JETIS_KLATEN_SELATAN: (MARCH_1, dt.date(2021, 5, 31), 12, 125_000_000),
        SIDOWARNO: (MARCH_1, dt.date(2021, 5, 31), None, None),
    }


def test_recap_problems_sit_in_their_columns(session: Session) -> None:
    rows = [
        # month-first dates elsewhere in the sheet make 03/04/2021 ambiguous
        ["RTLH", "Jetis", "house_renovation", "03/25/2021", "03/04/2021", "Rp 5 juta",
         "12 KK", "", "", "Klaten Selatann"],
        ["RTLH", "Sidowarno", "house_renovation", "-", "2021-05-31", "=SUM(F2:F3)", "", "", "",
         "Jogonalan"],
    ]  # fmt: skip
    run = imported(session, _upload(rows), expect=ImportStatus.REJECTED)
    found = {(p["row"], p["column"], p["code"]) for p in errors(run)}
    # The file reader also names the formula cell, by its column letter.
    assert {f for f in found if f[2] != "formula_cell"} == {
        (2, "kecamatan", "unknown_kecamatan"),
        (2, "end_date", "ambiguous_date"),
        (2, "households", "wrong_amount_kind"),
        (2, "budget_idr", "wrong_amount_kind"),
        (3, "village", "village_not_in_kecamatan"),
        (3, "start_date", "required"),  # "-" is no date, and one is needed
        (3, "households", "formula_text"),
    }
    ambiguous = next(p for p in errors(run) if p["code"] == "ambiguous_date")
    assert "3 April 2021 or 4 March 2021" in ambiguous["text_en"]
    assert ambiguous["suggestion"] == "2021-04-03; 2021-03-04"
