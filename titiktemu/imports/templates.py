"""Templates to fill in: per kind, an Indonesian comment row (starting with ``#``), then the header.

The comment row is skipped on import, so an untouched template imports as an empty upload.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Final

from titiktemu.imports.columns import COLUMNS, KINDS

_COMMON: Final = (
    "Daftar dalam satu sel dipisah titik koma (;). Tanggal YYYY-MM-DD atau DD/MM/YYYY. "
    "Desa: kode (33.10.12.2003) atau 'Nama Desa, Kecamatan'. Keahlian dan kegiatan: kode, "
    "nama Indonesia atau Inggris. Baris yang diawali # diabaikan."
)

COMMENTS: Final[dict[str, str]] = {
    "programs": (
        "# Program: code = kode unik (mis. PKH); name = nama; agency = instansi; "
        "funding_source = apbn, apbd, apbdes (Dana Desa), csr, donor, baznas atau other; "
        "categories = jenis kegiatan."
    ),
    "people": (
        "# Orang: email = kunci; name = nama; phone = telepon; role = facilitator, coordinator, "
        "partner (mitra: donor, CSR, Baznas) atau admin (kosong = facilitator); program_codes = kode program; home_village = desa "
        "tempat tinggal; villages = desa dampingan; skills = keahlian; language = id atau en."
    ),
    "interventions": (
        "# Intervensi: program_code, village, activity dan start_date menjadi kunci; end_date = "
        "tanggal selesai; households = jumlah KK; budget_idr = anggaran dalam rupiah (angka saja); "
        "facilitator_email = email pendamping (boleh kosong); title = judul."
    ),
    "offers": (
        "# Tawaran: email pemilik dan title menjadi kunci; skills = keahlian; villages = desa "
        "atau kode kecamatan (33.10.12 = seluruh kecamatan); available_from / available_until = "
        "masa tersedia; capacity = berapa kebutuhan sekaligus (kosong = 1); description = uraian."
    ),
    "needs": (
        "# Kebutuhan: email pemilik dan title menjadi kunci; skills = keahlian yang dicari; "
        "village = satu desa atau kode kecamatan; needed_from / needed_until = kapan "
        "dibutuhkan; description = uraian."
    ),
}


def comment(kind: str) -> str:
    return f"{COMMENTS[kind]} {_COMMON}"


def template_csv(kind: str) -> bytes:
    """The CSV template of ``kind``: UTF-8 with a BOM, so Excel opens it as UTF-8."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([comment(kind)])
    writer.writerow(COLUMNS[kind])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def template_xlsx(kinds: Iterable[str] = KINDS) -> bytes:
    """An XLSX workbook with one sheet per kind, each named after it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for kind in kinds:
        sheet = book.create_sheet(kind)
        sheet.append([comment(kind)])
        sheet.append(list(COLUMNS[kind]))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        sheet["A1"].font = Font(italic=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
