"""Programs: PKH, Kotaku, P3MD, ... with their funding source and activities."""

from __future__ import annotations

from titiktemu.models import FundingSource
from web.api.pagination import PageQuery
from web.api.schemas.common import Out


class ProgramOut(Out):
    id: int
    code: str
    name: str
    agency: str
    funding_source: FundingSource
    description: str
    categories: list[str]


class ProgramPage(Out):
    items: list[ProgramOut]
    next_cursor: str | None


class ProgramQuery(PageQuery):
    funding_source: FundingSource | None = None
