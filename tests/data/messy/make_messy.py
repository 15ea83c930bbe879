"""Write the messy spreadsheet set of tests/data/messy and what a careful reader makes of it.

    python tests/data/messy/make_messy.py

The files are what Klaten's agencies and a coordinator keep, not our templates: an RTLH recap
from Dinas Perkim (XLSX: a title block, a merged kecamatan column, a numbered-columns row, dates
as date cells and as words, "Rp 240.000.000", "-", a JUMLAH row of SUM formulas, no program
column, a second sheet with a two-row header), a recap of other programs from Dinas PMD (CSV with
semicolons: "Ds. Sidowarno Kec. Wonosari", "jambanisasi", "Maret 2021", "Rp 125 juta", "1,5 M",
a TOTAL row), and the coordinator's own programs, people, offers and needs with Indonesian
headers. Every written value sits beside what it means in this file, so the two cannot drift;
``expected.json`` is what the test compares the database with after importing every file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
D = dt.date

# --- programs.csv: the coordinator's list ----------------------------------------------------
# (written cells, expected)
PROGRAMS: list[tuple[list[str], dict[str, Any]]] = [
    (
        [
            "1",
            "RTLH",
            "Rehabilitasi Rumah Tidak Layak Huni",
            "Dinas Perkim",
            "APBD Kabupaten",
            "bedah rumah",
        ],
        {"code": "RTLH", "funding_source": "apbd", "categories": ["house_renovation"]},
    ),
    (
        [
            "2",
            "BSPS",
            "Bantuan Stimulan Perumahan Swadaya",
            "Kementerian PUPR",
            "APBN",
            "Rehabilitasi rumah",
        ],
        {"code": "BSPS", "funding_source": "apbn", "categories": ["house_renovation"]},
    ),
    (
        [
            "3",
            "KOTAKU",
            "Kota Tanpa Kumuh",
            "Kementerian PUPR",
            "apbn",
            "drainase; sanitasi; air bersih",
        ],
        {
            "code": "KOTAKU",
            "funding_source": "apbn",
            "categories": ["clean_water", "drainage_roads", "sanitation"],
        },
    ),
    (
        [
            "4",
            "PAMSIMAS",
            "Penyediaan Air Minum dan Sanitasi Berbasis Masyarakat",
            "Dinas PUPR",
            "APBN",
            "air bersih; sanitasi",
        ],
        {"code": "PAMSIMAS", "funding_source": "apbn", "categories": ["clean_water", "sanitation"]},
    ),
    (
        [
            "5",
            "STBM",
            "Sanitasi Total Berbasis Masyarakat",
            "Dinas Kesehatan",
            "APBD",
            "jamban; kesehatan dan gizi",
        ],
        {
            "code": "STBM",
            "funding_source": "apbd",
            "categories": ["health_nutrition", "sanitation"],
        },
    ),
    (
        ["6", "P3MD", "Pendampingan Desa", "Dinas PMD", "APBN", "tata kelola desa"],
        {"code": "P3MD", "funding_source": "apbn", "categories": ["village_governance"]},
    ),
    (
        ["7", "PKH", "Program Keluarga Harapan", "Dinas Sosial", "APBN", "bansos"],
        {"code": "PKH", "funding_source": "apbn", "categories": ["social_assistance"]},
    ),
    (
        [
            "8",
            "CSR-TIRTA",
            "CSR PT Tirta Klaten",
            "PT Tirta Klaten",
            "swasta",
            "pelatihan usaha; air bersih",
        ],
        {
            "code": "CSR-TIRTA",
            "funding_source": "csr",
            "categories": ["clean_water", "livelihood_training"],
        },
    ),
]
PROGRAM_HEADER = [
    "No",
    "Kode Program",
    "Nama Program",
    "Instansi",
    "Sumber Dana",
    "Bidang Kegiatan",
]

# --- people.csv ----------------------------------------------------------------------------------
PEOPLE_HEADER = [
    "No",
    "Nama",
    "Email",
    "No. HP",
    "Peran",
    "Program",
    "Desa Domisili",
    "Desa Dampingan",
    "Keahlian",
    "Bahasa",
]
PEOPLE: list[tuple[list[str], dict[str, Any]]] = [
    (
        [
            "1",
            "Sri Wahyuningsih",
            "sri.wahyuningsih@perkim.example.id",
            "0812-2765-4321",
            "Pendamping",
            "RTLH",
            "Ds. Sidowarno Kec. Wonosari",
            "Ds. Sidowarno; Ds. Bener; Kingkang, Wonosari",
            "data RTLH; pengawasan konstruksi",
            "Indonesia",
        ],
        {
            "email": "sri.wahyuningsih@perkim.example.id",
            "name": "Sri Wahyuningsih",
            "role": "facilitator",
            "programs": ["RTLH"],
            "home_village": "33.10.15.2001",
            "villages": ["33.10.15.2001", "33.10.15.2002", "33.10.15.2004"],
            "skills": ["construction_supervision", "housing_data"],
            "language": "id",
        },
    ),
    (
        [
            "2",
            "MOH. TAUFIK HIDAYAT",
            "taufik.pmd@gmail.example",
            "+62 813 2900 1122",
            "Fasilitator",
            "P3MD",
            "Desa Troso, Karanganom",
            "Kec. Karanganom",
            "pembukuan; Siskeudes; Penyusunan Perdes",
            "indonesia",
        ],
        {
            "email": "taufik.pmd@gmail.example",
            "name": "MOH. TAUFIK HIDAYAT",
            "role": "facilitator",
            "programs": ["P3MD"],
            "home_village": "33.10.18.2005",
            "villages": "all of 33.10.18",
            "skills": ["bookkeeping", "village_finance_admin", "village_regulation"],
            "language": "id",
        },
    ),
    (
        [
            "3",
            "Dwi Lestari, S.KM",
            "dwi.sanitarian@dinkes.example.id",
            "081393004455",
            "pendamping",
            "STBM; PAMSIMAS",
            "Kel. Gayamprit Kec. Klaten Selatan",
            "Gayamprit; Ngalas, Klaten Selatan; Ds. Jetis (Klaten Selatan)",
            "pemicuan STBM; jamban sehat",
            "Indonesia",
        ],
        {
            "email": "dwi.sanitarian@dinkes.example.id",
            "name": "Dwi Lestari, S.KM",
            "role": "facilitator",
            "programs": ["PAMSIMAS", "STBM"],
            "home_village": "33.10.26.1009",
            "villages": ["33.10.26.1009", "33.10.26.2003", "33.10.26.2012"],
            "skills": ["sanitation_hygiene"],
            "language": "id",
        },
    ),
    (
        [
            "4",
            "Bambang Sutrisno",
            "bambang.pkh@kemensos.example.id",
            "0857 1234 8899",
            "Pendamping",
            "PKH",
            "Ds. Jelobo Kec. Wonosari",
            "Ds. Jelobo; Ds. Sidowarno",
            "DTKS; data KPM PKH",
            "Indonesia",
        ],
        {
            "email": "bambang.pkh@kemensos.example.id",
            "name": "Bambang Sutrisno",
            "role": "facilitator",
            "programs": ["PKH"],
            "home_village": "33.10.15.2005",
            "villages": ["33.10.15.2001", "33.10.15.2005"],
            "skills": ["poor_household_data"],
            "language": "id",
        },
    ),
    (
        [
            "5",
            "Maria Kusuma",
            "maria@tirta-csr.example.com",
            "",
            "pendamping",
            "CSR-TIRTA",
            "",
            "Kec. Jogonalan",
            "pelatihan pembukuan; pemasaran produk UMKM",
            "Inggris",
        ],
        {
            "email": "maria@tirta-csr.example.com",
            "name": "Maria Kusuma",
            "role": "facilitator",
            "programs": ["CSR-TIRTA"],
            "home_village": None,
            "villages": "all of 33.10.08",
            "skills": ["bookkeeping", "product_marketing"],
            "language": "en",
        },
    ),
]

# --- offers.csv and needs.csv --------------------------------------------------------------------
OFFER_HEADER = [
    "Email",
    "Judul Tawaran",
    "Keahlian",
    "Desa/Wilayah",
    "Tersedia Mulai",
    "Tersedia Sampai",
    "Kapasitas",
    "Keterangan",
]
OFFERS: list[tuple[list[str], dict[str, Any]]] = [
    (
        [
            "taufik.pmd@gmail.example",
            "Pendampingan pembukuan BUMDes dan KWT",
            "pembukuan",
            "Kec. Wonosari; Kec. Karanganom",
            "1 Januari 2027",
            "Des 2027",
            "2 kelompok",
            "Bisa datang ke balai desa, jadwal menyesuaikan.",
        ],
        {
            "key": ["taufik.pmd@gmail.example", "Pendampingan pembukuan BUMDes dan KWT"],
            "skills": ["bookkeeping"],
            "villages": [],
            "kecamatan": ["33.10.15", "33.10.18"],
            "from": "2027-01-01",
            "until": "2027-12-31",
            "capacity": 2,
        },
    ),
    (
        [
            "bambang.pkh@kemensos.example.id",
            "Data KPM PKH Desa Sidowarno dan Jelobo",
            "DTKS",
            "Ds. Sidowarno; Desa Jelobo",
            "01/01/2027",
            "30/06/2027",
            "1",
            "Data by name by address, dibagikan lewat koordinator.",
        ],
        {
            "key": ["bambang.pkh@kemensos.example.id", "Data KPM PKH Desa Sidowarno dan Jelobo"],
            "skills": ["poor_household_data"],
            "villages": ["33.10.15.2001", "33.10.15.2005"],
            "kecamatan": [],
            "from": "2027-01-01",
            "until": "2027-06-30",
            "capacity": 1,
        },
    ),
    (
        [
            "dwi.sanitarian@dinkes.example.id",
            "Pemicuan STBM untuk desa baru",
            "pemicuan STBM",
            "Kec. Klaten Selatan",
            "Januari 2027",
            "Maret 2027",
            "",
            "",
        ],
        {
            "key": ["dwi.sanitarian@dinkes.example.id", "Pemicuan STBM untuk desa baru"],
            "skills": ["sanitation_hygiene"],
            "villages": [],
            "kecamatan": ["33.10.26"],
            "from": "2027-01-01",
            "until": "2027-03-31",
            "capacity": 1,
        },
    ),
]
NEED_HEADER = [
    "Email",
    "Kebutuhan",
    "Keahlian yang Dibutuhkan",
    "Desa",
    "Kecamatan",
    "Dibutuhkan Mulai",
    "Dibutuhkan Sampai",
    "Keterangan",
]
NEEDS: list[tuple[list[str], dict[str, Any]]] = [
    (
        [
            "sri.wahyuningsih@perkim.example.id",
            "Butuh pendamping pembukuan BUMDes",
            "Pembukuan",
            "Sidowarno",
            "Wonosari",
            "Feb 2027",
            "31 Mei 2027",
            "BUMDes Sidowarno baru berdiri, pembukuannya belum rapi.",
        ],
        {
            "key": ["sri.wahyuningsih@perkim.example.id", "Butuh pendamping pembukuan BUMDes"],
            "skills": ["bookkeeping"],
            "village": "33.10.15.2001",
            "kecamatan": "33.10.15",
            "from": "2027-02-01",
            "until": "2027-05-31",
        },
    ),
    (
        [
            "sri.wahyuningsih@perkim.example.id",
            "Data keluarga miskin calon penerima RTLH",
            "data keluarga miskin",
            "Ds. Bener",
            "Kec. Wonosari",
            "2027-01-15",
            "",
            "",
        ],
        {
            "key": [
                "sri.wahyuningsih@perkim.example.id",
                "Data keluarga miskin calon penerima RTLH",
            ],
            "skills": ["poor_household_data"],
            "village": "33.10.15.2002",
            "kecamatan": "33.10.15",
            "from": "2027-01-15",
            "until": None,
        },
    ),
    (
        [
            "maria@tirta-csr.example.com",
            "Sanitarian untuk pemicuan di Jogonalan",
            "promosi sanitasi",
            "Kec. Jogonalan",
            "",
            "",
            "",
            "Warga masih BAB di sungai.",
        ],
        {
            "key": ["maria@tirta-csr.example.com", "Sanitarian untuk pemicuan di Jogonalan"],
            "skills": ["sanitation_hygiene"],
            "village": None,
            "kecamatan": "33.10.08",
            "from": None,
            "until": None,
        },
    ),
]

# --- RTLH recap (XLSX, first sheet): no program column; the title says RTLH and 2021 -----------
RTLH_TITLE = [
    "REKAP PENERIMA BANTUAN RTLH KABUPATEN KLATEN TAHUN 2021",
    "DINAS PERUMAHAN DAN KAWASAN PERMUKIMAN (PERKIM)",
]
RTLH_HEADER = [
    "No",
    "Kecamatan",
    "Desa/Kelurahan",
    "Nama Kegiatan",
    "Jenis Kegiatan",
    "Tanggal Mulai",
    "Tanggal Selesai",
    "Jumlah KK",
    "Anggaran (Rp)",
    "Email Pendamping",
    "Keterangan",
]
SRI = "sri.wahyuningsih@perkim.example.id"
# kecamatan cell (None: merged with the one above), village, title, activity, start, end, KK,
# budget, email, note  ->  village code, activity, start, end, households, budget, facilitator
RTLH: list[tuple[list[Any], dict[str, Any]]] = []


def _rtlh(
    cells: list[Any],
    village: str,
    activity: str,
    start: dt.date,
    end: dt.date,
    households: int | None,
    budget: int | None,
    facilitator: str | None,
    title: str | None = None,
) -> None:
    RTLH.append(
        (
            cells,
            {
                "program": "RTLH",
                "village": village,
                "activity": activity,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "households": households,
                "budget_idr": budget,
                "facilitator": facilitator,
                "title": title or cells[2],
            },
        )
    )


_rtlh(
    [
        "Wonosari",
        "Ds. Sidowarno",
        "Bedah rumah Dukuh Krajan",
        "bedah rumah",
        D(2021, 3, 1),
        D(2021, 8, 31),
        12,
        240_000_000,
        SRI,
        "tahap 1",
    ],
    "33.10.15.2001",
    "house_renovation",
    D(2021, 3, 1),
    D(2021, 8, 31),
    12,
    240_000_000,
    SRI,
)
_rtlh(
    [
        None,
        "Ds. Bener",
        "Rehab RTLH RW 02",
        "rehab RTLH",
        "1 Maret 2021",
        "31 Agustus 2021",
        "10 KK",
        "Rp 200.000.000",
        SRI,
        None,
    ],
    "33.10.15.2002",
    "house_renovation",
    D(2021, 3, 1),
    D(2021, 8, 31),
    10,
    200_000_000,
    SRI,
)
_rtlh(
    [
        None,
        "KINGKANG",
        "Rehab rumah warga miskin",
        "Rehabilitasi rumah",
        "01-04-2021",
        "30-09-2021",
        "8",
        "Rp 160.000.000,-",
        None,
        "belum ada pendamping",
    ],
    "33.10.15.2004",
    "house_renovation",
    D(2021, 4, 1),
    D(2021, 9, 30),
    8,
    160_000_000,
    None,
)
_rtlh(
    [
        None,
        "Desa Jelobo",
        "Peningkatan kualitas rumah",
        "peningkatan kualitas rumah",
        "Mei 2021",
        "Oktober 2021",
        "-",
        "-",
        None,
        "data menyusul",
    ],
    "33.10.15.2005",
    "house_renovation",
    D(2021, 5, 1),
    D(2021, 10, 31),
    None,
    None,
    None,
)
_rtlh(
    [
        None,
        "Ds. Sukorejo",
        "Bedah rumah lansia",
        "bedah rumah",
        D(2021, 6, 1),
        D(2021, 11, 30),
        5,
        "Rp 125 juta",
        None,
        None,
    ],
    "33.10.15.2013",
    "house_renovation",
    D(2021, 6, 1),
    D(2021, 11, 30),
    5,
    125_000_000,
    None,
)
_rtlh(
    [
        "Trucuk",
        "Ds. Wonosari",
        "Bedah rumah Wonosari",
        "bedah rumah",
        "1 Juni 2021",
        "30 November 2021",
        "6 rumah",
        150000000,
        None,
        "desa Wonosari di Kec. Trucuk",
    ],
    "33.10.06.2013",
    "house_renovation",
    D(2021, 6, 1),
    D(2021, 11, 30),
    6,
    150_000_000,
    None,
)
_rtlh(
    [
        None,
        "Trucuk",
        "RTLH Desa Trucuk",
        "RTLH",
        "01/06/2021",
        "30/11/2021",
        "7",
        "175.000.000",
        None,
        None,
    ],
    "33.10.06.2003",
    "house_renovation",
    D(2021, 6, 1),
    D(2021, 11, 30),
    7,
    175_000_000,
    None,
)
_rtlh(
    [
        None,
        "Ds. Puluhan",
        "Bedah rumah tahap II",
        "bedah rumah",
        "15 Jul 2021",
        "15 Des 2021",
        "4",
        "Rp 100 jt",
        None,
        None,
    ],
    "33.10.06.2009",
    "house_renovation",
    D(2021, 7, 15),
    D(2021, 12, 15),
    4,
    100_000_000,
    None,
)
_rtlh(
    [
        "Jogonalan",
        "Ds. Titang",
        "Bedah rumah Titang",
        "bedah rumah",
        44378,
        44469,
        "9 KK",
        "225,000,000",
        None,
        "tanggal dalam angka seri Excel",
    ],
    "33.10.08.2004",
    "house_renovation",
    D(2021, 7, 1),
    D(2021, 9, 30),
    9,
    225_000_000,
    None,
)
_rtlh(
    [
        None,
        "Ds. Joton",
        "Rehab RTLH Joton",
        "rehab RTLH",
        "2021-07-01",
        "2021-09-30",
        "3",
        "Rp 75.000.000",
        None,
        None,
    ],
    "33.10.08.2017",
    "house_renovation",
    D(2021, 7, 1),
    D(2021, 9, 30),
    3,
    75_000_000,
    None,
)
_rtlh(
    [
        None,
        "Ds. Granting",
        "Perbaikan rumah korban angin",
        "perbaikan rumah",
        "1 Agustus 2021",
        "Oktober 2021",
        "11",
        "Rp 275.000.000",
        None,
        None,
    ],
    "33.10.08.2013",
    "house_renovation",
    D(2021, 8, 1),
    D(2021, 10, 31),
    11,
    275_000_000,
    None,
)
_rtlh(
    [
        "Karanganom",
        "Ds. Troso",
        "Bedah rumah Troso",
        "bedah rumah",
        "Senin, 2 Agustus 2021",
        "Kamis, 30 Desember 2021",
        "5",
        "Rp 125.000.000",
        None,
        None,
    ],
    "33.10.18.2005",
    "house_renovation",
    D(2021, 8, 2),
    D(2021, 12, 30),
    5,
    125_000_000,
    None,
)
_rtlh(
    [
        None,
        "Karanganom",
        "Bedah rumah Karanganom",
        "bedah rumah",
        "Agustus 2021",
        "Desember 2021",
        "4",
        "100000000",
        None,
        "desa Karanganom di Kec. Karanganom",
    ],
    "33.10.18.2011",
    "house_renovation",
    D(2021, 8, 1),
    D(2021, 12, 31),
    4,
    100_000_000,
    None,
)
_rtlh(
    [
        "Klaten Selatan",
        "Ds. Jetis",
        "Bedah rumah Jetis",
        "bedah rumah",
        "1/9/2021",
        "31/12/2021",
        "2",
        "Rp 50.000.000",
        None,
        "Jetis ada di 4 kecamatan: kolom kecamatan menentukan",
    ],
    "33.10.26.2012",
    "house_renovation",
    D(2021, 9, 1),
    D(2021, 12, 31),
    2,
    50_000_000,
    None,
)
_rtlh(
    [
        None,
        "Kel. Gayamprit",
        "RTLH Kelurahan Gayamprit",
        "RTLH",
        "1 September 2021",
        "31 Desember 2021",
        "3",
        "Rp 90 juta",
        None,
        None,
    ],
    "33.10.26.1009",
    "house_renovation",
    D(2021, 9, 1),
    D(2021, 12, 31),
    3,
    90_000_000,
    None,
)
_rtlh(
    [
        None,
        "Ds Ngalas",
        "Bedah rumah Ngalas",
        "bedah rumah",
        "1 Sep 2021",
        "31 Des 2021",
        "4 KK",
        "Rp 0,1 M",
        None,
        None,
    ],
    "33.10.26.2003",
    "house_renovation",
    D(2021, 9, 1),
    D(2021, 12, 31),
    4,
    100_000_000,
    None,
)
_rtlh(
    [
        "Cawas",
        "Desa Cawas",
        "Bedah rumah Cawas",
        "bedah rumah",
        D(2021, 4, 5),
        D(2021, 10, 5),
        6,
        150_000_000,
        None,
        "desa bernama sama dengan kecamatan",
    ],
    "33.10.05.2011",
    "house_renovation",
    D(2021, 4, 5),
    D(2021, 10, 5),
    6,
    150_000_000,
    None,
)
_rtlh(
    [
        None,
        "Ds. Mlese",
        "Rehab rumah Mlese",
        "rehab rumah",
        D(2021, 4, 5),
        D(2021, 10, 5),
        3,
        75_000_000,
        None,
        "Mlese ada di 3 kecamatan",
    ],
    "33.10.05.2017",
    "house_renovation",
    D(2021, 4, 5),
    D(2021, 10, 5),
    3,
    75_000_000,
    None,
)
_rtlh(
    [
        None,
        "Ds. Bawak",
        "Bedah rumah Bawak",
        "bedah rumah",
        "05-04-2021",
        "05-10-2021",
        "",
        "",
        None,
        "KK dan anggaran belum diisi",
    ],
    "33.10.05.2007",
    "house_renovation",
    D(2021, 4, 5),
    D(2021, 10, 5),
    None,
    None,
    None,
)
_rtlh(
    [
        "Bayat",
        "Ds. Krakitan",
        "Bedah rumah Krakitan",
        "bedah rumah",
        "Mar 2021",
        "Jun 2021",
        "5",
        "Rp125.000.000",
        None,
        None,
    ],
    "33.10.04.2017",
    "house_renovation",
    D(2021, 3, 1),
    D(2021, 6, 30),
    5,
    125_000_000,
    None,
)
_rtlh(
    [
        None,
        "Ds. Tegalrejo",
        "Bedah rumah Tegalrejo",
        "bedah rumah",
        "1 Mar 2021",
        "30 Jun 2021",
        "5",
        "Rp 125.000.000,00",
        None,
        "Tegalrejo juga ada di Ceper",
    ],
    "33.10.04.2012",
    "house_renovation",
    D(2021, 3, 1),
    D(2021, 6, 30),
    5,
    125_000_000,
    None,
)
_rtlh(
    [
        "Kemalang",
        "Ds. Balerante",
        "Bedah rumah lereng Merapi",
        "bedah rumah",
        "2021-03-15",
        "2021-09-15",
        "10",
        "Rp 1,2 M",
        None,
        "kawasan rawan bencana",
    ],
    "33.10.21.2004",
    "house_renovation",
    D(2021, 3, 15),
    D(2021, 9, 15),
    10,
    1_200_000_000,
    None,
)
_rtlh(
    [
        None,
        "Ds. Tegalmulyo",
        "Bedah rumah Tegalmulyo",
        "bedah rumah",
        "2021-03-15",
        "2021-09-15",
        "8",
        "Rp 1.000.000.000",
        None,
        None,
    ],
    "33.10.21.2006",
    "house_renovation",
    D(2021, 3, 15),
    D(2021, 9, 15),
    8,
    1_000_000_000,
    None,
)
_rtlh(
    [
        "Prambanan",
        "Ds. Kebondalem Kidul",
        "Bedah rumah Kebondalem Kidul",
        "bedah rumah",
        "10 Mei 2021",
        "10 Nov 2021",
        "6",
        "Rp 150 juta",
        None,
        None,
    ],
    "33.10.01.2005",
    "house_renovation",
    D(2021, 5, 10),
    D(2021, 11, 10),
    6,
    150_000_000,
    None,
)

# --- BSPS (XLSX, second sheet): a program column and a two-row header ------------------------
BSPS_TITLE = ["DATA BSPS KAB. KLATEN"]
BSPS_HEADER_TOP = [
    "No",
    "Program",
    "Lokasi",
    None,
    "Kegiatan",
    "Tanggal",
    None,
    "Jumlah Unit",
    "Nilai Bantuan (Rp)",
]
BSPS_HEADER_BOTTOM = [None, None, "Desa", "Kecamatan", None, "Mulai", "Selesai", None, None]
BSPS: list[tuple[list[Any], dict[str, Any]]] = []


def _bsps(
    cells: list[Any],
    village: str,
    start: dt.date,
    end: dt.date,
    households: int | None,
    budget: int | None,
    title: str,
) -> None:
    BSPS.append(
        (
            cells,
            {
                "program": "BSPS",
                "village": village,
                "activity": "house_renovation",
                "start": start.isoformat(),
                "end": end.isoformat(),
                "households": households,
                "budget_idr": budget,
                "facilitator": None,
                "title": title,
            },
        )
    )


_bsps(
    [
        "BSPS",
        "Sidowarno",
        "Wonosari",
        "BSPS",
        "1 Maret 2021",
        "31 Agustus 2021",
        "15 unit",
        "Rp 300.000.000",
    ],
    "33.10.15.2001",
    D(2021, 3, 1),
    D(2021, 8, 31),
    15,
    300_000_000,
    "Rehabilitasi rumah Sidowarno",
)
_bsps(
    [
        "bsps",
        "Titang",
        "Jogonalan",
        "bantuan stimulan perumahan swadaya",
        D(2021, 7, 1),
        D(2021, 12, 31),
        10,
        200_000_000,
    ],
    "33.10.08.2004",
    D(2021, 7, 1),
    D(2021, 12, 31),
    10,
    200_000_000,
    "Rehabilitasi rumah Titang",
)
_bsps(
    ["BSPS", "JETIS", "DELANGGU", "BSPS", "Juli 2021", "Desember 2021", "12", "240.000.000"],
    "33.10.16.2002",
    D(2021, 7, 1),
    D(2021, 12, 31),
    12,
    240_000_000,
    "Rehabilitasi rumah Jetis",
)
_bsps(
    ["BSPS", "Balerante", "Kec. Kemalang", "BSPS", "01/04/2021", "30/09/2021", "20", "Rp 400 juta"],
    "33.10.21.2004",
    D(2021, 4, 1),
    D(2021, 9, 30),
    20,
    400_000_000,
    "Rehabilitasi rumah Balerante",
)
_bsps(
    ["BSPS", "Ngawen", "Ngawen", "BSPS", "1 Apr 2021", "30 Sep 2021", "8 unit", "Rp 160.000.000"],
    "33.10.22.2005",
    D(2021, 4, 1),
    D(2021, 9, 30),
    8,
    160_000_000,
    "Rehabilitasi rumah Ngawen",
)

# --- Dinas PMD recap (CSV; semicolons; many programs) -----------------------------------------
PMD_TITLE = [
    ["REKAP KEGIATAN LINTAS PROGRAM DI DESA TAHUN 2021"],
    ["Sumber: Dinas PMD Kab. Klaten"],
    [],
]
PMD_HEADER = [
    "No",
    "Program",
    "Desa/Kel",
    "Kec.",
    "Jenis Kegiatan",
    "Nama Kegiatan",
    "Mulai",
    "Selesai",
    "Jml KK",
    "Anggaran",
    "Email",
    "Ket",
]
PMD: list[tuple[list[str], dict[str, Any]]] = []


def _pmd(
    cells: list[str],
    program: str,
    village: str,
    activity: str,
    start: dt.date,
    end: dt.date,
    households: int | None,
    budget: int | None,
    facilitator: str | None = None,
) -> None:
    PMD.append(
        (
            cells,
            {
                "program": program,
                "village": village,
                "activity": activity,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "households": households,
                "budget_idr": budget,
                "facilitator": facilitator,
                "title": cells[4],
            },
        )
    )


_pmd(
    [
        "KOTAKU",
        "Ds. Sidowarno Kec. Wonosari",
        "",
        "jambanisasi",
        "Jambanisasi RW 03",
        "1 Maret 2021",
        "30 Juni 2021",
        "25 KK",
        "Rp 240.000.000",
        "",
        "",
    ],
    "KOTAKU",
    "33.10.15.2001",
    "sanitation",
    D(2021, 3, 1),
    D(2021, 6, 30),
    25,
    240_000_000,
)
_pmd(
    [
        "Kotaku",
        "Desa Bener Kec. Wonosari",
        "",
        "pavingisasi",
        "Paving jalan lingkungan",
        "Maret 2021",
        "Mei 2021",
        "40",
        "Rp 125 juta",
        "",
        "",
    ],
    "KOTAKU",
    "33.10.15.2002",
    "drainage_roads",
    D(2021, 3, 1),
    D(2021, 5, 31),
    40,
    125_000_000,
)
_pmd(
    [
        "KOTAKU",
        "Ds. Kingkang",
        "Wonosari",
        "drainase",
        "Saluran drainase Kingkang",
        "01-04-2021",
        "31-07-2021",
        "-",
        "1,5 M",
        "",
        "nilai kontrak",
    ],
    "KOTAKU",
    "33.10.15.2004",
    "drainage_roads",
    D(2021, 4, 1),
    D(2021, 7, 31),
    None,
    1_500_000_000,
)
_pmd(
    [
        "PAMSIMAS",
        "Ds. Sidowarno",
        "Kec. Wonosari",
        "sumur bor",
        "Sumur bor dan jaringan pipa",
        "1 Mei 2021",
        "31 Agustus 2021",
        "60",
        "Rp 350.000.000",
        "",
        "",
    ],
    "PAMSIMAS",
    "33.10.15.2001",
    "clean_water",
    D(2021, 5, 1),
    D(2021, 8, 31),
    60,
    350_000_000,
)
_pmd(
    [
        "Pamsimas",
        "Balerante, Kemalang",
        "",
        "air bersih",
        "Penampungan air hujan",
        "2021-06-01",
        "2021-09-30",
        "45",
        "210.000.000",
        "",
        "",
    ],
    "PAMSIMAS",
    "33.10.21.2004",
    "clean_water",
    D(2021, 6, 1),
    D(2021, 9, 30),
    45,
    210_000_000,
)
_pmd(
    [
        "STBM",
        "Kel. Gayamprit",
        "Klaten Selatan",
        "jambanisasi",
        "Jamban sehat keluarga",
        "1 Mar 2021",
        "31 Mei 2021",
        "18 KK",
        "Rp 54.000.000",
        "dwi.sanitarian@dinkes.example.id",
        "",
    ],
    "STBM",
    "33.10.26.1009",
    "sanitation",
    D(2021, 3, 1),
    D(2021, 5, 31),
    18,
    54_000_000,
    "dwi.sanitarian@dinkes.example.id",
)
_pmd(
    [
        "STBM",
        "Ds. Ngalas",
        "Kec. Klaten Selatan",
        "pemicuan STBM",
        "Pemicuan stop BABS",
        "Apr 2021",
        "Apr 2021",
        "-",
        "-",
        "dwi.sanitarian@dinkes.example.id",
        "swadaya",
    ],
    "STBM",
    "33.10.26.2003",
    "sanitation",
    D(2021, 4, 1),
    D(2021, 4, 30),
    None,
    None,
    "dwi.sanitarian@dinkes.example.id",
)
_pmd(
    [
        "STBM",
        "Jetis",
        "Klaten Selatan",
        "jamban",
        "Arisan jamban Jetis",
        "1 Juni 2021",
        "31 Oktober 2021",
        "22",
        "Rp 66.000.000",
        "dwi.sanitarian@dinkes.example.id",
        "",
    ],
    "STBM",
    "33.10.26.2012",
    "sanitation",
    D(2021, 6, 1),
    D(2021, 10, 31),
    22,
    66_000_000,
    "dwi.sanitarian@dinkes.example.id",
)
_pmd(
    [
        "P3MD",
        "Ds. Troso Kec. Karanganom",
        "",
        "tata kelola desa",
        "Pendampingan penyusunan RKPDes",
        "Juli 2021",
        "September 2021",
        "",
        "",
        "taufik.pmd@gmail.example",
        "",
    ],
    "P3MD",
    "33.10.18.2005",
    "village_governance",
    D(2021, 7, 1),
    D(2021, 9, 30),
    None,
    None,
    "taufik.pmd@gmail.example",
)
_pmd(
    [
        "P3MD",
        "Karanganom",
        "Karanganom",
        "tata kelola desa",
        "Musdes RKPDes Karanganom",
        "1 Jul 2021",
        "30 Sep 2021",
        "",
        "",
        "taufik.pmd@gmail.example",
        "",
    ],
    "P3MD",
    "33.10.18.2011",
    "village_governance",
    D(2021, 7, 1),
    D(2021, 9, 30),
    None,
    None,
    "taufik.pmd@gmail.example",
)
_pmd(
    [
        "PKH",
        "Ds. Jelobo",
        "Wonosari",
        "bansos",
        "Penyaluran bantuan PKH triwulan III",
        "01/07/2021",
        "30/09/2021",
        "124",
        "Rp 372.000.000",
        "bambang.pkh@kemensos.example.id",
        "",
    ],
    "PKH",
    "33.10.15.2005",
    "social_assistance",
    D(2021, 7, 1),
    D(2021, 9, 30),
    124,
    372_000_000,
    "bambang.pkh@kemensos.example.id",
)
_pmd(
    [
        "PKH",
        "Ds. Sidowarno",
        "Wonosari",
        "bantuan sosial",
        "Penyaluran bantuan PKH triwulan III",
        "01/07/2021",
        "30/09/2021",
        "98",
        "Rp 294.000.000",
        "bambang.pkh@kemensos.example.id",
        "",
    ],
    "PKH",
    "33.10.15.2001",
    "social_assistance",
    D(2021, 7, 1),
    D(2021, 9, 30),
    98,
    294_000_000,
    "bambang.pkh@kemensos.example.id",
)
_pmd(
    [
        "CSR-TIRTA",
        "Ds. Titang Kec. Jogonalan",
        "",
        "sumur bor",
        "Sumur bor CSR Titang",
        "1 Agustus 2021",
        "31 Oktober 2021",
        "30 KK",
        "Rp 185 juta",
        "maria@tirta-csr.example.com",
        "",
    ],
    "CSR-TIRTA",
    "33.10.08.2004",
    "clean_water",
    D(2021, 8, 1),
    D(2021, 10, 31),
    30,
    185_000_000,
    "maria@tirta-csr.example.com",
)
_pmd(
    [
        "CSR-TIRTA",
        "Joton",
        "Jogonalan",
        "pelatihan usaha",
        "Pelatihan pembukuan KWT Joton",
        "2 Agu 2021",
        "27 Agu 2021",
        "25",
        "Rp 15.000.000",
        "maria@tirta-csr.example.com",
        "",
    ],
    "CSR-TIRTA",
    "33.10.08.2017",
    "livelihood_training",
    D(2021, 8, 2),
    D(2021, 8, 27),
    25,
    15_000_000,
    "maria@tirta-csr.example.com",
)
_pmd(
    [
        "KOTAKU",
        "Kel. Gayamprit Kec. Klaten Selatan",
        "",
        "MCK komunal",
        "MCK komunal RW 05",
        "1 Juli 2021",
        "30 November 2021",
        "35",
        "Rp 175.000.000",
        "",
        "",
    ],
    "KOTAKU",
    "33.10.26.1009",
    "sanitation",
    D(2021, 7, 1),
    D(2021, 11, 30),
    35,
    175_000_000,
)
_pmd(
    [
        "KOTAKU",
        "Ngalas (Klaten Selatan)",
        "",
        "pavingisasi",
        "Paving gang Ngalas",
        "1 Juli 2021",
        "31 Agustus 2021",
        "20",
        "Rp 80 juta",
        "",
        "",
    ],
    "KOTAKU",
    "33.10.26.2003",
    "drainage_roads",
    D(2021, 7, 1),
    D(2021, 8, 31),
    20,
    80_000_000,
)
_pmd(
    [
        "RTLH",
        "Ds. Sidowarno",
        "Wonosari",
        "bedah rumah",
        "Bedah rumah tahap 2 (APBD Perubahan)",
        "1 Oktober 2021",
        "20 Desember 2021",
        "5",
        "Rp 100.000.000",
        "sri.wahyuningsih@perkim.example.id",
        "",
    ],
    "RTLH",
    "33.10.15.2001",
    "house_renovation",
    D(2021, 10, 1),
    D(2021, 12, 20),
    5,
    100_000_000,
    "sri.wahyuningsih@perkim.example.id",
)
_pmd(
    [
        "Pamsimas",
        "Ds. Tegalmulyo Kec. Kemalang",
        "",
        "SPAM desa",
        "SPAM desa Tegalmulyo",
        "Juni 2021",
        "Nov 2021",
        "70",
        "Rp 0,45 M",
        "",
        "",
    ],
    "PAMSIMAS",
    "33.10.21.2006",
    "clean_water",
    D(2021, 6, 1),
    D(2021, 11, 30),
    70,
    450_000_000,
)
_pmd(
    [
        "STBM",
        "Desa Krakitan, Kec. Bayat",
        "",
        "jambanisasi",
        "Jambanisasi Krakitan",
        "1 Maret 2021",
        "30 April 2021",
        "12 KK",
        "Rp 36.000.000",
        "",
        "",
    ],
    "STBM",
    "33.10.04.2017",
    "sanitation",
    D(2021, 3, 1),
    D(2021, 4, 30),
    12,
    36_000_000,
)
_pmd(
    [
        "P3MD",
        "Ds. Kebondalem Kidul",
        "Prambanan",
        "tata kelola desa",
        "Pelatihan Siskeudes perangkat desa",
        "Maret 2021",
        "Maret 2021",
        "",
        "Rp 7.500.000",
        "",
        "",
    ],
    "P3MD",
    "33.10.01.2005",
    "village_governance",
    D(2021, 3, 1),
    D(2021, 3, 31),
    None,
    7_500_000,
)


def write_workbook(path: Path) -> dict[int, int]:
    """The Perkim workbook; returns {index in RTLH: row number} and likewise for BSPS (offset)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "RTLH 2021"
    for line in RTLH_TITLE:
        ws.append([line])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(RTLH_HEADER))
    ws["A1"].font = Font(bold=True)
    ws.append([])
    ws.append(RTLH_HEADER)
    ws.append([f"({i})" for i in range(1, len(RTLH_HEADER) + 1)])
    rows: dict[int, int] = {}
    first_data = ws.max_row + 1
    kec_start: int | None = None
    for index, (cells, _expected) in enumerate(RTLH):
        row = ws.max_row + 1
        kecamatan, *rest = cells
        if kecamatan is not None:
            if kec_start is not None and row - 1 > kec_start:
                ws.merge_cells(start_row=kec_start, start_column=2, end_row=row - 1, end_column=2)
            kec_start = row
        ws.append([index + 1, kecamatan, *rest])
        for column in (6, 7):
            cell = ws.cell(row=row, column=column)
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            # An int stays a plain number: a date column pasted as Excel serial numbers.
        rows[index] = row
    last_data = ws.max_row
    if kec_start is not None and last_data > kec_start:
        ws.merge_cells(start_row=kec_start, start_column=2, end_row=last_data, end_column=2)
    ws.append(
        [
            "JUMLAH",
            None,
            None,
            None,
            None,
            None,
            None,
            f"=SUM(H{first_data}:H{last_data})",
            f"=SUM(I{first_data}:I{last_data})",
        ]
    )
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=7)
    ws.append([])
    ws.append([None, None, None, None, None, None, None, None, "Klaten, 31 Desember 2021"])
    ws.append([None, None, None, None, None, None, None, None, "Kepala Dinas Perkim"])

    bsps = book.create_sheet("BSPS 2021")
    for line in BSPS_TITLE:
        bsps.append([line])
    bsps.append([])
    bsps.append(BSPS_HEADER_TOP)
    bsps.append(BSPS_HEADER_BOTTOM)
    bsps.merge_cells("C3:D3")
    bsps.merge_cells("F3:G3")
    for index, (cells, _expected) in enumerate(BSPS):
        rows[1000 + index] = bsps.max_row + 1
        bsps.append([index + 1, *cells])
    notes = book.create_sheet("Petunjuk")
    notes.append(["Lembar ini berisi petunjuk pengisian, bukan data."])
    book.save(path)
    return rows


def _csv(rows: list[list[str]], delimiter: str = ";") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def main() -> None:
    expected: dict[str, Any] = {
        "interventions": [],
        "programs": [],
        "people": [],
        "offers": [],
        "needs": [],
        "notes": [],
    }
    workbook = HERE / "rekap_perkim_2021.xlsx"
    rows = write_workbook(workbook)
    for index, (_cells, want) in enumerate(RTLH):
        expected["interventions"].append(
            {"file": f"{workbook.name} [RTLH 2021]", "row": rows[index], **want}
        )
    for index, (_cells, want) in enumerate(BSPS):
        expected["interventions"].append(
            {"file": f"{workbook.name} [BSPS 2021]", "row": rows[1000 + index], **want}
        )

    pmd_rows: list[list[str]] = [*PMD_TITLE, PMD_HEADER]
    for index, (cells, want) in enumerate(PMD):
        pmd_rows.append([str(index + 1), *cells])
        expected["interventions"].append(
            {"file": "intervensi_dinas_pmd_2021.csv", "row": len(pmd_rows), **want}
        )
    total_kk = sum(w["households"] or 0 for _, w in PMD)
    pmd_rows.append(
        ["TOTAL", "", "", "", "", "", "", "", f"{total_kk:,}".replace(",", "."), "", "", ""]
    )
    (HERE / "intervensi_dinas_pmd_2021.csv").write_bytes(_csv(pmd_rows))

    for name, header, items, kind in (
        ("program_klaten.csv", PROGRAM_HEADER, PROGRAMS, "programs"),
        ("pendamping_klaten.csv", PEOPLE_HEADER, PEOPLE, "people"),
        ("tawaran.csv", OFFER_HEADER, OFFERS, "offers"),
        ("kebutuhan.csv", NEED_HEADER, NEEDS, "needs"),
    ):
        lines = [header, *[cells for cells, _ in items]]
        (HERE / name).write_bytes(_csv(lines))
        for number, (_cells, want) in enumerate(items, start=2):
            expected[kind].append({"file": name, "row": number, **want})
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    print(
        f"{len(expected['interventions'])} interventions, {len(PEOPLE)} people, "
        f"{len(OFFERS)} offers, {len(NEEDS)} needs, {len(PROGRAMS)} programs"
    )


if __name__ == "__main__":
    main()
