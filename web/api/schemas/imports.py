"""Import runs: what an upload would change or changed, its problems and its re-match jobs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from titiktemu.imports import KINDS
from titiktemu.models import ImportStatus, JobStatus
from web.api.pagination import PageQuery
from web.api.schemas.common import In, Out, Timestamp

Kind = Literal[KINDS]  # type: ignore[valid-type]


class ImportProblem(Out):
    """One row-level finding; ``level`` "error" rejects the run, "note" only informs."""

    file: str | None = None
    kind: str | None = None
    row: int | None = Field(None, description="1-based spreadsheet row; 0 for the whole file")
    column: str | None = None
    value: Any = None
    code: str | None = None
    text_en: str | None = None
    text_id: str | None = None
    suggestion: Any = None
    level: str | None = None


class JobProgress(Out):
    id: int
    task: str
    status: JobStatus
    stage: str
    percent: float
    attempts: int
    finished_at: Timestamp | None


class ImportOut(Out):
    id: int
    status: ImportStatus
    dry_run: bool
    files: list[str]
    counts: dict[str, dict[str, int]] = Field(description='{"needs": {"new": 3, ...}, ...}')
    problems: list[ImportProblem]
    regency_codes: list[str]
    jobs: list[JobProgress] = Field(description="The re-matching jobs it queued")
    person_id: int | None
    created_at: Timestamp


class ImportPage(Out):
    items: list[ImportOut]
    next_cursor: str | None


class ImportQuery(PageQuery):
    status: ImportStatus | None = None


class ImportForm(In):
    """The form fields beside the files."""

    dry_run: bool = False
    kind: Kind | None = None
