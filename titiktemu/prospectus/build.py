"""The prospectus of a regency for one year, per kecamatan, in plain figures.

Three things a donor or a company asks, per kecamatan:

- **open gaps**: open needs that nothing nearby can meet (the engine's gaps), counted per group of
  the support asked for (data, finance, funds and goods, ...) and the villages they are in;
- **where programs work**: the year's interventions (dates touching the year, as the reflection
  counts them) per activity category, with the programs, villages, households and budget;
- **synergies**: collaborations between two programs that a coordinator *accepted* (the engine's
  unreviewed suggestions are not promises to show outside), with the villages they share here.

Only counts, sums and the names of programs, categories and places leave this module: no title a
facilitator wrote, no person, no household. Every figure is summed here from rows read here, so the
page and the test that re-adds the tables agree by construction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.i18n import N_, gettext
from titiktemu.models import (
    ActivityCategory,
    ExchangeStatus,
    Gap,
    Intervention,
    Kecamatan,
    Need,
    Program,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Regency,
    RegencySettings,
    Skill,
)
from titiktemu.models.exchange import need_skills
from titiktemu.models.interventions import running_in_year
from titiktemu.models.places import under
from titiktemu.models.proposals import Reason

#: The group of a need with no skill at all (its title named none the taxonomy knows).
OTHER_GROUP = "other"
OTHER_LABEL = N_("Other")


@dataclass(frozen=True)
class GapLine:
    """Open needs nobody nearby can meet, asking for one group of support."""

    group_code: str
    group: str
    needs: int
    villages: int  # villages with such a need (a kecamatan-wide need names no village)


@dataclass(frozen=True)
class WorkLine:
    """The year's interventions of one activity category."""

    category_code: str
    category: str
    programs: tuple[str, ...]  # program codes, sorted
    villages: int
    interventions: int
    households: int
    budget_idr: int


@dataclass(frozen=True)
class SynergyLine:
    """Two programs whose collaboration a coordinator accepted, and the villages here."""

    programs: tuple[str, str]
    villages: int
    #: Why they gain by working together: the engine's reason (codes and values; the page
    #: words it, e.g. "PKH and RTLH: holds the poor-household lists ..."), if it gave one.
    why: Reason | None = None


@dataclass
class KecamatanProspect:
    code: str
    name: str
    gaps: list[GapLine] = field(default_factory=list)
    work: list[WorkLine] = field(default_factory=list)
    synergies: list[SynergyLine] = field(default_factory=list)
    #: Needs counted once each, though a need asking for two groups shows in both lines.
    open_needs: int = 0


#: Gives the kecamatan's prospect, made on first use.
_Place = Callable[[str], KecamatanProspect]


@dataclass(frozen=True)
class Prospectus:
    regency_code: str
    regency_name: str
    year: int
    years: tuple[int, ...]  # years with interventions, for the year links
    kecamatan: list[KecamatanProspect]
    public: bool

    @property
    def open_needs(self) -> int:
        return sum(k.open_needs for k in self.kecamatan)

    @property
    def households(self) -> int:
        return sum(w.households for k in self.kecamatan for w in k.work)

    @property
    def budget_idr(self) -> int:
        return sum(w.budget_idr for k in self.kecamatan for w in k.work)

    @property
    def synergies(self) -> int:
        return sum(len(k.synergies) for k in self.kecamatan)


def is_public(session: Session, regency_code: str) -> bool:
    """Whether the regency lets anyone read its prospectus (off until a coordinator says so)."""
    return bool(
        session.scalar(
            sa.select(RegencySettings.prospectus_public).where(
                RegencySettings.regency_code == regency_code
            )
        )
    )


def build(session: Session, regency_code: str, year: int, language: str = "id") -> Prospectus:
    """The regency's prospectus for ``year``, its labels in ``language``; kecamatan with the
    most open needs first, then by name; kecamatan with nothing to say are left out."""
    regency = session.get(Regency, regency_code)
    names = dict(
        session.execute(
            sa.select(Kecamatan.code, Kecamatan.name).where(Kecamatan.regency_code == regency_code)
        ).all()
    )
    places: dict[str, KecamatanProspect] = {}

    def place(code: str) -> KecamatanProspect:
        if code not in places:
            places[code] = KecamatanProspect(code, names.get(code, code))
        return places[code]

    _add_gaps(session, regency_code, language, place)
    _add_work(session, regency_code, year, language, place)
    _add_synergies(session, regency_code, place)
    years = tuple(
        sorted(
            {
                y
                for (y,) in session.execute(
                    sa.select(sa.func.extract("year", Intervention.start_date))
                    .where(under(Intervention.village_code, regency_code))
                    .distinct()
                )
                if y is not None
            }
            | {year},
            reverse=True,
        )
    )
    ordered = sorted(places.values(), key=lambda k: (-k.open_needs, k.name, k.code))
    return Prospectus(
        regency_code=regency_code,
        regency_name=regency.name if regency else regency_code,
        year=year,
        years=tuple(int(y) for y in years),
        kecamatan=ordered,
        public=is_public(session, regency_code),
    )


def _group_labels(session: Session, language: str) -> dict[str, tuple[str, str]]:
    """Skill code -> (its group's code, the group's label)."""
    skills = session.scalars(sa.select(Skill)).all()
    by_code = {s.code: s for s in skills}
    labels: dict[str, tuple[str, str]] = {}
    for skill in skills:
        group = by_code.get(skill.parent_code or "") or skill
        labels[skill.code] = (group.code, group.label(language))
    return labels


def _add_gaps(session: Session, regency_code: str, language: str, place: _Place) -> None:
    groups = _group_labels(session, language)
    other = gettext(OTHER_LABEL, language)
    needs = session.execute(
        sa.select(Need.id, Need.kecamatan_code, Need.village_code, need_skills.c.skill_code)
        .join(Gap, Gap.need_id == Need.id)
        .outerjoin(need_skills, need_skills.c.need_id == Need.id)
        .where(Gap.regency_code == regency_code, Need.status == ExchangeStatus.OPEN)
    ).all()
    per_group: dict[tuple[str, str], set[int]] = defaultdict(set)
    villages: dict[tuple[str, str], set[str]] = defaultdict(set)
    labels: dict[str, str] = {OTHER_GROUP: other}
    counted: dict[str, set[int]] = defaultdict(set)
    for need_id, kecamatan, village, skill in needs:
        code, label = groups.get(skill, (OTHER_GROUP, other)) if skill else (OTHER_GROUP, other)
        labels[code] = label
        per_group[kecamatan, code].add(need_id)
        counted[kecamatan].add(need_id)
        if village:
            villages[kecamatan, code].add(village)
    for (kecamatan, code), ids in sorted(per_group.items()):
        place(kecamatan).gaps.append(
            GapLine(code, labels[code], len(ids), len(villages[kecamatan, code]))
        )
    for kecamatan, ids in counted.items():
        place(kecamatan).open_needs = len(ids)
        place(kecamatan).gaps.sort(key=lambda g: (-g.needs, g.group))


@dataclass
class _Work:
    programs: set[str] = field(default_factory=set)
    villages: set[str] = field(default_factory=set)
    interventions: int = 0
    households: int = 0
    budget_idr: int = 0


def _add_work(session: Session, regency_code: str, year: int, language: str, place: _Place) -> None:
    categories = {c.code: c.label(language) for c in session.scalars(sa.select(ActivityCategory))}
    rows = session.execute(
        sa.select(
            Intervention.village_code,
            Intervention.category_code,
            Program.code,
            Intervention.households,
            Intervention.budget_idr,
        )
        .join(Program, Program.id == Intervention.program_id)
        .where(running_in_year(regency_code, year))
    ).all()
    work: dict[tuple[str, str], _Work] = defaultdict(_Work)
    for village, category, program, households, budget in rows:
        line = work[village[:8], category]
        line.programs.add(program)
        line.villages.add(village)
        line.interventions += 1
        line.households += households or 0
        line.budget_idr += budget or 0
    for (kecamatan, category), w in sorted(work.items()):
        place(kecamatan).work.append(
            WorkLine(
                category_code=category,
                category=categories.get(category, category),
                programs=tuple(sorted(w.programs)),
                villages=len(w.villages),
                interventions=w.interventions,
                households=w.households,
                budget_idr=w.budget_idr,
            )
        )


def _add_synergies(session: Session, regency_code: str, place: _Place) -> None:
    codes: dict[int | None, str] = dict(session.execute(sa.select(Program.id, Program.code)).all())
    rows = session.execute(
        sa.select(
            Proposal.program_a_id, Proposal.program_b_id, Proposal.village_codes, Proposal.reasons
        ).where(
            Proposal.regency_code == regency_code,
            Proposal.kind == ProposalKind.PROGRAM_SYNERGY,
            Proposal.status == ProposalStatus.ACCEPTED,
        )
    ).all()
    for program_a, program_b, village_codes, reasons in rows:
        pair = tuple(sorted((codes.get(program_a, "?"), codes.get(program_b, "?"))))
        why = next((r for r in reasons or [] if r.get("code") == "synergy.complement"), None)
        per_kecamatan: dict[str, int] = defaultdict(int)
        for village in village_codes or []:
            per_kecamatan[str(village)[:8]] += 1
        for kecamatan, count in sorted(per_kecamatan.items()):
            place(kecamatan).synergies.append(SynergyLine((pair[0], pair[1]), count, why))
