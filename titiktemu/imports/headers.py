"""Finding the table in a sheet as a clerk made it: the header row, its names, the rows to skip.

Agencies' recaps are not our templates. A title block sits above the header ("REKAP PENERIMA
BANTUAN RTLH KABUPATEN KLATEN TAHUN 2021"); columns are named in Indonesian, in any case
("Desa/Kelurahan", "Anggaran (Rp)", "Jumlah KK"); a header may span two rows (a merged "Tanggal"
over "Mulai" and "Selesai"), with a row numbering the columns under it; a kecamatan may be a
heading row above its villages; a JUMLAH row closes the table. This module reads that shape the
way a careful person does; what the cells mean is for the row checks.

Rules:

- A header name is compared by :func:`header_key` (case, spacing and punctuation ignored) with
  the column's own name and the Indonesian and English names in :data:`ALIASES`.
- The header is the first of the top :data:`SEARCH_ROWS` rows that names the most columns of the
  kind (at least two); rows above it are the title block. Without such a row the first
  non-comment row is taken as the header, so a wrong file still gets "column missing" problems.
- A row directly under the header that only holds names continues it (merged cells above);
  a row that only numbers the columns ("1", "(2)" …) is skipped.
- A row with a total word (JUMLAH, TOTAL, SUB TOTAL …) in any cell is a totals row: skipped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from titiktemu.imports.columns import COLUMNS, EXTRA_COLUMNS, REQUIRED

#: Rows from the top searched for the header: a title block is a few rows, rarely more.
SEARCH_ROWS: Final = 30

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_CURRENCY: Final = frozenset({"rp", "idr", "rupiah"})


def header_key(text: object) -> str:
    """ "Desa/Kelurahan" -> "desa kelurahan"; "ANGGARAN (Rp.)" -> "anggaran"; "No." -> "no".

    A trailing currency ("(Rp)", "IDR", "rupiah") says nothing about which column it is.
    """
    folded = str(text or "").casefold().replace("\n", " ")
    words = _NOT_WORD.sub(" ", folded).split()
    while len(words) > 1 and words[-1] in _CURRENCY:
        words.pop()
    return " ".join(words)


#: Names several kinds give the same column (offers' and needs' notes and dates, a kecamatan).
_NOTES: Final = (
    "keterangan",
    "uraian",
    "deskripsi",
    "penjelasan",
    "catatan",
    "notes",
    "note",
    "details",
    "remarks",
)
_STARTS: Final = ("mulai", "tanggal mulai", "dari", "from", "start", "start date")
_ENDS: Final = ("sampai", "tanggal selesai", "selesai", "until", "end", "end date")
_KECAMATAN: Final = (
    "kecamatan",
    "kec",
    "nama kecamatan",
    "district",
    "sub district",
    "subdistrict",
)

#: Other names of each column, as agencies write them (compared by :func:`header_key`).
ALIASES: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "programs": {
        "code": ("kode", "kode program", "program", "singkatan", "program code"),
        "name": ("nama", "nama program", "nama kegiatan", "program name"),
        "agency": ("instansi", "opd", "dinas", "lembaga", "pelaksana", "penanggung jawab"),
        "funding_source": (
            "sumber dana",
            "sumber anggaran",
            "sumber pendanaan",
            "dana",
            "funding",
            "funding source",
        ),
        "categories": (
            "kategori",
            "bidang",
            "bidang kegiatan",
            "jenis kegiatan",
            "kegiatan",
            "activities",
        ),
    },
    "people": {
        "email": ("email", "e mail", "surel", "alamat email", "email address"),
        "name": ("nama", "nama lengkap", "nama pendamping", "full name"),
        "phone": (
            "telepon",
            "telp",
            "no telp",
            "no hp",
            "nomor hp",
            "hp",
            "wa",
            "no wa",
            "nomor wa",
            "whatsapp",
            "nomor telepon",
            "phone number",
        ),
        "role": ("peran", "jabatan", "sebagai"),
        "program_codes": ("program", "kode program", "programs", "program code"),
        "home_village": ("desa asal", "domisili", "desa domisili", "alamat desa", "home"),
        "villages": (
            "desa dampingan",
            "wilayah dampingan",
            "lokasi dampingan",
            "wilayah kerja",
            "desa",
            "villages covered",
        ),
        "skills": ("keahlian", "keterampilan", "kompetensi", "keahlian khusus"),
        "language": ("bahasa",),
    },
    "interventions": {
        "program_code": ("kode program", "program", "nama program", "program code"),
        "village": (
            "desa",
            "desa kelurahan",
            "kelurahan desa",
            "kelurahan",
            "desa kel",
            "kel desa",
            "nama desa",
            "nama desa kelurahan",
            "lokasi",
            "lokasi desa",
            "village name",
        ),
        "activity": (
            "kegiatan",
            "jenis kegiatan",
            "jenis bantuan",
            "bentuk kegiatan",
            "bidang kegiatan",
            "kategori",
            "kategori kegiatan",
            "jenis",
            "activity type",
            "category",
        ),
        "start_date": (
            "tanggal mulai",
            "tgl mulai",
            "mulai",
            "tanggal awal",
            "awal",
            "waktu mulai",
            "tanggal pelaksanaan mulai",
            "start",
            "start date",
            "from",
        ),
        "end_date": (
            "tanggal selesai",
            "tgl selesai",
            "selesai",
            "tanggal akhir",
            "akhir",
            "waktu selesai",
            "tanggal pelaksanaan selesai",
            "end",
            "end date",
            "until",
        ),
        "households": (
            "jumlah kk",
            "jml kk",
            "kk",
            "jumlah penerima",
            "jumlah penerima manfaat",
            "penerima manfaat",
            "jumlah rumah tangga",
            "jumlah rtm",
            "rtm",
            "jumlah rumah",
            "jumlah unit",
            "jumlah sasaran",
            "sasaran",
            "volume",
            "households",
            "beneficiaries",
        ),
        "budget_idr": (
            "anggaran",
            "anggaran rp",
            "jumlah anggaran",
            "nilai",
            "nilai rp",
            "nilai bantuan",
            "nilai kontrak",
            "biaya",
            "dana",
            "jumlah dana",
            "pagu",
            "pagu anggaran",
            "budget",
            "budget rp",
            "budget idr",
        ),
        "facilitator_email": (
            "email pendamping",
            "e mail pendamping",
            "surel pendamping",
            "email petugas",
            "email fasilitator",
            "email",
        ),
        "title": (
            "judul",
            "nama kegiatan",
            "uraian",
            "uraian kegiatan",
            "rincian kegiatan",
            "kegiatan rinci",
            "sub kegiatan",
            "title",
            "description",
            "activity name",
            "activity title",
            "name of activity",
            "project name",
        ),
        "kecamatan": _KECAMATAN,
        "date": ("tanggal", "tgl", "waktu", "waktu pelaksanaan", "bulan", "periode", "date"),
    },
    "offers": {
        "email": ("email", "e mail", "surel", "email pendamping"),
        "title": (
            "judul",
            "tawaran",
            "judul tawaran",
            "apa yang ditawarkan",
            "nama tawaran",
            "offer",
            "offer title",
            "what is offered",
        ),
        "skills": (
            "keahlian",
            "keterampilan",
            "kompetensi",
            "bidang keahlian",
            "skill",
            "skills offered",
        ),
        "villages": (
            "village",
            "area",
            "service area",
            "location",
            "desa",
            "wilayah",
            "lokasi",
            "desa wilayah",
            "desa kecamatan",
            "wilayah layanan",
            "desa dampingan",
        ),
        "available_from": ("tersedia mulai", "available from", *_STARTS),
        "available_until": ("tersedia sampai", "available until", *_ENDS),
        "capacity": ("kapasitas", "kuota", "jumlah", "sanggup berapa", "quota", "how many"),
        "description": _NOTES,
    },
    "needs": {
        "email": ("email", "e mail", "surel", "email pendamping"),
        "title": (
            "judul",
            "kebutuhan",
            "judul kebutuhan",
            "apa yang dibutuhkan",
            "nama kebutuhan",
            "need",
            "need title",
            "what is needed",
        ),
        "skills": (
            "keahlian",
            "keahlian yang dibutuhkan",
            "keterampilan",
            "bidang keahlian",
            "skill",
            "skills needed",
            "skills required",
        ),
        "village": (
            "desa",
            "desa kelurahan",
            "kelurahan",
            "lokasi",
            "lokasi desa",
            "nama desa",
            "village name",
            "location",
        ),
        "needed_from": ("dibutuhkan mulai", "needed from", *_STARTS),
        "needed_until": (
            "dibutuhkan sampai",
            "batas waktu",
            "needed until",
            "needed by",
            "deadline",
            *_ENDS,
        ),
        "description": _NOTES,
        "kecamatan": _KECAMATAN,
    },
}

#: A cell naming a totals row.
TOTAL_WORDS: Final = frozenset(
    {
        "jumlah",
        "total",
        "sub total",
        "subtotal",
        "jumlah total",
        "grand total",
        "total keseluruhan",
        "jumlah keseluruhan",
        "jumlah seluruhnya",
        "jumlah akhir",
    }
)
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")


def _lookup(kind: str) -> dict[str, str]:
    """header_key -> column of ``kind``: the column's own name first, then its aliases."""
    found: dict[str, str] = {}
    for column in (*COLUMNS[kind], *EXTRA_COLUMNS.get(kind, ())):
        found.setdefault(header_key(column), column)
        found.setdefault(header_key(column.replace("_", " ")), column)
    for column, names in ALIASES.get(kind, {}).items():
        for name in names:
            found.setdefault(header_key(name), column)
    return found


LOOKUP: Final[dict[str, dict[str, str]]] = {kind: _lookup(kind) for kind in COLUMNS}


@dataclass
class Header:
    """Where a sheet's table starts and what each of its columns holds."""

    kind: str
    #: 0-based index into the rows given to :func:`find_header` of the (last) header row.
    index: int
    #: column position -> column name, for the columns we import.
    columns: dict[int, str] = field(default_factory=dict)
    #: names written in the header that we do not import (kept for a note), by position.
    ignored: dict[int, str] = field(default_factory=dict)
    #: names written twice (a problem: which one is meant?).
    repeated: list[str] = field(default_factory=list)
    #: text of the rows above the header (the title block), for reading a program or year.
    title: list[str] = field(default_factory=list)
    #: 0-based indexes of rows under the header that continue or number it (skipped).
    skipped: list[int] = field(default_factory=list)

    @property
    def named(self) -> set[str]:
        return set(self.columns.values())

    @property
    def missing(self) -> list[str]:
        """Required columns the header does not name (a ``date`` column gives both dates)."""
        named = self.named
        if "date" in named:
            named |= {"start_date", "end_date"}
        if self.title:
            # A title block may name the program and the year ("REKAP ... RTLH ... TAHUN
            # 2021"): whether it does is checked with the lookups (titles.py).
            named |= {"program_code", "start_date", "end_date"}
        return [c for c in REQUIRED[self.kind] if c not in named]


def _text_cells(cells: Sequence[object]) -> list[tuple[int, str]]:
    return [(i, str(c).strip()) for i, c in enumerate(cells) if str(c or "").strip()]


def _map(kind: str, names: list[tuple[int, str]]) -> tuple[dict[int, str], dict[int, str]]:
    lookup = LOOKUP[kind]
    columns: dict[int, str] = {}
    ignored: dict[int, str] = {}
    for position, name in names:
        column = lookup.get(header_key(name))
        if column is None or column in columns.values():
            ignored[position] = name
        else:
            columns[position] = column
    return columns, ignored


def _score(kind: str, cells: Sequence[object]) -> int:
    lookup = LOOKUP[kind]
    return len({lookup[k] for _, n in _text_cells(cells) if (k := header_key(n)) in lookup})


def header_score(cells: Sequence[object]) -> int:
    """How many columns of its best-fitting kind a row names (0 for a row of data)."""
    return max(_score(kind, cells) for kind in COLUMNS)


def guess_kind(rows: Sequence[Sequence[object]]) -> str | None:
    """The one kind whose required columns a header row in ``rows`` names, else None."""
    fits: dict[str, int] = {}
    for kind in COLUMNS:
        header = find_header(rows, kind)
        if header is not None and not header.missing:
            fits[kind] = len(header.columns)
    if not fits:
        return None
    best = max(fits.values())
    winners = [k for k, n in fits.items() if n == best]
    return winners[0] if len(winners) == 1 else None


def find_header(rows: Sequence[Sequence[object]], kind: str) -> Header | None:
    """The header of a table of ``kind`` among the top rows, or None when no row names two
    of its columns. ``rows`` are the sheet's rows with comment rows already left out."""
    best: tuple[int, int] | None = None  # (score, index)
    for index, cells in enumerate(rows[:SEARCH_ROWS]):
        score = _score(kind, cells)
        if score >= 2 and (best is None or score > best[0]):
            best = (score, index)
    if best is None:
        return None
    index = best[1]
    names = _text_cells(rows[index])
    header = Header(kind=kind, index=index)
    header.title = [" ".join(t for _, t in _text_cells(r)) for r in rows[:index]]
    header.title = [t for t in header.title if t]
    following = index + 1
    if following < len(rows) and _continues(kind, rows[index], rows[following]):
        names = _merged_names(kind, rows[index], rows[following])
        header.skipped.append(following)
        header.index = following
        following += 1
    if following < len(rows) and _numbers_columns(rows[following]):
        header.skipped.append(following)
    keys = [header_key(n) for _, n in names]
    header.repeated = sorted(
        {n for (_, n), k in zip(names, keys, strict=True) if keys.count(k) > 1}
    )
    header.columns, header.ignored = _map(kind, names)
    return header


def _continues(kind: str, top: Sequence[object], below: Sequence[object]) -> bool:
    """``below`` finishes a two-row header: only names, and together they name more columns."""
    cells = _text_cells(below)
    if not cells or any(_is_data_like(c) for _, c in cells):
        return False
    merged = _merged_names(kind, top, below)
    return len(_map(kind, merged)[0]) > len(_map(kind, _text_cells(top))[0])


def _merged_names(
    kind: str, top: Sequence[object], below: Sequence[object]
) -> list[tuple[int, str]]:
    """Names of a two-row header: a top name is carried right over its merged cells and put in
    front of each name below it ("Tanggal" + "Mulai" -> "Tanggal Mulai"); where only the name
    below is a known column ("Mulai" under "Waktu Pelaksanaan"), that one is kept."""
    lookup = LOOKUP[kind]
    names: list[tuple[int, str]] = []
    parent = ""
    for i in range(max(len(top), len(below))):
        upper = str(top[i] or "").strip() if i < len(top) else ""
        lower = str(below[i] or "").strip() if i < len(below) else ""
        if upper:
            parent = upper
        elif not lower:
            parent = ""  # a column with no name ends a merged range
        if lower:
            joined = f"{parent} {lower}" if parent else lower
            known = header_key(joined) in lookup or header_key(lower) not in lookup
            names.append((i, joined if known else lower))
        elif upper:
            names.append((i, upper))
    return names


def _is_data_like(text: str) -> bool:
    """A value rather than a name: digits, a date, a code, an email."""
    return bool(re.search(r"\d{2,}|@", text)) and not _COLUMN_NUMBER.match(text)


def _numbers_columns(cells: Sequence[object]) -> bool:
    """A row "1 2 3 4 …" or "(1) (2) …" that numbers the columns under a header."""
    texts = [t for _, t in _text_cells(cells)]
    return len(texts) >= 3 and all(_COLUMN_NUMBER.match(t) for t in texts)


def is_total_row(cells: Sequence[object]) -> bool:
    """A JUMLAH / TOTAL row: a cell says so (the label often sits in the village column)."""
    return any(_cell_key(c) in TOTAL_WORDS for c in cells if isinstance(c, str))


@functools.lru_cache(maxsize=65536)
def _cell_key(text: str) -> str:
    """:func:`header_key` of a cell, remembered: every data row is asked whether it is a total
    row, and a sheet repeats its cells (codes, places, programs) thousands of times."""
    return header_key(text)


_ENUMERATOR = re.compile(r"^(?:[a-z]|[ivx]+|\d{1,2})[.)]\s+", re.IGNORECASE)
_KECAMATAN_HEADING = re.compile(r"^(?:kecamatan|kec)\b[.\s:]*(.+)$", re.IGNORECASE)


def kecamatan_heading(cells: Sequence[object]) -> str | None:
    """The kecamatan a heading row names ("KECAMATAN WONOSARI", "A. Kec. Jogonalan"), if the row
    is one: a single filled cell of text saying Kecamatan."""
    texts = _text_cells(cells)
    if len(texts) != 1:
        return None
    text = _ENUMERATOR.sub("", texts[0][1]).strip()
    found = _KECAMATAN_HEADING.match(text)
    return found[1].strip() if found else None
