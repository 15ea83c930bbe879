"""What the pages say when someone else decided first (``AlreadyDecided`` of the commands)."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from titiktemu.decisions import AlreadyDecided
from titiktemu.i18n import N_
from web.pages import status_label

#: Per kind of thing decided: the sentence when we know who and when, and when we do not.
SAID = {
    "item": (
        N_("That cannot be done now: it was already marked %(status)s by %(name)s, %(when)s."),
        N_("That cannot be done now: the status is already %(status)s."),
    ),
    "flag": (
        N_("This flag was already decided by %(name)s: %(status)s, %(when)s."),
        N_("This flag was already decided: %(status)s."),
    ),
    "proposal": (
        N_("This proposal was already decided by %(name)s: %(status)s, %(when)s."),
        N_("This proposal was already decided: %(status)s."),
    ),
}


def already_decided_text(exc: AlreadyDecided) -> str:
    """ "This proposal was already decided by Sri: Accepted, 6/12/26 10.02." in the UI language."""
    kind = "item" if exc.what in ("need", "offer") else "flag" if exc.what == "flag" else "proposal"
    named, plain = SAID[kind]
    if exc.by_name is not None and exc.at is not None:
        when = format_datetime(exc.at, "short")
        return str(_(named, status=status_label(exc.status), name=exc.by_name, when=when))
    return str(_(plain, status=status_label(exc.status)))
