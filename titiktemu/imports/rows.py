"""Checking one row: each column parsed and resolved, every problem recorded where it is.

A :class:`Record` is a row that passed: its natural key, its column values as stored (other
records referred to by their natural keys, since an upload may create them) and its link sets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, TypeVar

from titiktemu.imports.lookups import Lookups, ReadAs
from titiktemu.imports.parsing import (
    CellError,
    DateOrder,
    count,
    date,
    integer,
    items,
    money,
    text,
)
from titiktemu.imports.places import KECAMATAN_CODE, VILLAGE_CODE, Place
from titiktemu.imports.problems import Problems
from titiktemu.imports.reading import Row, Sheet
from titiktemu.models.places import regency_of

T = TypeVar("T")

#: Entries in one list cell at most (villages of an offer, skills of a person).
MAX_ITEMS: Final = 100
#: The column that places a village name ("Kecamatan"), where a kind has one.
KECAMATAN_COLUMN: Final = "kecamatan"


@dataclass(frozen=True)
class Scope:
    """Where the acting person may import: a regency, or anywhere (None)."""

    regency_code: str | None
    admin: bool

    def allows(self, code: str | None) -> bool:
        return self.regency_code is None or (
            code is not None and regency_of(code) == self.regency_code
        )


@dataclass
class Record:
    kind: str
    file: str
    row: int
    key: tuple[object, ...]
    values: dict[str, object]
    links: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Regencies this record touches (re-matched when it changes).
    regencies: set[str] = field(default_factory=set)


class RowCheck:
    """Reads the cells of one row, recording a problem for each bad one (``ok`` turns False)."""

    def __init__(
        self, sheet: Sheet, row: Row, lookups: Lookups, scope: Scope, problems: Problems
    ) -> None:
        self.sheet, self.row, self.lookups, self.scope = sheet, row, lookups, scope
        self.problems = problems
        self.ok = True

    def fail(
        self, column: str, code: str, value: object, suggestion: str = "", **detail: object
    ) -> None:
        self.ok = False
        self.problems.add(
            code,
            file=self.sheet.file,
            kind=self.sheet.kind,
            row=self.row.number,
            column=column,
            value=value,
            suggestion=suggestion,
            **detail,
        )

    def _parse(self, column: str, parse: Callable[[], T], fallback: T) -> T:
        try:
            return parse()
        except CellError as exc:
            self.fail(
                column, exc.code, text(self.row.cells.get(column)), exc.suggestion, **exc.detail
            )
            return fallback

    def text(self, column: str, limit: int, *, required: bool = False) -> str:
        value = text(self.row.cells.get(column))
        if required and not value:
            self.fail(column, "required", value)
        elif len(value) > limit:
            self.fail(column, "too_long", value, limit=limit, length=len(value))
        return value

    def date(self, column: str, *, required: bool = False, end: bool = False) -> dt.date | None:
        """A date (see :func:`.parsing.date`), read in the order the sheet writes dates; with
        ``end`` a month or year alone is its last day. "-" counts as blank for ``required``."""
        cell = self.row.cells.get(column)
        order = self.sheet.date_orders.get(column, DateOrder.DAY_FIRST)
        try:
            value = date(cell, end=end, order=order)
        except CellError as exc:
            self.fail(column, exc.code, text(cell), exc.suggestion, **exc.detail)
            return None
        if value is None and required:
            self.fail(column, "required", text(cell))
        return value

    def window(self, start: dt.date | None, end: dt.date | None, end_column: str) -> None:
        if start and end and end < start:
            self.fail(end_column, "end_before_start", end.isoformat(), start=start.isoformat())

    def integer(self, column: str, low: int, high: int, empty: int) -> int:
        return self._parse(
            column, lambda: integer(self.row.cells.get(column), low, high, empty), empty
        )

    def count(self, column: str, high: int) -> int | None:
        """Households or people ("12 KK"); None when blank or unknown ("-")."""
        return self._parse(column, lambda: count(self.row.cells.get(column), high=high), None)

    def money(self, column: str, high: int) -> int | None:
        """Rupiah ("Rp 125 juta"); None when blank or unknown ("-")."""
        return self._parse(column, lambda: money(self.row.cells.get(column), high=high), None)

    def items(self, column: str, *, required: bool = False) -> list[str]:
        words = items(self.row.cells.get(column))
        if required and not words:
            self.fail(column, "required", "")
        if len(words) > MAX_ITEMS:
            self.fail(column, "too_many_items", text(self.row.cells.get(column)), limit=MAX_ITEMS)
            return []
        return words

    def each(self, column: str, words: list[str], resolve: Callable[[str], T | ReadAs]) -> list[T]:
        """Every word resolved (a problem for each that is not), repeats dropped, in order.

        A word read by a looser rule (:class:`ReadAs`) counts as its code and leaves a note.
        """
        found: dict[T, None] = {}
        for word in words:
            try:
                value = resolve(word)
            except CellError as exc:
                self.fail(column, exc.code, word, exc.suggestion, **exc.detail)
                continue
            if isinstance(value, ReadAs):
                self.read_as(column, value)
                found.setdefault(value.code, None)  # type: ignore[arg-type]
            else:
                found.setdefault(value, None)
        return list(found)

    def read_as(self, column: str, reading: ReadAs) -> None:
        """Say how a phrase was read, with what accepting it as a synonym needs."""
        self.problems.note(
            "read_as",
            file=self.sheet.file,
            kind=self.sheet.kind,
            row=self.row.number,
            column=column,
            value=reading.phrase,
            label_en=reading.label_en,
            label_id=reading.label_id,
            data={"kind": reading.kind, "phrase": reading.phrase, "code": reading.code},
        )

    def place(
        self, column: str, reference: str, *, whole_kecamatan: bool, kecamatan: str = ""
    ) -> Place | None:
        """The village (or kecamatan) ``reference`` names, inside the actor's regency.

        ``kecamatan`` is the row's Kecamatan column: a problem with it is recorded there, unless
        it was carried down from above (a hint the reference may overrule).
        """
        if (VILLAGE_CODE.match(reference) or KECAMATAN_CODE.match(reference)) and not (
            self.scope.allows(reference)
        ):
            self.out_of_scope(column, reference)
            return None
        places = self.lookups.places
        carried = KECAMATAN_COLUMN in self.row.carried
        if kecamatan.strip():
            try:
                places.kecamatan_code(kecamatan)
            except CellError as exc:
                if not carried:
                    self.fail(KECAMATAN_COLUMN, exc.code, kecamatan, exc.suggestion, **exc.detail)
                    return None
                kecamatan = ""  # a hint from above that names no kecamatan: no hint
        try:
            return places.resolve(
                reference,
                whole_kecamatan=whole_kecamatan,
                kecamatan=kecamatan,
                kecamatan_carried=carried,
            )
        except CellError as exc:
            self.fail(column, exc.code, reference, exc.suggestion, **exc.detail)
            return None

    def out_of_scope(self, column: str, value: object) -> None:
        self.fail(column, "out_of_scope", value, regency=self.scope.regency_code)
