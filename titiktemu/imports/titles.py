"""What a recap's title block gives when its table leaves a column out: the program, the year.

"REKAP PENERIMA BANTUAN RTLH KABUPATEN KLATEN TAHUN 2021" above a table of villages says every row
is RTLH in 2021; a clerk does not repeat that in each row, and a careful reader does not ask.
Read once per sheet, said once as a note; a title that names no single program or year is a
problem, since then somebody has to say which.
"""

from __future__ import annotations

import re
from typing import Final

from titiktemu.imports.lookups import Lookups, ReadAs
from titiktemu.imports.parsing import Cell, CellError
from titiktemu.imports.problems import Problems
from titiktemu.imports.reading import Sheet

_YEAR: Final = re.compile(r"\b(20\d{2})\b")


def title_defaults(sheet: Sheet, lookups: Lookups, problems: Problems) -> dict[str, Cell] | None:
    """Cells every row of an interventions sheet takes from the title; None when a column is
    missing and the title cannot stand in for it (a problem is added)."""
    if sheet.kind != "interventions" or not sheet.title:
        return {}
    title = " ".join(sheet.title)
    file, kind, row = sheet.file, sheet.kind, sheet.header_row
    defaults: dict[str, Cell] = {}
    if "program_code" not in sheet.columns:
        try:
            found = lookups.program(title)
        except CellError:
            problems.add(
                "no_program_in_title",
                column="program_code",
                value=title,
                file=file,
                kind=kind,
                row=row,
            )
            return None
        code = found.code if isinstance(found, ReadAs) else found
        problems.note("program_from_title", value=code, file=file, kind=kind, row=row)
        defaults["program_code"] = code
    if not sheet.columns & {"start_date", "end_date", "date"}:
        years = set(_YEAR.findall(title))
        if len(years) != 1:
            problems.add(
                "no_year_in_title", column="start_date", value=title, file=file, kind=kind, row=row
            )
            return None
        year = years.pop()
        problems.note("dates_from_title", value=year, file=file, kind=kind, row=row)
        defaults["start_date"] = f"{year}-01-01"
        defaults["end_date"] = f"{year}-12-31"
    return defaults
