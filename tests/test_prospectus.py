"""The prospectus on Klaten's demo: its figures are the sums of the rows they come from, it holds no
personal data, and its public version is off until a coordinator of the regency switches it on."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.app import settings_of
from titiktemu.demo.seed import DEMO_COORDINATOR, DEMO_FACILITATOR
from titiktemu.extensions import db
from titiktemu.models import (
    AuditEntry,
    ExchangeStatus,
    Gap,
    Intervention,
    Need,
    Person,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from titiktemu.models.places import under
from titiktemu.prospectus import build as prospectus
from titiktemu.review.commands import decide

from .api_support import FOREIGN as SLEMAN_COORDINATOR
from .conftest import csrf_token
from .test_exports_web import seeded, signed_in
from .test_page_budget import BUDGET, _weight
from .test_partners import _partner_client, add_partner

KLATEN = "33.10"


def _busiest_year(session: Any) -> int:
    year = session.scalar(
        sa.select(sa.func.extract("year", Intervention.start_date))
        .where(under(Intervention.village_code, KLATEN))
        .group_by(sa.func.extract("year", Intervention.start_date))
        .order_by(sa.func.count().desc())
        .limit(1)
    )
    return int(year)


def _accept_a_synergy(app: Flask) -> int:
    with app.app_context():
        session = db.session()
        synergy = session.scalars(
            sa.select(Proposal)
            .where(
                Proposal.regency_code == KLATEN,
                Proposal.kind == ProposalKind.PROGRAM_SYNERGY,
                Proposal.status == ProposalStatus.PROPOSED,
            )
            .order_by(Proposal.id)
            .limit(1)
        ).one()
        coordinator = session.scalars(
            sa.select(Person).where(Person.email == DEMO_COORDINATOR)
        ).one()
        decide(session, settings_of(app), coordinator, synergy.id, ProposalStatus.ACCEPTED)
        session.commit()
        return synergy.id


def test_the_figures_are_the_sums_of_the_rows(app: Flask) -> None:
    seeded(app)
    synergy_id = _accept_a_synergy(app)
    with app.app_context():
        session = db.session()
        year = _busiest_year(session)
        report = prospectus.build(session, KLATEN, year, "id")
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        rows = session.scalars(
            sa.select(Intervention).where(
                under(Intervention.village_code, KLATEN),
                Intervention.start_date <= last,
                Intervention.end_date >= first,
            )
        ).all()
        assert rows, "the demo has interventions in its busiest year"
        households: Counter[str] = Counter()
        budget: Counter[str] = Counter()
        count: Counter[str] = Counter()
        for row in rows:
            households[row.village_code[:8]] += row.households or 0
            budget[row.village_code[:8]] += row.budget_idr or 0
            count[row.village_code[:8]] += 1
        gaps = session.execute(
            sa.select(Need.kecamatan_code, sa.func.count())
            .join(Gap, Gap.need_id == Need.id)
            .where(Gap.regency_code == KLATEN, Need.status == ExchangeStatus.OPEN)
            .group_by(Need.kecamatan_code)
        ).all()
        synergy = session.get(Proposal, synergy_id)
        assert synergy is not None
        shared: Counter[str] = Counter(v[:8] for v in synergy.village_codes)
    assert report.households == sum(households.values()) > 0
    assert report.budget_idr == sum(budget.values()) > 0
    assert report.open_needs == sum(n for _, n in gaps) > 0
    assert report.synergies == len(shared)
    by_code = {k.code: k for k in report.kecamatan}
    for code in count:
        work = by_code[code].work
        assert sum(w.households for w in work) == households[code], code
        assert sum(w.budget_idr for w in work) == budget[code], code
        assert sum(w.interventions for w in work) == count[code], code
    for code, n in gaps:
        assert by_code[code].open_needs == n, code
    villages: dict[str, int] = defaultdict(int)
    for k in report.kecamatan:
        for s in k.synergies:
            villages[k.code] += s.villages
    assert villages == dict(shared)
    # Most open needs first: where support is wanted is what a donor reads first.
    assert [k.open_needs for k in report.kecamatan] == sorted(
        (k.open_needs for k in report.kecamatan), reverse=True
    )


def test_the_page_shows_the_figures_and_no_personal_data(app: Flask) -> None:
    partner = add_partner(app)
    client = _partner_client(app)
    with app.app_context():
        session = db.session()
        year = _busiest_year(session)
        report = prospectus.build(session, KLATEN, year, "id")
        names = [p.name for p in session.scalars(sa.select(Person)) if p.id != partner and p.name]
        emails = [p.email for p in session.scalars(sa.select(Person)) if p.id != partner]
        titles = [
            t
            for (t,) in session.execute(sa.select(Need.title).union(sa.select(Intervention.title)))
            if len(t) > 25
        ]
    chosen = report.kecamatan[0]
    page = client.get(f"/prospectus?year={year}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Kec. {chosen.name}" in html
    for line in chosen.work:
        assert line.category in html and ", ".join(line.programs) in html
    leaks = [x for x in (*names, *emails, *titles) if x in html]
    assert leaks == [], f"the prospectus shows personal data or written text: {leaks[:5]}"
    # An accepted synergy says why the two programs gain by working together.
    _accept_a_synergy(app)
    with app.app_context():
        report = prospectus.build(db.session(), KLATEN, year, "id")
    place, synergy = next((k, s) for k in report.kecamatan for s in k.synergies)
    assert synergy.why is not None and synergy.why["code"] == "synergy.complement"
    html = client.get(f"/prospectus?year={year}&kecamatan={place.code}").get_data(as_text=True)
    assert f"{synergy.programs[0]} + {synergy.programs[1]}" in html
    params = synergy.why["params"]
    assert f"{params['program_a']} dan {params['program_b']}:" in html
    assert 'href="/offers/new"' in html  # a partner offers from here
    assert "/prospectus/public" not in html  # the switch is the coordinators'


def _switch(client: FlaskClient, public: bool) -> int:
    token = csrf_token(client, "/prospectus")
    answer = client.post(
        "/prospectus/public", data={"public": "1" if public else "0", "csrf_token": token}
    )
    return answer.status_code


def _switches(app: Flask) -> int:
    with app.app_context():
        return int(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action.in_(["prospectus.public", "prospectus.private"]))
            )
            or 0
        )


def test_the_public_prospectus_is_off_until_a_coordinator_switches_it_on(app: Flask) -> None:
    add_partner(app)
    anyone = app.test_client()
    assert anyone.get("/prospectus/33.10").status_code == 404
    assert anyone.get("/prospectus").status_code == 302  # the signed-in one asks to sign in
    assert _switch(signed_in(app, DEMO_FACILITATOR), True) == 403
    assert _switch(_partner_client(app), True) == 403
    assert anyone.get("/prospectus/33.10").status_code == 404

    coordinator = signed_in(app, DEMO_COORDINATOR)
    assert _switch(coordinator, True) == 302
    assert _switch(coordinator, True) == 302  # sent twice: one change, one audit line
    assert _switches(app) == 1
    page = anyone.get("/prospectus/33.10")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kabupaten Klaten" in html and '<nav class="main"' not in html
    assert "/prospectus/public" not in html and 'href="/offers/new"' not in html
    assert _weight(anyone, "/prospectus/33.10") < BUDGET
    assert anyone.get("/prospectus/34.04").status_code == 404  # Sleman did not switch it on
    shown = coordinator.get("/prospectus").get_data(as_text=True)
    assert "http://localhost/prospectus/33.10" in shown or "/prospectus/33.10" in shown

    foreign = signed_in(app, SLEMAN_COORDINATOR)
    assert _switch(foreign, False) == 302  # their own regency's, already off: nothing changes
    assert anyone.get("/prospectus/33.10").status_code == 200

    assert _switch(coordinator, False) == 302
    assert anyone.get("/prospectus/33.10").status_code == 404
    assert _switches(app) == 2
