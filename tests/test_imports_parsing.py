"""Cell parsers: what they accept, and that anything else is a CellError, never another exception."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from titiktemu.imports.parsing import CellError, date, integer, items, text
from titiktemu.imports.places import PlaceIndex, name_key

ANY_CELL = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-02-01", dt.date(2026, 2, 1)),
        ("01/02/2026", dt.date(2026, 2, 1)),
        ("1/2/2026", dt.date(2026, 2, 1)),
        ("2026/02/01", dt.date(2026, 2, 1)),  # year first with slashes: read since issue 10
        (dt.datetime(2026, 2, 1, 0, 0), dt.date(2026, 2, 1)),
        ("", None),
        (None, None),
    ],
)
def test_dates(cell: object, expected: dt.date | None) -> None:
    assert date(cell) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "code"),
    [("2026-02-30", "bad_date"), ("1999-12-31", "date_out_of_range"), ("2026/02/30", "bad_date")],
)
def test_bad_dates(cell: str, code: str) -> None:
    with pytest.raises(CellError) as caught:
        date(cell)
    assert caught.value.code == code


def test_numbers_and_suggestions() -> None:
    assert integer("1500000", 0, 10**15, 0) == 1_500_000
    assert integer(12.0, 0, 100, 0) == 12
    assert integer(" ", 1, 100, 1) == 1
    with pytest.raises(CellError) as caught:
        integer("Rp 1.500.000,-", 0, 10**15, 0)
    assert caught.value.suggestion == "1500000"
    for bad in ("1.5", "1e9", "١٢", "-1", True):
        with pytest.raises(CellError):
            integer(bad, 0, 10**15, 0)


def test_text_and_lists() -> None:
    assert text("  '=SUM(A1) ") == "=SUM(A1)"
    assert text("+62812") == "+62812"
    assert items(" a ; ;b;a; '@c ") == ["a", "b", "@c"]
    assert name_key("Karang  Anom") == name_key("karanganom")


@settings(max_examples=50, deadline=None)
@given(cell=ANY_CELL)
def test_parsers_raise_only_cell_errors(cell: object) -> None:
    parsers: list[Callable[[Any], object]] = [
        date,
        lambda c: integer(c, 0, 10**15, 0),
        items,
        text,
    ]
    for parse in parsers:
        with contextlib.suppress(CellError):
            parse(cell)


@settings(max_examples=50, deadline=None)
@given(reference=st.text(max_size=30), whole=st.booleans())
def test_place_references_raise_only_cell_errors(reference: str, whole: bool) -> None:
    index = PlaceIndex()
    index.kecamatan["33.10.24"] = "Klaten Utara"
    index.kecamatan_by_name["klatenutara"].append("33.10.24")
    index.villages["33.10.24.2003"] = ("Karanganom", "33.10.24")
    index.by_name["karanganom"].append("33.10.24.2003")
    index.in_kecamatan["33.10.24"]["karanganom"].append("33.10.24.2003")
    try:
        place = index.resolve(reference, whole_kecamatan=whole)
    except CellError:
        return
    assert place.kecamatan_code == "33.10.24"
