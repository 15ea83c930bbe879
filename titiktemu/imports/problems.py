"""Problems found in an upload, each a code and its values, with where it is and a suggestion.

Every problem is collected (not only the first), so a planner fixes a spreadsheet in one go; the
list kept in the report is capped, the rest only counted. Notes (an ignored column) are listed
with ``level`` "note" and do not stop the import; problems have ``level`` "error".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from titiktemu.i18n import LANGUAGES, gettext, language, spoken_date, weekday
from titiktemu.imports.messages import MESSAGES

#: Problems listed in full; beyond this only their number is kept.
MAX_LISTED: Final = 1000
#: A value shown in a problem is cut to this many characters.
MAX_VALUE: Final = 80
#: A detail may say more than a cell: the entries an ambiguous phrase fits, to choose from.
MAX_DETAIL: Final = 200
#: Details that are a phrase of the catalog chosen by the check ("households and people are
#: counted whole"), filled with the other details.
PHRASES: Final = ("found", "needed", "hint", "where", "readings", "day")
#: Details that are ISO dates, written out for the reader ("3 April 2021"); ``date`` also gives
#: ``weekday``.
DATES: Final = ("first", "second", "date")


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
    shown = shorten(value)
    params = {"value": shown, **{k: shorten(v, MAX_DETAIL) for k, v in detail.items()}}
    entry: dict[str, Any] = {
        "file": file,
        "kind": kind,
        "row": row,
        "column": column,
        "value": shown,
        "code": code,
        "params": params,
        "suggestion": shorten(suggestion),
        "level": level,
    }
    # The words as written when the report was made, for readers of the stored report that do
    # not render (the API's text fields keep their names); pages render ``code`` and ``params``.
    for lang in LANGUAGES:
        entry[f"text_{lang}"] = problem_text(entry, lang)
    return entry


class _Words(dict[str, str]):
    """A problem's values; one a stored problem lacks reads as nothing, not as an error page."""

    def __missing__(self, key: str) -> str:
        return ""


def problem_text(problem: Mapping[str, Any], lang: str) -> str:
    """The problem in ``lang``, from the one catalog; a detail given in both languages
    (``found_en``, ``found_id``) fills ``%(found)s`` with the reader's. A problem stored before
    problems kept their values (no ``params``) reads as it was written then."""
    lang = language(lang)
    message = MESSAGES.get(str(problem.get("code", "")))
    params = problem.get("params")
    if message is None or not isinstance(params, Mapping):
        return str(problem.get(f"text_{lang}") or problem.get("text_en") or problem.get("code", ""))
    words = _Words()
    for name, value in params.items():
        base, _, suffix = name.rpartition("_")
        if suffix in LANGUAGES and base:  # data in both languages: taxonomy labels
            if suffix == lang or base not in words:
                words[base] = str(value)
        elif name in DATES and value:
            words[name] = spoken_date(str(value), lang)
            if name == "date":
                words["weekday"] = weekday(str(value), lang)
        elif name not in PHRASES:
            words[name] = str(value)
    for name in PHRASES:
        if params.get(name):
            words[name] = gettext(str(params[name]), lang) % words
    return gettext(message, lang) % words
