"""Retiring a need's proposals the engine no longer makes: one conditional write, no read first.

``retire_pending_of`` is what a match job runs for its need (and a closed need or offer for all
of theirs): pending proposals outside ``keep`` become obsolete with why, each with its audit line
and its change for the regency's counter; a proposal a coordinator decided is left as decided.
"""

from __future__ import annotations

import sqlalchemy as sa

from harness.statements import sent_statements
from titiktemu.extensions import db
from titiktemu.matching.results import retire_pending_of
from titiktemu.matching.warm import versions
from titiktemu.models import AuditEntry, Proposal, ProposalStatus

from .snapshot import seeded_and_matched
from .test_warm_engine import KLATEN


def test_only_pending_proposals_outside_keep_are_retired_in_one_statement(ctx: object) -> None:
    session = db.session()
    seeded_and_matched(session, KLATEN)
    need_id = session.scalars(
        sa.select(Proposal.need_id)
        .where(Proposal.status == ProposalStatus.PROPOSED, Proposal.need_id.is_not(None))
        .group_by(Proposal.need_id)
        .having(sa.func.count() >= 3)
        .order_by(Proposal.need_id)
        .limit(1)
    ).one()
    rows = session.scalars(
        sa.select(Proposal).where(Proposal.need_id == need_id).order_by(Proposal.id)
    ).all()
    kept, decided, *rest = [p for p in rows if p.status == ProposalStatus.PROPOSED]
    decided.status = ProposalStatus.ACCEPTED  # a coordinator's decision, committed first
    kept_key, kept_id, decided_id = kept.key, kept.id, decided.id
    rest_ids = [p.id for p in rest]
    assert rest_ids
    session.commit()
    before = versions(session, KLATEN)[0]

    with sent_statements(db.engine) as sent:
        count = retire_pending_of(
            session, Proposal.need_id == need_id, keep={kept_key}, code="retired.no_longer_fits"
        )
    writes = [s for s in sent if s.verb in ("UPDATE", "INSERT")]
    assert [s.table for s in writes][:1] == ["proposals"] and not [
        s for s in sent if s.verb == "SELECT" and s.table.startswith("proposals")
    ]
    session.commit()

    assert count == len(rest_ids)
    by_id = {
        p.id: p for p in session.scalars(sa.select(Proposal).where(Proposal.need_id == need_id))
    }
    assert by_id[kept_id].status == ProposalStatus.PROPOSED
    assert by_id[decided_id].status == ProposalStatus.ACCEPTED
    for row_id in rest_ids:
        assert by_id[row_id].status == ProposalStatus.OBSOLETE
        assert by_id[row_id].retired_reason == {"code": "retired.no_longer_fits", "params": {}}
    audited = session.scalars(
        sa.select(AuditEntry.object_id).where(AuditEntry.action == "proposal.obsolete")
    ).all()
    assert {str(i) for i in rest_ids} <= set(audited)
    assert str(decided_id) not in audited and str(kept_id) not in audited
    # The counter moved with the write (a warm engine re-reads the need's proposals).
    assert versions(session, KLATEN)[0] == before + 1
