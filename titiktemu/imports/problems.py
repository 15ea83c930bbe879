"""Problems found in an upload, each in English and Indonesian, with where it is and a suggestion.

Every problem is collected (not only the first), so a planner fixes a spreadsheet in one go; the
list kept in the report is capped, the rest only counted. Notes (an ignored column) are listed
with ``level`` "note" and do not stop the import; problems have ``level`` "error".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from titiktemu.imports.messages import MESSAGES

#: Problems listed in full; beyond this only their number is kept.
MAX_LISTED: Final = 1000
#: A value shown in a problem is cut to this many characters.
MAX_VALUE: Final = 80
#: A detail may say more than a cell: the entries an ambiguous phrase fits, to choose from.
MAX_DETAIL: Final = 200


def shorten(value: object, limit: int = MAX_VALUE) -> str:
    """The value as shown in the report: text, cut short when huge."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Problems:
    """The problems (and notes) of one upload, in the order found."""

    listed: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0
    notes: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        code: str,
        *,
        file: str,
        kind: str,
        row: int = 0,
        column: str = "",
        value: object = "",
        suggestion: str = "",
        **detail: object,
    ) -> None:
        """Add one problem; ``detail`` fills the message templates of ``code``."""
        self.count += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(
                _entry(code, file, kind, row, column, value, suggestion, "error", detail)
            )

    def note(
        self,
        code: str,
        *,
        file: str,
        kind: str,
        row: int = 0,
        column: str = "",
        value: object = "",
        data: dict[str, str] | None = None,
        **detail: object,
    ) -> None:
        """Add a note: shown with the problems, but the import goes ahead.

        ``data`` is kept as it is under ``"data"`` for a page to act on (a reading a coordinator
        may accept as a synonym); ``detail`` fills the message template like for problems.
        """
        if len(self.notes) < MAX_LISTED:
            entry = _entry(code, file, kind, row, column, value, "", "note", detail)
            if data:
                entry["data"] = dict(data)
            self.notes.append(entry)

    def __bool__(self) -> bool:
        return self.count > 0

    def report(self) -> list[dict[str, Any]]:
        """The listed problems, an entry counting those left out, then the notes."""
        rest = self.count - len(self.listed)
        more = [_entry("more_problems", "", "", 0, "", rest, "", "error", {})] if rest > 0 else []
        return [*self.listed, *more, *self.notes]


def _entry(
    code: str,
    file: str,
    kind: str,
    row: int,
    column: str,
    value: object,
    suggestion: str,
    level: str,
    detail: dict[str, object],
) -> dict[str, Any]:
    english, indonesian = MESSAGES[code]
    shown = shorten(value)
    words = {"value": shown, **{k: shorten(v, MAX_DETAIL) for k, v in detail.items()}}
    return {
        "file": file,
        "kind": kind,
        "row": row,
        "column": column,
        "value": shown,
        "code": code,
        "text_en": english.format(**words),
        "text_id": indonesian.format(**words),
        "suggestion": shorten(suggestion),
        "level": level,
    }
