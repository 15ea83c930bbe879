"""Switching a regency's public prospectus on or off: its coordinators' decision, audited."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from titiktemu.audit import record
from titiktemu.decisions import may_review
from titiktemu.errors import NotAllowed
from titiktemu.models import Person, RegencySettings


def set_public(session: Session, actor: Person, regency_code: str, public: bool) -> bool:
    """Let anyone read the regency's prospectus (or stop it). Setting a value, not toggling one, so
    a form sent twice or two coordinators at once end where they asked. Whether it changed;
    audited when it did. Not committed."""
    if not may_review(actor, regency_code):
        raise NotAllowed("only the regency's coordinators publish its prospectus")
    row = _settings_for_update(session, regency_code)
    if row.prospectus_public == public:
        return False
    row.prospectus_public = public
    record(
        session,
        "prospectus.public" if public else "prospectus.private",
        "regency",
        regency_code,
        actor.id,
    )
    return True


def _settings_for_update(session: Session, regency_code: str) -> RegencySettings:
    """The regency's settings row, locked; made first if the regency never had one (a second
    maker at the same moment loses the insert and reads the winner's row)."""
    query = (
        sa.select(RegencySettings)
        .where(RegencySettings.regency_code == regency_code)
        .with_for_update()
    )
    row = session.scalars(query).one_or_none()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(RegencySettings(regency_code=regency_code))
    except IntegrityError:
        pass
    return session.scalars(query).one()
