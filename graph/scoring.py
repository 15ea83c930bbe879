"""Scoring a need against an offer or a person, and explaining the score in two languages.

``fit`` is the hot path (called for every blocked candidate): plain numbers, no strings.
``explain`` turns the same numbers into reasons only for the pairs that become proposals, so the
reasons add up to the score by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.config import Complement
from graph.reasons import Reason, total
from graph.world import OPEN_END, OPEN_START, NeedView, Side, World


@dataclass(frozen=True, slots=True)
class Fit:
    score: float
    skill: str  # "exact" | "synonym" | "parent"
    skill_code: str  # the need-side skill (or group) that matched
    place: str  # key of EngineConfig.place_values
    time: float
    programs: str  # key of EngineConfig.program_values
    complement: Complement | None
    capacity: float


def _skill(view: NeedView, side: Side, world: World) -> tuple[str, str] | None:
    exact = view.skills & side.skills
    if exact:
        return "exact", min(exact)
    synonym = (view.text_skills & side.skills) | (view.skills & side.text_skills)
    if synonym:
        return "synonym", min(synonym)
    parent = view.groups & side.groups
    if parent:
        return "parent", min(parent)
    return None


def _place(view: NeedView, side: Side, world: World) -> str | None:
    need = view.need
    if need.village is not None and need.village in side.villages:
        return "village"
    if need.kecamatan in side.whole_kecamatan:
        return "whole_kecamatan"
    if need.kecamatan in side.kecamatan:
        return "kecamatan"
    neighbours = world.neighbours.get(need.kecamatan)
    if neighbours and not neighbours.isdisjoint(side.kecamatan):
        return "neighbour"
    if need.regency in side.regencies:
        return "regency"
    return None


def _time(view: NeedView, side: Side) -> float:
    start = max(view.start, side.start)
    end = min(view.end, side.end)
    if end < start:
        return 0.0
    if view.start == OPEN_START or view.end == OPEN_END:
        return 1.0
    return (end - start + 1) / (view.end - view.start + 1)


def _programs(view: NeedView, side: Side, world: World) -> tuple[str, Complement | None]:
    if not view.programs or not side.programs:
        return "unknown", None
    for a in sorted(view.categories):
        for b in sorted(side.categories):
            if a != b:
                comp = world.complements.get(frozenset((a, b)))
                if comp is not None and view.programs.isdisjoint(side.programs):
                    return "complementary", comp
    if view.programs.isdisjoint(side.programs):
        return "different", None
    return "same", None


def fit(view: NeedView, side: Side, world: World) -> Fit | None:
    """The pair's score and its parts, or None when the pair cannot work at all."""
    if side.person_id == view.need.person_id or side.remaining <= 0:
        return None
    skill = _skill(view, side, world)
    if skill is None:
        return None
    place = _place(view, side, world)
    if place is None:
        return None
    time = _time(view, side)
    if time <= 0.0:
        return None
    programs, complement = _programs(view, side, world)
    capacity = side.remaining / side.capacity
    config = world.config
    w = config.weights
    score = (
        w["skill"] * config.skill_values[skill[0]]
        + w["place"] * config.place_values[place]
        + w["time"] * time
        + w["programs"] * config.program_values[programs]
        + w["capacity"] * capacity
    )
    if score < config.min_score:
        return None
    return Fit(
        score=min(1.0, score),
        skill=skill[0],
        skill_code=skill[1],
        place=place,
        time=time,
        programs=programs,
        complement=complement,
        capacity=capacity,
    )


def explain(view: NeedView, side: Side, result: Fit, world: World) -> tuple[Reason, ...]:
    """The reasons of ``result``, in Indonesian and English, adding up to its score."""
    config = world.config
    w = config.weights
    label_id, label_en = world.skill_labels.get(
        result.skill_code, (result.skill_code, result.skill_code)
    )
    skill_text = {
        "exact": (f"keahlian yang sama: {label_id}", f"the same skill: {label_en}"),
        "synonym": (
            f"keahlian yang dimaksud sama: {label_id}",
            f"the skill asked for in other words: {label_en}",
        ),
        "parent": (f"keahlian sebidang: {label_id}", f"a skill of the same field: {label_en}"),
    }[result.skill]
    need = view.need
    village = world.village_names.get(need.village or "", need.village or "")
    kecamatan = world.kecamatan_names.get(need.kecamatan, need.kecamatan)
    place_text = {
        "village": (
            f"bekerja di desa yang sama ({village})",
            f"works in the same village ({village})",
        ),
        "whole_kecamatan": (
            f"menjangkau seluruh Kecamatan {kecamatan}",
            f"covers the whole of Kecamatan {kecamatan}",
        ),
        "kecamatan": (f"bekerja di Kecamatan {kecamatan}", f"works in Kecamatan {kecamatan}"),
        "neighbour": (
            f"bekerja di kecamatan tetangga {kecamatan}",
            f"works in a kecamatan next to {kecamatan}",
        ),
        "regency": ("bekerja di kabupaten yang sama", "works in the same regency"),
    }[result.place]
    percent = round(result.time * 100)
    time_text = (
        (
            f"waktunya cocok ({percent}% dari masa kebutuhan)",
            f"the timing fits ({percent}% of the need's window)",
        )
        if result.time < 1
        else ("waktunya cocok", "the timing fits")
    )
    if result.complement is not None:
        program_text = (
            f"program yang saling melengkapi: {result.complement.text_id}",
            f"complementary programs: {result.complement.text_en}",
        )
    else:
        program_text = {
            "different": ("kolaborasi lintas program", "a cross-program collaboration"),
            "same": ("dari program yang sama", "from the same program"),
            "unknown": ("program belum tercatat", "programs not recorded"),
            "complementary": ("program yang saling melengkapi", "complementary programs"),
        }[result.programs]
    free = round(result.capacity * side.capacity)
    if side.kind == "offer":
        capacity_text = (
            f"masih bisa melayani {free} dari {side.capacity} kebutuhan",
            f"can still serve {free} of {side.capacity} needs",
        )
    else:
        capacity_text = (
            f"masih punya ruang untuk {free} dari {side.capacity} komitmen",
            f"has room for {free} of {side.capacity} commitments",
        )
    reasons = (
        Reason("skill", w["skill"], config.skill_values[result.skill], *skill_text),
        Reason("place", w["place"], config.place_values[result.place], *place_text),
        Reason("time", w["time"], result.time, *time_text),
        Reason("programs", w["programs"], config.program_values[result.programs], *program_text),
        Reason("capacity", w["capacity"], result.capacity, *capacity_text),
    )
    assert abs(total(reasons) - result.score) < 1e-9
    return reasons
