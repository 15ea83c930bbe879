"""Beneficiary lists: uploaded, encoded, linked across programs, and never kept in clear.

The lists in ``tests/data/beneficiaries`` are written as Klaten's clerks write them (a title
block, Indonesian headers, ``;`` or ``,``, dates either way round). What they plant:

- RTLH R-002 and BSPS B02 give the same NIK (``Moh.`` / ``Muhammad``): ``nik``;
- RTLH R-001 *Sri Wahyuni* 05-03-1975 and BSPS B01 *SRI WAHYUNINGSIH* 03/05/1975, no NIK: the
  same woman by CLK (a longer name, day and month swapped): ``person``;
- RTLH R-005 and BSPS B05, *Tri Wahyudi*, NIKs one digit apart: ``person`` (a typo, not two men);
- RTLH R-001 and BSPS B03 *Slamet Riyadi* share a KK: the same household, not the same person;
- RTLH R-004 *Suparmi* and BSPS B04 *Sutrisno*, same birth date and village: not linked;
- RTLH R-003 *Bpk. Soemarni* and CSR CSR-1 *Sumarni*: the same NIK; R-006 and CSR-2 *Siti
  Aminah* (NIKs differ in the region part); R-007 and CSR-3 *Ngatini*, no NIK at all.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.test import TestResponse

from tests.conftest import AuthActions
from tests.test_first_day import fresh  # noqa: F401 - the fixture is used by name
from titiktemu.app import settings_of
from titiktemu.beneficiaries import commands, views
from titiktemu.errors import NotAllowed
from titiktemu.extensions import db
from titiktemu.models import (
    AllowedCombination,
    AuditEntry,
    Base,
    BeneficiaryLink,
    BeneficiaryList,
    BeneficiaryRow,
    FundingSource,
    Person,
    Program,
    Role,
)
from titiktemu.models.people import person_programs
from titiktemu.settings import Settings

DATA = Path(__file__).parent / "data" / "beneficiaries"
KLATEN = "33.10"
TODAY = dt.date(2026, 12, 7)
PURPOSE = "Verifikasi calon penerima agar tidak dobel dengan program lain"

#: The links the three lists plant, by (ref, ref): strength.
PLANTED = {
    ("R-002", "B02"): "nik",
    ("R-001", "B01"): "person",
    ("R-005", "B05"): "person",
    ("R-001", "B03"): "kk",
    ("R-003", "CSR-1"): "nik",
    ("R-006", "CSR-2"): "person",
    ("R-007", "CSR-3"): "person",
}


def _program(code: str) -> Program:
    program = Program(code=code, name=code, agency="Dinas", funding_source=FundingSource.APBD)
    db.session.add(program)
    db.session.flush()
    return program


def _upload(program: Program, file: str, *, data: bytes | None = None) -> commands.UploadReport:
    path = DATA / file
    return commands.upload_list(
        db.session(),
        settings_of_app(),
        None,
        regency=KLATEN,
        program=program,
        year=2021,
        legal_basis="public_task",
        purpose=PURPOSE,
        file_name=path.name,
        data=path.read_bytes() if data is None else data,
        today=TODAY,
    )


def settings_of_app() -> Settings:
    from flask import current_app

    return settings_of(current_app)


def _links() -> dict[tuple[str, str], str]:
    a, b = sa.orm.aliased(BeneficiaryRow), sa.orm.aliased(BeneficiaryRow)
    found = db.session.execute(
        sa.select(a.ref, b.ref, BeneficiaryLink.strength)
        .join(a, a.id == BeneficiaryLink.row_a)
        .join(b, b.id == BeneficiaryLink.row_b)
    )
    return {tuple(sorted((x, y), key=lambda r: (not r.startswith("R"), r))): s for x, y, s in found}  # type: ignore[misc]


@pytest.fixture
def lists(ctx: Flask) -> dict[str, Program]:
    programs = {code: _program(code) for code in ("RTLH", "BSPS", "CSR-SH")}
    for code, file in (
        ("RTLH", "rtlh-2021.csv"),
        ("BSPS", "bsps-2021.csv"),
        ("CSR-SH", "csr-2021.csv"),
    ):
        report = _upload(programs[code], file)
        assert report.ok, [p.text("en") for p in report.problems]
    commands.relink_regency(db.session(), KLATEN)
    return programs


def test_three_clerks_lists_link_as_a_person_would_judge(lists: dict[str, Program]) -> None:
    """Every planted link is found with its strength, and nothing else is linked."""
    assert _links() == PLANTED


def test_relinking_with_nothing_changed_gives_the_same_links(lists: dict[str, Program]) -> None:
    before = _links()
    assert commands.relink_regency(db.session(), KLATEN) == len(before)
    assert _links() == before


def test_an_allowed_combination_is_not_linked(lists: dict[str, Program]) -> None:
    """PKH + BPNT style: a regency allows RTLH with CSR-SH, so their households are not flagged."""
    a, b = sorted((lists["RTLH"].id, lists["CSR-SH"].id))
    db.session.add(AllowedCombination(regency_code=KLATEN, program_a_id=a, program_b_id=b))
    commands.relink_regency(db.session(), KLATEN)
    assert _links() == {k: v for k, v in PLANTED.items() if not k[1].startswith("CSR")}


def test_a_refused_file_names_rows_and_refs_and_stores_nothing(lists: dict[str, Program]) -> None:
    rows_before = db.session.scalar(sa.select(sa.func.count()).select_from(BeneficiaryRow))
    report = _upload(lists["RTLH"], "rtlh-2021-refused.csv")
    assert not report.ok
    found = {(p.row, p.ref, p.code) for p in report.problems}
    assert found >= {
        (2, "R-101", "nik_not_16_digits"),
        (3, "R-102", "nik_unknown_kecamatan"),
        (4, "R-103", "nik_impossible_birth_date"),
        (5, "R-104", "village_unknown"),
        (6, "R-105", "name_missing"),
        (6, "R-105", "birth_date_missing"),
        (6, "R-105", "sex_unreadable"),
    }
    text = "\n".join(p.text(lang) for p in report.problems for lang in ("id", "en"))
    for secret in ("331015450375001", "9999992001800002", "3310153502800003", "Ngatiyem"):
        assert secret not in text
    assert "Antah Berantah" in text  # a village is not personal: the clerk sees what to fix
    # The earlier list of the same program and year is untouched.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BeneficiaryRow)) == rows_before


def test_uploading_again_replaces_the_program_years_list(lists: dict[str, Program]) -> None:
    report = _upload(lists["RTLH"], "rtlh-2021.csv")
    assert report.ok and report.replaced
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(BeneficiaryList)
            .where(BeneficiaryList.program_id == lists["RTLH"].id)
        )
        == 1
    )


def test_deleting_a_list_deletes_its_encodings_and_links(lists: dict[str, Program]) -> None:
    bsps = db.session.scalars(
        sa.select(BeneficiaryList).where(BeneficiaryList.program_id == lists["BSPS"].id)
    ).one()
    commands.delete_list(db.session(), None, bsps.id)
    assert not db.session.scalars(
        sa.select(BeneficiaryRow).where(BeneficiaryRow.list_id == bsps.id)
    ).all()
    assert _links() == {k: v for k, v in PLANTED.items() if not k[1].startswith("B")}
    assert (
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_type == "beneficiary_list")
            .order_by(AuditEntry.id)
        ).all()[-1]
        == "beneficiaries.delete"
    )


def test_lists_past_their_retention_are_deleted_and_audited(lists: dict[str, Program]) -> None:
    """Default retention 24 months: on the day after, the nightly job deletes all three."""
    assert commands.expire_lists(db.session(), TODAY + dt.timedelta(days=730)) == 0
    assert commands.expire_lists(db.session(), dt.date(2028, 12, 8)) == 3
    assert not db.session.scalars(sa.select(BeneficiaryRow)).all()
    assert not db.session.scalars(sa.select(BeneficiaryLink)).all()
    expired = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "beneficiaries.expired")
    ).all()
    assert len(expired) == 3


def _person(role: Role, programs: list[Program] = ()) -> Person:  # type: ignore[assignment]
    person = Person(
        email=f"{role.value}{len(programs)}@example.org", name="X", role=role, regency_code=KLATEN
    )
    db.session.add(person)
    db.session.flush()
    for program in programs:
        db.session.execute(
            person_programs.insert().values(person_id=person.id, program_id=program.id)
        )
    return person


def test_a_facilitator_sees_own_rows_and_which_programs_never_the_others(
    lists: dict[str, Program],
) -> None:
    facilitator = _person(Role.FACILITATOR, [lists["BSPS"]])
    bsps = db.session.scalars(
        sa.select(BeneficiaryList).where(BeneficiaryList.program_id == lists["BSPS"].id)
    ).one()
    rows = views.own_rows_elsewhere(db.session(), facilitator, bsps.id)
    assert {r.ref: r.elsewhere for r in rows} == {
        "B01": [("RTLH", 2021, "person")],
        "B02": [("RTLH", 2021, "nik")],
        "B03": [("RTLH", 2021, "kk")],
        "B05": [("RTLH", 2021, "person")],
    }
    shown = repr(rows)
    assert not any(ref in shown for ref in ("R-00", "CSR-"))
    rtlh = db.session.scalars(
        sa.select(BeneficiaryList).where(BeneficiaryList.program_id == lists["RTLH"].id)
    ).one()
    with pytest.raises(NotAllowed):
        views.own_rows_elsewhere(db.session(), facilitator, rtlh.id)
    with pytest.raises(NotAllowed):
        views.pair_counts(db.session(), facilitator, KLATEN)
    assert db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.actor_id == facilitator.id)
    ).all() == ["beneficiaries.view_own"]


def test_coordinators_see_counts_per_village_and_pair_small_ones_hidden(
    lists: dict[str, Program],
) -> None:
    coordinator = _person(Role.COORDINATOR)
    counts = views.pair_counts(db.session(), coordinator, KLATEN)
    by = {(c.village, c.program_a, c.program_b): (c.households, c.shown) for c in counts}
    # Counted on the program coded first (BSPS before RTLH): B01, B02 and B03 in Sidowarno.
    assert by[("Sidowarno", "BSPS", "RTLH")] == (3, "3")
    assert by[("Bener", "BSPS", "RTLH")] == (1, "< 3")
    assert by[("Jetis", "CSR-SH", "RTLH")] == (1, "< 3")
    assert by[("Sengon", "CSR-SH", "RTLH")] == (1, "< 3")
    assert sum(c.households for c in counts) == 7
    assert db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.actor_id == coordinator.id)
    ).all() == ["beneficiaries.view_counts"]


def test_both_routes_give_identical_links(
    ctx: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """An agency encoding on its own machine with the regency's key file and uploading the
    encoded file gets the same links as one that uploads its clear list."""
    programs = {code: _program(code) for code in ("RTLH", "BSPS", "CSR-SH")}
    key_file = tmp_path / "klaten.key"
    key_file.write_text(settings_of(ctx).linkage_key or "")
    for code, file in (
        ("RTLH", "rtlh-2021.csv"),
        ("BSPS", "bsps-2021.csv"),
        ("CSR-SH", "csr-2021.csv"),
    ):
        if code == "RTLH":
            report = _upload(programs[code], file)
        else:
            encoded = tmp_path / f"{code}.csv"
            result = runner.invoke(
                args=[
                    "beneficiaries",
                    "encode",
                    str(DATA / file),
                    "--key-file",
                    str(key_file),
                    "-o",
                    str(encoded),
                ]
            )
            assert result.exit_code == 0, result.output
            report = _upload(programs[code], file, data=encoded.read_bytes())
            assert report.route == commands.ENCODED
        assert report.ok, [p.text("en") for p in report.problems]
    commands.relink_regency(db.session(), KLATEN)
    assert _links() == PLANTED


def test_an_encoded_file_under_another_key_is_refused(
    ctx: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    program = _program("BSPS")
    key_file = tmp_path / "other.key"
    assert runner.invoke(args=["beneficiaries", "new-key", "-o", str(key_file)]).exit_code == 0
    encoded = tmp_path / "bsps.csv"
    result = runner.invoke(
        args=[
            "beneficiaries",
            "encode",
            str(DATA / "bsps-2021.csv"),
            "--key-file",
            str(key_file),
            "-o",
            str(encoded),
        ]
    )
    assert result.exit_code == 0, result.output
    report = _upload(program, "bsps-2021.csv", data=encoded.read_bytes())
    assert not report.ok
    assert {p.code for p in report.problems} == {"key_other"}


#: The columns of each test list that identify a person: NIK, KK number, name, birth date.
_IDENTIFYING = {"nik", "no. kk", "no kk", "nama", "nama penerima", "nama lengkap"}


def _every_value() -> set[str]:
    """Every NIK, KK number and name written in the test lists (read with ``csv``, not with
    the product's reader, so a reader bug cannot hide a value)."""
    import csv

    values: set[str] = set()
    for file in ("rtlh-2021.csv", "bsps-2021.csv", "csr-2021.csv", "rtlh-2021-refused.csv"):
        lines = (DATA / file).read_text(encoding="utf-8").splitlines()
        start = next(i for i, line in enumerate(lines) if "nik" in line.casefold())
        delimiter = ";" if ";" in lines[start] else ","
        rows = list(csv.reader(lines[start:], delimiter=delimiter))
        columns = [i for i, name in enumerate(rows[0]) if name.casefold() in _IDENTIFYING]
        assert len(columns) >= 2, file
        values |= {row[i] for row in rows[1:] for i in columns if i < len(row) and row[i]}
    return values


def test_nothing_identifying_is_stored_logged_or_filed(
    fresh: tuple[dict[str, str], Flask],  # noqa: F811 - pytest's fixture, imported above
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """On an instance of its own (its own folder and database, so every byte of both is this
    test's): lists uploaded by the service (one refused), through the page (one refused, one
    stored) and by the command line. Every NIK, KK number and name of the files is then searched
    in every row of every table, every byte of the instance folder (the SQLite file with its
    free pages, on the embedded default) and the logs, SQL statements and their parameters
    included: none is found."""
    from flask_migrate import upgrade

    from tests.conftest import CSRF_RE
    from titiktemu.accounts.signin import hash_password
    from titiktemu.places.regions import load_regions, resolve_codes
    from titiktemu.vocabulary.taxonomy import load_taxonomy

    env, web = fresh
    caplog.set_level(logging.DEBUG)
    with web.app_context():
        upgrade()
        # Alembic's logging setup quiets SQLAlchemy: every statement and its parameters again.
        caplog.set_level(logging.DEBUG)
        caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
        logging.getLogger("sqlalchemy.engine").disabled = False
        load_regions(db.session(), resolve_codes([KLATEN]))
        load_taxonomy(db.session())
        programs = {code: _program(code) for code in ("RTLH", "BSPS", "CSR-SH")}
        for file in ("rtlh-2021.csv", "rtlh-2021-refused.csv"):
            _upload(programs["RTLH"], file)
        db.session.add(
            Person(
                email="koordinator@example.org",
                name="Bu Koordinator",
                role=Role.COORDINATOR,
                regency_code=KLATEN,
                password_hash=hash_password("kata-sandi-koordinator"),
            )
        )
        ids = {code: p.id for code, p in programs.items()}
        db.session.commit()
        db.session.remove()
    client = web.test_client()
    found = CSRF_RE.search(client.get("/login").get_data(as_text=True))
    assert found is not None
    signed_in = client.post(
        "/login",
        data={
            "email": "koordinator@example.org",
            "password": "kata-sandi-koordinator",
            "csrf_token": found.group(1),
        },
    )
    assert signed_in.status_code == 302
    assert _post_list(client, ids["RTLH"], "rtlh-2021-refused.csv").status_code == 200
    assert _post_list(client, ids["BSPS"], "bsps-2021.csv").status_code == 302
    result = web.test_cli_runner().invoke(
        args=[
            "beneficiaries",
            "import",
            str(DATA / "csr-2021.csv"),
            "--program",
            "CSR-SH",
            "--year",
            "2022",
            "--purpose",
            PURPOSE,
        ]
    )
    assert result.exit_code == 0, result.output
    secrets = _every_value()
    assert "3310154503750001" in secrets and "Sri Wahyuni" in secrets
    with web.app_context():
        assert commands.relink_regency(db.session(), KLATEN) > 0
        db.session.commit()
        dump = []
        for table in Base.metadata.sorted_tables:
            for row in db.session.execute(table.select()):
                dump.append(" ".join(str(v) for v in row))
        db.session.remove()
    text = "\n".join(dump)
    assert text.count("beneficiaries.upload") == 3  # the dump holds the three stored uploads
    instance = Path(env["TITIKTEMU_INSTANCE_DIR"])
    files = b"\n".join(p.read_bytes() for p in instance.rglob("*") if p.is_file())
    logs = caplog.text + "\n".join(capsys.readouterr()) + result.output
    assert "INSERT INTO beneficiary_rows" in logs  # the SQL and its parameters were logged
    for secret in sorted(secrets):
        assert secret not in text, f"{secret!r} is in the database"
        assert secret.encode() not in files, f"{secret!r} is in the instance folder"
        assert secret not in logs, f"{secret!r} is in the logs"


# --- the page -------------------------------------------------------------------------------


def _committed_programs(app: Flask) -> dict[str, int]:
    with app.app_context():
        ids = {code: _program(code).id for code in ("RTLH", "BSPS")}
        db.session.commit()
        return ids


def _post_list(client: FlaskClient, program_id: int, file: str) -> TestResponse:
    from tests.conftest import csrf_token

    token = csrf_token(client, "/beneficiaries")
    path = DATA / file
    return client.post(
        "/beneficiaries",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(path.read_bytes()), path.name),
            "program": str(program_id),
            "year": "2021",
            "legal_basis": "public_task",
            "purpose": PURPOSE,
        },
        content_type="multipart/form-data",
    )


def test_a_coordinator_uploads_on_the_page_and_sees_counts_not_people(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Callable[..., int]
) -> None:
    from tests.conftest import PASSWORD

    programs = _committed_programs(app)
    make_person("koordinator@example.org", role=Role.COORDINATOR, name="Bu Koordinator")
    auth.login("koordinator@example.org", PASSWORD)
    refused = _post_list(client, programs["RTLH"], "rtlh-2021-refused.csv")
    assert refused.status_code == 200 and "problems-title" in refused.get_data(as_text=True)
    refused_text = refused.get_data(as_text=True)
    assert "R-102" in refused_text and "9999992001800002" not in refused_text
    for program, file in (("RTLH", "rtlh-2021.csv"), ("BSPS", "bsps-2021.csv")):
        answer = _post_list(client, programs[program], file)
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    page = client.get("/beneficiaries")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and len(page.data) < 60_000
    assert "Sidowarno" in text and "BSPS 2021 + RTLH 2021" in text and "&lt; 3" in text
    for secret in ("Sri Wahyuni", "3310154503750001", "R-001", "B01"):
        assert secret not in text  # counts only: no names, no numbers, no rows
    assert client.get("/beneficiaries/linkage-schema.json").json["version"] == 3  # type: ignore[index]


def test_a_facilitator_sees_only_own_programs_rows_on_the_page(
    app: Flask, client: FlaskClient, auth: AuthActions, make_person: Callable[..., int]
) -> None:
    from tests.conftest import PASSWORD

    programs = _committed_programs(app)
    facilitator = make_person("tfl@example.org", name="Pak TFL")
    with app.app_context():
        db.session.execute(
            person_programs.insert().values(person_id=facilitator, program_id=programs["BSPS"])
        )
        db.session.commit()
    auth.login("tfl@example.org", PASSWORD)
    assert _post_list(client, programs["BSPS"], "bsps-2021.csv").status_code == 302
    assert (
        _post_list(client, programs["RTLH"], "rtlh-2021.csv").status_code == 200
    )  # not a choice: the form says so
    with app.app_context():
        rtlh = db.session.get(Program, programs["RTLH"])
        assert rtlh is not None
        path = DATA / "rtlh-2021.csv"
        commands.upload_list(
            db.session(),
            settings_of(app),
            None,
            regency=KLATEN,
            program=rtlh,
            year=2021,
            legal_basis="public_task",
            purpose=PURPOSE,
            file_name=path.name,
            data=path.read_bytes(),
        )
        db.session.commit()
        commands.relink_regency(db.session(), KLATEN)
        db.session.commit()
        lists = dict(
            db.session.execute(sa.select(BeneficiaryList.program_id, BeneficiaryList.id)).all()
        )
    page = client.get("/beneficiaries")
    assert "Households in two programs" not in page.get_data(as_text=True)
    rows = client.get(f"/beneficiaries/{lists[programs['BSPS']]}")
    text = rows.get_data(as_text=True)
    assert rows.status_code == 200
    assert "B01" in text and "RTLH 2021" in text and "R-001" not in text
    assert client.get(f"/beneficiaries/{lists[programs['RTLH']]}").status_code == 404


def test_an_overlap_flag_gains_the_household_evidence(lists: dict[str, Program]) -> None:
    """RTLH and BSPS renovating houses in Sidowarno in 2021: the flag says how many households
    of one list the other also holds there, audited, and nothing about who."""
    from titiktemu.exchange.commands import InterventionInput, save_intervention
    from titiktemu.matching.incremental import check_intervention
    from titiktemu.models import OverlapFlag

    owner = _person(Role.FACILITATOR)
    sidowarno = db.session.scalar(
        sa.select(BeneficiaryRow.village_code).where(BeneficiaryRow.ref == "R-001")
    )
    assert sidowarno is not None
    items = [
        save_intervention(
            db.session(),
            owner,
            InterventionInput(
                program_id=lists[code].id,
                village_code=sidowarno,
                category_code="house_renovation",
                title=f"Bedah rumah {code} Sidowarno",
                start_date=dt.date(2021, 3, 1),
                end_date=dt.date(2021, 10, 31),
                households=10,
                budget_idr=150_000_000,
            ),
        )
        for code in ("RTLH", "BSPS")
    ]
    db.session.flush()
    check_intervention(db.session(), items[1].id)
    flag = db.session.scalars(sa.select(OverlapFlag)).one()
    coordinator = _person(Role.COORDINATOR)
    evidence = views.household_evidence(db.session(), coordinator, flag)
    assert [(e.program, e.year, e.other_program, e.other_year, e.shown) for e in evidence] == [
        ("BSPS", 2021, "RTLH", 2021, "3")
    ]
    assert db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.actor_id == coordinator.id)
    ).all() == ["beneficiaries.view_flag"]


def test_a_shorter_retention_moves_stored_lists_deletion_dates(
    lists: dict[str, Program], runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["beneficiaries", "retention", KLATEN, "6"])
    assert result.exit_code == 0, result.output
    assert "3 stored list(s)" in result.output
    uploaded = db.session.scalars(sa.select(BeneficiaryList.created_at)).first()
    assert uploaded is not None
    expires = set(db.session.scalars(sa.select(BeneficiaryList.expires_at)))
    assert len(expires) == 1 and (expires.pop() - uploaded.date()).days in range(181, 185)
    assert runner.invoke(args=["beneficiaries", "retention", KLATEN, "0"]).exit_code == 1


def test_a_large_upload_is_read_into_memory_never_a_temporary_file(app: Flask) -> None:
    """Werkzeug spools an upload over 500 KB to a temporary file; ours never does."""
    request = app.request_class.from_values("/beneficiaries", method="POST")
    stream = request._get_file_stream(20 * 1024 * 1024, "text/csv", "rtlh.csv", None)
    assert isinstance(stream, io.BytesIO)


def test_a_coordinator_sees_counts_not_a_programs_rows(lists: dict[str, Program]) -> None:
    """Refs are the program's own: a coordinator who does not work for RTLH sees counts only."""
    coordinator = _person(Role.COORDINATOR)
    rtlh = db.session.scalars(
        sa.select(BeneficiaryList).where(BeneficiaryList.program_id == lists["RTLH"].id)
    ).one()
    with pytest.raises(NotAllowed):
        views.own_rows_elsewhere(db.session(), coordinator, rtlh.id)
    db.session.execute(
        person_programs.insert().values(person_id=coordinator.id, program_id=lists["RTLH"].id)
    )
    assert views.own_rows_elsewhere(db.session(), coordinator, rtlh.id)
