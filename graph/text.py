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
        for code, phrases in entries:
            for phrase in phrases:
                key = phrase_key(phrase)
                if key and len(key.split()) <= MAX_PHRASE:
                    # The first code to claim a phrase keeps it: entries arrive sorted by code.
                    self._codes.setdefault(key, code)

    def codes_in(self, text: str) -> frozenset[str]:
        """Taxonomy codes whose label or synonym appears in ``text`` as whole words."""
        tokens = words(text)
        found: set[str] = set()
        codes = self._codes
        for start in range(len(tokens)):
            for length in range(1, MAX_PHRASE + 1):
                if start + length > len(tokens):
                    break
                code = codes.get(" ".join(tokens[start : start + length]))
                if code is not None:
                    found.add(code)
        return frozenset(found)
