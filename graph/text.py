"""Spotting taxonomy words in free text, so "butuh pelatihan pembukuan" finds bookkeeping."""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[0-9a-z]+")
MAX_PHRASE = 4


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class PhraseMatcher:
    """Maps every label and synonym (1 to 4 words) to its taxonomy code."""

    def __init__(self, entries: Iterable[tuple[str, Iterable[str]]]) -> None:
        #: The phrases as a tree of words: word -> (code of the phrase ending here, or None;
        #: the words that continue it). A title's word that starts no phrase costs one lookup,
        #: one that does a lookup per further word, never a joined string.
        self._tree: dict[str, _Node] = {}
        for code, phrases in entries:
            for phrase in phrases:
                key = words(phrase)
                if key and len(key) <= MAX_PHRASE:
                    level = self._tree
                    for word in key[:-1]:
                        level = level.setdefault(word, _Node()).next
                    node = level.setdefault(key[-1], _Node())
                    # The first code to claim a phrase keeps it: entries arrive sorted by code.
                    if node.code is None:
                        node.code = code

    def codes_in(self, text: str) -> frozenset[str]:
        """Taxonomy codes whose label or synonym appears in ``text`` as whole words."""
        tokens = words(text)
        found: set[str] = set()
        tree = self._tree
        count = len(tokens)
        for start, token in enumerate(tokens):
            node = tree.get(token)
            at = start + 1
            while node is not None:
                if node.code is not None:
                    found.add(node.code)
                if at == count or not node.next:
                    break
                node = node.next.get(tokens[at])
                at += 1
        return frozenset(found)


class _Node:
    """One word of a phrase: the code of the phrase that ends with it, and what may follow."""

    __slots__ = ("code", "next")

    def __init__(self) -> None:
        self.code: str | None = None
        self.next: dict[str, _Node] = {}
