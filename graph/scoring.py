"""Scoring a need against an offer or a person, and the reasons for the score, as data.

The rules, in order (what a need asks for comes first):

1. **Skill.** The skills the need chose decide. A side meets the need when it offers one of
   them (``exact``). Words in the need's title and description count only when the need chose
   no skill (``guessed``: "keahlian ditebak dari judul"), or to break a near-tie between sides
   that already meet a chosen skill (a small bonus on the ranking, not on the score). A side
   whose skill is only of the same field (``field``: the same taxonomy group) counts only with
   a strong place fit (the need's village, or the whole of its kecamatan), and always ranks
   below every direct skill match. Resources and data (venues, equipment, beneficiary lists)
   match only by what they are: a sound system is no meeting hall, whatever the words around.
2. **Reach.** The side works in the need's village, covers its whole kecamatan, works elsewhere
   in the kecamatan, or in a neighbouring kecamatan. Farther than that is no proposal: the need
   gets a gap naming the nearest offer instead (engine.py).
3. **Time.** The windows must overlap; the share of the need's window covered is the value.
4. **Programs.** Another program is a cross-program meeting point; complementary programs count
   more, but only when their complement concerns the work at hand (the matched skill's
   activity categories, ``EngineConfig.skill_categories``).
5. **Capacity.** The share of the side's capacity still free.

``parts`` is the hot path (called for every blocked candidate): plain numbers, no strings and
no object for the pairs left out; ``fit`` wraps it in a :class:`Fit`. ``explain`` turns the
same numbers into reasons only for the pairs that become proposals, so the reasons add up to
the score by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from graph.config import Complement
from graph.reasons import Reason, reason
from graph.world import OPEN_END, OPEN_START, NeedView, ReasonParts, Side, World

#: A direct skill match outranks every same-field match: ranks are ``tier + score``.
DIRECT_TIER = 1.0
#: Ranking bonus per skill the need's words share with the side (near-ties only; not shown).
TEXT_TIE = 0.02


class Fit(NamedTuple):
    """A pair's score and its parts. A named tuple, not a dataclass: a full pass makes one for
    each of millions of candidate pairs, and a tuple is made three times faster."""

    score: float
    skill: str  # "exact" | "guessed" | "field"
    skill_code: str  # the need-side skill (or group, for "field") that matched
    place: str  # key of EngineConfig.place_values
    time: float
    programs: str  # key of EngineConfig.program_values
    complement: Complement | None
    capacity: float
    #: What ranking and assignment compare: the tier, the score, the near-tie bonus.
    rank: float


#: What ``parts`` returns: the fields of a :class:`Fit`, in order.
Parts = tuple[float, str, str, str, float, str, Complement | None, float, float]


def place_of(view: NeedView, side: Side, world: World) -> str:
    """How the side's places relate to the need's: village ... neighbour, or "regency" (far)."""
    need = view.need
    if need.village is not None and need.village in side.villages:
        return "village"
    kecamatan = need.kecamatan
    if kecamatan in side.whole_kecamatan:
        return "whole_kecamatan"
    if kecamatan in side.kecamatan:
        return "kecamatan"
    neighbours = world.neighbours.get(kecamatan)
    if neighbours and not neighbours.isdisjoint(side.kecamatan):
        return "neighbour"
    return "regency"


def parts(view: NeedView, side: Side, world: World) -> Parts | None:
    """``fit`` as a plain tuple: the hot path, which builds no object for pairs left out."""
    need = view.need
    if side.person_id == need.person_id or side.remaining <= 0:
        return None
    exact = view.skills & side.skills
    if exact:
        skill, skill_code, tier = ("guessed" if view.guessed else "exact"), min(exact), DIRECT_TIER
    else:
        same_field = view.groups & side.groups
        if not same_field:
            return None
        skill, skill_code, tier = "field", min(same_field), 0.0
    place = place_of(view, side, world)
    if place not in world.reach or (skill == "field" and place not in world.field_places):
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
        complement = world.complement_for(view.categories, side.categories, skill_code)
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
    score = min(1.0, score)
    shared_words = len(view.text_skills & side.all_skills) if view.text_skills else 0
    rank = tier + score + TEXT_TIE * min(shared_words, 2)
    return (score, skill, skill_code, place, time, programs, complement, capacity, rank)


def owner_is_full(view: NeedView, own_offers: Iterable[Side], taken: Callable[[Side], int]) -> bool:
    """A person whose own offer of a skill the need asks for is full in the need's window is
    not proposed as a person for it: they already said how much of that they can give.
    ``taken(offer)`` is how many primaries the offer holds in this pass."""
    for own in own_offers:
        if not (view.skills & own.skills):
            continue
        if min(view.end, own.end) < max(view.start, own.start):
            continue
        if own.remaining - taken(own) <= 0:
            return True
    return False


def fit(view: NeedView, side: Side, world: World) -> Fit | None:
    """The pair's score and its parts, or None when the pair cannot work at all."""
    found = parts(view, side, world)
    return None if found is None else Fit(*found)


def explain(view: NeedView, side: Side, result: Fit, world: World) -> tuple[Reason, ...]:
    """The reasons of ``result`` (codes and values), adding up to its score.

    Reasons are immutable and many proposals share one (the same skill, the same village, the
    timing fits): each is built once per world and then reused. The four that do not depend on
    the need's place are looked up together (``World.reason_parts``): a national pass explains
    half a million pairs, and most share those four with another pair.
    """
    need = view.need
    place = world.reason(
        ("place", result.place, need.village, need.kecamatan, side.kind, side.id)
        if result.place == "neighbour"
        else ("place", result.place, need.village, need.kecamatan),
        lambda: _place_reason(view, side, result, world),
    )
    skill, timing, programs, capacity, rest = world.reason_parts(
        (
            result.skill,
            result.skill_code,
            result.time,
            result.programs,
            result.complement,
            side.kind,
            result.capacity,
            side.capacity,
        ),
        lambda: _other_reasons(side, result, world),
    )
    assert abs(min(1.0, max(0.0, rest + place.contribution)) - result.score) < 1e-9
    return (skill, place, timing, programs, capacity)


def _other_reasons(side: Side, result: Fit, world: World) -> ReasonParts:
    """The skill, time, programs and capacity reasons of ``result``, and what they add up to."""
    skill = world.reason(
        ("skill", result.skill, result.skill_code), lambda: _skill_reason(result, world)
    )
    timing = world.reason(("time", result.time), lambda: _time_reason(result, world))
    programs = world.reason(
        ("programs", result.programs, result.complement), lambda: _program_reason(result, world)
    )
    capacity = world.reason(
        ("capacity", side.kind, result.capacity, side.capacity),
        lambda: _capacity_reason(side, result, world),
    )
    rest = skill.contribution + timing.contribution + programs.contribution + capacity.contribution
    return skill, timing, programs, capacity, rest


def _skill_reason(result: Fit, world: World) -> Reason:
    config = world.config
    weight, value = config.weights["skill"], config.skill_values[result.skill]
    if result.skill == "field":
        return reason("skill", weight, value, "skill.field", field=result.skill_code)
    return reason("skill", weight, value, f"skill.{result.skill}", skill=result.skill_code)


def _place_reason(view: NeedView, side: Side, result: Fit, world: World) -> Reason:
    need = view.need
    config = world.config
    weight, value = config.weights["place"], config.place_values[result.place]
    kecamatan = world.kecamatan_names.get(need.kecamatan, need.kecamatan)
    if result.place == "village":
        village = world.village_names.get(need.village or "", need.village or "")
        return reason("place", weight, value, "place.village", village=village)
    if result.place == "neighbour":
        near = sorted(world.neighbours.get(need.kecamatan, set()) & side.kecamatan)
        names = tuple(world.kecamatan_names.get(k, k) for k in near)
        return reason(
            "place", weight, value, "place.neighbour", kecamatan=kecamatan, neighbours=names
        )
    return reason("place", weight, value, f"place.{result.place}", kecamatan=kecamatan)


def _time_reason(result: Fit, world: World) -> Reason:
    weight = world.config.weights["time"]
    if result.time < 1:
        return reason("time", weight, result.time, "time.partial", percent=round(result.time * 100))
    return reason("time", weight, result.time, "time.full")


def _program_reason(result: Fit, world: World) -> Reason:
    config = world.config
    weight, value = config.weights["programs"], config.program_values[result.programs]
    if result.complement is not None:
        return reason(
            "programs", weight, value, "programs.complement", complement=result.complement.code
        )
    return reason("programs", weight, value, f"programs.{result.programs}")


def _capacity_reason(side: Side, result: Fit, world: World) -> Reason:
    free = round(result.capacity * side.capacity)
    return reason(
        "capacity",
        world.config.weights["capacity"],
        result.capacity,
        f"capacity.{side.kind}",
        free=free,
        total=side.capacity,
    )
