"""Writes rekap_bappeda_2021.xlsx: the planning office's cross-program table as its clerk keeps it
(a title and a source line above the header, Indonesian headers, "Rp 240.000.000", "Rp. 180 juta",
"1 Maret 2021", "15/04/2021", "Mei 2021", "12 KK", "-" for an unknown budget).

    python tests/data/boyolali/make_rekap.py
"""

from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
SITI, AGUS = "siti.rahayu@perkim.boyolali.example", "agus.p3md@gmail.example"
RINA, WAHYU = "rina@csr-susu.example.com", "wahyu.pkh@kemensos.example.id"
HEADER: list[object] = [
    "No",
    "Program",
    "Desa/Kel",
    "Kec.",
    "Jenis Kegiatan",
    "Nama Kegiatan",
    "Mulai",
]
HEADER += ["Selesai", "Jml KK", "Anggaran", "Email", "Ket"]
ROWS: list[list[object]] = [
    HEADER,
    [1, "RTLH", "Ds. Jelok", "Cepogo", "bedah rumah", "Bedah rumah Jelok tahap 1", "1 Maret 2021"],
    [2, "CSR-SUSU", "Jelok", "Kec. Cepogo", "rehab rumah", "Bedah rumah peternak Jelok"],
    [3, "P3MD", "Selo", "Selo", "tata kelola desa", "Pelatihan Siskeudes", "Mei 2021"],
    [4, "PKH", "Samiran", "Selo", "bansos", "Verifikasi KPM", "2021-02-01"],
]
ROWS[1] += ["30 Juni 2021", "12 KK", "Rp 240.000.000", SITI, ""]
ROWS[2] += ["15/04/2021", "31/08/2021", "10", "Rp. 180 juta", RINA, ""]
ROWS[3] += ["Mei 2021", "", "Rp 15.000.000", AGUS, ""]
ROWS[4] += ["2021-03-31", "120 KK", "-", WAHYU, "pendataan ulang"]


def main() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Rekap 2021"
    sheet.append(["REKAP INTERVENSI LINTAS PROGRAM TAHUN 2021"])
    sheet.append(["Sumber: Bappeda Kab. Boyolali"])
    sheet.append([])
    for row in ROWS:
        sheet.append(row)
    book.save(HERE / "rekap_bappeda_2021.xlsx")


if __name__ == "__main__":
    main()
