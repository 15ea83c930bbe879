"""The commands in the shared package say no by kind (``titiktemu.errors``), and each rule lives
in its command: the pages and the API only translate (they are tested through their own files).
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from titiktemu.accounts.first import (
    EmailTakenError,
    HasPasswordError,
    MalformedEmailError,
    NoSuchAccountError,
    RegencyNotLoadedError,
)
from titiktemu.accounts.invitations import InvitationError
from titiktemu.accounts.signin import PasswordPolicyError
from titiktemu.accounts.tokens import TokenNameError
from titiktemu.decisions import AlreadyDecided, NotInRegency, NotReviewer, reviewable
from titiktemu.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound, TooMany
from titiktemu.exchange.commands import (
    InputError,
    NeedInput,
    NoSuchItem,
    NotYours,
    StatusError,
    change_status,
    find,
    save_need,
)
from titiktemu.exchange.facilitator import Access
from titiktemu.extensions import db
from titiktemu.imports.preflight import UploadRefused
from titiktemu.imports.quota import TooManyImports
from titiktemu.interventions.commands import (
    DuplicateIntervention,
    InterventionInput,
    NotRecorder,
    record_intervention,
    save_intervention,
)
from titiktemu.models import (
    ExchangeStatus,
    FundingSource,
    Intervention,
    Need,
    OverlapFlag,
    Program,
    Proposal,
    Role,
)
from titiktemu.overlaps.review import FlagError
from titiktemu.places.regions import UnknownRegionError
from titiktemu.review.commands import ReviewError
from titiktemu.vocabulary.synonyms import SynonymError
from titiktemu.vocabulary.taxonomy import TaxonomyError

from .test_imports_support import person

VILLAGE = "33.10.24.2003"  # Karanganom, Klaten Utara
DAY = dt.date(2031, 2, 1)


@pytest.mark.parametrize(
    ("error", "kind", "old"),
    [
        (InputError, Invalid, ValueError),
        (StatusError, Conflict, ValueError),
        (AlreadyDecided, Conflict, Exception),
        (ReviewError, Invalid, ValueError),
        (FlagError, Invalid, ValueError),
        (InvitationError, NotAllowed, ValueError),
        (PasswordPolicyError, Invalid, ValueError),
        (TokenNameError, Invalid, ValueError),
        (MalformedEmailError, Invalid, ValueError),
        (EmailTakenError, Conflict, ValueError),
        (HasPasswordError, Conflict, ValueError),
        (RegencyNotLoadedError, Conflict, ValueError),
        (NoSuchAccountError, NotFound, ValueError),
        (TooManyImports, TooMany, Exception),
        (UploadRefused, Invalid, Exception),
        (SynonymError, Invalid, ValueError),
        (TaxonomyError, Invalid, ValueError),
        (UnknownRegionError, NotFound, LookupError),
        (NoSuchItem, NotFound, LookupError),
        (NotYours, NotAllowed, DomainError),
        (NotInRegency, NotFound, LookupError),
        (NotReviewer, NotAllowed, DomainError),
        (DuplicateIntervention, Conflict, DomainError),
        (NotRecorder, NotAllowed, DomainError),
    ],
)
def test_every_refusal_is_of_one_kind_and_still_what_callers_catch(
    error: type[Exception], kind: type[DomainError], old: type[Exception]
) -> None:
    assert issubclass(error, kind) and issubclass(error, old)


def test_the_kinds_carry_what_the_front_ends_answer() -> None:
    assert InputError({"title": "a title is needed"}).errors == {"title": "a title is needed"}
    assert InputError({"title": "x"}).http_status == 422
    limited = TooManyImports(5, 120)
    assert (limited.http_status, limited.retry_after) == (429, 120)
    decided = AlreadyDecided("need", 1, "withdrawn")
    assert (decided.http_status, decided.status) == (409, "withdrawn")  # no clash of "status"
    assert MalformedEmailError("x").exit_code == 2 and EmailTakenError("x").exit_code == 1
    assert TokenNameError("").exit_code == 1


def _program(session: Session, code: str) -> Program:
    program = Program(code=code, name=code, agency="Dinas", funding_source=FundingSource.APBD)
    session.add(program)
    session.flush()
    return program


def _intervention(program: Program, start: dt.date = DAY) -> InterventionInput:
    return InterventionInput(program.id, VILLAGE, "house_renovation", "Bedah rumah", start, start)


def test_the_duplicate_rule_lives_in_the_command(ctx: Flask) -> None:
    session = db.session()
    program = _program(session, "RTLH-T")
    fac = person(session, "fac@example.org", Role.FACILITATOR)
    first = save_intervention(session, fac, _intervention(program))
    session.commit()
    with pytest.raises(DuplicateIntervention) as refused:
        save_intervention(session, fac, _intervention(program))
    assert refused.value.existing.id == first.id
    assert refused.value.errors == {"start_date": "already recorded"}
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Intervention)) == 1
    # Editing the one there keeps its own key; another start date is another intervention.
    save_intervention(session, fac, _intervention(program), session.get_one(Intervention, first.id))
    save_intervention(session, fac, _intervention(program, DAY + dt.timedelta(days=1)))
    session.commit()


def test_who_may_record_which_program_and_change_whose(ctx: Flask) -> None:
    session = db.session()
    own, other = _program(session, "OWN-T"), _program(session, "OTHER-T")
    fac = person(session, "fac@example.org", Role.FACILITATOR)
    fac.programs.append(own)
    koor = person(session, "koor@example.org", Role.COORDINATOR)
    session.commit()
    with pytest.raises(InputError) as refused:
        record_intervention(session, fac, _intervention(other))
    assert refused.value.errors == {"program": "record only the programs you work for"}
    session.rollback()
    item = record_intervention(session, koor, _intervention(other))  # a coordinator: any
    session.commit()
    with pytest.raises(NotRecorder):
        record_intervention(session, fac, _intervention(own), item)
    session.rollback()
    with pytest.raises(InputError) as outside:
        record_intervention(
            session, koor, _intervention(other, DAY + dt.timedelta(days=3)), regency="34.04"
        )
    assert outside.value.errors == {"village": "choose a place in your regency"}


def test_only_the_owner_changes_a_need_and_a_stranger_is_told_nothing(ctx: Flask) -> None:
    session = db.session()
    owner = person(session, "owner@example.org", Role.FACILITATOR)
    koor = person(session, "koor@example.org", Role.COORDINATOR)
    stranger = person(session, "stranger@example.org", Role.FACILITATOR)
    need = save_need(session, owner, NeedInput("Butuh pembukuan", ["bookkeeping"], VILLAGE))
    session.commit()
    assert find(session, koor, Need, need.id, Access.READ).id == need.id
    with pytest.raises(NotYours):
        find(session, koor, Need, need.id, Access.EDIT)
    with pytest.raises(NoSuchItem):
        find(session, stranger, Need, need.id, Access.READ)
    with pytest.raises(NotYours):
        change_status(session, koor, need, "withdraw")
    with pytest.raises(NotYours):
        save_need(session, koor, NeedInput("Diganti", ["bookkeeping"], VILLAGE), need)
    session.rollback()
    assert session.get_one(Need, need.id).status is ExchangeStatus.OPEN
    change_status(session, owner, need, "fulfil")  # the API's word for the page's "fulfilled"
    session.commit()
    assert session.get_one(Need, need.id).status is ExchangeStatus.FULFILLED


@pytest.mark.parametrize("model", [Proposal, OverlapFlag])
def test_only_reviewers_of_the_regency_decide(ctx: Flask, model: type[Proposal]) -> None:
    session = db.session()
    fac = person(session, "fac@example.org", Role.FACILITATOR)
    koor = person(session, "koor@example.org", Role.COORDINATOR)
    with pytest.raises(NotReviewer):
        reviewable(session, fac, model, 1)
    with pytest.raises(NotInRegency):
        reviewable(session, koor, model, 10**9)
