"""A second regency's first day from the command line: Kabupaten Boyolali (33.09), which the
Klaten demo never touches, from an empty database to its first proposals and overlap flag, and
the households two programs' beneficiary lists share in that flag's village.

The spreadsheets in tests/data/boyolali are written as Boyolali's clerks would: the planning
office's cross-program table with a title above it ("Rp. 180 juta", "1 Maret 2021", "12 KK"),
"APBD Kab." for a funding source, "Ds. Jelok", "Gedangan (Cepogo)", a CSR partner among the
facilitators. Each step is the real ``titiktemu`` command in a subprocess (SQLite, or a new
PostgreSQL database when the tests run there); the re-match runs in process, as on the embedded
default.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from titiktemu.accounts.signin import set_password
from titiktemu.extensions import db
from titiktemu.models import (
    FlagStatus,
    FundingSource,
    Gap,
    Intervention,
    Need,
    Offer,
    OverlapFlag,
    Person,
    Program,
    Proposal,
    ProposalStatus,
)

from .conftest import csrf_token
from .test_first_day import fresh, titiktemu  # noqa: F401 - the fixture is used by name

DATA = Path(__file__).resolve().parent / "data" / "boyolali"
FILES = (
    "program_boyolali.csv",
    "pendamping_boyolali.csv",
    "rekap_bappeda_2021.xlsx",
    "kebutuhan.csv",
    "tawaran.csv",
)
COORDINATOR = "koordinator@bappeda.boyolali.example"
OPERATOR = "operator@diskominfo.boyolali.example"
PASSWORD = "Susu-Segar-Boyolali-2026"
#: Who should meet whom, as a coordinator of Boyolali would pair them by hand.
EXPECTED_PAIRS = {
    ("Butuh pendamping pembukuan BUMDes Jelok", "Pendampingan pembukuan BUMDes"),
    ("Data keluarga miskin calon penerima RTLH Samiran", "Data KPM PKH Samiran dan Lencoh"),
    ("Pelatihan pemasaran susu untuk BUMDes Selo", "Pelatihan pemasaran produk susu"),
}


def test_boyolali_from_an_empty_database_to_its_first_proposals(
    fresh: tuple[dict[str, str], Flask],  # noqa: F811 - pytest's fixture, imported above
) -> None:
    env, web = fresh
    titiktemu(env, "db", "upgrade")
    titiktemu(env, "regions", "load", "33.09")
    titiktemu(env, "user", "create", COORDINATOR, "--role", "coordinator", "--regency", "33.09")
    checked = titiktemu(env, "import", "--dry-run", "--as", COORDINATOR, *_files())
    assert "Rejected" not in checked.stdout, checked.stdout
    done = titiktemu(env, "import", "--as", COORDINATOR, *_files())
    assert "Applied" in done.stdout and "Re-matched 33.09" in done.stdout, done.stdout

    with web.app_context():
        session = db.session()
        funding = dict(session.execute(sa.select(Program.code, Program.funding_source)).all())
        assert funding["RTLH"] is FundingSource.APBD  # "APBD Kab."
        assert funding["CSR-SUSU"] is FundingSource.CSR
        jelok = session.scalars(
            sa.select(Intervention)
            .where(Intervention.village_code == "33.09.03.2006")
            .order_by(Intervention.start_date)
        ).all()
        assert [(i.start_date, i.households, i.budget_idr) for i in jelok] == [
            (dt.date(2021, 3, 1), 12, 240_000_000),
            (dt.date(2021, 4, 15), 10, 180_000_000),
        ]
        pairs = session.execute(
            sa.select(Need.title, Offer.title)
            .select_from(Proposal)
            .join(Need, Need.id == Proposal.need_id)
            .join(Offer, Offer.id == Proposal.offer_id)
            .where(Proposal.status == ProposalStatus.PROPOSED, Proposal.rank == 1)
        ).all()
        assert {(need, offer) for need, offer in pairs} == EXPECTED_PAIRS
        assert session.scalar(sa.select(sa.func.count()).select_from(Gap)) == 0
        [flag] = session.scalars(sa.select(OverlapFlag)).all()
        assert flag.status is FlagStatus.OPEN and flag.village_code == "33.09.03.2006"
        assert {i.program.code for i in flag.interventions} == {"RTLH", "CSR-SUSU"}
        db.session.remove()

    # The operator's own account, an admin of every regency as the README's first day makes it,
    # works in Boyolali (the only regency loaded), not in an empty Klaten.
    titiktemu(env, "user", "create", OPERATOR, "--role", "admin")
    with web.app_context():
        operator = db.session.scalars(sa.select(Person).where(Person.email == OPERATOR)).one()
        assert operator.regency_code is None
        set_password(db.session(), operator, PASSWORD)
        db.session.commit()
        db.session.remove()
    client = web.test_client()
    token = csrf_token(client)
    signed_in = client.post(
        "/login", data={"email": OPERATOR, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    review = client.get("/review").get_data(as_text=True)
    assert "Pelatihan pemasaran produk susu" in review  # a Boyolali proposal on the queue
    coverage = client.get("/coverage").get_data(as_text=True)
    assert "Cepogo" in coverage and "Wonosari" not in coverage  # Boyolali's kecamatan, not Klaten's

    # Beneficiary lists, in production mode: refused until the operator sets a linkage key,
    # then RTLH's (XLSX) and the dairy cooperative's (CSV) lists of 2021, linked in Jelok.
    production = {
        **env,
        "TITIKTEMU_ENV": "production",
        "TITIKTEMU_SECRET_KEY": "s" * 40,
        "TITIKTEMU_BASE_URL": "https://titiktemu.boyolali.example",
    }
    lists = (("RTLH", "penerima_rtlh_2021.xlsx"), ("CSR-SUSU", "penerima_csr_susu_2021.csv"))
    purpose = "Verifikasi calon penerima agar tidak dobel"
    no_key = titiktemu(
        production,
        "beneficiaries",
        "import",
        str(DATA / lists[0][1]),
        "--program",
        "RTLH",
        "--year",
        "2021",
        "--purpose",
        purpose,
        code=1,
    )
    assert "TITIKTEMU_LINKAGE_KEY" in no_key.stderr
    key_file = Path(env["TITIKTEMU_INSTANCE_DIR"]).parent / "boyolali.key"
    titiktemu(production, "beneficiaries", "new-key", "-o", str(key_file))
    production["TITIKTEMU_LINKAGE_KEY"] = key_file.read_text().strip()
    for code, name in lists:
        done = titiktemu(
            production,
            "beneficiaries",
            "import",
            str(DATA / name),
            "--program",
            code,
            "--year",
            "2021",
            "--purpose",
            purpose,
        )
        assert "rows stored encoded" in done.stdout, done.stdout
        assert "3309031407720001" not in done.stdout + done.stderr
    with web.app_context():
        from titiktemu.beneficiaries import views

        session = db.session()
        # The eager link jobs ran in the import commands' processes.
        flag = session.scalars(sa.select(OverlapFlag)).one()
        operator = session.scalars(sa.select(Person).where(Person.email == OPERATOR)).one()
        evidence = views.household_evidence(session, operator, flag)
        assert [(e.program, e.other_program, e.households) for e in evidence] == [
            ("CSR-SUSU", "RTLH", 2)
        ]
        db.session.remove()


def _files() -> list[str]:
    return [str(DATA / name) for name in FILES]
