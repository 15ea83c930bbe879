"""Reference data every database needs before it can take any: the skill and activity taxonomy.

Imports, needs, offers and interventions all point at taxonomy codes, so a database without them
refuses every row ("unknown skill ..."). The taxonomy therefore ships with the schema:
``titiktemu db upgrade`` loads it after the migrations, and loading again only writes what changed
in ``titiktemu/data/taxonomy.toml``. Places are different: which regency to load is the operator's
choice (``titiktemu regions load 33.10``), so a missing regency is reported, never loaded here;
but a regency already loaded gets its places file (centroids, neighbours) here too, so a database
that loaded its regency before the file shipped catches up on the next upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.models import ActivityCategory, Skill, Village
from titiktemu.places.borders import PlacesReport, load_places_of_loaded
from titiktemu.vocabulary.taxonomy import load_taxonomy

#: What :func:`missing_reference_data` names; the first one keeps a database from taking data.
MISSING_TAXONOMY = "taxonomy"
MISSING_REGENCY = "no regency loaded"


@dataclass(frozen=True)
class ReferenceDataReport:
    """What one load found in the file and changed in the database."""

    skills: int
    activity_categories: int
    added: int
    updated: int
    #: One per loaded regency that ships a places file.
    places: tuple[PlacesReport, ...] = field(default=())

    def summary(self) -> str:
        lines = [
            f"Taxonomy: {self.skills} skills, {self.activity_categories} activity categories "
            f"({self.added} added, {self.updated} updated)",
            *(report.summary() for report in self.places),
        ]
        return "\n".join(lines)


def load_reference_data(session: Session, taxonomy_text: str | None = None) -> ReferenceDataReport:
    """Upsert the taxonomy (``taxonomy_text`` replaces the shipped file) and the places files of
    the regencies already loaded, and commit.

    Idempotent: a second run adds and updates nothing. Codes that left the file are kept, since
    rows may still point at them.
    """
    counts = load_taxonomy(session, taxonomy_text)  # commits
    places = tuple(load_places_of_loaded(session))
    session.commit()
    return ReferenceDataReport(
        skills=counts["skills"],
        activity_categories=counts["activity_categories"],
        added=counts["added"],
        updated=counts["updated"],
        places=places,
    )


@dataclass(frozen=True)
class ReferenceDataCheck:
    """What a working instance lacks (``MISSING_TAXONOMY``, ``MISSING_REGENCY``), or the error
    that kept the tables from being read (e.g. the schema was never upgraded)."""

    missing: tuple[str, ...] = ()
    error: str | None = None

    @property
    def usable(self) -> bool:
        """Whether the instance can take data: it needs the taxonomy. A regency not loaded yet is
        every new instance's first hour, which the operator must see but is no failure."""
        return self.error is None and MISSING_TAXONOMY not in self.missing

    def __str__(self) -> str:
        if self.error is not None:
            return f"error: {self.error}"
        return f"missing: {'; '.join(self.missing)}" if self.missing else "ok"


def check_reference_data(session: Session) -> ReferenceDataCheck:
    """Which reference data the database lacks; never raises, a health check must answer."""
    try:
        missing = []
        if not _any(session, Skill) or not _any(session, ActivityCategory):
            missing.append(MISSING_TAXONOMY)
        if not _any(session, Village):
            missing.append(MISSING_REGENCY)
    except sa.exc.SQLAlchemyError as exc:
        session.rollback()
        return ReferenceDataCheck(error=type(exc).__name__)
    return ReferenceDataCheck(missing=tuple(missing))


def reference_data_state(session: Session) -> str:
    """ "ok", "missing: taxonomy; no regency loaded" (naming what is missing), or
    "error: <reason>" when the tables cannot be read."""
    return str(check_reference_data(session))


def _any(session: Session, model: type[Skill] | type[ActivityCategory] | type[Village]) -> bool:
    return session.scalar(sa.select(sa.literal(1)).select_from(model).limit(1)) is not None
