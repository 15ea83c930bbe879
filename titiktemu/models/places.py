"""Indonesia's administrative tree, keyed by official Kemendagri codes ("33.10.01.2001")."""

from __future__ import annotations

import enum
import re
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column, relationship

from titiktemu.models.base import Base, str_enum


class RegencyKind(enum.StrEnum):
    KABUPATEN = "kabupaten"
    KOTA = "kota"


class VillageKind(enum.StrEnum):
    """A kelurahan is urban and run by the regency; a desa is self-governing and gets Dana Desa."""

    DESA = "desa"
    KELURAHAN = "kelurahan"
    DESA_ADAT = "desa_adat"


class Province(Base):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))


class Regency(Base):
    __tablename__ = "regencies"

    code: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[RegencyKind] = mapped_column(str_enum(RegencyKind, "regency_kind"))

    province: Mapped[Province] = relationship()


class Kecamatan(Base):
    __tablename__ = "kecamatan"

    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regencies.code"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    #: Centroid (WGS84 degrees) from the regency's places file, when it has one; says how far
    #: apart two kecamatan are ("the nearest is 20 km away").
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)

    regency: Mapped[Regency] = relationship()


class Village(Base):
    __tablename__ = "villages"

    code: Mapped[str] = mapped_column(sa.String(13), primary_key=True)
    kecamatan_code: Mapped[str] = mapped_column(sa.ForeignKey("kecamatan.code"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[VillageKind] = mapped_column(str_enum(VillageKind, "village_kind"))
    postal_code: Mapped[str | None] = mapped_column(sa.String(5))

    kecamatan: Mapped[Kecamatan] = relationship()

    @property
    def regency_code(self) -> str:
        return regency_of(self.code)


#: A village's code: province, regency, kecamatan, village ("33.10.01.2001"), every one of the
#: 83,762 in the Kemendagri list.
VILLAGE_CODE_PATTERN: Final = r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}"
_VILLAGE_CODE: Final = re.compile(VILLAGE_CODE_PATTERN)


def is_village_code(text: str) -> bool:
    """True when ``text`` has the form of a village code (it may still name no village)."""
    return _VILLAGE_CODE.fullmatch(text) is not None


#: Length of a regency code ("33.10"), the head of every kecamatan and village code below it.
REGENCY_CODE_LENGTH: Final = 5


def regency_of(code: str) -> str:
    """The regency part of a kecamatan or village code: "33.10.01.2001" -> "33.10".

    The one answer to "which regency?": records ask it through their ``regency_code`` (or an
    offer's ``regency_codes``), SQL through :func:`regency_sql`.
    """
    return code[:REGENCY_CODE_LENGTH]


def regency_sql(
    column: sa.ColumnElement[str] | InstrumentedAttribute[str],
) -> sa.ColumnElement[str]:
    """:func:`regency_of` in SQL, for grouping and selecting (filter with :func:`under`)."""
    return sa.func.substr(column, 1, REGENCY_CODE_LENGTH)


#: Length of a kecamatan code ("33.10.05"), the head of every village code below it.
KECAMATAN_CODE_LENGTH: Final = 8


def kecamatan_sql(
    column: sa.ColumnElement[str] | InstrumentedAttribute[str],
) -> sa.ColumnElement[str]:
    """A village code's kecamatan in SQL, read from the code itself (codes are hierarchical,
    the regions loader files each village under its code's head): no join to ``villages``."""
    # Literal numbers, not bound parameters: PostgreSQL matches a GROUP BY expression to the
    # selected one by its text, and two binds of the same value are two different texts.
    return sa.func.substr(
        column, sa.literal_column("1"), sa.literal_column(str(KECAMATAN_CODE_LENGTH))
    )


def code_param(name: str) -> sa.BindParameter[str]:
    """A place code a statement built once is given each time it runs (``under`` takes it).

    Written into the statement's text when it runs (``literal_execute``), not sent as a
    parameter: PostgreSQL prepares a statement run often and may keep a generic plan for it,
    and for a range of codes under a parameter it guesses 21 rows where a regency has 4,189
    interventions, then sorts them instead of hashing (coverage's count: 2.3 -> 4.5 ms). With
    the code in the text, each regency's statement is planned with its own statistics."""
    return sa.bindparam(name, type_=sa.String, literal_execute=True)


def under(
    column: sa.ColumnElement[str] | InstrumentedAttribute[str],
    code: str | sa.BindParameter[str],
) -> sa.ColumnElement[bool]:
    """Rows whose code lies under ``code`` in the tree, as an index-friendly range, not LIKE.

    '/' is the character after '.', so ["33.10.", "33.10/") holds exactly the codes below 33.10,
    whatever the database collation.
    """
    if isinstance(code, str):
        return sa.and_(column >= code + ".", column < code + "/")
    # Literal suffixes: with the code inlined, the bounds are constants the planner folds.
    return sa.and_(
        column >= code + sa.literal_column("'.'"), column < code + sa.literal_column("'/'")
    )
