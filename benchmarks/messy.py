"""The clean benchmark rows written as an agency clerk keeps them, for timing the careful reader.

Same interventions (same natural keys) as the clean CSV of :mod:`benchmarks.imports`, in one
XLSX sheet the way Klaten's recaps come: a title block, Indonesian headers, a kecamatan column
merged down over its villages, "Ds. Sidowarno" / "Desa X Kec. Y" / "X, Y" places, dates as date
cells, "1 Maret 2025", "01-03-2025", "Rp 240.000.000" / "Rp 125 juta" / "12 KK", activities by
synonym, and a JUMLAH row of SUM formulas at the bottom.
"""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import Kecamatan, Village

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
#: How a clerk names each activity of the clean rows (codes and labels there).
ACTIVITY_WORDS = {
    "house_renovation": "bedah rumah",
    "Rehabilitasi rumah": "rehab RTLH",
    "sanitation": "jamban sehat",
    "Air bersih": "sumur bor",
    "clean_water": "air minum",
    "drainage_roads": "pavingisasi",
    "social_assistance": "bansos",
    "bantuan sosial": "BLT",
    "livelihood_training": "pelatihan usaha",
    "health_nutrition": "posyandu",
    "Pendidikan": "pendidikan",
    "education": "pendidikan",
    "village_governance": "tata kelola desa",
    "disaster_preparedness": "kesiapsiagaan bencana",
}
HEADER = [
    "No",
    "Program",
    "Kecamatan",
    "Desa/Kelurahan",
    "Jenis Kegiatan",
    "Nama Kegiatan",
    "Tanggal Mulai",
    "Tanggal Selesai",
    "Jumlah KK",
    "Anggaran (Rp)",
    "Email Pendamping",
    "Keterangan",
]


def _place(i: int, name: str, kecamatan: str) -> tuple[str, str]:
    """(village cell, kecamatan cell) in one of the clerk's styles."""
    style = i % 5
    if style == 0:
        return f"Ds. {name}", kecamatan
    if style == 1:
        return f"Desa {name} Kec. {kecamatan}", ""
    if style == 2:
        return f"{name}, {kecamatan}", ""
    if style == 3:
        return name.upper(), kecamatan.upper()
    return f"Ds {name}", f"Kec. {kecamatan}"


def _date(i: int, day: dt.date) -> object:
    style = i % 4
    if style == 0:
        return day  # a date cell
    if style == 1:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if style == 2:
        return day.strftime("%d-%m-%Y")
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def _households(i: int, value: str) -> object:
    number = int(value)
    return (number, f"{number} KK", f"{number} rumah", str(number))[i % 4]


def _budget(i: int, value: str) -> object:
    number = int(value)
    style = i % 4
    if style == 0:
        return number
    if style == 1:
        return "Rp " + f"{number:,}".replace(",", ".")
    if style == 2 and number % 1_000_000 == 0:
        return f"Rp {number // 1_000_000} juta"
    return f"{number:,}".replace(",", ".") + ",-"


def messy_workbook(session: Session, rows: list[list[str]]) -> bytes:
    """``rows`` (the clean CSV's cells, in its column order) as a clerk's XLSX."""
    from openpyxl import Workbook

    names = {code: name for code, name in session.execute(sa.select(Village.code, Village.name))}
    kecamatan = {
        code: name for code, name in session.execute(sa.select(Kecamatan.code, Kecamatan.name))
    }
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Rekap 2025"
    sheet.append(["REKAP KEGIATAN LINTAS PROGRAM KABUPATEN KLATEN TAHUN 2025-2026"])
    sheet.append(["BAPPEDA KABUPATEN KLATEN"])
    sheet.append([])
    sheet.append(HEADER)
    first = sheet.max_row + 1
    for i, row in enumerate(rows):
        program, village, activity, start, end, households, budget, email, title = row
        village_cell, kecamatan_cell = _place(i, names[village], kecamatan[village[:8]])
        sheet.append(
            [
                i + 1,
                program if i % 3 else program.lower(),
                kecamatan_cell,
                village_cell,
                ACTIVITY_WORDS.get(activity, activity),
                title,
                _date(i, _iso(start)),
                _date(i + 1, _iso(end)),
                _households(i, households),
                _budget(i, budget),
                email,
                "",
            ]
        )
    last = sheet.max_row
    sheet.append(["JUMLAH", *[None] * 7, f"=SUM(I{first}:I{last})", f"=SUM(J{first}:J{last})"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _iso(text: str) -> dt.date:
    if "/" in text:
        day, month, year = text.split("/")
        return dt.date(int(year), int(month), int(day))
    return dt.date.fromisoformat(text)
