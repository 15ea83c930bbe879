"""One catalog for every channel: each email, each import problem, read in Indonesian.

Emails are one template each (``titiktemu/templates/email/<name>.j2``) whose sentences are msgids
of the pages' catalog; import problems are msgids too. A sentence added without Indonesian fails
here: the catalog check names the msgid, the rendering check names the English words left over.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from flask import Flask, render_template_string

from titiktemu.i18n import TRANSLATIONS_DIR, day, money, number, percent, translations
from titiktemu.imports.messages import MESSAGES as PROBLEMS
from titiktemu.imports.problems import Problems, problem_text
from titiktemu.mail.outbox import FOOTER, UNSUBSCRIBE, render
from titiktemu.models import Person
from titiktemu.settings import Settings

#: The email templates' Jinja options, as in babel.cfg.
JINJA = {"trim_blocks": "true", "lstrip_blocks": "true"}
EMAILS = Path(__file__).resolve().parent.parent / "titiktemu" / "templates" / "email"
BASE = "https://titiktemu.example"
URL = re.compile(r"https?://\\S+")
NAME = 'Ani <b>"Ana"</b> & Co'
#: Words no Indonesian sentence of ours holds; the sample values below avoid them too.
ENGLISH = re.compile(
    r"\b(the|you|your|hello|and|with|of|to|is|are|was|this|for|in|on|more|await|no|see|"
    r"why|new|email to|could|not|set|ends|reach|meet|score|severity|households?|talk)\b",
    re.IGNORECASE,
)

_REASONS = [
    {"name": "time", "weight": 0.3, "code": "time.full", "params": {}},
    {"name": "programs", "weight": 0.2, "code": "programs.different", "params": {}},
    {"name": "place", "weight": 0.0, "code": "place.regency", "params": {}},  # weight 0: left out
]
_PROPOSALS = [
    {
        "title": "Butuh pembukuan ← Pelatihan",
        "score": 0.85,
        "reasons": _REASONS,
        "url": f"{BASE}/review/3",
    },
]
_INTERVENTIONS = [
    {
        "program": "PKH",
        "title": "Bantuan pangan",
        "start": dt.date(2021, 3, 1),
        "end": dt.date(2021, 9, 30),
        "households": 1200,
        "budget": 170_500_000,
        "contact": "Budi (budi@contoh.id, 0812)",
    },
    {
        "program": "RTLH",
        "title": "Bedah rumah",
        "start": dt.date(2021, 4, 1),
        "end": dt.date(2021, 12, 31),
        "households": None,
        "budget": None,
        "contact": "",
    },
]
_OTHER = {
    "name": "Budi Santoso",
    "first_name": "Budi",
    "email": "budi@contoh.id",
    "phone": "0812",
    "programs": "PKH",
}

#: template -> the contexts it is queued with (each branch of the template at least once).
SAMPLES: dict[str, list[dict[str, Any]]] = {
    "proposals_new": [
        {"proposals": _PROPOSALS, "regency_name": "Klaten", "review_url": f"{BASE}/review"},
    ],
    "digest": [
        {
            "proposals": _PROPOSALS * 2,
            "regency_name": "Klaten",
            "review_url": f"{BASE}/review",
            "retired_total": 40,
            "retired": [
                {
                    "title": "Butuh tukang",
                    "url": f"{BASE}/review/4",
                    "reason": {"code": "retired.need_closed", "params": {}},
                },
            ],
        },
        {
            "proposals": [],
            "regency_name": "Klaten",
            "review_url": f"{BASE}/review",
            "retired_total": 1,
            "retired": [
                {"title": "Butuh tukang", "url": f"{BASE}/review/4", "reason": {}},
            ],
        },
        {  # a facilitator's: follow-ups from the forum only
            "proposals": [],
            "regency_name": "Klaten",
            "review_url": f"{BASE}/review",
            "retired_total": 0,
            "retired": [],
            "follow_ups": [
                {
                    "decision": "Survei bersama 12 rumah di Jetis",
                    "due": dt.date(2026, 12, 20),
                    "overdue": True,
                    "meeting": "Forum pendamping Desember",
                    "url": f"{BASE}/forum/3#item-7",
                    "contacts": [_OTHER, {**_OTHER, "phone": ""}],
                },
                {
                    "decision": "Kirim data RTLH",
                    "due": None,
                    "overdue": False,
                    "meeting": "Forum pendamping Desember",
                    "url": f"{BASE}/forum/3#item-8",
                    "contacts": [],
                },
            ],
        },
    ],
    "flag_overlap": [
        {
            "interventions": _INTERVENTIONS,
            "reasons": _REASONS,
            "village_name": "Jetis",
            "regency_name": "Klaten",
            "url": f"{BASE}/overlaps/5",
            "coordinator": coordinator,
        }
        for coordinator in (True, False)
    ],
    "flags_new": [
        {
            "count": count,
            "regency_name": "Klaten",
            "url": f"{BASE}/overlaps",
            "flags": [
                {
                    "village_name": "Jetis",
                    "programs": ["PKH", "RTLH"],
                    "severity": 0.9,
                    "url": f"{BASE}/overlaps/5",
                },
            ],
        }
        for count in (1, 1500)
    ],
    "forum_invitation": [
        {
            "meeting": {
                "title": "Forum Pendamping Klaten, Desember",
                "day": "2026-12-18",
                "time": "09.00–12.00 WIB",
                "place": "Aula Bappeda Klaten",
                "online_link": "https://zoom.example.org/j/123",
                "items": 7,
                "url": f"{BASE}/forum/1",
            },
            "calendar": {"uid": "forum-1@forum.klaten.test", "sequence": 0},
        },
        {
            "meeting": {
                "title": "Forum",
                "day": "2026-12-18",
                "time": "09.00–12.00 WIB",
                "place": "Aula",
                "online_link": "",
                "items": 1,
                "url": f"{BASE}/forum/2",
            },
            "calendar": {"uid": "forum-2@forum.klaten.test", "sequence": 0},
        },
    ],
    "introduction": [
        {
            "other": {**_OTHER, "phone": "0812 3456 7890"},  # a mobile: a WhatsApp link too
            "title": "Butuh pembukuan ← Pelatihan",
            "reasons": _REASONS,
            "url": f"{BASE}/matches/3",
        },
        {
            "other": _OTHER,
            "title": "Butuh pembukuan ← Pelatihan",
            "reasons": _REASONS,
            "url": f"{BASE}/matches/3",
        },
        {
            "other": {**_OTHER, "phone": "", "programs": ""},
            "title": "Butuh pembukuan",
            "reasons": [],
            "url": f"{BASE}/matches/3",
        },
    ],
    "invitation": [
        {"url": f"{BASE}/invite/x", "inviter": inviter, "regency": regency, "role": role, "days": 7}
        for inviter, regency, role in (
            ("Koordinator Klaten", "Klaten", "coordinator"),
            ("Koordinator Klaten", "", "facilitator"),
            ("Admin", "Klaten", "admin"),
            ("", "Klaten", "facilitator"),
            ("", "", "facilitator"),
        )
    ],
    "need_expiring": [
        {"title": "Butuh pembukuan", "until": dt.date(2026, 12, 14), "url": f"{BASE}/needs/9"},
    ],
    "password_reset": [{"url": f"{BASE}/reset/x", "minutes": 30}],
    "delivery_failed": [
        {
            "failed_to": "budi@contoh.id",
            "failed_subject": "Perkenalan: Budi",
            "error": "550 mailbox unavailable",
            "url": f"{BASE}/outbox",
        },
    ],
}


def _person(lang: str, name: str = NAME) -> Person:
    return Person(id=7, name=name, email="ani@contoh.id", language=lang)


def _cases() -> list[tuple[str, int]]:
    return [(name, i) for name, contexts in SAMPLES.items() for i in range(len(contexts))]


def test_every_email_template_has_samples() -> None:
    templates = {p.name.removesuffix(".j2") for p in EMAILS.glob("[!_]*.j2")}
    assert templates == set(SAMPLES), "add a sample context for each new email"


def _msgids(path: Path) -> list[str]:
    found = extract_from_file(
        "jinja2", str(path), keywords={"_": None, "ngettext": (1, 2)}, options=JINJA
    )
    # A plural entry is known by its singular (Indonesian has one form).
    return [m if isinstance(m, str) else m[0] for _line, m, _comments, _context in found]


def _translated(msgid: str) -> bool:
    """``msgid`` has an Indonesian msgstr in the compiled catalog (which leaves empty ones out)."""
    compiled = translations("id")._catalog
    return bool(compiled.get(msgid) or compiled.get((msgid, 0)))


def test_every_email_sentence_has_indonesian() -> None:
    untranslated = [
        f"{path.name}: {msgid!r}"
        for path in sorted(EMAILS.glob("*.j2"))
        for msgid in _msgids(path)
        if not _translated(msgid)
    ]
    untranslated += [f"mail/outbox.py: {m!r}" for m in (FOOTER, UNSUBSCRIBE) if not _translated(m)]
    assert _msgids(EMAILS / "digest.j2"), "extraction found nothing: is the keyword list right?"
    assert not untranslated, (
        f"email sentences without Indonesian in {TRANSLATIONS_DIR} (README: translations):\n  "
        + "\n  ".join(untranslated)
    )


@pytest.mark.parametrize(("template", "index"), _cases())
def test_an_email_in_indonesian_has_no_english_left(
    settings: Settings, template: str, index: int
) -> None:
    rendered = render(settings, template, _person("id", "Ani"), SAMPLES[template][index])
    for part, text in (("subject", rendered.subject), ("text", rendered.text)):
        words = sorted({w.lower() for w in ENGLISH.findall(URL.sub("", text))})
        assert not words, f"{template} {part} in Indonesian still says {words}:\n{text}"
    english = render(settings, template, _person("en", "Ani"), SAMPLES[template][index])
    assert english.text != rendered.text and english.subject != rendered.subject


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("template", "index"), _cases())
def test_text_reads_names_as_typed_and_html_escapes_them(
    settings: Settings, template: str, index: int, lang: str
) -> None:
    rendered = render(settings, template, _person(lang), SAMPLES[template][index])
    escaped = "Ani &lt;b&gt;&#34;Ana&#34;&lt;/b&gt; &amp; Co"
    assert NAME in rendered.text
    assert escaped in rendered.html and NAME not in rendered.html
    assert (
        "&lt;" not in rendered.text
        and "&#34;" not in rendered.text
        and "&amp;" not in (rendered.subject + rendered.text)
    )
    assert rendered.text.count("\n\n\n") == 0  # paragraphs one blank line apart


def test_an_email_formats_money_numbers_and_dates_for_its_reader(settings: Settings) -> None:
    context = SAMPLES["flag_overlap"][0]
    indonesian = render(settings, "flag_overlap", _person("id"), context)
    english = render(settings, "flag_overlap", _person("en"), context)
    assert "Rp 170.500.000" in indonesian.text and "1.200 KK" in indonesian.text
    assert "1 Mar 2021" in indonesian.text and "2021-03-01" not in indonesian.text
    assert "Rp 170,500,000" in english.text and "1,200 households" in english.text
    assert "Mar 1, 2021" in english.text


def test_one_way_to_write_money_numbers_dates_and_scores() -> None:
    assert money(170_500_000, "id") == "Rp 170.500.000"
    assert money(7_500_000, "en") == "Rp 7,500,000"
    assert number(1_500, "id") == "1.500" and number(1_500, "en_US") == "1,500"
    assert day(dt.date(2021, 3, 1), "id") == "1 Mar 2021"
    assert day("2021-03-01", "en") == "Mar 1, 2021"
    assert percent(0.854, "id") == "85%"


def test_every_import_problem_has_indonesian() -> None:
    missing = [code for code, msgid in PROBLEMS.items() if not _translated(msgid)]
    assert not missing, f"import problems without Indonesian: {missing}"


def test_an_import_problem_is_rendered_in_the_readers_language() -> None:
    problems = Problems()
    problems.add("missing_column", file="a.csv", kind="needs", value="judul")
    [entry] = problems.report()
    assert entry["params"] == {"value": "judul"}
    assert problem_text(entry, "en") == "the required column 'judul' is missing"
    assert problem_text(entry, "id") == "kolom wajib 'judul' tidak ada"
    # A report stored before problems kept their values still reads as it was written.
    old = {"code": "missing_column", "text_en": "old words", "text_id": "kata lama"}
    assert (problem_text(old, "en"), problem_text(old, "id")) == ("old words", "kata lama")


def test_pages_write_money_as_emails_do(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "id"}):
        assert render_template_string("{{ 170500000|money }}") == "Rp 170.500.000"
