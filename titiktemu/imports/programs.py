"""The ``programs`` sheet: programs by code, with funding source and activity categories.

Programs belong to no regency; a coordinator may add one but only an admin or the operator may
change one that exists, since every regency shares it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.imports.plan import Current
from titiktemu.imports.rows import Record, RowCheck
from titiktemu.models import FundingSource, Program
from titiktemu.models.programs import program_categories
from titiktemu.vocabulary.taxonomy import normalise

KIND: Final = "programs"

#: What planners write for a funding source, normalised (no case, spaces or punctuation).
FUNDING_WORDS: Final[dict[str, FundingSource]] = {
    **{normalise(f.value): f for f in FundingSource},
    "danadesa": FundingSource.APBDES,
    "dd": FundingSource.APBDES,
    "add": FundingSource.APBDES,
    "alokasidanadesa": FundingSource.APBDES,
    "apbdprovinsi": FundingSource.APBD,
    "apbdkabupaten": FundingSource.APBD,
    "apbdkota": FundingSource.APBD,
    "apbdi": FundingSource.APBD,
    "apbdii": FundingSource.APBD,
    "swasta": FundingSource.CSR,
    "private": FundingSource.CSR,
    "perusahaan": FundingSource.CSR,
    "donorinternasional": FundingSource.DONOR,
    "hibah": FundingSource.DONOR,
    "zakat": FundingSource.BAZNAS,
    "lainnya": FundingSource.OTHER,
    "lain": FundingSource.OTHER,
}


#: Words that name a funding source wherever they stand in what a planner wrote ("APBD Kab.",
#: "APBN (DAK)", "Dana Desa 2021", "CSR PT Susu Sehat", "TJSL"), normalised like FUNDING_WORDS;
#: "apbdes" before "apbd", which it contains.
FUNDING_MARKS: Final[tuple[tuple[str, FundingSource], ...]] = (
    ("apbdes", FundingSource.APBDES),
    ("danadesa", FundingSource.APBDES),
    ("apbd", FundingSource.APBD),
    ("apbn", FundingSource.APBN),
    ("csr", FundingSource.CSR),
    ("tjsl", FundingSource.CSR),  # Tanggung Jawab Sosial dan Lingkungan: CSR's Indonesian name
    ("baznas", FundingSource.BAZNAS),
    ("zakat", FundingSource.BAZNAS),
    ("donor", FundingSource.DONOR),
    ("hibah", FundingSource.DONOR),
    ("swadaya", FundingSource.OTHER),  # the community's own money
)


def read_funding(word: str) -> list[FundingSource]:
    """The funding sources ``word`` names, as a planner reads it: one of the known words, else
    every source whose mark it holds ("APBD Kab." is APBD; "APBN + APBD" names two, which only
    the writer can settle). Empty when it names none."""
    text = normalise(word)
    exact = FUNDING_WORDS.get(text)
    if exact is not None:
        return [exact]
    found: dict[FundingSource, int] = {}  # source -> where it is first named
    for mark, source in FUNDING_MARKS:
        at = text.find(mark)
        if at >= 0:
            text = text.replace(mark, " " * len(mark))
            found[source] = min(at, found.get(source, at))
    return sorted(found, key=found.__getitem__)


def check(row: RowCheck) -> Record | None:
    code = row.text("code", 40, required=True)
    name = row.text("name", 200, required=True)
    agency = row.text("agency", 200, required=True)
    funding_word = row.text("funding_source", 40, required=True)
    sources = read_funding(funding_word) if funding_word else []
    funding = sources[0] if len(sources) == 1 else None
    if len(sources) > 1:
        named = "; ".join(s.value for s in sources)
        row.fail(
            "funding_source", "ambiguous_funding", funding_word, options_en=named, options_id=named
        )
    elif funding is None and funding_word:
        row.fail(
            "funding_source",
            "bad_choice",
            funding_word,
            choices=", ".join(f.value for f in FundingSource),
        )
    categories = row.each("categories", row.items("categories"), row.lookups.category)
    if not row.ok:
        return None
    return Record(
        kind=KIND,
        file=row.sheet.file,
        row=row.row.number,
        key=(code.casefold(),),
        values={"code": code, "name": name, "agency": agency, "funding_source": funding},
        links={"categories": frozenset(categories)},
    )


def existing(session: Session, records: Iterable[Record]) -> dict[tuple[object, ...], Current]:
    """The stored programs the records name, keyed alike."""
    codes = {str(r.values["code"]) for r in records}
    if not codes:
        return {}
    rows = session.execute(
        sa.select(Program.id, Program.code, Program.name, Program.agency, Program.funding_source)
    ).all()
    found = {r.id: r for r in rows if r.code.casefold() in {c.casefold() for c in codes}}
    links: dict[int, set[str]] = {pid: set() for pid in found}
    for pid, category in session.execute(
        sa.select(program_categories.c.program_id, program_categories.c.category_code).where(
            program_categories.c.program_id.in_(list(found))
        )
    ):
        links[pid].add(category)
    return {
        (r.code.casefold(),): Current(
            r.id,
            {
                "code": r.code,
                "name": r.name,
                "agency": r.agency,
                "funding_source": r.funding_source,
            },
            {"categories": frozenset(links[r.id])},
        )
        for r in found.values()
    }
