"""Synthetic records as the spreadsheets a national operator would import, in batches of regencies.

The importer is the only way these records reach the database (``run_import``: every row read,
checked and written all or nothing), so what it refuses is made importable here first, and
counted: interventions repeating another's natural key (program, village, activity, start; the
generator's plain copies and same-month draws) are left out, and a title a person already uses
gets its record number (titles are unique per owner). Columns the import has no place for (an
offer's used capacity, a person's availability and open commitments) take the import's defaults.

A batch holds whole regencies and at most ``reading.MAX_ROWS`` rows of each kind (one file per
kind), the largest file the importer takes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from benchmarks.synthetic import PROGRAMS, Synthetic
from graph.records import Intervention, Need, Offer, Person
from harness.spreadsheets import csv_bytes
from titiktemu.imports import Upload
from titiktemu.imports.reading import MAX_ROWS
from titiktemu.models.exchange import title_key

FUNDING = {"BLT-DD": "apbdes", "CSR": "csr", "DONOR": "donor", "BAZNAS": "baznas"}


def email(person_id: int) -> str:
    return f"p{person_id}@synthetic.example"


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


def _codes(values: Sequence[str]) -> str:
    return ";".join(values)


@dataclass
class Regency:
    """One regency's rows of each kind, as cells."""

    code: str
    people: list[list[str]] = field(default_factory=list)
    interventions: list[list[str]] = field(default_factory=list)
    offers: list[list[str]] = field(default_factory=list)
    needs: list[list[str]] = field(default_factory=list)

    def size(self, kind: str) -> int:
        rows: list[list[str]] = getattr(self, kind)
        return len(rows)


@dataclass
class Rows:
    regencies: list[Regency]
    left_out: int  # interventions whose natural key another one has
    retitled: int  # offers and needs renamed to keep a person's titles unique


KINDS = ("people", "interventions", "offers", "needs")


def program_rows() -> list[list[str]]:
    return [
        [p.code, p.name, "Kementerian / dinas", FUNDING.get(p.code, "apbn"), _codes(p.categories)]
        for p in PROGRAMS
    ]


def as_rows(data: Synthetic) -> Rows:
    """Every record of ``data`` as import cells, by regency (in the generator's order)."""
    inputs = data.inputs
    regencies: dict[str, Regency] = {}

    def of(code: str) -> Regency:
        regency = regencies.get(code)
        if regency is None:
            regency = regencies[code] = Regency(code)
        return regency

    home: dict[int, str] = {}
    for p in inputs.people:
        home[p.id] = p.regency or (p.home_village or "")[:5]
        of(home[p.id]).people.append(_person(p))
    seen: set[tuple[object, ...]] = set()
    left_out = 0
    for i in inputs.interventions:
        key = (i.program_id, i.village, i.category, i.start)
        if key in seen:
            left_out += 1
            continue
        seen.add(key)
        of(i.village[:5]).interventions.append(_intervention(i))
    titles: set[tuple[int, str]] = set()
    retitled = 0
    for kind, records in (("offers", inputs.offers), ("needs", inputs.needs)):
        for r in records:
            title = r.title
            if (r.person_id, title_key(title)) in titles:
                title = f"{title} #{r.id}"
                retitled += 1
            titles.add((r.person_id, title_key(title)))
            cells = _offer(r, title) if isinstance(r, Offer) else _need(r, title)
            getattr(of(home[r.person_id]), kind).append(cells)
    return Rows(list(regencies.values()), left_out, retitled)


def _person(p: Person) -> list[str]:
    programs = [PROGRAMS[i - 1].code for i in p.programs]
    return [
        email(p.id),
        p.name,
        "",
        "facilitator",
        _codes(programs),
        p.home_village or "",
        _codes(p.villages),
        _codes(p.skills),
        "id",
    ]


def _intervention(i: Intervention) -> list[str]:
    return [
        PROGRAMS[i.program_id - 1].code,
        i.village,
        i.category,
        _day(i.start),
        _day(i.end),
        str(i.households),
        str(i.budget_idr),
        email(i.facilitator_id) if i.facilitator_id is not None else "",
        i.title,
    ]


def _offer(o: Offer, title: str) -> list[str]:
    return [
        email(o.person_id),
        title,
        _codes(o.skills),
        _codes(o.villages or o.kecamatan),
        _day(o.start),
        _day(o.end),
        str(o.capacity),
        o.description,
    ]


def _need(n: Need, title: str) -> list[str]:
    return [
        email(n.person_id),
        title,
        _codes(n.skills),
        n.village or n.kecamatan,
        _day(n.start),
        _day(n.end),
        n.description,
    ]


def batches(regencies: Sequence[Regency], limit: int = MAX_ROWS) -> Iterator[list[Regency]]:
    """Whole regencies, as many as fit with at most ``limit`` rows of each kind."""
    batch: list[Regency] = []
    for regency in regencies:
        fits = all(sum(r.size(k) for r in batch) + regency.size(k) <= limit for k in KINDS)
        if batch and not fits:
            yield batch
            batch = []
        batch.append(regency)
    if batch:
        yield batch


def uploads(batch: Sequence[Regency], with_programs: bool) -> list[Upload]:
    """One CSV file per kind (the programs sheet only in the first batch)."""
    files = [Upload("programs.csv", csv_bytes("programs", program_rows()))] if with_programs else []
    for kind in KINDS:
        rows = [row for regency in batch for row in getattr(regency, kind)]
        files.append(Upload(f"{kind}.csv", csv_bytes(kind, rows)))
    return files


def counts(regencies: Sequence[Regency]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for regency in regencies:
        for kind in KINDS:
            total[kind] += regency.size(kind)
    return dict(total)
