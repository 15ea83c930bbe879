"""A bigger regency than the demo, cheaply: more programs working in every kecamatan, and the
longest texts people type, for the tests that hold pages to a phone's width and the page budget."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import (
    ActivityCategory,
    FundingSource,
    Intervention,
    OverlapFlag,
    Program,
    Proposal,
    Village,
)
from titiktemu.models.places import under

#: Programs added to the demo's dozen: the coverage matrix then has three times the columns.
EXTRA_PROGRAMS = 24
#: A decision note as long as a coordinator may write, with characters the page must escape.
LONG_NOTE = ('Catatan rapat <forum> & tindak lanjut "desa": ' * 80).strip()


def add_programs(session: Session, regency: str, count: int = EXTRA_PROGRAMS) -> int:
    """Add ``count`` programs with 40-character codes, each working in the first village of every
    kecamatan; return how many interventions that added."""
    categories = session.scalars(
        sa.select(ActivityCategory.code).order_by(ActivityCategory.code)
    ).all()
    first_village: dict[str, str] = {}
    for code, kecamatan in session.execute(
        sa.select(Village.code, Village.kecamatan_code)
        .where(under(Village.code, regency))
        .order_by(Village.code)
    ):
        first_village.setdefault(kecamatan, code)
    villages = sorted(first_village.values())
    for n in range(count):
        program = Program(
            code=f"PROGRAM-PEMBERDAYAAN-MASYARAKAT-DESA-{n:03d}",
            name=f"Program pemberdayaan masyarakat desa {n}",
            agency="Dinas Pemberdayaan Masyarakat dan Desa",
            funding_source=FundingSource.APBD,
        )
        session.add(program)
        session.flush()
        for i, village in enumerate(villages):
            start = dt.date(2026, 1 + (n + i) % 12, 1)
            session.add(
                Intervention(
                    program_id=program.id,
                    village_code=village,
                    category_code=categories[(n + i) % len(categories)],
                    title=f"Kegiatan pemberdayaan {n} " + "pelatihan dan pendampingan " * 6,
                    start_date=start,
                    end_date=start + dt.timedelta(days=60),
                    budget_year=2026,
                    households=10 + i,
                    budget_idr=1_250_000_000 + n,
                )
            )
    session.commit()
    return count * len(villages)


def lengthen_notes(session: Session, regency: str) -> None:
    """Give every proposal and overlap flag of the regency a very long decision note."""
    session.execute(
        sa.update(Proposal).where(Proposal.regency_code == regency).values(decision_note=LONG_NOTE)
    )
    session.execute(
        sa.update(OverlapFlag)
        .where(OverlapFlag.regency_code == regency)
        .values(decision_note=LONG_NOTE)
    )
    session.commit()
