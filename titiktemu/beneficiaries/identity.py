"""NIK and KK numbers, checked as a clerk would check them, without ever repeating them.

A NIK is 16 digits: 2 province, 2 regency, 2 kecamatan (where first registered), the birth date
``DDMMYY`` with 40 added to the day for women, and a 4-digit serial. A KK (family card) number has
the same region part, then the card's issue date and a serial. A check answers with a problem
code, never with the number: the report of a refused upload names the row and its ``ref`` only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache
from typing import Final

DIGITS: Final = re.compile(r"\d{16}")
#: What clerks put around a number: spaces, dots, dashes, an apostrophe that keeps Excel from
#: turning it into 3.31E+15.
_NOISE: Final = re.compile(r"[\s.\-'’`]")

#: Problem codes (``titiktemu.beneficiaries.reading.MESSAGES`` words them).
NOT_16_DIGITS: Final = "nik_not_16_digits"
UNKNOWN_KECAMATAN: Final = "nik_unknown_kecamatan"
IMPOSSIBLE_BIRTH_DATE: Final = "nik_impossible_birth_date"
KK_NOT_16_DIGITS: Final = "kk_not_16_digits"
KK_UNKNOWN_KECAMATAN: Final = "kk_unknown_kecamatan"


def digits(raw: str) -> str:
    """The number as written, without the separators clerks add."""
    return _NOISE.sub("", raw)


def nik_problem(nik: str, is_kecamatan: Callable[[str], bool]) -> str | None:
    """Why ``nik`` (already through ``digits``) cannot be a NIK; None when it can."""
    if not DIGITS.fullmatch(nik):
        return NOT_16_DIGITS
    if not is_kecamatan(nik[:6]):
        return UNKNOWN_KECAMATAN
    if nik_birth_date(nik) is None:
        return IMPOSSIBLE_BIRTH_DATE
    return None


def kk_problem(kk: str, is_kecamatan: Callable[[str], bool]) -> str | None:
    """Why ``kk`` cannot be a family card number; None when it can."""
    if not DIGITS.fullmatch(kk):
        return KK_NOT_16_DIGITS
    if not is_kecamatan(kk[:6]):
        return KK_UNKNOWN_KECAMATAN
    return None


def nik_birth_date(nik: str) -> tuple[int, int, int, bool] | None:
    """(day, month, two-digit year, is_woman) of a NIK's date part, or None when no century
    makes it a real date (31 February, day 35, month 13)."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    woman = day > 40
    if woman:
        day -= 40
    for century in (1900, 2000):
        try:
            dt.date(century + year, month, day)
        except ValueError:
            continue
        return day, month, year, woman
    return None


@cache
def national_kecamatan() -> frozenset[str]:
    """Every kecamatan's six digits (``331001``) in the Kemendagri list shipped with the product.

    A NIK keeps the kecamatan where it was first issued, anywhere in Indonesia, so the check is
    against the whole country's list, not the regency's places; the same list on the server and
    on an agency's machine running ``beneficiaries encode``."""
    from titiktemu.places.kemendagri import list_wilayah

    found: set[str] = set()
    for province in list_wilayah(None):
        for regency in list_wilayah(province.code):
            for kecamatan in list_wilayah(regency.code):
                found.add(kecamatan.code.replace(".", ""))
    return frozenset(found)


def is_national_kecamatan(six: str) -> bool:
    return six in national_kecamatan()
