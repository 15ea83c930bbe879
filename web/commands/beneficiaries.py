"""``titiktemu beneficiaries``: upload a program's list, or encode one on an agency's machine.

``import`` reads the file in memory and stores only its encodings; ``encode`` needs no database
and no server: with the regency's key file it writes the encoded file an agency that will not
send clear data uploads instead (both give the same links). Neither prints a NIK, a KK number, a
name or a birth date: problems name the row and the agency's ``ref``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from titiktemu.app import settings_of
from titiktemu.beneficiaries.commands import delete_list, set_retention, upload_list
from titiktemu.beneficiaries.encoding import LinkageKey, LinkageKeyError, encode_rows, new_key
from titiktemu.beneficiaries.reading import ListRefused, Problem, clear_rows, read_table
from titiktemu.errors import DomainError
from titiktemu.extensions import db
from titiktemu.models import BeneficiaryList, LegalBasis, Program, Regency
from web.commands.refusals import WrongUsage, refused


@click.group("beneficiaries")
def beneficiaries() -> None:
    """Beneficiary lists: encoded on arrival, linked across programs, never kept in clear."""


def _echo_problems(problems: list[Problem]) -> None:
    for p in problems[:200]:
        where = f"row {p.row} (ref {p.ref})" if p.row else "file"
        click.echo(f"  {where}: {p.text('en')}", err=True)
    if len(problems) > 200:
        click.echo(f"  ... and {len(problems) - 200} more", err=True)


@beneficiaries.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--program", "program_code", required=True, help="The program's code, e.g. RTLH.")
@click.option("--year", required=True, type=int, help="The list's year.")
@click.option(
    "--regency",
    "regency_code",
    default=None,
    help="The regency's code, e.g. 33.10 (default: the only regency loaded).",
)
@click.option(
    "--legal-basis",
    type=click.Choice([b.value for b in LegalBasis]),
    default=LegalBasis.PUBLIC_TASK.value,
    show_default=True,
    help="The legal basis of the processing (UU 27/2022, art. 20).",
)
@click.option("--purpose", required=True, help="What the list is processed for, in a sentence.")
def import_list(
    file: Path,
    program_code: str,
    year: int,
    regency_code: str | None,
    legal_basis: str,
    purpose: str,
) -> None:
    """Upload FILE (CSV or XLSX, clear or encoded) as PROGRAM's list of YEAR: all or nothing."""
    session = db.session()
    program = session.scalars(
        sa.select(Program).where(sa.func.upper(Program.code) == program_code.strip().upper())
    ).one_or_none()
    if program is None:
        raise WrongUsage(f"no program with the code {program_code}")
    regency = regency_code or _only_regency()
    try:
        report = upload_list(
            session,
            settings_of(current_app),
            None,
            regency=regency,
            program=program,
            year=year,
            legal_basis=legal_basis,
            purpose=purpose,
            file_name=file.name,
            data=file.read_bytes(),
        )
    except DomainError as exc:
        raise refused(exc) from None
    if not report.ok:
        session.rollback()
        click.echo(f"Refused: {len(report.problems)} problem(s), nothing stored.", err=True)
        _echo_problems(report.problems)
        sys.exit(1)
    session.commit()
    click.echo(
        f"{program.code} {year}: {report.rows} rows stored encoded ({report.route} route)"
        + (", replacing the previous list" if report.replaced else "")
        + "; links are being found again."
    )


def _only_regency() -> str:
    codes = db.session.scalars(sa.select(Regency.code).order_by(Regency.code)).all()
    if len(codes) != 1:
        raise WrongUsage("several regencies are loaded: give --regency CODE")
    return codes[0]


@beneficiaries.command("delete")
@with_appcontext
@click.argument("list_id", type=int)
def delete(list_id: int) -> None:
    """Delete list LIST_ID with its encodings and links (audited)."""
    found = db.session.get(BeneficiaryList, list_id)
    try:
        delete_list(db.session(), None, list_id)
    except DomainError as exc:
        raise refused(exc) from None
    db.session.commit()
    assert found is not None
    click.echo(f"List {list_id} deleted with its rows and links.")


@beneficiaries.command("retention")
@with_appcontext
@click.argument("regency_code")
@click.argument("months", type=int)
def retention(regency_code: str, months: int) -> None:
    """Keep REGENCY_CODE's lists MONTHS months from their upload (default 24), stored ones too."""
    if db.session.get(Regency, regency_code) is None:
        raise WrongUsage(f"no regency {regency_code} is loaded")
    try:
        moved = set_retention(db.session(), None, regency_code, months)
    except DomainError as exc:
        raise refused(exc) from None
    db.session.commit()
    click.echo(
        f"{regency_code}: lists are kept {months} months from their upload "
        f"({moved} stored list(s) get a new deletion date)."
    )


@beneficiaries.command("encode")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key-file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The regency's linkage key, as its coordinators gave it.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def encode(file: Path, key_file: Path, output: Path) -> None:
    """Encode FILE on this machine into OUTPUT, to upload instead of the clear list."""
    try:
        key = LinkageKey.from_file(key_file)
        table = read_table(file.name, file.read_bytes())
        rows, problems = clear_rows(table, dt.date.today())
    except LinkageKeyError as exc:
        raise WrongUsage(str(exc)) from None
    except ListRefused as exc:
        rows, problems = [], [exc.problem]
    if problems:
        click.echo(f"Not encoded: {len(problems)} problem(s).", err=True)
        _echo_problems(problems)
        sys.exit(1)
    from titiktemu.beneficiaries.encoding import write_encoded

    output.write_text(write_encoded(encode_rows(rows, key)), encoding="utf-8")
    click.echo(f"{len(rows)} rows encoded into {output} (key {key.key_id}).")


@beneficiaries.command("new-key")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def make_key(output: Path) -> None:
    """Write a new linkage key to OUTPUT (readable by its owner only)."""
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise WrongUsage(f"{output} exists: a key is never overwritten") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(new_key() + "\n")
    click.echo(
        f"New linkage key in {output}. Set it as TITIKTEMU_LINKAGE_KEY and give it only to the "
        "agencies that encode on their own machines (README, Data protection)."
    )
