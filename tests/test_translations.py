"""The Indonesian catalog: complete, up to date with the source, compiled, placeholders intact.

Indonesian is the default UI language, so an untranslated msgid shows English to every user. When
a test here fails, refresh the catalog as the README's translation steps say (pybabel extract,
update, translate the new entries in titiktemu/translations/id/LC_MESSAGES/messages.po, compile).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
BABEL_CFG = ROOT / "babel.cfg"
LC_MESSAGES = ROOT / "titiktemu" / "translations" / "id" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "messages.po"
MO_FILE = LC_MESSAGES / "messages.mo"
#: The keywords pybabel extract is given (-k _l -k lazy_gettext -k N_) on top of its defaults.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None}
#: A named %-placeholder with its conversion: %(name)s, %(num)d, %(share).1f ...
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +\-]*(?:\d+)?(?:\.\d+)?[diouxXeEfFgGcrsa]")

Key = tuple[str, str | None]  # (msgid, msgctxt); the singular stands for a plural entry


def _key(message: Message) -> Key:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return (str(msgid), message.context)


def _forms(text: object) -> tuple[str, ...]:
    if isinstance(text, (list, tuple)):
        return tuple(str(t) for t in text)
    return (str(text) if text else "",)


def _entries(catalog: Catalog) -> Iterator[Message]:
    """Every real entry: not the header, not obsolete (those live apart in catalog.obsolete)."""
    return (m for m in catalog if m.id)


def _order(key: Key) -> tuple[str, str]:
    return (key[0], key[1] or "")


def _show(key: Key) -> str:
    msgid, context = key
    return f"{msgid!r}" + (f" (context {context!r})" if context else "")


@pytest.fixture(scope="module")
def po() -> Catalog:
    with PO_FILE.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def extracted() -> dict[Key, str]:
    """Run pybabel extract in process, with babel.cfg: {(msgid, context): where it is used}."""
    with BABEL_CFG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(BABEL_CFG))
    found: dict[Key, str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, (list, tuple)) else message
        if msgid:
            found.setdefault((str(msgid), context), f"{filename}:{lineno}")
    return found


def test_every_msgid_has_an_indonesian_translation(po: Catalog) -> None:
    missing = [
        _show(_key(m))
        for m in _entries(po)
        if m.fuzzy or not all(form.strip() for form in _forms(m.string))
    ]
    assert not missing, (
        f"{len(missing)} msgid(s) in {PO_FILE.relative_to(ROOT)} have no Indonesian "
        "translation (empty or fuzzy msgstr):\n  " + "\n  ".join(missing)
    )


def test_catalog_is_up_to_date_with_the_source(po: Catalog, extracted: dict[Key, str]) -> None:
    assert extracted, "extraction found no messages: is babel.cfg still right?"
    known = {_key(m) for m in _entries(po)}
    new = [
        f"{_show(key)} at {where}"
        for key, where in sorted(extracted.items(), key=lambda item: _order(item[0]))
        if key not in known
    ]
    assert not new, (
        f"{len(new)} string(s) in the source are not in the Indonesian catalog yet; run pybabel "
        "extract and update, then translate them:\n  " + "\n  ".join(new)
    )


def test_compiled_mo_matches_the_po(po: Catalog) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, po)  # what pybabel compile writes (fuzzy entries left out)
    compiled.seek(0)
    with MO_FILE.open("rb") as f:
        committed = read_mo(f)
    expected = {_key(m): _forms(m.string) for m in _entries(read_mo(compiled))}
    actual = {_key(m): _forms(m.string) for m in _entries(committed)}
    stale = sorted(
        (key for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key)),
        key=_order,
    )
    assert not stale, (
        f"{MO_FILE.relative_to(ROOT)} is older than the .po ({len(stale)} message(s) differ); "
        "run: pybabel compile -d titiktemu/translations\n  " + "\n  ".join(_show(k) for k in stale)
    )


def test_placeholders_are_kept_in_the_translation(po: Catalog) -> None:
    broken = []
    for m in _entries(po):
        wanted = set().union(*(PLACEHOLDER.findall(form) for form in _forms(m.id)))
        for form in _forms(m.string):
            if form and set(PLACEHOLDER.findall(form)) != wanted:
                got = sorted(PLACEHOLDER.findall(form))
                broken.append(f"{_show(_key(m))}: wants {sorted(wanted)}, has {got} in {form!r}")
    assert not broken, "placeholders differ between msgid and msgstr:\n  " + "\n  ".join(broken)
