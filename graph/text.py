"""Spotting taxonomy words in free text, so "butuh pelatihan pembukuan" finds bookkeeping."""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[0-9a-z]+")
MAX_PHRASE = 4


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def phrase_key(text: str) -> str:
    return " ".join(words(text))


class PhraseMatcher:
    """Maps every label and synonym (1 to 4 words) to its taxonomy code."""

    def __init__(self, entries: Iterable[tuple[str, Iterable[str]]]) -> None:
        self._codes: dict[str, str] = {}
        #: First word of a phrase -> most words a phrase starting with it has. A word that
        #: starts no phrase is skipped at once, and longer windows are tried only when some
        #: phrase is that long: most words of a title start nothing.
        self._longest: dict[str, int] = {}
        for code, phrases in entries:
            for phrase in phrases:
                key = phrase_key(phrase)
                size = len(key.split())
                if key and size <= MAX_PHRASE:
                    # The first code to claim a phrase keeps it: entries arrive sorted by code.
                    self._codes.setdefault(key, code)
                    first = key.split()[0]
                    self._longest[first] = max(self._longest.get(first, 0), size)

    def codes_in(self, text: str) -> frozenset[str]:
        """Taxonomy codes whose label or synonym appears in ``text`` as whole words."""
        tokens = words(text)
        found: set[str] = set()
        codes = self._codes
        longest = self._longest
        count = len(tokens)
        for start, token in enumerate(tokens):
            most = longest.get(token)
            if most is None:
                continue
            code = codes.get(token)
            if code is not None:
                found.add(code)
            for end in range(start + 2, min(start + most, count) + 1):
                code = codes.get(" ".join(tokens[start:end]))
                if code is not None:
                    found.add(code)
        return frozenset(found)
