"""What the pages say when someone else decided first (``AlreadyDecided`` of the services)."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from titiktemu.decisions import AlreadyDecided
from web.exchange.shared import status_label


def already_decided_text(exc: AlreadyDecided) -> str:
    """ "This proposal was already decided by Sri: Accepted, 6/12/26 10.02." in the UI language."""
    status = status_label(exc.status)
    named = exc.by_name is not None and exc.at is not None
    when = format_datetime(exc.at, "short") if exc.at is not None else ""
    if exc.what in ("need", "offer"):
        if named:
            text = _(
                "That cannot be done now: it was already marked %(status)s by %(name)s, %(when)s.",
                status=status,
                name=exc.by_name,
                when=when,
            )
        else:
            text = _("That cannot be done now: the status is already %(status)s.", status=status)
    elif exc.what == "flag":
        if named:
            text = _(
                "This flag was already decided by %(name)s: %(status)s, %(when)s.",
                status=status,
                name=exc.by_name,
                when=when,
            )
        else:
            text = _("This flag was already decided: %(status)s.", status=status)
    elif named:
        text = _(
            "This proposal was already decided by %(name)s: %(status)s, %(when)s.",
            status=status,
            name=exc.by_name,
            when=when,
        )
    else:
        text = _("This proposal was already decided: %(status)s.", status=status)
    return str(text)
