"""Regions: the loaded administrative tree, for anyone signed in."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from titiktemu.extensions import db
from titiktemu.models import Kecamatan, Province, Regency, Village
from web.api.pagination import page_of
from web.api.problems import ApiProblem
from web.api.schemas.places import RegionOut, RegionPage, RegionPath, RegionQuery
from web.api.spec import operation

Place = Province | Regency | Kecamatan | Village
#: Length of a code -> its model, and the column naming its parent.
LEVELS: dict[int, tuple[type[Place], str | None]] = {
    2: (Province, None),
    5: (Regency, "province_code"),
    8: (Kecamatan, "regency_code"),
    13: (Village, "kecamatan_code"),
}
CHILD = {0: 2, 2: 5, 5: 8, 8: 13}
NAMES = {2: "province", 5: "regency", 8: "kecamatan", 13: "village"}


def region_out(row: Place) -> RegionOut:
    _model, parent_column = LEVELS[len(row.code)]
    kind = getattr(row, "kind", None)
    return RegionOut(
        code=row.code,
        name=row.name,
        level=NAMES[len(row.code)],  # type: ignore[arg-type]
        parent=getattr(row, parent_column) if parent_column else None,
        kind=kind.value if kind is not None else None,
    )


def _find(code: str) -> Place | None:
    model, _parent = LEVELS[len(code)]
    found = db.session.get(model, code)
    return cast(Place | None, found)


@operation(
    "GET",
    "/regions",
    tag="Regions",
    summary="List provinces, or the children of a region",
    query=RegionQuery,
    response=RegionPage,
    errors=(404,),
)
def list_regions(query: RegionQuery) -> RegionPage:
    """Without `parent`, the loaded provinces; with it, the regions directly inside it."""
    parent = query.parent
    if parent is not None and _find(parent) is None:
        raise ApiProblem(404, f"No region {parent} is loaded.")
    size = CHILD.get(len(parent) if parent else 0)
    if size is None:  # a village has no children
        return RegionPage(items=[], next_cursor=None)
    model, parent_column = LEVELS[size]
    code: InstrumentedAttribute[str] = model.code
    select: sa.Select[Place] = sa.select(model)
    if parent_column is not None:
        select = select.where(getattr(model, parent_column) == parent)
    rows, cursor = page_of(db.session(), select, code, query, kind=str)
    return RegionPage(items=[region_out(r) for r in rows], next_cursor=cursor)


@operation(
    "GET",
    "/regions/{code}",
    tag="Regions",
    summary="One region by its Kemendagri code",
    path_params=RegionPath,
    response=RegionOut,
    errors=(404,),
)
def get_region(code: str) -> RegionOut:
    """A province (`33`), regency (`33.10`), kecamatan (`33.10.01`) or village."""
    row = _find(code)
    if row is None:
        raise ApiProblem(404, f"No region {code} is loaded.")
    return region_out(row)
