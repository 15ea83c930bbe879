"""The engine's reasons (a code and its values) in words, Indonesian and English.

The engine knows no language; this is where ``skill.exact`` with ``skill="bookkeeping"`` becomes
"keahlian yang sama: Pembukuan" and "the same skill: Bookkeeping", with each language's number
and date formats (Babel): "Rp 240.000.000" and "1 Mar 2021" in Indonesian, "Rp 240,000,000" and
"Mar 1, 2021" in English. Stored rows keep the code and values beside both texts, so a page,
an email, an export and the API all show the same words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from titiktemu.models import ActivityCategory, Skill

LANGUAGES: Final = ("id", "en")

#: code -> (Indonesian, English); ``{name}`` takes a value of the reason (formatted).
TEXTS: Final[dict[str, tuple[str, str]]] = {
    # need <-> offer or person
    "skill.exact": ("keahlian yang sama: {skill}", "the same skill: {skill}"),
    "skill.guessed": (
        "keahlian ditebak dari judul: {skill}",
        "skill guessed from the title: {skill}",
    ),
    "skill.field": (
        "keahlian sebidang ({field}), di tempat yang sama",
        "a skill of the same field ({field}), in the same place",
    ),
    "place.village": ("di desa yang sama ({village})", "in the same village ({village})"),
    "place.whole_kecamatan": (
        "menjangkau seluruh Kecamatan {kecamatan}",
        "covers the whole of Kecamatan {kecamatan}",
    ),
    "place.kecamatan": (
        "di kecamatan yang sama ({kecamatan})",
        "in the same kecamatan ({kecamatan})",
    ),
    "place.neighbour": (
        "dari kecamatan tetangga ({neighbours}), berbatasan dengan {kecamatan}",
        "from a neighbouring kecamatan ({neighbours}), next to {kecamatan}",
    ),
    "place.regency": ("jauh, di kecamatan lain", "far away, in another kecamatan"),
    "time.full": ("waktunya cocok", "the timing fits"),
    "time.partial": (
        "waktunya cocok sebagian ({percent}% dari masa kebutuhan)",
        "the timing fits in part ({percent}% of the need's window)",
    ),
    "programs.complement": (
        "program yang saling melengkapi: {complement}",
        "complementary programs: {complement}",
    ),
    "programs.complementary": ("program yang saling melengkapi", "complementary programs"),
    "programs.different": ("kolaborasi lintas program", "a cross-program collaboration"),
    "programs.same": ("dari program yang sama", "from the same program"),
    "programs.unknown": ("program belum tercatat", "programs not recorded"),
    "capacity.offer": (
        "masih bisa melayani {free} dari {total} kebutuhan",
        "can still serve {free} of {total} needs",
    ),
    "capacity.person": (
        "masih punya ruang untuk {free} dari {total} komitmen",
        "has room for {free} of {total} commitments",
    ),
    # gaps
    "gap.taken": (
        "yang menawarkan {skills} di sekitar Kecamatan {kecamatan} sudah penuh atau tidak "
        "tersedia pada waktunya",
        "everyone near Kecamatan {kecamatan} who offers {skills} is fully taken or not free "
        "at that time",
    ),
    "gap.far": (
        "belum ada yang menawarkan {skills} di Kecamatan {kecamatan} atau tetangganya; "
        "yang terdekat ada di Kecamatan {nearest}{distance_id}",
        "nobody offers {skills} in Kecamatan {kecamatan} or next to it yet; "
        "the nearest is {distance_en}in Kecamatan {nearest}",
    ),
    "gap.none": (
        "belum ada yang menawarkan {skills} di kabupaten ini",
        "nobody in the regency offers {skills} yet",
    ),
    # overlaps
    "overlap.programs": (
        "{count} program di {village}: {programs}",
        "{count} programs in {village}: {programs}",
    ),
    "overlap.households": (
        "{at_least_id}{households} rumah tangga tercakup",
        "{at_least_en}{households} households involved",
    ),
    "overlap.budget": ("anggaran {at_least_id}Rp {budget}", "budget of {at_least_en}Rp {budget}"),
    "overlap.categories": ("kegiatan sejenis: {categories}", "similar activities: {categories}"),
    "overlap.period": (
        "periode bersamaan {start} s.d. {end}",
        "running together from {start} to {end}",
    ),
    "overlap.period_chain": ("periode yang bersambung", "periods that chain into each other"),
    # program synergies
    "synergy.complement": (
        "{program_a} dan {program_b}: {complement}",
        "{program_a} and {program_b}: {complement}",
    ),
    "synergy.villages": (
        "bekerja bersama di {count} desa: {villages}",
        "both work in {count} villages: {villages}",
    ),
    "synergy.period": (
        "masa kerja bersamaan rata-rata {percent}%",
        "their periods overlap {percent}% on average",
    ),
    # a proposal that goes
    "retired.need_closed": (
        "kebutuhan ini sudah terpenuhi atau ditarik",
        "the need was met or withdrawn",
    ),
    "retired.offer_gone": (
        "tawaran ini sudah ditutup atau ditarik",
        "the offer was closed or withdrawn",
    ),
    "retired.person_gone": (
        "pendamping ini tidak lagi tersedia",
        "this facilitator is no longer available",
    ),
    "retired.side_full": (
        "tawaran atau pendamping ini sudah penuh",
        "the offer or person is fully taken",
    ),
    "retired.out_of_window": (
        "waktunya tidak cocok lagi",
        "the dates no longer fit",
    ),
    "retired.no_longer_fits": (
        "keahlian atau wilayahnya berubah sehingga tidak cocok lagi",
        "the skills or places changed and no longer fit",
    ),
    "retired.better_option": (
        "ada pilihan yang jelas lebih baik (skor {after} dibanding {before})",
        "a clearly better option came up (score {after} against {before})",
    ),
    "flag.grown": (
        "{title} ({program}) bergabung dengan tumpang tindih ini",
        "{title} ({program}) joined this overlap",
    ),
    "flag.reopened": (
        "{title} ({program}) bergabung, dari program di luar yang sudah diputuskan, "
        "jadi tanda ini dibuka lagi",
        "{title} ({program}) joined, from a program outside what was decided, "
        "so the flag is open again",
    ),
    "flag.merged": (
        "digabung ke tanda tumpang tindih #{flag}",
        "merged into overlap flag #{flag}",
    ),
    "flag.cleared": (
        "tidak lagi tumpang tindih (diperiksa mesin)",
        "no longer overlapping (checked by the engine)",
    ),
    "retired.reassigned": (
        "kebutuhan ini mendapat usulan utama yang lain",
        "the need got another main suggestion",
    ),
}

#: Why two programs gain by planning together, by complement code.
COMPLEMENTS: Final[dict[str, tuple[str, str]]] = {
    "poor_lists_for_renovation": (
        "memegang daftar keluarga miskin yang dipakai untuk memilih penerima bedah rumah",
        "holds the poor-household lists house renovation selects beneficiaries from",
    ),
    "latrines_and_hygiene": (
        "jamban sehat dan promosi kebersihan saling menguatkan (STBM)",
        "latrines and hygiene promotion reinforce each other (STBM)",
    ),
    "village_budget_sanitation": (
        "dapat memasukkan rencana sanitasi ke anggaran desa (APBDes)",
        "can put the sanitation plan into the village budget (APBDes)",
    ),
    "village_budget_water": (
        "dapat memasukkan rencana air bersih ke anggaran desa (APBDes)",
        "can put the clean-water plan into the village budget (APBDes)",
    ),
    "village_budget_roads": (
        "dapat memasukkan rencana drainase dan jalan ke anggaran desa (APBDes)",
        "can put the drainage and roads plan into the village budget (APBDes)",
    ),
    "village_funds_training": (
        "dapat menganggarkan pelatihan usaha lewat Dana Desa dan BUMDes",
        "can fund enterprise training through Dana Desa and BUMDes",
    ),
    "assisted_families_training": (
        "keluarga penerima bantuan adalah sasaran pelatihan usaha",
        "assisted families are the target group of enterprise training",
    ),
    "renovated_houses_latrines": (
        "rumah yang direhab perlu jamban sehat",
        "renovated houses need a proper latrine",
    ),
    "assisted_families_stunting": (
        "keluarga penerima bantuan sosial adalah sasaran pencegahan stunting",
        "assisted families are the target of stunting prevention",
    ),
}

#: Values that are taxonomy codes, rendered as labels in the reader's language.
_SKILL_PARAMS: Final = ("skill", "field")
_LIST_OF_SKILLS: Final = ("skills",)
_LIST_OF_CATEGORIES: Final = ("categories",)
_DATES: Final = ("start", "end")
_MONEY: Final = ("budget",)
_COUNTS: Final = ("households", "count", "free", "total")
#: Scores 0..1, shown as percentages the way the pages show them ("85%").
_SCORES: Final = ("before", "after")
#: Names listed in a text at most; beyond, "(+N)".
SHOWN_NAMES: Final = 5


@dataclass(frozen=True)
class Labels:
    """Taxonomy codes to labels in both languages, loaded once for a batch of reasons."""

    labels: Mapping[str, tuple[str, str]]

    @classmethod
    def load(cls, session: Session) -> Labels:
        rows = list(session.execute(sa.select(Skill.code, Skill.label_id, Skill.label_en)))
        rows += session.execute(
            sa.select(ActivityCategory.code, ActivityCategory.label_id, ActivityCategory.label_en)
        )
        return cls({code: (label_id, label_en) for code, label_id, label_en in rows})

    def of(self, code: str, lang: str) -> str:
        pair = self.labels.get(code)
        return code if pair is None else pair[0 if lang == "id" else 1]


def number(value: int | float, lang: str) -> str:
    """240000000 -> "240.000.000" (id) or "240,000,000" (en)."""
    return str(format_decimal(value, locale=lang))


def day(value: dt.date | str, lang: str) -> str:
    """2021-03-01 -> "1 Mar 2021" (id) or "Mar 1, 2021" (en)."""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return str(format_date(date, format="medium", locale=lang))


def render(code: str, params: Mapping[str, Any], lang: str, labels: Labels) -> str:
    """The reason in ``lang`` ("id" or "en"); an unknown code is shown as itself."""
    pair = TEXTS.get(code)
    if pair is None:
        return code
    return pair[0 if lang == "id" else 1].format(**_words(params, lang, labels))


def _words(params: Mapping[str, Any], lang: str, labels: Labels) -> dict[str, str]:
    words: dict[str, str] = {}
    for name, value in params.items():
        if name in _SKILL_PARAMS:
            words[name] = labels.of(str(value), lang)
        elif name in _LIST_OF_SKILLS or name in _LIST_OF_CATEGORIES:
            words[name] = _listed([labels.of(str(v), lang) for v in value], lang)
        elif name in _DATES and value:
            words[name] = day(value, lang)
        elif name in _MONEY or name in _COUNTS:
            words[name] = number(value or 0, lang)
        elif name in _SCORES:
            words[name] = f"{number(round(float(value or 0) * 100), lang)}%"
        elif name == "complement":
            found = COMPLEMENTS.get(str(value))
            words[name] = str(value) if found is None else found[0 if lang == "id" else 1]
        elif isinstance(value, list | tuple):
            words[name] = _listed([str(v) for v in value], lang)
        else:
            words[name] = "" if value is None else str(value)
    at_least = bool(params.get("at_least"))
    words["at_least_id"], words["at_least_en"] = (
        ("sedikitnya ", "at least ") if at_least else ("", "")
    )
    distance = params.get("km")
    words["distance_id"] = "" if distance is None else f", sekitar {number(distance, 'id')} km"
    words["distance_en"] = "" if distance is None else f"{number(distance, 'en')} km away "
    return words


def _listed(names: list[str], lang: str) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    if len(names) > SHOWN_NAMES:
        shown += f" (+{len(names) - SHOWN_NAMES})"
    return shown


def with_texts(reason: Mapping[str, Any], labels: Labels) -> dict[str, Any]:
    """A stored reason: its data plus ``text_id`` and ``text_en``."""
    params = reason.get("params") or {}
    code = str(reason.get("code", ""))
    return {
        **reason,
        "text_id": render(code, params, "id", labels),
        "text_en": render(code, params, "en", labels),
    }


def rendered(reasons: Iterable[Mapping[str, Any]], labels: Labels) -> list[dict[str, Any]]:
    return [with_texts(r, labels) for r in reasons]
