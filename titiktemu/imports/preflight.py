"""Bounds on an upload, checked before a reader spends time or memory on it (issue 12).

An XLSX is a zip of XML parts, and openpyxl trusts them: it loads the shared strings and the
styles whole, and pads every row of a sheet to the sheet's declared width. A 26 KB workbook
padded to column XFD held a web worker for 30 s; 400 KB of shared strings unpack to ten million
strings. So before openpyxl opens a workbook, :func:`check_xlsx` walks the zip once, as a stream:

- the number of parts, and the sizes their headers declare (each and the total);
- each part's *actual* size, by inflating it in chunks with the deflate stream's own end, never
  the header's word: a part that unpacks to more than it declares, or that is compressed more
  tightly than spreadsheets are, is refused while it is being unpacked;
- every XML part through expat with no tree: a sheet's ``<dimension>`` and the columns, rows and
  cells it really holds, the shared strings table's declared and real number of strings; a DTD
  (never part of a workbook, and the door of entity tricks) makes the file unreadable.

Over a limit, :class:`UploadRefused` says which, in English and Indonesian, with the HTTP status
its channel answers (413 too large, 422 over a limit); nothing of the upload is kept. A damaged
zip is no refusal: :class:`Damaged` becomes the ``unreadable_xlsx`` problem of a rejected run,
as it always was. What passed is read with openpyxl bounded to the columns each sheet holds.

The limits are settings (:class:`titiktemu.settings.UploadLimits`).
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Final
from xml.parsers import expat

from titiktemu.errors import Invalid
from titiktemu.imports.problems import Problems, problem_text
from titiktemu.settings import UploadLimits

#: The longest file name kept (``import_files.name`` is 255 characters).
MAX_NAME: Final = 255
#: Bytes a part unpacks to before its compression ratio is judged (small parts are all headers).
RATIO_GRACE: Final = 1 << 20
#: Compressed bytes fed to the inflater at a time, and the most it may give back per call.
CHUNK: Final = 64 * 1024
MB: Final = 1 << 20

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIGNATURE: Final = 0x04034B50
_CENTRAL_SIGNATURE: Final = b"PK\x01\x02"
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d*)$")
_RANGE_END = re.compile(r"([A-Za-z]{1,3})(\d+)$")
#: An item of a shared strings table, with or without a namespace prefix.
_STRING_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
#: Status of each refusal: 413 for what is too large, 422 for what is over another limit.
STATUS: Final[dict[str, int]] = {
    "xlsx_too_large": 413,
    "xlsx_size_lies": 413,
    "xlsx_packed_too_tightly": 413,
    "xlsx_too_many_parts": 422,
    "too_many_columns": 422,
    "too_many_sheet_rows": 422,
    "too_many_cells": 422,
    "too_many_shared_strings": 422,
    "csv_too_many_columns": 422,
    "csv_line_too_long": 422,
}


class UploadRefused(Invalid):
    """An upload refused before it is read; ``problem`` is shaped like a run's problems."""

    def __init__(self, problem: dict[str, Any]) -> None:
        super().__init__(problem_text(problem, "en"))
        self.problem = problem
        self.status = STATUS[problem["code"]]
        self.http_status = self.status  # 413 too large, 415 not a spreadsheet, 422 otherwise

    @property
    def code(self) -> str:
        return str(self.problem["code"])

    def text(self, language: str) -> str:
        """The message in ``language`` ("id" or "en")."""
        return problem_text(self.problem, language)


def refusal(
    code: str, *, file: str, row: int = 0, value: object = "", **detail: Any
) -> UploadRefused:
    """The refusal ``code`` of ``file``, its words filled in from ``detail``."""
    found = Problems()
    found.add(code, file=file, kind="", row=row, value=value, **detail)
    return UploadRefused(found.listed[0])


class Damaged(Exception):  # noqa: N818 - the file's state, not an error of ours
    """The zip cannot be read (truncated, a wrong CRC, an unknown compression, a DTD)."""


@dataclass
class Shape:
    """What the workbook was found to hold: per sheet part its widest row, and in all."""

    columns: dict[str, int] = field(default_factory=dict)
    cells: int = 0
    shared_strings: int = 0

    @property
    def widest(self) -> int:
        return max(self.columns.values(), default=1)

    def columns_of(self, part: str) -> int:
        """The columns worth reading in ``part`` (openpyxl's worksheet path), at least 1."""
        return max(1, self.columns.get(part.lstrip("/"), self.widest))


def upload_name(name: str) -> str:
    """An upload's name as it is kept: no control characters, at most 255 characters (the
    start and the extension kept, which say what the file holds)."""
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") else ch for ch in name
    )
    text = " ".join(text.split()) or "upload"
    if len(text) <= MAX_NAME:
        return text
    suffix = PurePath(text).suffix if "." in text else ""
    suffix = suffix if len(suffix) <= 16 else ""
    return text[: MAX_NAME - len(suffix) - 1] + "…" + suffix


def check_xlsx(name: str, data: bytes, limits: UploadLimits) -> Shape:
    """Walk the workbook ``data`` once; raise UploadRefused over a limit, Damaged when broken."""
    # zipfile lists every entry of the directory as an object: count them first, in bytes (a
    # signature inside compressed data may be counted too, never one too few).
    listed = data.count(_CENTRAL_SIGNATURE)
    if listed > limits.max_parts:
        raise refusal("xlsx_too_many_parts", file=name, count=listed, limit=limits.max_parts)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Damaged(type(exc).__name__) from None
    if len(parts) > limits.max_parts:
        raise refusal("xlsx_too_many_parts", file=name, count=len(parts), limit=limits.max_parts)
    declared = sum(part.file_size for part in parts)
    if declared > limits.max_unpacked_bytes:
        raise refusal(
            "xlsx_too_large",
            file=name,
            size=_megabytes(declared),
            limit=_megabytes(limits.max_unpacked_bytes),
        )
    shape = Shape()
    for part in parts:
        _walk(name, data, part, limits, shape)
    return shape


def _megabytes(size: int) -> str:
    return f"{size / MB:.0f}" if size >= 10 * MB else f"{size / MB:.1f}"


def _raw(data: bytes, part: zipfile.ZipInfo) -> memoryview:
    """The compressed bytes of ``part``, found from its local header (not trusted further)."""
    start = part.header_offset
    header = data[start : start + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise Damaged("truncated")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_SIGNATURE:
        raise Damaged("BadZipFile")
    begin = start + _LOCAL_HEADER.size + fields[9] + fields[10]
    if begin + part.compress_size > len(data):
        raise Damaged("truncated")
    return memoryview(data)[begin : begin + part.compress_size]


def _walk(
    name: str, data: bytes, part: zipfile.ZipInfo, limits: UploadLimits, shape: Shape
) -> None:
    """Unpack ``part`` chunk by chunk, checking its size, its ratio and (as XML) its content."""
    if part.flag_bits & 0x1:
        raise Damaged("encrypted")
    if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Damaged(f"compression {part.compress_type}")
    raw = _raw(data, part)
    xml = _XmlPart(name, part.filename, limits, shape)
    produced = 0
    crc = 0

    def take(piece: bytes) -> None:
        nonlocal produced, crc
        produced += len(piece)
        if produced > part.file_size:
            raise refusal("xlsx_size_lies", file=name, value=part.filename, declared=part.file_size)
        if produced > RATIO_GRACE and produced > limits.max_ratio * max(1, part.compress_size):
            raise refusal(
                "xlsx_packed_too_tightly", file=name, value=part.filename, limit=limits.max_ratio
            )
        crc = zlib.crc32(piece, crc)
        xml.feed(piece)

    if part.compress_type == zipfile.ZIP_STORED:
        for at in range(0, len(raw), CHUNK):
            take(bytes(raw[at : at + CHUNK]))
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            for at in range(0, len(raw), CHUNK):
                pending = bytes(raw[at : at + CHUNK])
                # Never more than CHUNK out per call: a bomb is judged as it grows.
                while not inflater.eof:
                    out = inflater.decompress(pending, CHUNK)
                    take(out)
                    pending = inflater.unconsumed_tail
                    if not pending and len(out) < CHUNK:
                        break
                if inflater.eof:
                    break
        except zlib.error:
            raise Damaged("zlib.error") from None
        if not inflater.eof:
            raise Damaged("truncated")
    if produced != part.file_size or crc != part.CRC:
        raise Damaged("BadZipFile")
    xml.close()


class _XmlPart:
    """One part through expat, no tree: the root says what it is. A sheet is followed element
    by element (its dimension, rows and cells); a shared strings table has its declared size
    read and its ``<si>`` items counted in the raw bytes; any other part is left once its root
    is seen. A part that is not XML (a picture) or stops being well-formed is no longer looked
    at: openpyxl, reading the same bytes, stops there too."""

    def __init__(self, file: str, part: str, limits: UploadLimits, shape: Shape) -> None:
        self.file, self.part, self.limits, self.shape = file, part, limits, shape
        self.parser: Any = expat.ParserCreate()
        self.parser.StartElementHandler = self._root
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.root: str | None = None
        self.strings = False
        self.tail = b""
        self.row = 0
        self.column = 0
        self.widest = 0

    def feed(self, piece: bytes) -> None:
        if self.strings:
            self._count_strings(piece)
        elif self.parser is not None and piece:
            try:
                self.parser.Parse(piece, False)
            except expat.ExpatError:
                self.parser = None
            if self.strings:  # the root came in this piece: its items follow it there
                self._count_strings(piece)

    def close(self) -> None:
        if self.parser is not None and not self.strings:
            with contextlib.suppress(expat.ExpatError):
                self.parser.Parse(b"", True)
        self.parser = None
        if self.root == "worksheet":
            self.shape.columns[self.part] = self.widest

    def _doctype(self, *_: object) -> None:
        raise Damaged("DTD")

    def _root(self, tag: str, attrs: dict[str, str]) -> None:
        self.root = tag.rpartition(":")[2]
        if self.root == "worksheet":
            self.parser.StartElementHandler = self._sheet
        elif self.root == "sst":
            said = attrs.get("uniqueCount", "")
            if said.isdigit() and int(said) > self.limits.max_shared_strings:
                self._too_many_strings()
            # The rest is counted in bytes, without a call per element; the DTD, which could
            # only come before the root, is behind us.
            self.strings = True
            self.parser.StartElementHandler = None
        else:
            self.parser.StartElementHandler = None
            self.parser = None

    def _count_strings(self, piece: bytes) -> None:
        buffer = self.tail + piece
        cut = buffer.rfind(b"<")
        if cut == -1 or len(buffer) - cut >= 64:
            cut = len(buffer)  # no tag left open at the end of the chunk
        self.shape.shared_strings += len(_STRING_ITEM.findall(buffer, 0, cut))
        self.tail = buffer[cut:]
        if self.shape.shared_strings > self.limits.max_shared_strings:
            self._too_many_strings()

    def _too_many_strings(self) -> None:
        raise refusal(
            "too_many_shared_strings", file=self.file, limit=self.limits.max_shared_strings
        )

    def _sheet(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "c":
            self._cell(attrs.get("r"))
        elif tag == "row":
            self._row(attrs.get("r"))
        elif tag == "dimension":
            self._dimension(attrs.get("ref", ""))
        elif ":" in tag:
            self._sheet(tag.rpartition(":")[2], attrs)

    def _row(self, number: str | None) -> None:
        self.row = int(number) if number and number.isdigit() else self.row + 1
        self.column = 0
        if self.row > self.limits.max_rows:
            raise refusal(
                "too_many_sheet_rows", file=self.file, value=self.row, limit=self.limits.max_rows
            )

    def _cell(self, ref: str | None) -> None:
        found = _CELL_REF.match(ref) if ref else None
        self.column = _column_index(found.group(1)) if found else self.column + 1
        self.shape.cells += 1
        if self.column > self.widest:
            self.widest = self.column
            if self.column > self.limits.max_columns:
                self._too_wide(self.column)
        if self.shape.cells > self.limits.max_cells:
            raise refusal("too_many_cells", file=self.file, limit=self.limits.max_cells)

    def _dimension(self, ref: str) -> None:
        """The sheet's own word on its size ("A1:XFD1048576"), which openpyxl pads rows to."""
        found = _RANGE_END.search(ref.strip())
        if found is None:
            return
        columns, rows = _column_index(found.group(1)), int(found.group(2))
        if columns > self.limits.max_columns:
            self._too_wide(columns)
        if rows > self.limits.max_rows:
            raise refusal(
                "too_many_sheet_rows", file=self.file, value=rows, limit=self.limits.max_rows
            )

    def _too_wide(self, columns: int) -> None:
        raise refusal(
            "too_many_columns",
            file=self.file,
            value=_column_letter(columns),
            count=columns,
            limit=self.limits.max_columns,
        )


def _column_index(letters: str) -> int:
    """ "A" -> 1, "XFD" -> 16384."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def _column_letter(index: int) -> str:
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
