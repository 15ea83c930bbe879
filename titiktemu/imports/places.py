"""Village and kecamatan references as planners write them, resolved to Kemendagri codes.

A reference is a village code (``33.10.12.2003``, or ``3310122003`` as some systems export it),
a kecamatan code (where a whole kecamatan is allowed), or names as clerks write them: ``Desa X Kec. Y``, ``Ds. X, Kec. Y``, ``X, Y``,
``X Kec Y``, ``X (Y)``, ``X - Y``, ``X Y`` (the last words a kecamatan), ``Kel. X`` alone when
the name is unique in scope, ``Kec. Y`` for a whole kecamatan, in any case, with a trailing
``Kab. Klaten`` dropped, and an address's neighbourhood (``RT 02 RW 03``) or a hamlet before
the village (``Dk. Ngaglik, Ds. Jelok``) left out. A separate Kecamatan column places a bare
village name. Names compare
without case, spaces or punctuation, so "Karang Anom" is "Karanganom".

What a person would have to ask about is refused, saying why: a name in several kecamatan (with
its options), a village written with a kecamatan it is not in (with where it is), a misspelt
name (with the nearest village, never a kecamatan's name). "Desa" for a kelurahan, or "Kel." for
a desa, is no error: clerks use either.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.imports.parsing import CellError
from titiktemu.imports.suggestions import MAX_CANDIDATES, candidates, closest
from titiktemu.models import Kecamatan, Village
from titiktemu.models.places import under

VILLAGE_CODE: Final = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
KECAMATAN_CODE: Final = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_NOT_WORD = re.compile(r"[\W_]+")
_VILLAGE_WORD = r"(?:desa|ds|kelurahan|kel)"
_AFTER_WORD = r"(?:\.\s*|\s+)"  # "Ds.X", "Ds. X", "Ds X"
#: "Desa X", "Ds.X", "Kel. X", "Desa/Kel. X" before a village name.
_VILLAGE_PREFIX = re.compile(
    rf"^{_VILLAGE_WORD}(?:\s*/\s*{_VILLAGE_WORD})?{_AFTER_WORD}", re.IGNORECASE
)
#: "Desa X" after a kecamatan ("Kec. Y, Desa X").
_VILLAGE_INSIDE = re.compile(rf"(?<=[\s,(/\-]){_VILLAGE_WORD}{_AFTER_WORD}", re.IGNORECASE)
#: "Kec. Y", "Kecamatan Y", "kec Y": where a kecamatan starts in a reference.
_KECAMATAN_WORD = re.compile(r"(?:^|(?<=[\s,(/\-]))(?:kecamatan|kec)(?:\.\s*|\s+|$)", re.IGNORECASE)
_KECAMATAN_PREFIX = re.compile(r"^(?:kecamatan|kec)(?:\.\s*|\s+)", re.IGNORECASE)
#: "Kab. Klaten", "Kabupaten Klaten": a regency named after a place (see ``_without_regency``).
_REGENCY_WORD = re.compile(r"\b(?:kabupaten|kab)(?:\.\s*|\s+)(?=\S)", re.IGNORECASE)
#: A village code written without its dots, as some systems export it ("3310152003").
_BARE_VILLAGE_CODE = re.compile(r"^(\d{2})(\d{2})(\d{2})(\d{4})$")
#: The neighbourhood inside a village ("RT 02 RW 03", "RT.02/RW.03", "RW 5"): an address's
#: detail, not part of the village's name.
_NEIGHBOURHOOD = re.compile(
    r"[\s,]*\b(?:RT|RW)\.?\s*\d{1,3}(?:\s*/\s*(?:RW\.?\s*)?\d{1,3})?\b", re.IGNORECASE
)
#: A hamlet before its village ("Dk. Ngaglik, Ds. Jelok", "Dusun Krajan, Desa X"): the village
#: is what is meant; the hamlet's name may be another village's.
_HAMLET = re.compile(r"^(?:dukuh|dusun|dsn|dkh|dk)(?:\.\s*|\s+)[^,]+,\s*", re.IGNORECASE)
_PARENTHESES = re.compile(r"^(.+?)\s*\((.+)\)$")
_DASH = re.compile(r"^(.+?)\s+[-–—]\s+(.+)$")
_EDGES = " ,;:-–—()/"
#: How alike a place name must be to be offered as "did you mean": "Karangannom" for
#: Karanganom, "Jelog" for Jelok; not "Selo" for "Jelog" (0.67).
SIMILAR = 0.75


def name_key(name: str) -> str:
    """ "Karang  Anom", "karanganom" and "Karang-Anom" -> "karanganom"."""
    return _NOT_WORD.sub("", name.casefold())


@dataclass(frozen=True)
class Place:
    """A resolved reference: a village (with its kecamatan) or a whole kecamatan."""

    kecamatan_code: str
    village_code: str | None = None

    @property
    def code(self) -> str:
        return self.village_code or self.kecamatan_code


@dataclass
class PlaceIndex:
    """The villages and kecamatan in scope, loaded once per import."""

    villages: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (name, kec)
    kecamatan: dict[str, str] = field(default_factory=dict)  # code -> name
    by_name: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    in_kecamatan: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    kecamatan_by_name: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, session: Session, regency_code: str | None) -> PlaceIndex:
        """Every place of ``regency_code`` (of everywhere loaded when None), in two queries."""
        index = cls()
        villages = sa.select(Village.code, Village.name, Village.kecamatan_code)
        kecamatan = sa.select(Kecamatan.code, Kecamatan.name)
        if regency_code is not None:
            villages = villages.where(under(Village.code, regency_code))
            kecamatan = kecamatan.where(Kecamatan.regency_code == regency_code)
        for code, name in session.execute(kecamatan):
            index.kecamatan[code] = name
            index.kecamatan_by_name[name_key(name)].append(code)
        for code, name, kec in session.execute(villages):
            index.villages[code] = (name, kec)
            index.by_name[name_key(name)].append(code)
            index.in_kecamatan[kec][name_key(name)].append(code)
        return index

    def resolve(
        self,
        reference: str,
        *,
        whole_kecamatan: bool,
        kecamatan: str = "",
        kecamatan_carried: bool = False,
    ) -> Place:
        """The place ``reference`` names; raises :class:`CellError` with a suggestion.

        ``kecamatan`` is the row's Kecamatan column (a name or code, with or without "Kec."):
        it places a bare village name and must agree with the kecamatan the reference is in.
        ``kecamatan_carried``: the value was carried down from a merged cell or a heading row
        above, a hint only: it places a name that does not place itself, and yields otherwise.
        """
        ref = _tidy(" ".join(reference.split()))
        given = self.kecamatan_code(kecamatan) if kecamatan.strip() else None
        if given is not None and kecamatan_carried:
            try:
                return self._place(ref, whole_kecamatan, None)
            except CellError as exc:
                if exc.code not in ("ambiguous_village", "unknown_village_name"):
                    raise
            return self._place(ref, whole_kecamatan, given)
        place = self._place(ref, whole_kecamatan, given)
        if given is not None and place.kecamatan_code != given:
            raise self._elsewhere(place, given)
        return place

    def kecamatan_code(self, reference: str) -> str:
        """The kecamatan a Kecamatan cell names: "Wonosari", "KEC. WONOSARI", "33.10.15"."""
        ref = self._without_regency(" ".join(reference.split())).strip(_EDGES)
        return self._kecamatan(_KECAMATAN_PREFIX.sub("", ref, count=1).strip(_EDGES))

    def villages_of(self, place: Place) -> list[Place]:
        """The village ``place`` is, or every village of the kecamatan it is."""
        if place.village_code is not None:
            return [place]
        return [
            Place(place.kecamatan_code, code)
            for codes in self.in_kecamatan[place.kecamatan_code].values()
            for code in sorted(codes)
        ]

    def label(self, village_code: str) -> str:
        """ "Jetis, Juwiring": a village with its kecamatan, as a reference that reads one way."""
        name, kecamatan = self.villages[village_code]
        return f"{name}, {self.kecamatan.get(kecamatan, kecamatan)}"

    def _place(self, ref: str, whole_kecamatan: bool, given: str | None) -> Place:
        if VILLAGE_CODE.match(ref):
            if ref not in self.villages:
                raise CellError("unknown_village_code")
            return Place(self.villages[ref][1], ref)
        if KECAMATAN_CODE.match(ref):
            if ref not in self.kecamatan:
                raise CellError("unknown_kecamatan")
            if not whole_kecamatan:
                raise CellError("kecamatan_not_allowed")
            return Place(ref)
        village, kecamatan = _split(self._without_regency(ref))
        name = _VILLAGE_PREFIX.sub("", village, count=1).strip(_EDGES)
        if not name and kecamatan:  # "Kec. Wonosari": the whole kecamatan
            code = self._kecamatan(kecamatan)
            if not whole_kecamatan:
                raise CellError("kecamatan_not_allowed")
            return Place(code)
        if not name:
            raise CellError("unknown_village_name")
        if kecamatan:
            return self._in_kecamatan(name, self._kecamatan(kecamatan))
        if given is not None:
            return self._in_kecamatan(name, given)
        return self._bare(name, whole_kecamatan)

    def _without_regency(self, ref: str) -> str:
        """``ref`` without a trailing "Kab. Klaten" / ", Kabupaten Klaten" (the import's scope).

        Klaten has a kelurahan named Kabupaten (in Klaten Tengah), so "Kabupaten" at the start,
        after a bare prefix ("Kel. Kabupaten Klaten Tengah"), or before a kecamatan is a name.
        """
        for found in reversed(list(_REGENCY_WORD.finditer(ref))):
            before = ref[: found.start()].rstrip(_EDGES)
            rest = ref[found.end() :].strip(_EDGES)
            # "Kab." or a kecamatan already named before it can only be the regency, even
            # where a kecamatan has the regency's name (Kecamatan Boyolali, Kab. Boyolali).
            surely_regency = found[0].casefold().startswith("kab") and not found[
                0
            ].casefold().startswith("kabupaten")
            surely_regency = surely_regency or bool(_KECAMATAN_WORD.search(before))
            if (
                _VILLAGE_PREFIX.sub("", before + " ", count=1).strip(_EDGES)
                and rest
                and not any(mark in rest for mark in ",()")
                and not _KECAMATAN_WORD.search(rest)
                and (surely_regency or name_key(rest) not in self.kecamatan_by_name)
            ):
                return before
        return ref

    def _kecamatan(self, ref: str) -> str:
        if KECAMATAN_CODE.match(ref):
            if ref in self.kecamatan:
                return ref
            raise CellError("unknown_kecamatan")
        found = self.kecamatan_by_name.get(name_key(ref), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise CellError("ambiguous_kecamatan", suggestion="; ".join(sorted(found)))
        names = sorted(set(self.kecamatan.values()))
        raise CellError("unknown_kecamatan", suggestion=_closest(ref, names))

    def _in_kecamatan(self, name: str, kecamatan_code: str) -> Place:
        key = name_key(name)
        found = self.in_kecamatan[kecamatan_code].get(key, [])
        if len(found) == 1:
            return Place(kecamatan_code, found[0])
        if found:
            raise CellError("ambiguous_village", suggestion="; ".join(sorted(found)))
        elsewhere = self.by_name.get(key, [])
        if elsewhere:
            raise self._not_in(elsewhere, kecamatan_code)
        names = sorted(
            self.villages[c][0]
            for codes in self.in_kecamatan[kecamatan_code].values()
            for c in codes
        )
        raise CellError(
            "unknown_village",
            suggestion=_closest(name, names) or self._closest_village(name, placed=True),
            name=name,
            kecamatan=kecamatan_code,
        )

    def _bare(self, name: str, whole_kecamatan: bool) -> Place:
        key = name_key(name)
        found = self.by_name.get(key, [])
        if len(found) == 1:
            return Place(self.villages[found[0]][1], found[0])
        if found:
            options = sorted(self.label(c) for c in found)
            raise CellError("ambiguous_village", suggestion="; ".join(options))
        words = name.split()
        for size in range(len(words) - 1, 0, -1):  # "Jetis Juwiring", "Karanganom Klaten Utara"
            codes = self.kecamatan_by_name.get(name_key(" ".join(words[-size:])), [])
            if len(codes) == 1:
                return self._in_kecamatan(" ".join(words[:-size]), codes[0])
        codes = self.kecamatan_by_name.get(key, [])
        if len(codes) == 1:  # no village is called so: the kecamatan is meant
            if not whole_kecamatan:
                raise CellError("kecamatan_not_allowed")
            return Place(codes[0])
        raise CellError("unknown_village_name", suggestion=self._closest_village(name))

    def _closest_village(self, name: str, *, placed: bool = False) -> str:
        """The village most like ``name``, with its kecamatan when the name repeats or when
        ``placed`` (the reference named another kecamatan, so a bare name would not do)."""
        found = _closest(name, sorted({n for n, _ in self.villages.values()}))
        codes = self.by_name.get(name_key(found), []) if found else []
        if len(codes) > 1 or (placed and codes):
            return "; ".join(sorted(self.label(c) for c in codes))
        return found

    def _not_in(self, villages: list[str], kecamatan_code: str) -> CellError:
        """ "Sidowarno is in Kecamatan Wonosari, not Kecamatan Jogonalan"."""
        actual = sorted({self.kecamatan.get(k, k) for k in (self.villages[c][1] for c in villages)})
        return CellError(
            "village_not_in_kecamatan",
            suggestion="; ".join(sorted(self.label(c) for c in villages)),
            name=self.villages[villages[0]][0],
            actual=" / ".join(actual),
            given=self.kecamatan.get(kecamatan_code, kecamatan_code),
        )

    def _elsewhere(self, place: Place, given: str) -> CellError:
        if place.village_code is not None:
            return self._not_in([place.village_code], given)
        return CellError(
            "kecamatan_disagrees",
            named=self.kecamatan.get(place.kecamatan_code, place.kecamatan_code),
            given=self.kecamatan.get(given, given),
        )


def _split(ref: str) -> tuple[str, str]:
    """The village words and the kecamatan words of a reference (either may be "")."""
    mark = _KECAMATAN_WORD.search(ref)
    if mark:
        village, kecamatan = ref[: mark.start()].strip(_EDGES), ref[mark.end() :].strip(_EDGES)
        if not village and (inside := _VILLAGE_INSIDE.search(kecamatan)):  # "Kec. Y, Desa X"
            village = kecamatan[inside.start() :].strip(_EDGES)
            kecamatan = kecamatan[: inside.start()].strip(_EDGES)
        return village, kecamatan
    for form in (_PARENTHESES, _DASH):
        if found := form.match(ref):
            return found[1].strip(_EDGES), found[2].strip(_EDGES)
    if "," in ref:
        village, _, kecamatan = ref.rpartition(",")
        return village.strip(_EDGES), _KECAMATAN_PREFIX.sub("", kecamatan.strip(), count=1)
    return ref.strip(_EDGES), ""


def _tidy(ref: str) -> str:
    """``ref`` as a reader takes it: a dotless code dotted, the neighbourhood (RT/RW) and a
    leading hamlet dropped."""
    if found := _BARE_VILLAGE_CODE.match(ref):
        return ".".join(found.groups())
    tidied = _HAMLET.sub("", _NEIGHBOURHOOD.sub("", ref)).strip(_EDGES)
    return tidied or ref


def _closest(word: str, names: list[str]) -> str:
    if len(names) > MAX_CANDIDATES:  # every village of the country: no list worth building
        return ""
    return closest(word, candidates(names), key=name_key, cutoff=SIMILAR)
