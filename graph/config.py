"""The engine's tunables as data: weights, place values, complementarity, allowed combinations.

Every regency can override any of these (the shared package stores the overrides); the defaults
below are the starting point for Klaten, taken from the domain primer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Complement:
    """Two activity categories whose programs gain by planning together, and why."""

    a: str
    b: str
    text_id: str
    text_en: str


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

DEFAULT_SKILL_VALUES: dict[str, float] = {"exact": 1.0, "synonym": 0.75, "parent": 0.45}

DEFAULT_PROGRAM_VALUES: dict[str, float] = {
    "complementary": 1.0,  # the two programs' categories complement each other
    "different": 0.6,  # another program: a cross-sector meeting point
    "same": 0.3,  # the same program
    "unknown": 0.5,
}

DEFAULT_COMPLEMENTS: tuple[Complement, ...] = (
    Complement(
        "social_assistance",
        "house_renovation",
        "memegang daftar keluarga miskin yang dipakai untuk memilih penerima bedah rumah",
        "holds the poor-household lists house renovation selects beneficiaries from",
    ),
    Complement(
        "sanitation",
        "health_nutrition",
        "jamban sehat dan promosi kebersihan saling menguatkan (STBM)",
        "latrines and hygiene promotion reinforce each other (STBM)",
    ),
    Complement(
        "village_governance",
        "sanitation",
        "dapat memasukkan rencana sanitasi ke anggaran desa (APBDes)",
        "can put the sanitation plan into the village budget (APBDes)",
    ),
    Complement(
        "village_governance",
        "clean_water",
        "dapat memasukkan rencana air bersih ke anggaran desa (APBDes)",
        "can put the clean-water plan into the village budget (APBDes)",
    ),
    Complement(
        "village_governance",
        "drainage_roads",
        "dapat memasukkan rencana drainase dan jalan ke anggaran desa (APBDes)",
        "can put the drainage and roads plan into the village budget (APBDes)",
    ),
    Complement(
        "village_governance",
        "livelihood_training",
        "dapat menganggarkan pelatihan usaha lewat Dana Desa dan BUMDes",
        "can fund enterprise training through Dana Desa and BUMDes",
    ),
    Complement(
        "social_assistance",
        "livelihood_training",
        "keluarga penerima bantuan adalah sasaran pelatihan usaha",
        "assisted families are the target group of enterprise training",
    ),
    Complement(
        "house_renovation",
        "sanitation",
        "rumah yang direhab perlu jamban sehat",
        "renovated houses need a proper latrine",
    ),
    Complement(
        "social_assistance",
        "health_nutrition",
        "keluarga penerima bantuan sosial adalah sasaran pencegahan stunting",
        "assisted families are the target of stunting prevention",
    ),
)

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
                changes[key] = tuple(
                    v if isinstance(v, Complement) else Complement(**v) for v in value
                )
            elif isinstance(current, tuple):
                changes[key] = tuple(tuple(pair) for pair in value)
            else:
                changes[key] = value
        return replace(self, **changes)
