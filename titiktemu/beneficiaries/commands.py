"""Upload, replace, delete and expire beneficiary lists; rebuild a regency's links.

The page, the command line and the nightly job call these. An upload is read and encoded in
memory and stored all or nothing: a single row a clerk would have to ask about refuses the file,
with every such row named by its spreadsheet row and ``ref``. The clear values never reach the
database, a file, a log line, an audit entry or a job's arguments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.audit import record
from titiktemu.beneficiaries import linkage
from titiktemu.beneficiaries.clk import deserialise
from titiktemu.beneficiaries.encoding import LinkageKey, LinkageKeyError, encode_rows
from titiktemu.beneficiaries.reading import (
    EncodedRow,
    ListRefused,
    Problem,
    clear_rows,
    encoded_rows,
    is_encoded,
    read_table,
)
from titiktemu.bulk import insert_all
from titiktemu.errors import Invalid, NotAllowed, NotFound
from titiktemu.imports.parsing import CellError
from titiktemu.imports.places import PlaceIndex
from titiktemu.jobs import enqueue
from titiktemu.jobs.locks import hold_regency
from titiktemu.jobs.names import TaskName
from titiktemu.models import (
    AllowedCombination,
    BeneficiaryLink,
    BeneficiaryList,
    BeneficiaryRow,
    LegalBasis,
    Person,
    Program,
    RegencySettings,
    Role,
)
from titiktemu.settings import Settings, UploadLimits
from titiktemu.visibility import works_for

SERVER: Final = "server"
ENCODED: Final = "encoded"
#: Characters of a stated purpose.
MAX_PURPOSE: Final = 500
DEFAULT_RETENTION_MONTHS: Final = 24


class LinkageUnavailable(Invalid):
    """The instance has no linkage key: lists cannot be encoded or checked."""


@dataclass
class UploadReport:
    """What an upload did: the list stored (its id and rows), or every problem found."""

    list_id: int | None = None
    rows: int = 0
    route: str = ""
    replaced: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.list_id is not None


def linkage_key(settings: Settings) -> LinkageKey:
    """The instance's linkage key, or the refusal that says how to set one."""
    if settings.linkage_key is None:
        raise LinkageUnavailable(
            "beneficiary lists need a linkage key: set TITIKTEMU_LINKAGE_KEY (README, Data "
            "protection)"
        )
    try:
        return LinkageKey.from_text(settings.linkage_key)
    except LinkageKeyError as exc:
        raise LinkageUnavailable(f"TITIKTEMU_LINKAGE_KEY: {exc}") from None


def may_manage(session: Session, person: Person | None, program: Program, regency: str) -> bool:
    """Who may upload or delete a program's list in a regency: the command line (None), an
    admin or coordinator of the regency, a facilitator of the program who works there."""
    if person is None:
        return True
    if person.role == Role.ADMIN and person.regency_code in (None, regency):
        return True
    if person.regency_code != regency:
        return False
    if person.role == Role.COORDINATOR:
        return True
    return is_member(session, person, program)


def is_member(session: Session, person: Person, program: Program) -> bool:
    """Whether ``person`` works for ``program``: only its people see its rows (by ref)."""
    return works_for(session, person, program.id)


def manageable_programs(session: Session, person: Person, regency: str) -> list[Program]:
    """The programs whose lists ``person`` may upload in the regency."""
    programs = session.scalars(sa.select(Program).order_by(Program.code)).all()
    return [p for p in programs if may_manage(session, person, p, regency)]


def retention_months(session: Session, regency: str) -> int:
    months = session.scalar(
        sa.select(RegencySettings.beneficiary_retention_months).where(
            RegencySettings.regency_code == regency
        )
    )
    return DEFAULT_RETENTION_MONTHS if months is None else months


#: Retention a regency may set, in months.
RETENTION_RANGE: Final = (1, 120)


def set_retention(session: Session, actor: Person | None, regency: str, months: int) -> int:
    """Keep the regency's lists ``months`` months from their upload, the ones already stored
    too (a shorter period deletes them at the next nightly run); audited. The number of lists
    whose deletion date moved. Not committed."""
    low, high = RETENTION_RANGE
    if not low <= months <= high:
        raise Invalid(errors={"months": f"from {low} to {high} months"})
    row = session.get(RegencySettings, regency)
    if row is None:
        row = RegencySettings(regency_code=regency)
        session.add(row)
    before = row.beneficiary_retention_months
    row.beneficiary_retention_months = months
    moved = 0
    for item in session.scalars(
        sa.select(BeneficiaryList).where(BeneficiaryList.regency_code == regency)
    ):
        expires = _add_months(item.created_at.date(), months)
        if expires != item.expires_at:
            item.expires_at, moved = expires, moved + 1
    record(
        session,
        "beneficiaries.retention",
        "regency",
        regency,
        actor.id if actor is not None else None,
        months=months,
        before=before,
        lists=moved,
    )
    return moved


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def upload_list(
    session: Session,
    settings: Settings,
    actor: Person | None,
    *,
    regency: str,
    program: Program,
    year: int,
    legal_basis: LegalBasis | str,
    purpose: str,
    file_name: str,
    data: bytes,
    today: dt.date | None = None,
    limits: UploadLimits | None = None,
) -> UploadReport:
    """Read, check, encode and store one program's list of one year, replacing its previous
    list; queue the regency's links. Not committed: the caller commits (or rolls back)."""
    today = today or dt.date.today()
    if not may_manage(session, actor, program, regency):
        raise NotAllowed(f"you may not upload lists of {program.code} in {regency}")
    errors: dict[str, str] = {}
    if not 2000 <= year <= today.year + 1:
        errors["year"] = f"the year must be from 2000 to {today.year + 1}"
    try:
        basis = LegalBasis(legal_basis)
    except ValueError:
        basis = LegalBasis.PUBLIC_TASK
        errors["legal_basis"] = "choose the legal basis of the processing (UU 27/2022, art. 20)"
    purpose = " ".join(purpose.split())
    if not purpose:
        errors["purpose"] = "say what the list is processed for"
    elif len(purpose) > MAX_PURPOSE:
        errors["purpose"] = f"at most {MAX_PURPOSE} characters"
    if errors:
        raise Invalid(errors=errors)
    key = linkage_key(settings)
    report = UploadReport()
    try:
        table = read_table(file_name, data, limits or settings.upload_limits)
        if is_encoded(table):
            rows, report.problems = encoded_rows(table, key.key_id)
            report.route = ENCODED
        else:
            clear, report.problems = clear_rows(table, today)
            rows = encode_rows(clear, key)
            del clear  # the clear values end here
            report.route = SERVER
    except ListRefused as exc:
        report.problems = [exc.problem]
        return report
    villages = _villages(session, regency, rows, report.problems)
    if report.problems:
        report.problems.sort(key=lambda p: p.row)  # as the clerk reads the file
        return report
    # Two uploads of the regency's lists at once (two clerks, a form sent twice) take turns:
    # the second replaces the first's list instead of adding a second one of the same year.
    hold_regency(session, "beneficiaries", regency)
    report.replaced = _drop_previous(session, regency, program.id, year)
    months = retention_months(session, regency)
    stored = BeneficiaryList(
        regency_code=regency,
        program_id=program.id,
        year=year,
        legal_basis=basis,
        purpose=purpose,
        route=report.route,
        key_id=key.key_id,
        rows=len(rows),
        uploaded_by=actor.id if actor is not None else None,
        expires_at=_add_months(today, months),
    )
    session.add(stored)
    session.flush()
    insert_all(
        session,
        BeneficiaryRow.__table__,  # type: ignore[arg-type]
        [
            {
                "list_id": stored.id,
                "ref": r.ref,
                "village_code": villages[r.row][1],
                "kecamatan_code": villages[r.row][0],
                "birth_year": r.birth_year,
                "nik_hmac": r.nik_hmac,
                "kk_hmac": r.kk_hmac,
                "clk": r.clk,
            }
            for r in rows
        ],
    )
    record(
        session,
        "beneficiaries.upload",
        "beneficiary_list",
        stored.id,
        actor.id if actor is not None else None,
        program=program.code,
        year=year,
        rows=len(rows),
        route=report.route,
        legal_basis=basis.value,
        purpose=purpose,
        replaced=report.replaced,
        expires=stored.expires_at.isoformat(),
    )
    enqueue(session, TaskName.LINK_BENEFICIARIES, regency, regency_code=regency)
    report.list_id, report.rows = stored.id, len(rows)
    return report


def _villages(
    session: Session, regency: str, rows: Sequence[EncodedRow], problems: list[Problem]
) -> dict[int, tuple[str, str]]:
    """(kecamatan, village) code of each row, by its row number; a place a human would ask
    about is a problem of its row."""
    index = PlaceIndex.load(session, regency)
    found: dict[int, tuple[str, str]] = {}
    seen: dict[tuple[str, str], tuple[str, str] | CellError] = {}
    for row in rows:
        given = (row.village, row.kecamatan)
        answer = seen.get(given)
        if answer is None:
            try:
                place = index.resolve(row.village, whole_kecamatan=False, kecamatan=row.kecamatan)
                answer = (place.kecamatan_code, place.village_code or "")
            except CellError as exc:
                answer = exc
            seen[given] = answer
        if isinstance(answer, CellError):
            params = {"value": row.village, **answer.detail}
            if answer.suggestion:
                params["suggestion"] = answer.suggestion
            place_problem = (("code", answer.code), ("params", params))
            problems.append(
                Problem(row.row, row.ref, "village_unknown", "village", "", place_problem)
            )
        else:
            found[row.row] = answer
    return found


def _drop_previous(session: Session, regency: str, program_id: int, year: int) -> bool:
    ids = session.scalars(
        sa.select(BeneficiaryList.id).where(
            BeneficiaryList.regency_code == regency,
            BeneficiaryList.program_id == program_id,
            BeneficiaryList.year == year,
        )
    ).all()
    _delete_lists(session, ids)
    return bool(ids)


def _delete_lists(session: Session, ids: Sequence[int]) -> None:
    """The lists ``ids`` with their rows and links (explicitly: SQLite without foreign keys
    would leave them)."""
    if not ids:
        return
    rows = sa.select(BeneficiaryRow.id).where(BeneficiaryRow.list_id.in_(ids))
    session.execute(
        sa.delete(BeneficiaryLink).where(
            sa.or_(BeneficiaryLink.row_a.in_(rows), BeneficiaryLink.row_b.in_(rows))
        )
    )
    session.execute(sa.delete(BeneficiaryRow).where(BeneficiaryRow.list_id.in_(ids)))
    session.execute(sa.delete(BeneficiaryList).where(BeneficiaryList.id.in_(ids)))


def delete_list(session: Session, actor: Person | None, list_id: int) -> None:
    """Delete a list, its encodings and its links, audited; not committed."""
    found = session.get(BeneficiaryList, list_id)
    if found is None:
        raise NotFound(f"no beneficiary list {list_id}")
    if not may_manage(session, actor, found.program, found.regency_code):
        raise NotAllowed("you may not delete this list")
    detail = {"program": found.program.code, "year": found.year, "rows": found.rows}
    regency = found.regency_code
    _delete_lists(session, [list_id])
    record(
        session,
        "beneficiaries.delete",
        "beneficiary_list",
        list_id,
        actor.id if actor is not None else None,
        **detail,
    )
    enqueue(session, TaskName.LINK_BENEFICIARIES, regency, regency_code=regency)


def expire_lists(session: Session, today: dt.date) -> int:
    """Delete every list past its retention, each audited; not committed."""
    expired = session.execute(
        sa.select(
            BeneficiaryList.id, BeneficiaryList.regency_code, Program.code, BeneficiaryList.year
        )
        .join(Program, Program.id == BeneficiaryList.program_id)
        .where(BeneficiaryList.expires_at < today)
        .order_by(BeneficiaryList.id)
    ).all()
    _delete_lists(session, [e.id for e in expired])
    for list_id, regency, program, year in expired:
        record(
            session,
            "beneficiaries.expired",
            "beneficiary_list",
            list_id,
            None,
            program=program,
            year=year,
            regency=regency,
        )
    for regency in sorted({e.regency_code for e in expired}):
        enqueue(session, TaskName.LINK_BENEFICIARIES, regency, regency_code=regency)
    return len(expired)


def relink_regency(session: Session, regency: str) -> int:
    """Replace the regency's links by what its lists say now; the number of links. Idempotent:
    the same lists give the same links. Not committed."""
    lists = dict(
        session.execute(
            sa.select(BeneficiaryList.id, BeneficiaryList.program_id).where(
                BeneficiaryList.regency_code == regency
            )
        ).all()
    )
    allowed = {
        (a, b)
        for a, b in session.execute(
            sa.select(AllowedCombination.program_a_id, AllowedCombination.program_b_id).where(
                AllowedCombination.regency_code == regency
            )
        )
    }

    def may_link(x: int, y: int) -> bool:
        a, b = sorted((lists[x], lists[y]))
        return a != b and (a, b) not in allowed

    rows = [
        linkage.Linkable(i, list_id, kecamatan, year, nik, kk, deserialise(clk))
        for i, list_id, kecamatan, year, nik, kk, clk in session.execute(
            sa.select(
                BeneficiaryRow.id,
                BeneficiaryRow.list_id,
                BeneficiaryRow.kecamatan_code,
                BeneficiaryRow.birth_year,
                BeneficiaryRow.nik_hmac,
                BeneficiaryRow.kk_hmac,
                BeneficiaryRow.clk,
            )
            .where(BeneficiaryRow.list_id.in_(list(lists)))
            .order_by(BeneficiaryRow.id)
        )
    ]
    links = linkage.link(rows, may_link) if rows else []
    session.execute(sa.delete(BeneficiaryLink).where(BeneficiaryLink.regency_code == regency))
    insert_all(
        session,
        BeneficiaryLink.__table__,  # type: ignore[arg-type]
        [
            {
                "regency_code": regency,
                "row_a": k.a,
                "row_b": k.b,
                "strength": k.strength,
                "similarity": k.similarity,
            }
            for k in links
        ],
    )
    return len(links)


__all__ = ["LinkageKeyError", "LinkageUnavailable", "UploadReport"]
