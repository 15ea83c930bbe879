"""Village and kecamatan references as planners write them, resolved to Kemendagri codes.

A reference is a village code (``33.10.12.2003``), ``Name, Kecamatan`` (kecamatan by name or
code), a bare name when unique in scope, or, where allowed, a kecamatan code meaning the whole
kecamatan. Names compare without case, spaces or punctuation, so "Karang Anom" is "Karanganom".
Misspelt names get a suggestion from difflib over the names in question.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import Kecamatan, Village
from titiktemu.models.places import under
from titiktemu.services.imports.parsing import CellError

VILLAGE_CODE: Final = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
KECAMATAN_CODE: Final = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_NOT_WORD = re.compile(r"[\W_]+")


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

    def resolve(self, reference: str, *, whole_kecamatan: bool) -> Place:
        """The place ``reference`` names; raises :class:`CellError` with a suggestion."""
        ref = " ".join(reference.split())
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
        if "," in ref:
            name, _, kec_ref = ref.rpartition(",")
            return self._in_kecamatan(name.strip(), self._kecamatan(kec_ref.strip()))
        return self._bare(ref)

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
        found = self.in_kecamatan[kecamatan_code].get(name_key(name), [])
        if len(found) == 1:
            return Place(kecamatan_code, found[0])
        if found:
            raise CellError("ambiguous_village", suggestion="; ".join(sorted(found)))
        names = sorted(
            self.villages[c][0]
            for codes in self.in_kecamatan[kecamatan_code].values()
            for c in codes
        )
        raise CellError(
            "unknown_village",
            suggestion=_closest(name, names),
            name=name,
            kecamatan=kecamatan_code,
        )

    def _bare(self, name: str) -> Place:
        found = self.by_name.get(name_key(name), [])
        if len(found) == 1:
            return Place(self.villages[found[0]][1], found[0])
        if found:
            options = [
                f"{self.villages[c][0]}, {self.kecamatan[self.villages[c][1]]}" for c in found
            ]
            raise CellError("ambiguous_village", suggestion="; ".join(sorted(options)))
        names = sorted({name for name, _ in self.villages.values()})
        raise CellError("unknown_village_name", suggestion=_closest(name, names))


def _closest(word: str, names: list[str]) -> str:
    return _closest_cached(name_key(word), tuple(names)) if len(names) <= 2000 else ""


@functools.lru_cache(maxsize=4096)
def _closest_cached(word: str, names: tuple[str, ...]) -> str:
    """The name most like ``word`` (compared without case and spaces), or ""."""
    keys = {name_key(n): n for n in names}
    match = difflib.get_close_matches(word, list(keys), n=1, cutoff=0.6)
    return keys[match[0]] if match else ""
