"""One catalog and one way to write numbers, money and dates, for every channel.

Pages (Flask-Babel), emails, import reports and exports read the same Babel catalog in
``titiktemu/translations`` (msgids in English, Indonesian in ``id``), so a sentence is written
once. The worker has no request: it asks :func:`translations` for the reader's language.
Numbers, money and dates go through Babel for the reader's locale: "Rp 170.500.000" and
"1 Mar 2021" in Indonesian, "Rp 170,500,000" and "Mar 1, 2021" in English.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from pathlib import Path
from typing import Final

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

#: The languages people read; Indonesian first (the default).
LANGUAGES: Final = ("id", "en")
DEFAULT_LANGUAGE: Final = "id"
#: The catalog directory (pybabel's ``-d``); Flask-Babel's BABEL_TRANSLATION_DIRECTORIES.
TRANSLATIONS_DIR: Final = Path(__file__).resolve().parent / "translations"
#: Whole rupiah, "Rp" in every language (IDR's English symbol is "IDR", which nobody here reads).
MONEY_PATTERN: Final = "'Rp' #,##0"


def N_(message: str) -> str:  # noqa: N802 - the name pybabel extracts (-k N_)
    """Mark ``message`` for the catalog without translating it now (it is rendered later)."""
    return message


def language(value: object) -> str:
    """The supported language closest to ``value`` ("en", "en_US", a Language enum...)."""
    text = str(getattr(value, "value", value) or "").lower()
    return "en" if text.startswith("en") else DEFAULT_LANGUAGE


@cache
def translations(lang: str) -> NullTranslations:
    """The catalog for ``lang``; English is the msgids themselves."""
    found = Translations.load(str(TRANSLATIONS_DIR), [language(lang)])
    return found


def gettext(message: str, lang: str, **values: object) -> str:
    """``message`` in ``lang``, with its ``%(name)s`` placeholders filled."""
    text = translations(lang).gettext(message)
    return text % values if values else text


#: Formatted values remembered per process: Babel's formatting is pure and costs some 30 µs a
#: call, and a page of reasons formats the same few hundred numbers, amounts and days again.
_FORMATTED = 4096


@lru_cache(maxsize=_FORMATTED)
def number(value: int | float, lang: str) -> str:
    """240000000 -> "240.000.000" (id) or "240,000,000" (en)."""
    return str(format_decimal(value, locale=language(lang)))


@lru_cache(maxsize=_FORMATTED)
def money(value: int | float, lang: str) -> str:
    """170500000 -> "Rp 170.500.000" (id) or "Rp 170,500,000" (en): whole rupiah."""
    return str(
        format_currency(
            value, "IDR", format=MONEY_PATTERN, locale=language(lang), currency_digits=False
        )
    )


@lru_cache(maxsize=_FORMATTED)
def day(value: dt.date | str, lang: str) -> str:
    """2021-03-01 -> "1 Mar 2021" (id) or "Mar 1, 2021" (en)."""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return str(format_date(date, format="medium", locale=language(lang)))


def spoken_date(value: dt.date | str, lang: str) -> str:
    """2021-04-03 -> "3 April 2021", as a person writes a date out in a sentence."""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return str(format_date(date, format="d MMMM y", locale=language(lang)))


def weekday(value: dt.date | str, lang: str) -> str:
    """2021-04-03 -> "Sabtu" (id) or "Saturday" (en)."""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return str(format_date(date, format="EEEE", locale=language(lang)))


def percent(score: float, lang: str) -> str:
    """A 0..1 score as the pages show it: "85%"."""
    return f"{number(round(score * 100), lang)}%"
