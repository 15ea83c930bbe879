"""Beneficiary lists: reading them without repeating a person, encoding them as clkhash does,
and linking the encodings of different agencies' lists."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from titiktemu.beneficiaries import identity, linkage, reading
from titiktemu.beneficiaries.clk import (
    Encoder,
    SchemaError,
    deserialise,
    hkdf_sha256,
    parse_schema,
    product_schema,
    serialise,
)
from titiktemu.beneficiaries.encoding import (
    LinkageKey,
    LinkageKeyError,
    encode_rows,
    write_encoded,
)
from titiktemu.beneficiaries.names import prepare_name
from titiktemu.beneficiaries.reading import ClearRow, EncodedRow, ListRefused, Problem

FIXTURE = Path(__file__).parent / "data" / "beneficiaries" / "clkhash-0.18.3.json"
TODAY = dt.date(2026, 5, 4)
KEY_TEXT = "klaten-2026-kunci-tautan-Dinsos-PMD-Baznas-7f3a9c"
OTHER_KEY_TEXT = "boyolali-2026-kunci-tautan-lain-sama-sekali-0b1e2d"


def schema_file() -> Path:
    return Path(str(resources.files("titiktemu") / "data" / "linkage-schema.json"))


# --- clk: the encoding is clkhash's ------------------------------------------------------------


def test_encoder_reproduces_clkhash_byte_for_byte() -> None:
    """Every CLK clkhash 0.18.3 made of the fixture's records (two secrets) is ours, byte for byte."""
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    current = hashlib.sha256(schema_file().read_bytes()).hexdigest()
    if fixture["schema_sha256"] != current:
        pytest.skip(
            "titiktemu/data/linkage-schema.json changed since the clkhash fixture was made: "
            "the fixture must be regenerated (run tests/data/beneficiaries/"
            "make_clkhash_fixture.py with clkhash 0.18.3, see its docstring)"
        )
    schema = product_schema()
    assert list(schema.fields) == [
        "ref",
        "name",
        "birth_year",
        "birth_day_month_either_order",
        "birth_day_month",
        "sex",
    ]
    assert len(fixture["records"]) >= 40
    for column, secret in enumerate(fixture["secrets_hex"]):
        encoder = Encoder(schema, bytes.fromhex(secret))
        for record in fixture["records"]:
            ours = serialise(encoder.encode(record["values"]))
            assert ours == record["clks"][column], (record["values"][0], column)
            assert deserialise(ours) == deserialise(record["clks"][column])


def _schema_with(change: Callable[[dict[str, Any]], object]) -> str:
    raw = json.loads(schema_file().read_text(encoding="utf-8"))
    change(raw)
    return json.dumps(raw)


def _name_hashing(raw: dict[str, Any]) -> dict[str, Any]:
    feature = next(f for f in raw["features"] if f["identifier"] == "name")
    hashing: dict[str, Any] = feature["hashing"]
    return hashing


def _set_version(raw: dict[str, Any], version: int) -> None:
    raw["version"] = version


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda raw: _set_version(raw, 2), id="version-2"),
        pytest.param(lambda raw: raw.pop("version"), id="no-version"),
        pytest.param(
            lambda raw: _name_hashing(raw).update(hash={"type": "doubleHash"}), id="doubleHash"
        ),
        pytest.param(
            lambda raw: _name_hashing(raw)["comparison"].update(positional=True),
            id="positional-ngrams",
        ),
        pytest.param(lambda raw: raw["clkConfig"].update(xorFolds=1), id="xorFolds"),
        pytest.param(
            lambda raw: _name_hashing(raw).update(
                comparison={"type": "numeric", "thresholdDistance": 2, "resolution": 2}
            ),
            id="numeric",
        ),
        pytest.param(
            lambda raw: _name_hashing(raw).update(
                missingValue={"sentinel": "", "replaceWith": "-"}
            ),
            id="missingValue",
        ),
        pytest.param(lambda raw: raw["clkConfig"].update(l=1000), id="length-not-power-of-two"),
    ],
)
def test_parse_schema_refuses_what_the_encoder_does_not_implement(
    change: Callable[[dict[str, Any]], object],
) -> None:
    """A schema asking for what we would encode differently from clkhash is refused on load."""
    with pytest.raises(SchemaError):
        parse_schema(_schema_with(change))


def test_the_product_schema_is_accepted_as_published() -> None:
    """The unchanged schema parses (the refusals above are the changes, not the schema)."""
    schema = parse_schema(schema_file().read_text(encoding="utf-8"))
    assert schema.length == 1024
    assert schema.key_size == 64
    assert [f.identifier for f in schema.features if f.ignored] == ["ref"]


def test_hkdf_sha256_is_rfc_5869() -> None:
    """RFC 5869 test case 1 (SHA-256)."""
    okm = hkdf_sha256(
        bytes([0x0B] * 22),
        bytes(range(0x00, 0x0D)),
        bytes(range(0xF0, 0xFA)),
        42,
    )
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


# --- identity -------------------------------------------------------------------------------

#: A woman born 5 March 1975 (day 05 + 40), first registered in kecamatan 33.10.01 (Klaten).
NIK_SRI = "3310014503750001"


def test_a_klaten_nik_passes() -> None:
    """Region part in the national list, a real birth date (women +40): no problem."""
    assert identity.nik_problem(NIK_SRI, identity.is_national_kecamatan) is None
    assert identity.nik_birth_date(NIK_SRI) == (5, 3, 75, True)
    assert identity.nik_problem("3310011203820002", identity.is_national_kecamatan) is None
    assert identity.kk_problem("3310012011080003", identity.is_national_kecamatan) is None


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("331001450375001", identity.NOT_16_DIGITS),
        ("33100145037500012", identity.NOT_16_DIGITS),
        ("33100145O3750001", identity.NOT_16_DIGITS),  # a letter O for a zero
        ("NIK3310014503750", identity.NOT_16_DIGITS),
        ("9999994503750001", identity.UNKNOWN_KECAMATAN),
        ("3310013203750001", identity.IMPOSSIBLE_BIRTH_DATE),  # day 32
        ("3310017203750001", identity.IMPOSSIBLE_BIRTH_DATE),  # a woman's day 32
        ("3310010513750001", identity.IMPOSSIBLE_BIRTH_DATE),  # month 13
        ("3310013002800001", identity.IMPOSSIBLE_BIRTH_DATE),  # 30 February 1980 / 2080
        ("3310017002000001", identity.IMPOSSIBLE_BIRTH_DATE),  # 30 February 1900 / 2000
    ],
)
def test_nik_problems(nik: str, code: str) -> None:
    assert identity.nik_problem(nik, identity.is_national_kecamatan) == code


def test_29_february_is_a_date_in_some_century() -> None:
    """29-02-00 is a date (2000 was a leap year); 29-02-01 is not in either century."""
    assert identity.nik_problem("3310016902000001", identity.is_national_kecamatan) is None
    assert identity.nik_problem("3310012902010001", identity.is_national_kecamatan) == (
        identity.IMPOSSIBLE_BIRTH_DATE
    )


def test_kk_problems() -> None:
    assert identity.kk_problem("331001201108000", identity.is_national_kecamatan) == (
        identity.KK_NOT_16_DIGITS
    )
    assert identity.kk_problem("9999992011080003", identity.is_national_kecamatan) == (
        identity.KK_UNKNOWN_KECAMATAN
    )


@pytest.mark.parametrize(
    "written",
    [
        "3310014503750001",
        "3310 0145 0375 0001",
        "33.10.01.450375.0001",
        "331001-450375-0001",
        "'3310014503750001",
        "’3310014503750001",
        " 3310014503750001\t",
    ],
)
def test_digits_strips_what_clerks_add(written: str) -> None:
    assert identity.digits(written) == NIK_SRI


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "prepared"),
    [
        ("Bpk. Sugiyono", "sugiyono"),
        ("Ibu Sri Wahyuni", "sri wahyuni"),
        ("Hj. Siti Aminah", "siti aminah"),
        ("Sri Wahyuni, S.Pd.", "sri wahyuni"),
        ("Drs. H. Bambang Sutrisno, M.Si", "bambang sutrisno"),
        ("Moh. Ridwan", "muhammad ridwan"),
        ("Muh. Ridwan", "muhammad ridwan"),
        ("M. Ridwan", "muhammad ridwan"),
        ("MOCHAMMAD RIDWAN", "muhammad ridwan"),
        ("Soemarni", "sumarni"),
        ("Djoko Soesilo", "joko susilo"),
        ("Tjipto Wijono", "cipto wijono"),
        ("SUPARMI  NINGSIH", "suparmi ningsih"),
        ("Ibu", "ibu"),  # a name that is only a title word is kept
    ],
)
def test_prepare_name(raw: str, prepared: str) -> None:
    assert prepare_name(raw) == prepared


def test_prepared_names_are_what_the_schema_says() -> None:
    """Lower-case letters and single spaces, whatever the clerk typed."""
    for raw in ("Ny. Tukiyem (alm)", "NGATINI\u00a0BINTI KARSO", "Dyah-Ayu  Pitaloka", "Ré'nô"):
        prepared = prepare_name(raw)
        assert prepared == " ".join(prepared.split())
        assert set(prepared) <= set("abcdefghijklmnopqrstuvwxyz ")


# --- reading --------------------------------------------------------------------------------

HEADER = ["No", "NIK", "No. KK", "Nama", "Tgl Lahir", "L/P", "Desa/Kelurahan", "Kecamatan"]
TITLE = [
    ["DAFTAR PENERIMA BANTUAN SOSIAL PKH"],
    ["KABUPATEN KLATEN TAHUN 2026"],
    [],
]
#: ref, NIK as written, KK, name, birth date as written, sex, village, kecamatan
GOOD = [
    ["1", "3310014503750001", "3310012011080003", "Ibu Sri Wahyuni", "05-03-1975", "P"],
    ["2", "3310011203820002", "3310012011080004", "Bpk. Moh. Ridwan", "12-03-1982", "L"],
    ["3", "", "", "Soemarni", "17-07-1948", "Perempuan"],
]
BAD = ["4", "331001300658001", "", "Sugiyono", "30-02-1958", "X"]
PLACE = ["Sidowarno", "Wonosari"]
#: Spreadsheet row of GOOD[0] (3 title rows, the header).
FIRST_DATA_ROW = 5


def _csv(rows: Sequence[Sequence[str]]) -> bytes:
    lines = [";".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _clear_list() -> bytes:
    return _csv([*TITLE, HEADER, *(r + PLACE for r in [*GOOD, BAD])])


def _read(name: str, data: bytes) -> tuple[list[ClearRow], list[Problem]]:
    return reading.clear_rows(reading.read_table(name, data), TODAY)


def test_a_csv_with_a_title_block_is_read() -> None:
    """Semicolons, a title block above Indonesian headers: every good row read as written."""
    rows, _problems = _read("pkh-2026.csv", _clear_list())
    assert [(r.row, r.ref) for r in rows] == [(5, "1"), (6, "2"), (7, "3")]
    sri, ridwan, sumarni = rows
    assert (sri.nik, sri.kk, sri.name, sri.birth_date, sri.sex) == (
        "3310014503750001",
        "3310012011080003",
        "Ibu Sri Wahyuni",
        dt.date(1975, 3, 5),
        "P",
    )
    assert (ridwan.birth_date, ridwan.sex) == (dt.date(1982, 3, 12), "L")
    assert (sumarni.nik, sumarni.kk, sumarni.sex) == ("", "", "P")
    assert (sri.village, sri.kecamatan) == ("Sidowarno", "Wonosari")


def test_a_bad_row_gives_one_problem_per_field_named_by_row_and_ref() -> None:
    rows, problems = _read("pkh-2026.csv", _clear_list())
    assert "4" not in {r.ref for r in rows}
    assert sorted((p.row, p.ref, p.column, p.code) for p in problems) == [
        (8, "4", "birth_date", "birth_date_unreadable"),
        (8, "4", "nik", identity.NOT_16_DIGITS),
        (8, "4", "sex", "sex_unreadable"),
    ]


def _personal_values() -> list[str]:
    """What must never be repeated: every NIK, KK, name and birth date, as written and read."""
    values: list[str] = []
    for ref, nik, kk, name, born, _sex in [*GOOD, BAD]:
        del ref
        values += [v for v in (nik, kk, name, born) if v]
        values += [identity.digits(nik), prepare_name(name)]
        values += name.split()[-1:]
        day, month, year = born.split("-")
        values += [f"{year}-{month}-{day}", f"{day}/{month}/{year}"]
    return [v for v in values if v]


def test_problems_and_reprs_never_repeat_personal_values() -> None:
    """Problem texts (id and en), ``repr`` of rows and of problems name rows and refs only."""
    rows, problems = _read("pkh-2026.csv", _clear_list())
    assert problems
    rendered = [p.text(lang) for p in problems for lang in ("id", "en")]
    rendered += [repr(p) for p in problems] + [repr(problems)]
    rendered += [repr(r) for r in rows] + [repr(rows), str(rows)]
    values = _personal_values()
    for text in rendered:
        for value in values:
            assert value.casefold() not in text.casefold(), (value, text)


def _xlsx(rows: Sequence[Sequence[str | int | dt.date | None]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for number, row in enumerate(rows, 1):
        for column, value in enumerate(row, 1):
            sheet.cell(number, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_reads_the_same_as_the_csv() -> None:
    """NIK as a number cell or as text, birth dates as date cells: the same rows and problems."""
    typed: list[list[str | int | dt.date | None]] = []
    for ref, nik, kk, name, born, sex in [*GOOD, BAD]:
        day, month, year = (int(x) for x in born.split("-"))
        try:
            cell: str | dt.date = dt.datetime(year, month, day)
        except ValueError:
            cell = born  # as the clerk typed it: no such date
        nik_cell: str | int = int(nik) if ref == "1" else nik  # a number cell, then text
        typed.append([int(ref), nik_cell, kk, name, cell, sex, *PLACE])
    xlsx_rows, xlsx_problems = _read("pkh-2026.xlsx", _xlsx([*TITLE, HEADER, *typed]))
    csv_rows, csv_problems = _read("pkh-2026.csv", _clear_list())
    assert xlsx_rows == csv_rows
    assert xlsx_problems == csv_problems
    assert xlsx_rows[0].nik == "3310014503750001"


def test_a_two_digit_birth_year_is_last_century() -> None:
    """12-03-55 is 12 March 1955, not 2055."""
    data = _csv([HEADER, ["1", "", "", "Warsito", "12-03-55", "L", *PLACE]])
    rows, problems = _read("blt.csv", data)
    assert problems == []
    assert [r.birth_date for r in rows] == [dt.date(1955, 3, 12)]


def test_a_file_without_a_name_column_is_refused() -> None:
    data = _csv([["NIK", "Tgl Lahir", "Desa"], ["3310014503750001", "05-03-1975", "Sidowarno"]])
    with pytest.raises(ListRefused) as refused:
        _read("tanpa-nama.csv", data)
    assert refused.value.problem.code == "missing_column"
    assert refused.value.problem.detail == "name"
    assert "3310014503750001" not in str(refused.value)


def test_an_excel_mangled_nik_is_not_16_digits() -> None:
    """3.31001E+15 is what Excel shows of a NIK in a number column: reported, not guessed."""
    data = _csv([HEADER, ["1", "3.31001E+15", "", "Sri Wahyuni", "05-03-1975", "P", *PLACE]])
    rows, problems = _read("excel.csv", data)
    assert rows == []
    assert [(p.row, p.ref, p.code) for p in problems] == [(2, "1", identity.NOT_16_DIGITS)]
    assert "3.31E+15" in problems[0].text("en")  # the message says how to fix it


# --- encoding -------------------------------------------------------------------------------


def _person(
    number: int,
    name: str,
    born: dt.date,
    sex: str,
    nik: str = "",
    kk: str = "",
    *,
    village: str = "Sidowarno",
    kecamatan: str = "Wonosari",
) -> ClearRow:
    return ClearRow(number, f"R{number:03d}", nik, kk, name, born, sex, village, kecamatan)


def test_a_short_key_is_refused() -> None:
    with pytest.raises(LinkageKeyError):
        LinkageKey.from_text("kunci-klaten-terlalu-pendek")
    with pytest.raises(LinkageKeyError):
        LinkageKey.from_text("   " + "k" * 31 + "\n")  # spaces around do not count
    assert LinkageKey.from_text("k" * 32).key_id


def test_two_keys_give_different_ids_and_encodings() -> None:
    rows = [_person(2, "Sri Wahyuni", dt.date(1975, 3, 5), "P", NIK_SRI, "3310012011080003")]
    one, other = LinkageKey.from_text(KEY_TEXT), LinkageKey.from_text(OTHER_KEY_TEXT)
    assert one.key_id != other.key_id
    assert LinkageKey.from_text(KEY_TEXT) == one  # the same text is the same key
    a, b = encode_rows(rows, one)[0], encode_rows(rows, other)[0]
    assert a.nik_hmac != b.nik_hmac
    assert a.kk_hmac != b.kk_hmac
    assert a.clk != b.clk
    assert len({one.nik, one.kk, one.clk}) == 3  # sub-keys never shared


def test_the_key_repr_hides_the_key() -> None:
    key = LinkageKey.from_text(KEY_TEXT)
    shown = repr(key) + str(key) + f"{key!r}"
    assert key.key_id in shown
    for secret in (KEY_TEXT, key.nik.hex(), key.kk.hex(), key.clk.hex(), repr(key.clk)):
        assert secret not in shown
    assert KEY_TEXT[:16] not in shown


def test_encoded_rows_never_carry_clear_values() -> None:
    rows = [_person(2, "Sri Wahyuni", dt.date(1975, 3, 5), "P", NIK_SRI, "3310012011080003")]
    text = write_encoded(encode_rows(rows, LinkageKey.from_text(KEY_TEXT)))
    for value in (NIK_SRI, "3310012011080003", "Sri Wahyuni", "sri wahyuni", "1975-03-05"):
        assert value not in text


ENCODE_ME = [
    _person(2, "Ibu Sri Wahyuni", dt.date(1975, 3, 5), "P", NIK_SRI, "3310012011080003"),
    _person(3, "Bpk. Moh. Ridwan", dt.date(1982, 3, 12), "L", "3310011203820002"),
    _person(4, "Soemarni", dt.date(1948, 7, 17), "P", kecamatan=""),
    _person(5, "Sugiyono", dt.date(1958, 6, 30), "L", kk="3310012011080004", village="Kebon"),
]


def test_write_encoded_reads_back() -> None:
    """What ``beneficiaries encode`` writes is what the server reads, under the regency's key."""
    key = LinkageKey.from_text(KEY_TEXT)
    encoded = encode_rows(ENCODE_ME, key)
    table = reading.read_table("encoded.csv", write_encoded(encoded).encode("utf-8"))
    assert reading.is_encoded(table)
    back, problems = reading.encoded_rows(table, key.key_id)
    assert problems == []

    def what_matters(rows: list[EncodedRow]) -> list[EncodedRow]:
        return [dataclasses.replace(r, row=0) for r in rows]

    assert what_matters(back) == what_matters(encoded)
    assert [r.nik_hmac is None for r in back] == [False, False, True, True]
    assert [r.kk_hmac is None for r in back] == [False, True, True, False]


def test_an_encoded_file_under_another_key_is_refused_row_by_row() -> None:
    encoded = encode_rows(ENCODE_ME, LinkageKey.from_text(OTHER_KEY_TEXT))
    table = reading.read_table("encoded.csv", write_encoded(encoded).encode("utf-8"))
    rows, problems = reading.encoded_rows(table, LinkageKey.from_text(KEY_TEXT).key_id)
    assert rows == []
    assert [(p.ref, p.code) for p in problems] == [(r.ref, "key_other") for r in ENCODE_ME]


def test_a_row_without_sex_encodes() -> None:
    """A list without a sex column (or a blank cell) is read and encoded: the feature adds no
    bits, as clkhash does with an empty string."""
    rows = [_person(2, "Sri Wahyuni", dt.date(1975, 3, 5), "")]
    assert encode_rows(rows, LinkageKey.from_text(KEY_TEXT))


# --- linkage --------------------------------------------------------------------------------

PKH, BLT, BAZNAS = 1, 2, 3


def _linkables(lists: dict[int, list[ClearRow]]) -> list[linkage.Linkable]:
    """Each list encoded under the regency's key, as stored (ids: list * 100 + row)."""
    key = LinkageKey.from_text(KEY_TEXT)
    found: list[linkage.Linkable] = []
    for list_id, rows in lists.items():
        for encoded in encode_rows(rows, key):
            found.append(
                linkage.Linkable(
                    id=list_id * 100 + encoded.row,
                    list_id=list_id,
                    kecamatan=encoded.kecamatan,
                    birth_year=encoded.birth_year,
                    nik_hmac=encoded.nik_hmac,
                    kk_hmac=encoded.kk_hmac,
                    clk=deserialise(encoded.clk),
                )
            )
    return found


#: Dinsos's PKH list, Dinas PMD's BLT Dana Desa, Baznas's own list.
LISTS: dict[int, list[ClearRow]] = {
    PKH: [
        _person(2, "Ibu Sri Wahyuni", dt.date(1975, 3, 5), "P", NIK_SRI, "3310012011080003"),
        _person(3, "Bpk. Moh. Ridwan", dt.date(1982, 12, 3), "L", "3310010312820002"),
        _person(4, "Sugiyono", dt.date(1958, 6, 30), "L", "3310013006580003", "3310011507090001"),
        # the same woman entered twice in one list: not a link
        _person(5, "Sri Wahyuni", dt.date(1975, 3, 5), "P", NIK_SRI, "3310012011080003"),
    ],
    BLT: [
        _person(2, "Sri Wahyuningsih", dt.date(1975, 3, 5), "P", NIK_SRI),
        _person(3, "Muhammad Ridwan", dt.date(1982, 3, 12), "L"),  # no NIK, day and month swapped
        _person(4, "Sutinah", dt.date(1958, 2, 14), "P", "3310015402580004", "3310011507090001"),
        _person(5, "Purwanto", dt.date(1958, 6, 30), "L", "", "3310012204100005"),
    ],
    BAZNAS: [
        _person(2, "Hj. Sri Wahyuni", dt.date(1975, 3, 5), "P", NIK_SRI),
    ],
}


def _links(may_link: Callable[[int, int], bool] = lambda a, b: True) -> set[tuple[int, int, str]]:
    return {(x.a, x.b, x.strength) for x in linkage.link(_linkables(LISTS), may_link)}


def test_links_by_nik_person_and_household() -> None:
    links = _links()
    assert (102, 202, linkage.NIK) in links  # the same NIK
    assert (102, 302, linkage.NIK) in links
    assert (202, 302, linkage.NIK) in links
    assert (103, 203, linkage.PERSON) in links  # Moh. / Muhammad, 03-12 / 12-03, one without NIK
    assert (104, 204, linkage.KK) in links  # husband and wife: the same household only
    strengths = {(a, b): s for a, b, s in links}
    assert strengths[(104, 204)] == linkage.KK


def test_rows_of_one_list_never_link() -> None:
    list_of = {1: PKH, 2: BLT, 3: BAZNAS}
    for a, b, _strength in _links():
        assert list_of[a // 100] != list_of[b // 100], (a, b)
    assert not any({a, b} == {102, 105} for a, b, _s in _links())


def test_may_link_suppresses_a_pair_of_lists() -> None:
    """PKH and Baznas may overlap (an allowed combination): no link between them, the rest stays."""

    def may_link(a: int, b: int) -> bool:
        return {a, b} != {PKH, BAZNAS}

    links = _links(may_link)
    assert not [(a, b) for a, b, _s in links if {a // 100, b // 100} == {PKH, BAZNAS}]
    assert (102, 202, linkage.NIK) in links
    assert (202, 302, linkage.NIK) in links
    assert (103, 203, linkage.PERSON) in links


def test_same_birth_date_and_sex_is_not_the_same_person() -> None:
    """Sugiyono and Purwanto, both men born 30 June 1958 in Wonosari: no link at all."""
    assert not [(a, b) for a, b, _s in _links() if {a, b} == {104, 205}]


def test_every_link_is_listed_once_with_its_strongest_evidence() -> None:
    links = linkage.link(_linkables(LISTS), lambda a, b: True)
    pairs = [(x.a, x.b) for x in links]
    assert len(pairs) == len(set(pairs))
    assert all(x.a < x.b for x in links)
    assert all(x.strength in linkage.STRENGTHS for x in links)
    by_pair = {(x.a, x.b): x for x in links}
    assert by_pair[(102, 202)].similarity == 1.0
    assert linkage.PERSON_THRESHOLD <= by_pair[(103, 203)].similarity < 1.0


def test_a_four_digit_year_in_the_future_is_asked_about_not_moved() -> None:
    """Only a two-digit year ("12-03-55") takes the birth date's century; "12-03-2055" is a typo
    the clerk must fix."""
    data = b"Nama;Tgl Lahir;Desa\nSri;12-03-2055;Sidowarno\nTri;12-03-55;Sidowarno\n"
    rows, problems = reading.clear_rows(reading.read_table("x.csv", data), dt.date(2026, 12, 7))
    assert [(r.ref, r.birth_date) for r in rows] == [("3", dt.date(1955, 3, 12))]
    assert [(p.row, p.code) for p in problems] == [(2, "birth_date_impossible")]


def test_a_csv_in_no_known_encoding_is_still_read() -> None:
    data = b"Nama;Tgl Lahir;Desa\n\x81\x8d;01-01-1970;Sidowarno\n"
    rows, problems = reading.clear_rows(reading.read_table("x.csv", data), dt.date(2026, 12, 7))
    assert len(rows) == 1 and problems == []


def test_a_name_of_titles_only_is_kept() -> None:
    assert prepare_name("Ibu Hj.") == "ibu hj"
    assert prepare_name("Ibu Hj. Sri") == "sri"
