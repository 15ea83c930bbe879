"""Scoring a need against an offer or a person, and explaining the score in two languages.

``parts`` is the hot path (called for every blocked candidate): plain numbers, no strings and
no object for the pairs left out; ``fit`` wraps it in a :class:`Fit`. ``explain`` turns the same
numbers into reasons only for the pairs that become proposals, so the reasons add up to the
score by construction.
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


#: What ``parts`` returns: the fields of a :class:`Fit`, in order.
Parts = tuple[float, str, str, str, float, str, Complement | None, float]


def parts(view: NeedView, side: Side, world: World) -> Parts | None:
    """``fit`` as a plain tuple: the hot path, which builds no object for pairs left out.

    Skill (exact, then in other words, then the same field), place (village, whole kecamatan,
    kecamatan, neighbour, regency), time overlap and programs, in line; the score adds the
    ``weight * value`` products in a fixed order (skill, place, time, programs, capacity).
    """
    need = view.need
    if side.person_id == need.person_id or side.remaining <= 0:
        return None
    exact = view.skills & side.skills
    if exact:
        skill, skill_code = "exact", min(exact)
    else:
        synonym = (view.text_skills & side.skills) | (view.skills & side.text_skills)
        if synonym:
            skill, skill_code = "synonym", min(synonym)
        else:
            parent = view.groups & side.groups
            if not parent:
                return None
            skill, skill_code = "parent", min(parent)
    village = need.village
    kecamatan = need.kecamatan
    if village is not None and village in side.villages:
        place = "village"
    elif kecamatan in side.whole_kecamatan:
        place = "whole_kecamatan"
    elif kecamatan in side.kecamatan:
        place = "kecamatan"
    else:
        neighbours = world.neighbours.get(kecamatan)
        if neighbours and not neighbours.isdisjoint(side.kecamatan):
            place = "neighbour"
        elif kecamatan[:5] in side.regencies:
            place = "regency"
        else:
            return None
    start = max(view.start, side.start)
    end = min(view.end, side.end)
    if end < start:
        return None
    if view.start == OPEN_START or view.end == OPEN_END:
        time = 1.0
    else:
        time = (end - start + 1) / (view.end - view.start + 1)
    complement: Complement | None = None
    if not view.programs or not side.programs:
        programs = "unknown"
    elif view.programs.isdisjoint(side.programs):
        complement = world.complement(view.categories, side.categories)
        programs = "different" if complement is None else "complementary"
    else:
        programs = "same"
    capacity = side.remaining / side.capacity
    score = (
        world.skill_terms[skill]
        + world.place_terms[place]
        + world.time_weight * time
        + world.program_terms[programs]
        + world.capacity_weight * capacity
    )
    if score < world.config.min_score:
        return None
    return (min(1.0, score), skill, skill_code, place, time, programs, complement, capacity)


def fit(view: NeedView, side: Side, world: World) -> Fit | None:
    """The pair's score and its parts, or None when the pair cannot work at all."""
    found = parts(view, side, world)
    return None if found is None else Fit(*found)


def explain(view: NeedView, side: Side, result: Fit, world: World) -> tuple[Reason, ...]:
    """The reasons of ``result``, in Indonesian and English, adding up to its score.

    Reasons are immutable and many proposals share one (the same skill, the same village, the
    timing fits): each is built once per world and then reused.
    """
    need = view.need
    reasons = (
        world.reason(
            ("skill", result.skill, result.skill_code), lambda: _skill_reason(result, world)
        ),
        world.reason(
            ("place", result.place, need.village, need.kecamatan),
            lambda: _place_reason(view, result, world),
        ),
        world.reason(("time", result.time), lambda: _time_reason(result, world)),
        world.reason(
            ("programs", result.programs, result.complement),
            lambda: _program_reason(result, world),
        ),
        world.reason(
            ("capacity", side.kind, result.capacity, side.capacity),
            lambda: _capacity_reason(side, result, world),
        ),
    )
    assert abs(total(reasons) - result.score) < 1e-9
    return reasons


def _skill_reason(result: Fit, world: World) -> Reason:
    label_id, label_en = world.skill_labels.get(
        result.skill_code, (result.skill_code, result.skill_code)
    )
    if result.skill == "exact":
        text = (f"keahlian yang sama: {label_id}", f"the same skill: {label_en}")
    elif result.skill == "synonym":
        text = (
            f"keahlian yang dimaksud sama: {label_id}",
            f"the skill asked for in other words: {label_en}",
        )
    else:
        text = (f"keahlian sebidang: {label_id}", f"a skill of the same field: {label_en}")
    config = world.config
    return Reason("skill", config.weights["skill"], config.skill_values[result.skill], *text)


def _place_reason(view: NeedView, result: Fit, world: World) -> Reason:
    need = view.need
    place = result.place
    if place == "village":
        village = world.village_names.get(need.village or "", need.village or "")
        text = (f"bekerja di desa yang sama ({village})", f"works in the same village ({village})")
    elif place == "regency":
        text = ("bekerja di kabupaten yang sama", "works in the same regency")
    else:
        kecamatan = world.kecamatan_names.get(need.kecamatan, need.kecamatan)
        text = {
            "whole_kecamatan": (
                f"menjangkau seluruh Kecamatan {kecamatan}",
                f"covers the whole of Kecamatan {kecamatan}",
            ),
            "kecamatan": (f"bekerja di Kecamatan {kecamatan}", f"works in Kecamatan {kecamatan}"),
            "neighbour": (
                f"bekerja di kecamatan tetangga {kecamatan}",
                f"works in a kecamatan next to {kecamatan}",
            ),
        }[place]
    config = world.config
    return Reason("place", config.weights["place"], config.place_values[place], *text)


def _time_reason(result: Fit, world: World) -> Reason:
    percent = round(result.time * 100)
    text = (
        (
            f"waktunya cocok ({percent}% dari masa kebutuhan)",
            f"the timing fits ({percent}% of the need's window)",
        )
        if result.time < 1
        else ("waktunya cocok", "the timing fits")
    )
    return Reason("time", world.config.weights["time"], result.time, *text)


def _program_reason(result: Fit, world: World) -> Reason:
    if result.complement is not None:
        text = (
            f"program yang saling melengkapi: {result.complement.text_id}",
            f"complementary programs: {result.complement.text_en}",
        )
    else:
        text = {
            "different": ("kolaborasi lintas program", "a cross-program collaboration"),
            "same": ("dari program yang sama", "from the same program"),
            "unknown": ("program belum tercatat", "programs not recorded"),
            "complementary": ("program yang saling melengkapi", "complementary programs"),
        }[result.programs]
    config = world.config
    return Reason(
        "programs", config.weights["programs"], config.program_values[result.programs], *text
    )


def _capacity_reason(side: Side, result: Fit, world: World) -> Reason:
    free = round(result.capacity * side.capacity)
    if side.kind == "offer":
        text = (
            f"masih bisa melayani {free} dari {side.capacity} kebutuhan",
            f"can still serve {free} of {side.capacity} needs",
        )
    else:
        text = (
            f"masih punya ruang untuk {free} dari {side.capacity} komitmen",
            f"has room for {free} of {side.capacity} commitments",
        )
    return Reason("capacity", world.config.weights["capacity"], result.capacity, *text)
