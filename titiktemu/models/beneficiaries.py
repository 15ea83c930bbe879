"""Beneficiary lists, encoded: which households two programs both serve, with no identity in clear.

A list is one program's beneficiaries of one year, uploaded with its legal basis and purpose and
kept until ``expires_at``. Its rows hold only what linkage needs: the agency's own ``ref``, the
village, the birth year (the block), keyed hashes of NIK and KK and the CLK; never a NIK, a KK
number, a name, a birth date or an address. Deleting a list deletes its rows and their links.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from titiktemu.models.base import Base, str_enum, utcnow
from titiktemu.models.programs import Program


class LegalBasis(enum.StrEnum):
    """The bases of UU 27/2022, art. 20, an upload may rest on."""

    LEGAL_OBLIGATION = "legal_obligation"
    PUBLIC_TASK = "public_task"
    CONSENT = "consent"
    VITAL_INTEREST = "vital_interest"
    CONTRACT = "contract"
    LEGITIMATE_INTEREST = "legitimate_interest"


class BeneficiaryList(Base):
    __tablename__ = "beneficiary_lists"
    __table_args__ = (sa.Index("ix_beneficiary_lists_regency_year", "regency_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regencies.code"))
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id"), index=True)
    year: Mapped[int]
    legal_basis: Mapped[LegalBasis] = mapped_column(str_enum(LegalBasis, "legal_basis"))
    purpose: Mapped[str] = mapped_column(sa.Text)
    #: "server" (encoded on upload) or "encoded" (encoded on the agency's machine).
    route: Mapped[str] = mapped_column(sa.String(16))
    #: The linkage key the rows were encoded under (its id, not the key).
    key_id: Mapped[str] = mapped_column(sa.String(16))
    rows: Mapped[int]
    uploaded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.date]

    program: Mapped[Program] = relationship()


class BeneficiaryRow(Base):
    __tablename__ = "beneficiary_rows"
    __table_args__ = (sa.UniqueConstraint("list_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("beneficiary_lists.id", ondelete="CASCADE"))
    #: The agency's own row id, so its facilitators find their rows; not an identity number.
    ref: Mapped[str] = mapped_column(sa.String(64))
    village_code: Mapped[str] = mapped_column(sa.ForeignKey("villages.code"))
    kecamatan_code: Mapped[str] = mapped_column(sa.String(16))
    birth_year: Mapped[int]
    nik_hmac: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    kk_hmac: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    #: The CLK, base64 (1,024 bits).
    clk: Mapped[str] = mapped_column(sa.String(200))


class BeneficiaryLink(Base):
    """Two rows of different lists that are one person (``nik``, ``person``) or one household
    (``kk``); ``row_a`` < ``row_b``. Rebuilt for the regency whenever one of its lists changes."""

    __tablename__ = "beneficiary_links"
    __table_args__ = (
        sa.UniqueConstraint("row_a", "row_b"),
        sa.CheckConstraint("row_a < row_b", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    regency_code: Mapped[str] = mapped_column(sa.String(8), index=True)
    row_a: Mapped[int] = mapped_column(
        sa.ForeignKey("beneficiary_rows.id", ondelete="CASCADE"), index=True
    )
    row_b: Mapped[int] = mapped_column(
        sa.ForeignKey("beneficiary_rows.id", ondelete="CASCADE"), index=True
    )
    strength: Mapped[str] = mapped_column(sa.String(8))
    similarity: Mapped[float]
