"""A rebuild that read the regency before a coordinator decided never overwrites the decision.

The engine's pass loads proposals and flags, thinks, then writes; a coordinator can accept a
proposal or resolve a flag in between. The pass's rows in memory are then older than the
database: its writes of a status are conditional, so the coordinator's decision stands.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from graph.engine import Result
from titiktemu.extensions import db
from titiktemu.matching.results import store_result
from titiktemu.models import FlagStatus, OverlapFlag, Person, Proposal, ProposalStatus
from titiktemu.overlaps import review as overlap_review
from titiktemu.review import commands as review
from titiktemu.settings import Settings

from .api_support import seed_klaten

KLATEN = "33.10"


def test_a_pass_that_read_before_the_decision_leaves_it_alone(
    app: Flask, settings: Settings
) -> None:
    klaten = seed_klaten(app)
    with app.app_context():
        proposal_id = db.session.scalars(
            sa.select(Proposal.id)
            .where(Proposal.regency_code == KLATEN, Proposal.status == ProposalStatus.PROPOSED)
            .order_by(Proposal.id)
            .limit(1)
        ).one()
        flag_id = db.session.scalars(
            sa.select(OverlapFlag.id)
            .where(OverlapFlag.regency_code == KLATEN, OverlapFlag.status == FlagStatus.OPEN)
            .order_by(OverlapFlag.id)
            .limit(1)
        ).one()
        # The engine's pass reads the regency (its rows stay in its session's memory) ...
        engine_session = Session(db.engine, expire_on_commit=False)
        seen = [engine_session.get(Proposal, proposal_id), engine_session.get(OverlapFlag, flag_id)]
        assert None not in seen  # held: the session's identity map keeps only what is referenced
        engine_session.commit()
        # ... a coordinator decides both meanwhile ...
        coordinator = db.session.get(Person, klaten.coordinator)
        assert coordinator is not None
        review.decide(db.session(), settings, coordinator, proposal_id, ProposalStatus.ACCEPTED)
        overlap_review.resolve(db.session(), coordinator, flag_id, "digabung di musdes")
        db.session.commit()
        # ... and the pass finds neither still fits (a full pass with nothing in it).
        report = store_result(engine_session, KLATEN, Result(proposals=[], gaps=[], flags=[]))
        engine_session.commit()
        engine_session.close()
        db.session.expire_all()
        proposal = db.session.get(Proposal, proposal_id)
        flag = db.session.get(OverlapFlag, flag_id)
        assert proposal is not None and flag is not None
        assert proposal.status == ProposalStatus.ACCEPTED
        assert proposal.retired_reason is None
        assert (flag.status, flag.decision_note) == (FlagStatus.RESOLVED, "digabung di musdes")
        assert flag.change_note in (None, {}), flag.change_note
        # Everything else the pass no longer saw did go: the pass itself ran.
        assert report.obsoleted > 0 and report.flags_cleared > 0
