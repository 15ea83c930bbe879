"""The bilingual taxonomy: shipped as ``titiktemu/data/taxonomy.toml``, upserted into the database.

The TOML is the source of truth for codes, labels and synonyms; the tables are a copy that offers,
needs, people and interventions can point at. Loading is idempotent and never deletes: a code that
left the file may still be referenced, so it stays (and is logged).
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.errors import Invalid
from titiktemu.models import ActivityCategory, RegencySynonym, Skill, SkillKind
from titiktemu.vocabulary.phrases import Labelled, PhraseReader, Reading
from titiktemu.vocabulary.phrases import normalise as normalise

log = logging.getLogger(__name__)

SECTIONS = ("skills", "activity_categories")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_Row = TypeVar("_Row", Skill, ActivityCategory)


class TaxonomyError(Invalid, ValueError):
    """The taxonomy file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Entry:
    """One taxonomy entry as written in the TOML file."""

    code: str
    parent_code: str | None
    kind: SkillKind | None  # None for activity categories
    label_id: str
    label_en: str
    synonyms_id: list[str]
    synonyms_en: list[str]


def read_taxonomy(text: str | None = None) -> dict[str, list[Entry]]:
    """Entries per section, parents before children; ``text`` defaults to the shipped file."""
    if text is None:
        text = resources.files("titiktemu").joinpath("data/taxonomy.toml").read_text("utf-8")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"taxonomy.toml: {exc}") from exc
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown:
        raise TaxonomyError(f"taxonomy.toml: unknown sections {unknown}")
    sections: dict[str, list[Entry]] = {}
    for section in SECTIONS:
        table = document.get(section, {})
        sections[section] = _ordered(section, [_entry(section, c, raw) for c, raw in table.items()])
    return sections


def _entry(section: str, code: str, raw: Mapping[str, Any]) -> Entry:
    where = f"[{section}.{code}]"
    if not _CODE.match(code):
        raise TaxonomyError(f"{where}: a code is lowercase letters, digits and '_' (2-40)")
    allowed = {"parent", "kind", "label_id", "label_en", "synonyms_id", "synonyms_en"}
    if section != "skills":
        allowed.discard("kind")
    extra = sorted(set(raw) - allowed)
    if extra:
        raise TaxonomyError(f"{where}: unknown keys {extra}")
    labels = [raw.get("label_id"), raw.get("label_en")]
    if not all(isinstance(label, str) and label.strip() for label in labels):
        raise TaxonomyError(f"{where}: label_id and label_en are required")
    synonyms = {key: raw.get(key, []) for key in ("synonyms_id", "synonyms_en")}
    for key, words in synonyms.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise TaxonomyError(f"{where}: {key} must be a list of words")
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise TaxonomyError(f"{where}: parent must be a code")
    kind: SkillKind | None = None
    if section == "skills":
        try:
            kind = SkillKind(str(raw.get("kind")))
        except ValueError:
            kinds = ", ".join(k.value for k in SkillKind)
            raise TaxonomyError(f"{where}: kind must be one of {kinds}") from None
        if (kind is SkillKind.GROUP) != (parent is None):
            raise TaxonomyError(f"{where}: groups have no parent, everything else has one")
    return Entry(
        code=code,
        parent_code=parent,
        kind=kind,
        label_id=str(labels[0]).strip(),
        label_en=str(labels[1]).strip(),
        synonyms_id=[w.strip() for w in synonyms["synonyms_id"]],
        synonyms_en=[w.strip() for w in synonyms["synonyms_en"]],
    )


def _ordered(section: str, entries: list[Entry]) -> list[Entry]:
    """Parents before children (then by code), so inserts never point at a missing row."""
    by_code = {e.code: e for e in entries}

    def depth(entry: Entry, seen: tuple[str, ...] = ()) -> int:
        if entry.parent_code is None:
            return 0
        parent = by_code.get(entry.parent_code)
        if parent is None:
            raise TaxonomyError(f"[{section}.{entry.code}]: unknown parent {entry.parent_code!r}")
        if entry.code in seen:
            raise TaxonomyError(f"[{section}.{entry.code}]: parent cycle")
        return 1 + depth(parent, (*seen, entry.code))

    return sorted(entries, key=lambda e: (depth(e), e.code))


def load_taxonomy(session: Session, text: str | None = None) -> dict[str, int]:
    """Upsert the taxonomy into ``skills`` and ``activity_categories``; returns row counts.

    ``{"skills": n, "activity_categories": m, "added": a, "updated": u}`` - a second load adds and
    updates nothing. ``text`` replaces the shipped file (for tests and local taxonomies).
    """
    sections = read_taxonomy(text)
    skills = _sync(session, Skill, sections["skills"])
    categories = _sync(session, ActivityCategory, sections["activity_categories"])
    added, updated = skills[0] + categories[0], skills[1] + categories[1]
    session.commit()
    log.info("taxonomy loaded: %d added, %d updated", added, updated)
    return {
        "skills": len(sections["skills"]),
        "activity_categories": len(sections["activity_categories"]),
        "added": added,
        "updated": updated,
    }


def _sync(session: Session, model: type[_Row], entries: list[Entry]) -> tuple[int, int]:
    existing = {row.code: row for row in session.scalars(sa.select(model))}
    added = updated = 0
    unflushed: set[str] = set()
    for entry in entries:
        values: dict[str, Any] = {
            "parent_code": entry.parent_code,
            "label_id": entry.label_id,
            "label_en": entry.label_en,
            "synonyms_id": list(entry.synonyms_id),
            "synonyms_en": list(entry.synonyms_en),
        }
        if entry.kind is not None:
            values["kind"] = entry.kind
        if entry.parent_code in unflushed:
            # No relationship tells the unit of work the order: write the parent first ourselves.
            session.flush()
            unflushed.clear()
        row = existing.get(entry.code)
        if row is None:
            session.add(model(code=entry.code, **values))
            unflushed.add(entry.code)
            added += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            updated += 1
    session.flush()
    stale = sorted(set(existing) - {e.code for e in entries})
    if stale:
        log.info("%s kept though no longer in taxonomy.toml: %s", model.__tablename__, stale)
    return added, updated


#: (phrase, code) pairs of a regency's own synonyms, per kind ("skill", "activity", "program").
RegencyPhrases = Mapping[str, Iterable[tuple[str, str]]]


def regency_phrases(session: Session, regency_code: str | None) -> dict[str, list[tuple[str, str]]]:
    """The regency's own synonyms as (phrase, code) per kind; none without a regency."""
    found: dict[str, list[tuple[str, str]]] = {}
    if regency_code is None:
        return found
    rows = session.execute(
        sa.select(RegencySynonym.kind, RegencySynonym.phrase, RegencySynonym.code)
        .where(RegencySynonym.regency_code == regency_code)
        .order_by(RegencySynonym.kind, RegencySynonym.key)
    )
    for kind, phrase, code in rows:
        found.setdefault(str(kind), []).append((phrase, code))
    return found


class TaxonomyIndex:
    """Resolves what people type (code, label or synonym, either language) to a taxonomy code.

    Pure and in memory, built once from the loaded rows or the TOML, so an import of thousands of
    spreadsheet rows costs no queries. Codes win over labels, labels over synonyms, and those
    over a regency's own synonyms. ``read_*`` also read a clerk's looser phrases (see
    :mod:`titiktemu.vocabulary.phrases`).
    """

    def __init__(
        self,
        skills: Iterable[Labelled],
        categories: Iterable[Labelled],
        regency: RegencyPhrases | None = None,
    ) -> None:
        extra = regency or {}
        self.skills = PhraseReader(skills, extra.get("skill", ()))
        self.categories = PhraseReader(categories, extra.get("activity", ()))

    @classmethod
    def from_session(cls, session: Session, regency_code: str | None = None) -> TaxonomyIndex:
        """The index of what is in the database (including codes no longer in the file), with
        the synonyms of ``regency_code`` when one is given."""
        skills = session.scalars(sa.select(Skill).order_by(Skill.code)).all()
        categories = session.scalars(sa.select(ActivityCategory).order_by(ActivityCategory.code))
        return cls(skills, categories.all(), regency_phrases(session, regency_code))

    @classmethod
    def from_toml(cls, text: str | None = None) -> TaxonomyIndex:
        """The index of the shipped file, for use without a database."""
        sections = read_taxonomy(text)
        return cls(sections["skills"], sections["activity_categories"])

    def resolve_skill(self, text: str) -> str | None:
        """The skill (or group) code ``text`` names, else None."""
        return self.skills.exact(text)

    def resolve_category(self, text: str) -> str | None:
        """The activity category code ``text`` names, else None."""
        return self.categories.exact(text)

    def read_skill(self, text: str) -> Reading | None:
        """``text`` read as a skill: exactly, loosely, ambiguously, or not at all."""
        return self.skills.read(text)

    def read_category(self, text: str) -> Reading | None:
        """``text`` read as an activity category: exactly, loosely, ambiguously, or not at all."""
        return self.categories.read(text)
