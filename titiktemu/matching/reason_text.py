"""The engine's reasons (a code and its values) in the reader's words, through the one catalog.

The engine knows no language and neither do stored rows: a reason is ``skill.exact`` with
``skill="bookkeeping"``. This is the one place it becomes words, at the edge (page, email,
export, API), in the reader's language: the English msgids below are translated in the Babel
catalog (``titiktemu/translations``), and numbers, money and dates go through Babel for the
reader's locale ("Rp 240.000.000" and "1 Mar 2021" in Indonesian, "Rp 240,000,000" and
"Mar 1, 2021" in English).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.i18n import LANGUAGES, N_, day, language, money, number, translations
from titiktemu.kept import kept
from titiktemu.models import ActivityCategory, Skill

__all__ = [
    "AT_LEAST",
    "COMPLEMENTS",
    "LEGACY",
    "MESSAGES",
    "Labels",
    "day",
    "in_both",
    "labels_for",
    "number",
    "render",
    "render_reason",
]

#: code -> English msgid; ``%(name)s`` takes a value of the reason, formatted for the reader.
MESSAGES: Final[dict[str, str]] = {
    # need <-> offer or person
    "skill.exact": N_("the same skill: %(skill)s"),
    "skill.guessed": N_("skill guessed from the title: %(skill)s"),
    "skill.field": N_("a skill of the same field (%(field)s), in the same place"),
    "place.village": N_("in the same village (%(village)s)"),
    "place.whole_kecamatan": N_("covers the whole of Kecamatan %(kecamatan)s"),
    "place.kecamatan": N_("in the same kecamatan (%(kecamatan)s)"),
    "place.neighbour": N_("from a neighbouring kecamatan (%(neighbours)s), next to %(kecamatan)s"),
    "place.regency": N_("far away, in another kecamatan"),
    "time.full": N_("the timing fits"),
    "time.partial": N_("the timing fits in part (%(percent)s%% of the need's window)"),
    "programs.complement": N_("complementary programs: %(complement)s"),
    "programs.complementary": N_("complementary programs"),
    "programs.different": N_("a cross-program collaboration"),
    "programs.same": N_("from the same program"),
    "programs.unknown": N_("programs not recorded"),
    "capacity.offer": N_("can still serve %(free)s of %(total)s needs"),
    "capacity.person": N_("has room for %(free)s of %(total)s commitments"),
    # gaps
    "gap.taken": N_(
        "everyone near Kecamatan %(kecamatan)s who offers %(skills)s is fully taken or not free "
        "at that time"
    ),
    "gap.far": N_(
        "nobody offers %(skills)s in Kecamatan %(kecamatan)s or next to it yet; "
        "the nearest is in Kecamatan %(nearest)s"
    ),
    "gap.none": N_("nobody in the regency offers %(skills)s yet"),
    # overlaps
    "overlap.programs": N_("%(count)s programs in %(village)s: %(programs)s"),
    "overlap.households": N_("%(households)s households involved"),
    "overlap.budget": N_("budget of %(budget)s"),
    "overlap.categories": N_("similar activities: %(categories)s"),
    "overlap.period": N_("running together from %(start)s to %(end)s"),
    "overlap.period_chain": N_("periods that chain into each other"),
    # program synergies
    "synergy.complement": N_("%(program_a)s and %(program_b)s: %(complement)s"),
    "synergy.villages": N_("both work in %(count)s villages: %(villages)s"),
    "synergy.period": N_("their periods overlap %(percent)s%% on average"),
    # a proposal that goes
    "retired.need_closed": N_("the need was met or withdrawn"),
    "retired.offer_gone": N_("the offer was closed or withdrawn"),
    "retired.person_gone": N_("this facilitator is no longer available"),
    "retired.side_full": N_("the offer or person is fully taken"),
    "retired.out_of_window": N_("the dates no longer fit"),
    "retired.no_longer_fits": N_("the skills or places changed and no longer fit"),
    "retired.better_option": N_(
        "a clearly better option came up (score %(after)s against %(before)s)"
    ),
    "retired.reassigned": N_("the need got another main suggestion"),
    # a flag that changes
    "flag.grown": N_("%(title)s (%(program)s) joined this overlap"),
    "flag.reopened": N_(
        "%(title)s (%(program)s) joined, from a program outside what was decided, "
        "so the flag is open again"
    ),
    "flag.merged": N_("merged into overlap flag #%(flag)s"),
    "flag.cleared": N_("no longer overlapping (checked by the engine)"),
}

#: The wording when a figure is a floor (``at_least``: some interventions did not say theirs),
#: or when the nearest offer's distance is known (``km``).
AT_LEAST: Final[dict[str, str]] = {
    "overlap.households": N_("at least %(households)s households involved"),
    "overlap.budget": N_("budget of at least %(budget)s"),
}
WITH_DISTANCE: Final[dict[str, str]] = {
    "gap.far": N_(
        "nobody offers %(skills)s in Kecamatan %(kecamatan)s or next to it yet; "
        "the nearest is %(km)s km away in Kecamatan %(nearest)s"
    ),
}

#: Why two programs gain by planning together, by complement code.
COMPLEMENTS: Final[dict[str, str]] = {
    "poor_lists_for_renovation": N_(
        "holds the poor-household lists house renovation selects beneficiaries from"
    ),
    "latrines_and_hygiene": N_("latrines and hygiene promotion reinforce each other (STBM)"),
    "village_budget_sanitation": N_("can put the sanitation plan into the village budget (APBDes)"),
    "village_budget_water": N_("can put the clean-water plan into the village budget (APBDes)"),
    "village_budget_roads": N_(
        "can put the drainage and roads plan into the village budget (APBDes)"
    ),
    "village_funds_training": N_("can fund enterprise training through Dana Desa and BUMDes"),
    "assisted_families_training": N_(
        "assisted families are the target group of enterprise training"
    ),
    "renovated_houses_latrines": N_("renovated houses need a proper latrine"),
    "assisted_families_stunting": N_("assisted families are the target of stunting prevention"),
}

#: A reason stored before reasons had codes: its words kept as they were, by language
#: (``params: {"id": ..., "en": ...}``); the data migration c34e2f3a4d5b writes them.
LEGACY: Final = "legacy.text"

#: Values that are taxonomy codes, rendered as labels in the reader's language.
_SKILL_PARAMS: Final = ("skill", "field")
_LIST_OF_SKILLS: Final = ("skills",)
_LIST_OF_CATEGORIES: Final = ("categories",)
_DATES: Final = ("start", "end")
_MONEY: Final = ("budget",)
_COUNTS: Final = ("households", "count", "free", "total", "km")
#: Scores 0..1, shown as percentages the way the pages show them ("85%").
_SCORES: Final = ("before", "after")
#: Names listed in a text at most; beyond, "(+N)".
SHOWN_NAMES: Final = 5
_LABELS_KEY: Final = "titiktemu.reason_labels"


@dataclass(frozen=True)
class Labels:
    """Taxonomy codes to labels in both languages, loaded once for a batch of reasons."""

    labels: Mapping[str, tuple[str, str]]
    #: Reasons already rendered with these labels, by (code, values, language): a page repeats
    #: the same few reasons ("the timing fits", a village, a skill) over its cards, and the API
    #: renders each in both languages.
    said: dict[tuple[str, str, tuple[tuple[str, Any], ...]], str] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def load(cls, session: Session) -> Labels:
        """The labels as stored now. Read again only when the counter of what every regency
        reads (``titiktemu.models.versions``, bumped in the same commit as any change to the
        taxonomy) has moved since this process last read them: a row instead of the whole
        taxonomy on every page that shows reasons. A transaction that has written reads them
        itself and keeps nothing: it may see its own uncommitted changes."""
        return kept(
            session,
            "taxonomy.labels",
            None,
            None,
            lambda: cls.shared(
                {
                    code: (label_id, label_en)
                    for _, code, label_id, label_en in session.execute(_labels_statement())
                }
            ),
        )

    @classmethod
    def shared(cls, labels: Mapping[str, tuple[str, str]]) -> Labels:
        """The process's Labels equal to ``labels``, with what it has already said: text
        rendered with equal labels is the same text, so a request need not render again the
        reasons the previous ones did (the API renders some 500 a page, in two languages)."""
        fresh = cls(labels)
        known = _SHARED.get(fresh.fingerprint)
        if known is None or known.labels != fresh.labels:
            if len(_SHARED) >= _SHARED_MAX:
                _SHARED.clear()
            _SHARED[fresh.fingerprint] = known = fresh
        elif len(known.said) > _SAID_MAX:
            known.said.clear()
        return known

    #: Equal for equal labels: what text rendered with them may be kept under.
    fingerprint: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fingerprint", hash(frozenset(self.labels.items())))

    def of(self, code: str, lang: str) -> str:
        pair = self.labels.get(code)
        return code if pair is None else pair[0 if language(lang) == "id" else 1]


@cache
def _labels_statement() -> sa.CompoundSelect[int, str, str, str]:
    """Both tables in one statement (every page with reasons pays it), built once per process;
    a category's label wins over a skill's of the same code, as when they were read one after
    the other."""
    return sa.union_all(
        sa.select(sa.literal(0).label("kind"), Skill.code, Skill.label_id, Skill.label_en),
        sa.select(
            sa.literal(1),
            ActivityCategory.code,
            ActivityCategory.label_id,
            ActivityCategory.label_en,
        ),
    ).order_by("kind")


#: Labels kept per process, by fingerprint: one in practice (a taxonomy edit makes a second).
_SHARED: dict[int, Labels] = {}
_SHARED_MAX: Final = 4
#: Rendered reasons kept per Labels: a regency's few thousand distinct reasons, twice over.
_SAID_MAX: Final = 20_000


def labels_for(session: Session | None) -> Labels:
    """The labels, loaded once per session (a request, a task): every channel renders many
    reasons and the taxonomy does not change under one unit of work."""
    if session is None:
        return Labels({})
    found = session.info.get(_LABELS_KEY)
    if not isinstance(found, Labels):
        found = session.info[_LABELS_KEY] = Labels.load(session)
    return found


def render(code: str, params: Mapping[str, Any], lang: str, labels: Labels) -> str:
    """The reason in ``lang`` ("id" or "en"); an unknown code is shown as itself."""
    if code == LEGACY:
        return _legacy(params, lang)
    message = _message(code, params)
    if message is None:
        return code
    return translations(lang).gettext(message) % _words(params, lang, labels)


def render_reason(reason: Mapping[str, Any] | None, lang: str, labels: Labels) -> str:
    """A stored reason (``{"code", "params", ...}``) in ``lang``; "" when it says nothing."""
    if not reason or not reason.get("code"):
        return ""
    code, params = str(reason["code"]), reason.get("params") or {}
    try:
        key = (code, lang, tuple((k, _frozen(v)) for k, v in params.items()))
        said = labels.said.get(key)
    except TypeError:  # a value that cannot be a key (a nested mapping): rendered every time
        return render(code, params, lang, labels)
    if said is None:
        said = labels.said[key] = render(code, params, lang, labels)
    return said


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def in_both(reason: Mapping[str, Any] | None, labels: Labels) -> dict[str, str]:
    """The reason in every language people read, by language: where both are shown at once
    (the API's ``text_id`` and ``text_en``)."""
    return {lang: render_reason(reason, lang, labels) for lang in LANGUAGES}


def _message(code: str, params: Mapping[str, Any]) -> str | None:
    if params.get("at_least") and code in AT_LEAST:
        return AT_LEAST[code]
    if params.get("km") is not None and code in WITH_DISTANCE:
        return WITH_DISTANCE[code]
    return MESSAGES.get(code)


def _legacy(params: Mapping[str, Any], lang: str) -> str:
    first, second = ("en", "id") if language(lang) == "en" else ("id", "en")
    return str(params.get(first) or params.get(second) or "")


class _Words(dict[str, str]):
    """The formatted values; a value a stored reason lacks reads as nothing, not as an error
    page (rows written by an older engine may miss one)."""

    def __missing__(self, key: str) -> str:
        return ""


def _words(params: Mapping[str, Any], lang: str, labels: Labels) -> _Words:
    words = _Words()
    translated = translations(lang)
    for name, value in params.items():
        if name in _SKILL_PARAMS:
            words[name] = labels.of(str(value), lang)
        elif name in _LIST_OF_SKILLS or name in _LIST_OF_CATEGORIES:
            words[name] = _listed([labels.of(str(v), lang) for v in value])
        elif name in _DATES and value:
            words[name] = day(value, lang)
        elif name in _MONEY:
            words[name] = money(value or 0, lang)
        elif name in _COUNTS:
            words[name] = number(value or 0, lang)
        elif name in _SCORES:
            words[name] = f"{number(round(float(value or 0) * 100), lang)}%"
        elif name == "complement":
            found = COMPLEMENTS.get(str(value))
            words[name] = str(value) if found is None else translated.gettext(found)
        elif isinstance(value, list | tuple):
            words[name] = _listed([str(v) for v in value])
        else:
            words[name] = "" if value is None else str(value)
    return words


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    if len(names) > SHOWN_NAMES:
        shown += f" (+{len(names) - SHOWN_NAMES})"
    return shown
