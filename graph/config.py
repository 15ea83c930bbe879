"""The engine's tunables as data: weights, place values, complementarity, allowed combinations.

Every regency can override any of these (the shared package stores the overrides); the defaults
below are the starting point for Klaten, taken from the domain primer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Complement:
    """Two activity categories whose programs gain by planning together; ``code`` names why
    (the shared package words it: "holds the poor-household lists ...")."""

    a: str
    b: str
    code: str


#: Weights of the need <-> offer (and need <-> person) score; they sum to 1.
DEFAULT_WEIGHTS: dict[str, float] = {
    "skill": 0.35,
    "place": 0.30,
    "time": 0.15,
    "programs": 0.10,
    "capacity": 0.10,
}

#: Value of each place relation between a need and what meets it.
DEFAULT_PLACE_VALUES: dict[str, float] = {
    "village": 1.0,  # covers the need's village
    "whole_kecamatan": 0.85,  # covers the need's whole kecamatan
    "kecamatan": 0.6,  # works elsewhere in the same kecamatan
    "neighbour": 0.35,  # works in a neighbouring kecamatan
    "regency": 0.15,  # works elsewhere in the regency
}

#: exact: a skill the need chose; guessed: read from the need's words (it chose none);
#: field: only the same group, and only with a strong place fit.
DEFAULT_SKILL_VALUES: dict[str, float] = {"exact": 1.0, "guessed": 0.75, "field": 0.45}

DEFAULT_PROGRAM_VALUES: dict[str, float] = {
    "complementary": 1.0,  # the two programs' categories complement each other
    "different": 0.6,  # another program: a cross-sector meeting point
    "same": 0.3,  # the same program
    "unknown": 0.5,
}

DEFAULT_COMPLEMENTS: tuple[Complement, ...] = (
    Complement("social_assistance", "house_renovation", "poor_lists_for_renovation"),
    Complement("sanitation", "health_nutrition", "latrines_and_hygiene"),
    Complement("village_governance", "sanitation", "village_budget_sanitation"),
    Complement("village_governance", "clean_water", "village_budget_water"),
    Complement("village_governance", "drainage_roads", "village_budget_roads"),
    Complement("village_governance", "livelihood_training", "village_funds_training"),
    Complement("social_assistance", "livelihood_training", "assisted_families_training"),
    Complement("house_renovation", "sanitation", "renovated_houses_latrines"),
    Complement("social_assistance", "health_nutrition", "assisted_families_stunting"),
)

#: The activity categories a skill (or its group) serves: two programs' complement is a reason
#: for a match only when it concerns the work at hand (a bookkeeping match is not about
#: stunting). Skills and groups not listed serve no category (venues, vehicles, projectors).
DEFAULT_SKILL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "finance": ("livelihood_training", "village_governance"),
    "enterprise": ("livelihood_training", "village_governance"),
    "poor_household_data": ("social_assistance", "house_renovation", "health_nutrition"),
    "housing_data": ("house_renovation",),
    "village_data": ("village_governance",),
    "gis": ("village_governance", "disaster_preparedness"),
    "data_entry": ("social_assistance", "village_governance"),
    "planning": ("village_governance",),
    "disaster_risk_reduction": ("disaster_preparedness",),
    "community": ("livelihood_training", "village_governance"),
    "infrastructure": ("house_renovation", "sanitation", "clean_water", "drainage_roads"),
    "sanitation_hygiene": ("sanitation", "health_nutrition"),
    "stunting_nutrition": ("health_nutrition", "social_assistance"),
    "health": ("health_nutrition", "sanitation"),
    "legal_aid": ("social_assistance",),
    "civil_documents": ("social_assistance",),
    "village_regulation": ("village_governance",),
}

#: Place relations close enough for a proposal (the floor on reach); anything farther is a gap
#: that names the nearest offer, not a proposal.
DEFAULT_REACH: tuple[str, ...] = ("village", "whole_kecamatan", "kecamatan", "neighbour")
#: Place relations strong enough for a "same field" match (no direct skill, same group).
DEFAULT_FIELD_PLACES: tuple[str, ...] = ("village",)
#: Skill kinds matched only by what they are: a sound system is no meeting hall.
DEFAULT_EXACT_KINDS: tuple[str, ...] = ("resource", "data")

#: Program pairs that may legally work together in one village and category (no flag).
DEFAULT_ALLOWED: tuple[tuple[str, str], ...] = (("PKH", "BPNT"), ("PKH", "BLT-DD"))

#: Category pairs that count as overlapping (besides the same category).
DEFAULT_OVERLAPPING_CATEGORIES: tuple[tuple[str, str], ...] = (("house_renovation", "sanitation"),)


@dataclass(frozen=True)
class EngineConfig:
    """All tunables of one run; ``with_overrides`` applies a regency's stored changes."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    place_values: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PLACE_VALUES))
    skill_values: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SKILL_VALUES))
    program_values: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PROGRAM_VALUES))
    complements: tuple[Complement, ...] = DEFAULT_COMPLEMENTS
    #: Program codes whose combination is allowed (never flagged).
    allowed: tuple[tuple[str, str], ...] = DEFAULT_ALLOWED
    overlapping_categories: tuple[tuple[str, str], ...] = DEFAULT_OVERLAPPING_CATEGORIES
    #: Neighbouring kecamatan (codes), per regency; empty unless real data is at hand.
    adjacency: tuple[tuple[str, str], ...] = ()
    #: How many open commitments a person takes before no more is proposed to them.
    person_limit: int = 5
    #: Candidates kept per need after blocking.
    k: int = 20
    #: Below this score a pair is not a candidate at all.
    min_score: float = 0.35
    #: Alternatives given beside the primary proposal.
    alternatives: int = 2
    #: Synergy: at least this many shared villages before programs are told to plan together.
    synergy_min_villages: int = 1
    #: Skill or group -> the activity categories it serves (see DEFAULT_SKILL_CATEGORIES).
    skill_categories: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_SKILL_CATEGORIES)
    )
    reach: tuple[str, ...] = DEFAULT_REACH
    field_places: tuple[str, ...] = DEFAULT_FIELD_PLACES
    exact_kinds: tuple[str, ...] = DEFAULT_EXACT_KINDS
    #: A proposal already shown (an incumbent) gives way only to an option this much better
    #: (in score): people were told about it, so a rebuild must not shuffle it for a hair.
    switch_margin: float = 0.15

    def __post_init__(self) -> None:
        total = sum(self.weights.values())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"score weights must sum to 1, not {total:.4f}")
        if set(self.weights) != set(DEFAULT_WEIGHTS):
            raise ValueError(f"score weights must be exactly {sorted(DEFAULT_WEIGHTS)}")
        if self.k < 1 or self.person_limit < 0 or not 0 <= self.min_score <= 1:
            raise ValueError("k must be >= 1, person_limit >= 0 and min_score in [0, 1]")

    def with_overrides(self, overrides: dict[str, Any]) -> EngineConfig:
        """A copy with a regency's stored overrides (dicts merge, tuples replace)."""
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            current = getattr(self, key)
            if isinstance(current, dict):
                changes[key] = {**current, **value}
            elif isinstance(current, tuple) and key == "complements":
                changes[key] = tuple(_complement(v) for v in value)
            elif isinstance(current, tuple) and current and isinstance(current[0], str):
                changes[key] = tuple(str(v) for v in value)
            elif isinstance(current, tuple):
                changes[key] = tuple(tuple(pair) for pair in value)
            else:
                changes[key] = value
        return replace(self, **changes)


def _complement(value: Complement | dict[str, Any]) -> Complement:
    """A stored complement (older rows carry texts; their words now live with the shared
    package, so a complement without a known code is named by its two categories)."""
    if isinstance(value, Complement):
        return value
    a, b = str(value["a"]), str(value["b"])
    return Complement(a, b, str(value.get("code") or f"{a}+{b}"))
