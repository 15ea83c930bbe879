"""Import runs: what an upload would change or changed, kept for the report and the API."""

from __future__ import annotations

import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from titiktemu.models.base import Base, Timestamped, str_enum
from titiktemu.models.people import Person


class ImportStatus(enum.StrEnum):
    CHECKED = "checked"  # a dry run without problems: applying it would change what it lists
    REJECTED = "rejected"  # problems found: nothing was written
    APPLIED = "applied"  # written, re-matching queued


class ImportRun(Timestamped, Base):
    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who uploaded; None for the operator's command line.
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus, "import_status"))
    dry_run: Mapped[bool] = mapped_column(default=False)
    #: The kind the uploader named for every file (``--kind``), None when read from the names.
    kind: Mapped[str | None] = mapped_column(sa.String(20))
    #: The uploaded files' names, as given.
    files: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: {"interventions": {"new": 3, "updated": 1, "unchanged": 20}, ...}
    counts: Mapped[dict[str, dict[str, int]]] = mapped_column(sa.JSON, default=dict)
    #: [{"file", "kind", "row", "column", "value", "code", "params", "text_en", "text_id",
    #: "suggestion", "level"}, ...]; level "error" blocks the import, "note" only informs (an
    #: ignored column). Shown through ``imports.problems.problem_text`` (code and params, in the
    #: reader's language); ``text_*`` are the words as written then.
    problems: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    #: What would change or changed, row by row (new and updated only, unchanged rows are
    #: counted): [{"kind", "file", "row", "status", "what", "fields"}, ...], the first 1,000.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    #: Regencies whose data changed, re-matched after the import.
    regency_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: The re-matching jobs (job_runs ids), for progress.
    job_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)

    person: Mapped[Person | None] = relationship()


class ImportFile(Base):
    """An uploaded file as received: a checked run can be applied without uploading it again from
    a phone, and an applied run keeps what it was made from."""

    __tablename__ = "import_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("import_runs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(255))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
