"""Reading a clerk's phrase for a skill, an activity or a program the way a careful person does.

Agencies name things their own way ("jambanisasi", "rehab RTLH", "PKH Dinsos"); refusing every
such cell makes an import useless, and guessing from spelling makes it wrong. The rules, in
order; the first that finds anything decides:

1. **Exact**: the phrase, normalised (case, spaces and ``- _ . /`` do not count), is a code, a
   label or a synonym (the taxonomy's, then the regency's own) -> that entry, nothing to say.
2. **Words**: the phrase's words (case-folded, punctuation dropped, joining words such as "dan",
   "untuk", "and" left out) are all among the words of one entry's labels and synonyms taken
   together -> that entry, read loosely ("promosi sanitasi", "rehab RTLH"). When they fit
   several entries the phrase is ambiguous and the candidates are listed, never picked.
3. **Derived words**: as 2, but a word may also be a known word of at least five letters with
   an Indonesian affix: ``-isasi``, ``-an``, ``-nya``, ``-kan``, or ``pe-``/``pem-``/``pen-``/
   ``peng-``/``peny-``/``per-`` ... ``-an`` ("jambanisasi" -> "jamban", "pengaspalan" ->
   "aspal"). Only when the plain words found nothing: "perumahan" is a word of its own.
4. **Clerk words**: when 1-3 find nothing, the words a recap adds to anything (kegiatan,
   program, pelatihan, bantuan, pembangunan, APBD, a year...) are left out and 1-3 tried on
   the rest ("pelatihan pembukuan" as a skill -> "pembukuan"). They are left out only then:
   "pelatihan" names a skill of its own, and "bantuan rumah" is house renovation as written.
   A phrase of clerk words alone ("pelatihan", "kegiatan") says too little to be read loosely
   as one entry: it is read exactly, or listed as ambiguous when it fits several, or not read.

Programs (:func:`read_program`) are read by code or name exactly, else by a phrase that holds a
program code as a word ("PKH Dinsos", "Bantuan RTLH APBD"), holds a program's whole name, or
whose words all belong to one program's name ("Keluarga Harapan").

Never from spelling alone: a typo stays a suggestion ("did you mean ..."), for a person to take.
Pure and in memory: no database, so an import of thousands of rows reads each phrase once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

_SEPARATORS: Final = re.compile(r"[\s_\-./]+")
_WORD: Final = re.compile(r"[^\W_]+")

# Word lists laid out by hand, so the formatter leaves them be.
# fmt: off
#: Words that join others and name nothing: left out of phrases and of entries alike.
JOINING: Final = frozenset([
    "dan", "atau", "serta", "untuk", "bagi", "di", "ke", "dari", "yang", "dengan", "pada", "oleh",
    "and", "or", "of", "for", "the", "in", "on", "to", "with", "by", "a",
])
#: Words a recap adds to anything it names (rule 4): what was done, how it was paid for.
CLERK_WORDS: Final = frozenset([
    "kegiatan", "program", "pelatihan", "bimtek", "sosialisasi", "penyuluhan", "pendampingan",
    "fasilitasi", "bantuan", "pembangunan", "pengadaan", "penyediaan", "pemberian", "pembuatan",
    "perbaikan", "peningkatan", "penguatan", "paket", "unit", "lokasi", "tahun", "ta",
    "apbn", "apbd", "apbd1", "apbd2", "apbdes", "csr", "baznas", "swadaya",
])
# fmt: on
#: Rule 3: suffixes and prefix + "-an" confixes, tried on a word no entry knows as written.
SUFFIXES: Final = ("isasi", "nya", "kan", "an")
CONFIX_PREFIXES: Final = ("peng", "peny", "pem", "pen", "per", "pe")
MIN_STEM: Final = 5


def normalise(text: str) -> str:
    """The lookup key of a code, label or synonym: "RKP Desa", "rkp-desa" and "RKPDes " -> "rkpdes".

    Facilitators type abbreviations with and without spaces or hyphens, so those do not count.
    """
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).casefold())


def words(text: str) -> list[str]:
    """The words of ``text``, case-folded, without punctuation or joining words."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [w for w in _WORD.findall(folded) if w not in JOINING]


def stems(word: str) -> list[str]:
    """What ``word`` may be derived from by rule 3 (stems of five letters or more)."""
    found = [word[: -len(s)] for s in SUFFIXES if word.endswith(s)]
    if word.endswith("an"):
        found += [word[len(p) : -2] for p in CONFIX_PREFIXES if word.startswith(p)]
    return [stem for stem in found if len(stem) >= MIN_STEM]


class Labelled(Protocol):
    """A taxonomy entry as read: a TOML entry or a loaded row."""

    @property
    def code(self) -> str: ...
    @property
    def label_id(self) -> str: ...
    @property
    def label_en(self) -> str: ...
    @property
    def synonyms_id(self) -> list[str]: ...
    @property
    def synonyms_en(self) -> list[str]: ...


@dataclass(frozen=True)
class Reading:
    """What a phrase was read as: one code, or several when it fits more than one (ambiguous)."""

    codes: tuple[str, ...]
    exact: bool = False

    @property
    def code(self) -> str | None:
        """The one code read, None when ambiguous."""
        return self.codes[0] if len(self.codes) == 1 else None


class PhraseReader:
    """Reads phrases against one section of the taxonomy (skills, or activity categories).

    ``extra`` are the regency's own synonyms as (phrase, code): the weakest names, so a code,
    label or synonym of the shipped taxonomy always wins over them.
    """

    def __init__(self, entries: Iterable[Labelled], extra: Iterable[tuple[str, str]] = ()) -> None:
        items = sorted(entries, key=lambda e: e.code)
        self._order = {e.code: n for n, e in enumerate(items)}
        self._labels = {e.code: (e.label_id, e.label_en) for e in items}
        keys: dict[str, str] = {}
        index: dict[str, set[str]] = {}

        def learn(name: str, code: str) -> None:
            for word in words(name):
                index.setdefault(word, set()).add(code)

        for phrase, code in extra:
            if code in self._labels:
                keys[normalise(phrase)] = code
                learn(phrase, code)
        # Weakest first, so stronger kinds of name overwrite: synonyms, labels, codes.
        for entry in items:
            for name in (*entry.synonyms_id, *entry.synonyms_en):
                keys[normalise(name)] = entry.code
                learn(name, entry.code)
        for entry in items:
            for name in (entry.label_id, entry.label_en):
                keys[normalise(name)] = entry.code
                learn(name, entry.code)
        for entry in items:
            keys[normalise(entry.code)] = entry.code
        keys.pop("", None)
        self._keys = keys
        self._index = {word: frozenset(codes) for word, codes in index.items()}
        self._read: dict[str, Reading | None] = {}

    def exact(self, text: str) -> str | None:
        """The code ``text`` names exactly (rule 1), else None."""
        return self._keys.get(normalise(text))

    def labels(self, code: str) -> tuple[str, str]:
        """The Indonesian and English labels of ``code`` (the code itself when unknown)."""
        return self._labels.get(code, (code, code))

    def read(self, text: str) -> Reading | None:
        """``text`` read by the module's rules: exact, loose, ambiguous, or None."""
        if text not in self._read:
            self._read[text] = self._reading(text)
        return self._read[text]

    def _reading(self, text: str) -> Reading | None:
        code = self.exact(text)
        if code is not None:
            return Reading((code,), exact=True)
        said = words(text)
        found = self._by_words(said)
        rest = [w for w in said if w not in CLERK_WORDS and not w.isdigit()]
        if not rest:  # clerk words only: several fits are worth listing, one is a guess
            return found if found is not None and found.code is None else None
        if found is None and len(rest) < len(said):
            code = self._keys.get("".join(rest))
            found = Reading((code,)) if code is not None else self._by_words(rest)
        return found

    def _by_words(self, said: Sequence[str]) -> Reading | None:
        """Rules 2 and 3: entries that hold every word, as written or else derived."""
        if not said:
            return None
        for derived in (False, True):
            fits: frozenset[str] | None = None
            for word in said:
                codes = self._index.get(word, frozenset())
                if derived:
                    for stem in stems(word):
                        codes |= self._index.get(stem, frozenset())
                fits = codes if fits is None else fits & codes
                if not fits:
                    break
            if fits:
                return Reading(tuple(sorted(fits, key=self._order.__getitem__)))
        return None


def read_program(
    text: str, programs: Mapping[str, str], synonyms: Mapping[str, str] | None = None
) -> Reading | None:
    """``text`` read as a program: ``programs`` maps code -> name (the name may be ""),
    ``synonyms`` the regency's normalised phrases -> code."""
    key = normalise(text)
    if not key:
        return None
    for code, name in programs.items():
        if key == normalise(code) or (name and key == normalise(name)):
            return Reading((code,), exact=True)
    if synonyms and key in synonyms and synonyms[key] in programs:
        return Reading((synonyms[key],), exact=True)
    said = words(text)
    content = {w for w in said if w not in CLERK_WORDS and not w.isdigit()}
    spans: dict[str, list[tuple[int, int]]] = {}
    named: set[str] = set()
    for code, name in programs.items():
        name_words = words(name)
        for span in (_find(said, words(code)), _find(said, name_words)):
            if span is not None:
                spans.setdefault(code, []).append(span)
        if content and name_words and content <= set(name_words):
            named.add(code)
    # "BLT-DD" holds "BLT": a program found only inside what another one was found as (a
    # longer code, its name) is not a second program.
    inside = {
        code
        for code, places in spans.items()
        if code not in named
        and all(
            any(
                o_start <= start and end <= o_end and o_end - o_start > end - start
                for other, others in spans.items()
                if other != code
                for o_start, o_end in others
            )
            for start, end in places
        )
    }
    found = sorted((set(spans) - inside) | named)
    return Reading(tuple(found)) if found else None


def _find(said: Sequence[str], wanted: Sequence[str]) -> tuple[int, int] | None:
    """Where the words ``wanted`` stand together in ``said``, else None."""
    size = len(wanted)
    if not size:
        return None
    for start in range(len(said) - size + 1):
        if list(said[start : start + size]) == list(wanted):
            return start, start + size
    return None
