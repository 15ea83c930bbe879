"""A sheet as a clerk saves it from a spreadsheet program: CSV bytes with the import's columns (or
a header of their own), a delimiter, a byte-order mark and a comment row when asked."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from titiktemu.imports import COLUMNS


def csv_bytes(
    kind: str,
    rows: Sequence[Sequence[object]],
    *,
    delimiter: str = ",",
    bom: bool = False,
    header: Sequence[str] | None = None,
    comment: str | None = None,
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    if comment is not None:
        writer.writerow([comment])
    writer.writerow(COLUMNS[kind] if header is None else header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data
