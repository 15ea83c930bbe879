"""Hostile spreadsheets, built in memory, as issue 12 found them (and a normal one to compare).

Each is a small upload that costs a reader far more than its size: a sheet padded to column XFD,
ten million shared strings, a zip entry whose header understates what it unpacks to. The test
suite (``tests/test_hostile_uploads.py``) and the benchmark (``benchmarks/hostile_uploads.py``)
both build them here, so both measure the same files.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Final

from titiktemu.imports import COLUMNS

#: The last column a sheet may have (16,384).
XFD: Final = "XFD"
XFD_COLUMN: Final = 16_384
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NEED = ["budi@example.org", "Butuh pembukuan BUMDes", "accounting", "33.10.24.2003", "2026-03-01"]


def _content_types(shared: bool) -> bytes:
    sst = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        f"{sst}</Types>"
    ).encode()


def _package(shared: bool, sheet: str = "needs") -> list[tuple[str, bytes]]:
    """Every part of a one-sheet workbook (its sheet named ``sheet``) but the sheet and the
    shared strings."""
    sst = (
        f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        if shared
        else ""
    )
    return [
        ("[Content_Types].xml", _content_types(shared)),
        (
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>".encode(),
        ),
        (
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
            f'xmlns:r="{DOC_RELS}"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>".encode(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" '
            f'Target="worksheets/sheet1.xml"/>{sst}</Relationships>'.encode(),
        ),
    ]


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _row(number: int, cells: Sequence[str], padding: str = "") -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    inline = "".join(_inline(f"{letters[i]}{number}", c) for i, c in enumerate(cells))
    return f'<row r="{number}">{inline}{padding}</row>'


def _sheet(rows: Iterable[str], dimension: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>{"".join(rows)}</sheetData></worksheet>'
    ).encode()


def _zip(parts: Iterable[tuple[str, bytes]]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, data in parts:
            book.writestr(name, data)
    return out.getvalue()


def normal_workbook(rows: int = 2_000, kind: str = "needs") -> bytes:
    """A plain sheet of ``rows`` rows of ``kind`` (needs or programs): the baseline a hostile
    file is compared with (programs import into an empty database, needs name people)."""
    header = list(COLUMNS[kind])
    if kind == "programs":
        cells = [
            [f"P{n}", f"Program {n}", "Dinas Sosial", "apbd", "house_renovation"]
            for n in range(rows)
        ]
    else:
        cells = [[f"p{n % 50}@example.org", f"Butuh pelatihan {n}", *NEED[2:]] for n in range(rows)]
    body = [_row(n + 2, row) for n, row in enumerate(cells)]
    sheet = _sheet([_row(1, header), *body], f"A1:{chr(64 + len(header))}{rows + 1}")
    return _zip([*_package(shared=False, sheet=kind), ("xl/worksheets/sheet1.xml", sheet)])


def padded_to_xfd(rows: int = 130) -> bytes:
    """A ``needs`` sheet whose every row is padded with empty cells out to column XFD (16,384):
    about 26 KB that unpack to 6.5 million cells (issue 12: a web worker held 30 s, +262 MB)."""
    header = list(COLUMNS["needs"])
    pad = "<c/>" * (XFD_COLUMN - len(NEED))
    body = [_row(1, header, "<c/>" * (XFD_COLUMN - len(header)))]
    body += [_row(n + 2, NEED, pad) for n in range(rows - 1)]
    sheet = _sheet(body, f"A1:{XFD}{rows}")
    return _zip([*_package(shared=False), ("xl/worksheets/sheet1.xml", sheet)])


def shared_strings(count: int = 10_000_000, *, declared: int | None = None) -> bytes:
    """A workbook whose shared strings table holds ``count`` one-letter strings (its ``count``
    attributes say ``declared``, by default the truth): 10 million fit in about 400 KB."""
    said = count if declared is None else declared
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{said}" '
    head += f'uniqueCount="{said}">'
    used = "".join(f'<c r="{c}2" t="s"><v>0</v></c>' for c in "ABCDE")
    sheet = _sheet([_row(1, list(COLUMNS["needs"])), f'<row r="2">{used}</row>'], "A1:G2")
    unit, times = b"<si><t>x</t></si>" * 10_000, count // 10_000
    rest = b"<si><t>x</t></si>" * (count % 10_000)
    stream, size, crc = _repeated(head.encode(), unit, times, rest + b"</sst>")
    plain = _zip([*_package(shared=True), ("xl/worksheets/sheet1.xml", sheet)])
    return _append_raw(plain, "xl/sharedStrings.xml", stream, size, crc)


def lying_bomb(unpacked: int = 400 << 20, declared: int = 1_000) -> bytes:
    """A workbook whose sheet's zip headers say it unpacks to ``declared`` bytes while its
    deflate stream unpacks to ``unpacked`` (400 MB by default, in about 400 KB): a reader that
    trusts the header, or reads to the end of the stream, is the bomb's victim. The CRC fits
    the first ``declared`` bytes, so a reader that stops where the header says finds no fault.

    (Kept under 500 KB: above it Werkzeug's test client spools the request body to a temporary
    file it never closes, which the test suite's warnings-as-errors would report.)"""
    start = _sheet([_row(1, list(COLUMNS["needs"]))], "A1:G1").removesuffix(
        b"</sheetData></worksheet>"
    )
    block = b" " * (1 << 20)
    times = max(0, (unpacked - len(start)) // len(block))
    stream, _, _ = _repeated(start, block, times, b"", crc=False)
    said = (start + block)[:declared]
    return _append_raw(
        _zip(_package(shared=False)), "xl/worksheets/sheet1.xml", stream, declared, zlib.crc32(said)
    )


def honest_bomb(unpacked: int = 200 << 20) -> bytes:
    """A workbook whose styles part truly unpacks to ``unpacked`` bytes of spaces (200 MB in
    about 200 KB), and says so: a reader that loads the styles whole holds them all."""
    block = b" " * (1 << 20)
    head = f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'.encode()
    stream, size, crc = _repeated(head, block, unpacked >> 20, b"</styleSheet>")
    sheet = _sheet([_row(1, list(COLUMNS["needs"])), _row(2, NEED)], "A1:G2")
    plain = _zip([*_package(shared=False), ("xl/worksheets/sheet1.xml", sheet)])
    return _append_raw(plain, "xl/styles.xml", stream, size, crc)


def many_parts(count: int = 200_000) -> bytes:
    """A workbook followed by ``count`` empty parts (200,000 in 17 MB): a reader that lists the
    zip's directory makes an object of each before it reads a byte."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as book:
        for name, data in [*_package(shared=False), ("xl/worksheets/sheet1.xml", _sheet([], "A1"))]:
            book.writestr(name, data)
        for n in range(count):
            book.writestr(f"xl/media/{n}", b"")
    return out.getvalue()


def _repeated(
    head: bytes, unit: bytes, times: int, tail: bytes, *, crc: bool = True
) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``head``, ``times`` x ``unit`` and ``tail``; its size and CRC
    (0 without ``crc``: a gigabyte takes a second to sum).

    After a full flush the stream carries no history, so ``unit`` compressed once decodes the
    same wherever it stands: a gigabyte is built in a moment.
    """
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = squeeze.compress(head) + squeeze.flush(zlib.Z_FULL_FLUSH)
    middle = squeeze.compress(unit) + squeeze.flush(zlib.Z_FULL_FLUSH)
    last = squeeze.compress(tail) + squeeze.flush(zlib.Z_FINISH)
    total = 0
    if crc:
        total = zlib.crc32(head)
        for _ in range(times):
            total = zlib.crc32(unit, total)
        total = zlib.crc32(tail, total)
    return first + middle * times + last, len(head) + len(unit) * times + len(tail), total


def _append_raw(archive: bytes, name: str, stream: bytes, declared: int, crc: int) -> bytes:
    """``archive`` with one more deflated entry whose local and central headers claim
    ``declared`` bytes unpacked and the given CRC, whatever ``stream`` holds."""
    end = archive.rindex(b"PK\x05\x06")
    count, size, offset = struct.unpack("<HII", archive[end + 10 : end + 20])
    entries, directory = archive[:offset], archive[offset : offset + size]
    encoded = name.encode()
    sizes = (crc, len(stream), declared, len(encoded))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, *sizes, 0)
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, *sizes, 0, 0, 0, 0, 0, len(entries)
    )
    body = entries + local + encoded + stream
    listing = directory + central + encoded
    record = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, count + 1, count + 1, len(listing), len(body), 0
    )
    return body + listing + record


def long_name(length: int = 300, suffix: str = ".csv") -> str:
    """An upload file name of ``length`` characters that still says what it holds."""
    return "needs-" + "x" * (length - len("needs-") - len(suffix)) + suffix
