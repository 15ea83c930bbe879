""" "Did you mean": the known name most like what a cell wrote, for every reader of an import.

Places, skills, activities and programs all offer one, with their own way of comparing names
and their own threshold; the comparison, the candidate limit and the cache live here once.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable

#: Beyond this many candidates a suggestion costs more than it helps (an email among thousands).
MAX_CANDIDATES = 2000

#: (a known phrase, what to offer when a cell is most like it)
Candidates = tuple[tuple[str, str], ...]


def candidates(names: dict[str, str] | list[str]) -> Candidates:
    """Known phrases as ``closest`` takes them: a list offers each name itself."""
    pairs = names.items() if isinstance(names, dict) else ((name, name) for name in names)
    return tuple(sorted(pairs))


@functools.lru_cache(maxsize=4096)
def closest(word: str, known: Candidates, *, key: Callable[[str], str], cutoff: float) -> str:
    """What to offer for ``word``: the entry of the known phrase most like it when both are
    compared by ``key``, if at least ``cutoff`` alike; else "". Cached, as a bad file repeats
    the same typo."""
    if len(known) > MAX_CANDIDATES:
        return ""
    keys = {key(phrase): shown for phrase, shown in known}
    match = difflib.get_close_matches(key(word), list(keys), n=1, cutoff=cutoff)
    return keys[match[0]] if match else ""
