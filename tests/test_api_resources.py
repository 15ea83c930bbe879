"""The resources against the seeded Klaten: what each role sees, and the writes the pages allow."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from titiktemu.extensions import db
from titiktemu.models import (
    AuditEntry,
    Intervention,
    OutboxEmail,
    OverlapFlag,
    Person,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Skill,
)

from .api_support import assert_problem, bearer, first_proposal, seed_klaten

API = "/api/v1"


def _all(client: FlaskClient, path: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every item of a list, following the cursors."""
    items: list[dict[str, Any]] = []
    url = f"{API}{path}{'&' if '?' in path else '?'}limit=200"
    while url:
        page = client.get(url, headers=headers).get_json()
        items += page["items"]
        url = (
            f"{API}{path}{'&' if '?' in path else '?'}limit=200&cursor={page['next_cursor']}"
            if page["next_cursor"]
            else ""
        )
    return items


def test_proposals_carry_rank_sides_and_reasons(app: Flask, client: FlaskClient) -> None:
    k = seed_klaten(app)
    koor = bearer(app, k.coordinator)
    pid = first_proposal(app, kind=ProposalKind.NEED_OFFER, rank=1)
    answer = client.get(f"{API}/proposals/{pid}", headers=koor)
    assert answer.status_code == 200
    p = answer.get_json()
    assert p["rank"] == 1 and p["kind"] == "need_offer" and 0 < p["score"] <= 1
    assert [s["type"] for s in p["sides"]] == ["need", "offer"]
    with app.app_context():
        row = db.session.get(Proposal, pid)
        assert row is not None and row.need is not None and row.offer is not None
        assert p["sides"][0] == {"type": "need", "id": row.need.id, "title": row.need.title}
        assert p["sides"][1] == {"type": "offer", "id": row.offer.id, "title": row.offer.title}
    reason = p["reasons"][0]
    assert {"name", "weight", "value", "text_id", "text_en"} <= set(reason)
    assert reason["text_id"] and reason["text_en"]
    listed = _all(client, "/proposals?kind=need_person", koor)
    assert listed and all(
        len(x["sides"]) == 2 and x["sides"][1]["type"] == "person" for x in listed
    )
    synergies = _all(client, "/proposals?kind=program_synergy", koor)
    assert all([s["type"] for s in x["sides"]] == ["program", "program"] for x in synergies)
    assert all(x["score"] >= 0.9 for x in _all(client, "/proposals?min_score=0.9", koor))


def test_listed_reasons_are_the_proposals_own_and_follow_a_relabelled_skill(
    app: Flask, client: FlaskClient
) -> None:
    """The list keeps the reasons it built by their stored text: twice asked, the same words as
    the proposal's own page; after a skill is relabelled, the new label."""
    k = seed_klaten(app)
    koor = bearer(app, k.coordinator)
    with app.app_context():
        skill = db.session.scalars(sa.select(Skill).where(Skill.code == "bookkeeping")).one()
        old = skill.label_en
    listed = _all(client, "/proposals?kind=need_offer", koor)
    again = _all(client, "/proposals?kind=need_offer", koor)
    assert listed == again and listed
    for item in listed[:5]:
        own = client.get(f"{API}/proposals/{item['id']}", headers=koor).get_json()
        assert own["reasons"] == item["reasons"]
    naming = [x for x in listed if any(old in r["text_en"] for r in x["reasons"])]
    assert naming, "no listed reason names the skill: the test proves nothing"
    with app.app_context():
        db.session.get_one(Skill, "bookkeeping").label_en = "Ledger keeping"
        db.session.commit()
    relabelled = {x["id"]: x for x in _all(client, "/proposals?kind=need_offer", koor)}
    for item in naming:
        words = " ".join(r["text_en"] for r in relabelled[item["id"]]["reasons"])
        assert "Ledger keeping" in words and old not in words


def test_a_facilitator_sees_only_proposals_involving_them(app: Flask, client: FlaskClient) -> None:
    k = seed_klaten(app)
    pid = first_proposal(app, kind=ProposalKind.NEED_OFFER, rank=1)
    with app.app_context():
        proposal = db.session.get(Proposal, pid)
        assert proposal is not None and proposal.need is not None
        owner = proposal.need.person_id
        involved = {owner, proposal.offer.person_id if proposal.offer else None, proposal.person_id}
        stranger = db.session.scalars(
            sa.select(Person.id).where(
                Person.regency_code == "33.10",
                Person.role == "facilitator",
                Person.id.not_in([i for i in involved if i]),
            )
        ).first()
        assert stranger is not None
    mine = _all(client, "/proposals", bearer(app, owner))
    assert pid in {p["id"] for p in mine}
    assert_problem(client.get(f"{API}/proposals/{pid}", headers=bearer(app, stranger)), 404)
    assert client.get(f"{API}/proposals/{pid}", headers=bearer(app, owner)).status_code == 200
    # Deciding is for coordinators: the owner may look but not accept.
    assert_problem(client.post(f"{API}/proposals/{pid}/accept", headers=bearer(app, owner)), 403)
    assert_problem(
        client.post(f"{API}/proposals/{pid}/accept", headers=bearer(app, k.foreign)), 404
    )


def test_accept_through_the_review_service(app: Flask, client: FlaskClient) -> None:
    k = seed_klaten(app)
    koor = bearer(app, k.coordinator)
    pid = first_proposal(app, kind=ProposalKind.NEED_OFFER, rank=1)
    tag = client.get(f"{API}/proposals/{pid}", headers=koor).headers["ETag"]
    stale = client.post(
        f"{API}/proposals/{pid}/accept", headers={**koor, "If-Match": '"old"'}, json={}
    )
    assert_problem(stale, 412)
    answer = client.post(
        f"{API}/proposals/{pid}/accept", headers={**koor, "If-Match": tag}, json={"note": "ok"}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["status"] == "accepted" and body["reviewer_id"] == k.coordinator
    assert body["decided_at"].endswith("Z")
    with app.app_context():
        audit = db.session.scalars(
            sa.select(AuditEntry.actor_id).where(
                AuditEntry.object_type == "proposal",
                AuditEntry.object_id == str(pid),
                AuditEntry.action == "proposal.accepted",
            )
        ).all()
        assert audit == [k.coordinator]
        intros = db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.dedupe_key.like(f"intro:{pid}:%"))
        ).all()
        assert len(intros) == 2
    with app.app_context():
        accepted = db.session.get(Proposal, pid)
        assert accepted is not None and accepted.need is not None and accepted.offer is not None
        need_owner, helper = accepted.need.person, accepted.offer.person
        helper_contact = {
            "id": helper.id,
            "name": helper.name,
            "email": helper.email,
            "phone": helper.phone,
        }
    seen_by_owner = client.get(f"{API}/proposals/{pid}", headers=bearer(app, need_owner.id))
    assert seen_by_owner.get_json()["contact"] == helper_contact
    # The list says the same of it: the contact to its people, none to the coordinator.
    for viewer, contact in ((bearer(app, need_owner.id), helper_contact), (koor, None)):
        listed = client.get(f"{API}/proposals?status=accepted", headers=viewer).get_json()
        assert [i["contact"] for i in listed["items"] if i["id"] == pid] == [contact]
    assert body["contact"] is None  # the coordinator is not a side (people/{id} has contacts)
    again = assert_problem(
        client.post(f"{API}/proposals/{pid}/decline", headers=koor, json={"reason": "x"}), 409
    )
    assert "accepted" in again["detail"]


def test_decline_needs_a_reason_and_convene_keeps_it_open(app: Flask, client: FlaskClient) -> None:
    k = seed_klaten(app)
    koor = bearer(app, k.coordinator)
    pid = first_proposal(app, status=ProposalStatus.PROPOSED, kind=ProposalKind.NEED_PERSON)
    missing = assert_problem(
        client.post(f"{API}/proposals/{pid}/decline", headers=koor, json={}), 422
    )
    assert missing["errors"][0]["field"] == "reason"
    blank = assert_problem(
        client.post(f"{API}/proposals/{pid}/decline", headers=koor, json={"reason": "  "}), 422
    )
    assert blank["errors"][0]["field"] == "reason"
    convened = client.post(f"{API}/proposals/{pid}/convene", headers=koor)
    assert convened.get_json()["status"] == "convene"
    declined = client.post(
        f"{API}/proposals/{pid}/decline", headers=koor, json={"reason": "sudah ditangani"}
    )
    assert declined.get_json()["status"] == "declined"
    assert declined.get_json()["decision_note"] == "sudah ditangani"


def test_people_show_contact_only_to_whom_may_see_it(app: Flask, client: FlaskClient) -> None:
    k = seed_klaten(app)
    fac = bearer(app, k.facilitator)
    people = _all(client, "/people", fac)
    me = next(p for p in people if p["id"] == k.facilitator)
    others = [p for p in people if p["id"] != k.facilitator]
    assert me["email"] and others and all(p["email"] is None and p["phone"] is None for p in others)
    seen = _all(client, "/people", bearer(app, k.coordinator))
    assert all(p["email"] for p in seen)
    assert_problem(client.get(f"{API}/people/{k.facilitator}", headers=bearer(app, k.foreign)), 404)
    coordinators = _all(client, "/people?role=coordinator", fac)
    assert [p["id"] for p in coordinators] == [k.coordinator]


def test_needs_write_cycle(app: Flask, client: FlaskClient) -> None:
    k = seed_klaten(app)
    fac = bearer(app, k.facilitator)
    koor = bearer(app, k.coordinator)
    body = {
        "title": "Butuh pelatih pembukuan",
        "skills": ["bookkeeping"],
        "kecamatan_code": "33.10.12",
    }
    created = client.post(f"{API}/needs", headers=fac, json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    need = created.get_json()
    assert (
        need["kecamatan_code"] == "33.10.12" and need["village_code"] is None and need["can_edit"]
    )
    nid = need["id"]
    assert client.get(f"{API}/needs/{nid}", headers=koor).get_json()["can_edit"] is False
    assert_problem(client.put(f"{API}/needs/{nid}", headers=koor, json=body), 403)
    assert_problem(client.get(f"{API}/needs/{nid}", headers=bearer(app, k.foreign)), 404)
    unknown = assert_problem(
        client.put(f"{API}/needs/{nid}", headers=fac, json={**body, "skills": ["no_such_skill"]}),
        422,
    )
    assert unknown["errors"] == [{"field": "skills", "message": "unknown skill: no_such_skill"}]
    elsewhere = assert_problem(
        client.post(f"{API}/needs", headers=fac, json={**body, "kecamatan_code": "34.04.01"}), 422
    )
    assert elsewhere["errors"][0]["field"] == "village_code"
    window = assert_problem(
        client.post(
            f"{API}/needs",
            headers=fac,
            json={**body, "needed_from": "2030-02-01", "needed_until": "2030-01-01"},
        ),
        422,
    )
    assert window["errors"][0]["field"] == "needed_until"
    renamed = client.put(f"{API}/needs/{nid}", headers=fac, json={**body, "title": "Pelatih"})
    assert renamed.get_json()["title"] == "Pelatih"
    withdrawn = client.post(f"{API}/needs/{nid}/status", headers=fac, json={"action": "withdraw"})
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert_problem(
        client.post(f"{API}/needs/{nid}/status", headers=fac, json={"action": "fulfil"}), 409
    )
    assert (
        client.post(f"{API}/needs/{nid}/status", headers=fac, json={"action": "reopen"}).get_json()[
            "status"
        ]
        == "open"
    )
    mine = _all(client, "/needs?mine=true", fac)
    assert nid in {n["id"] for n in mine} and all(n["can_edit"] for n in mine)
    assert {n["id"] for n in _all(client, "/needs?skill=bookkeeping&kecamatan=33.10.12", koor)} >= {
        nid
    }


def test_a_facilitator_lists_only_their_own_needs_and_offers(
    app: Flask, client: FlaskClient
) -> None:
    k = seed_klaten(app)
    fac = bearer(app, k.facilitator)
    for kind in ("needs", "offers"):
        items = _all(client, f"/{kind}", fac)
        assert all(i["person"]["id"] == k.facilitator for i in items), kind
        everything = _all(client, f"/{kind}", bearer(app, k.coordinator))
        assert len(everything) > len(items)
        assert _all(client, f"/{kind}", bearer(app, k.foreign)) == []


def test_offers_write_cycle(app: Flask, client: FlaskClient) -> None:
    k = seed_klaten(app)
    fac = bearer(app, k.facilitator)
    body = {
        "title": "Pelatihan pembukuan",
        "skills": ["bookkeeping"],
        "village_codes": ["33.10.12.2001"],
        "capacity": 3,
    }
    created = client.post(f"{API}/offers", headers=fac, json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    oid = created.get_json()["id"]
    nowhere = assert_problem(
        client.put(f"{API}/offers/{oid}", headers=fac, json={**body, "village_codes": []}), 422
    )
    assert nowhere["errors"][0]["field"] == "village_codes"
    assert_problem(client.post(f"{API}/offers", headers=fac, json={**body, "capacity": 0}), 422)
    fulfilled = client.post(f"{API}/offers/{oid}/status", headers=fac, json={"action": "fulfil"})
    assert fulfilled.get_json()["status"] == "fulfilled"
    assert_problem(
        client.put(f"{API}/offers/{oid}", headers=bearer(app, k.coordinator), json=body), 403
    )


CHANGE = {
    "program_id": 1,
    "village_code": "33.10.12.2001",
    "category_code": "house_renovation",
    "title": "Diubah",
    "start_date": "2031-01-01",
    "end_date": "2031-06-30",
}


def test_interventions_regency_wide_read_own_write(app: Flask, client: FlaskClient) -> None:
    k = seed_klaten(app)
    fac = bearer(app, k.facilitator)
    with app.app_context():
        flagged = db.session.scalars(sa.select(OverlapFlag).order_by(OverlapFlag.id)).first()
        assert flagged is not None
        item = flagged.interventions[0]
        iid, recorder, program = item.id, item.facilitator_id, item.program_id
        person = db.session.get(Person, k.facilitator)
        assert person is not None
        own_program = person.programs[0].id
    detail = client.get(f"{API}/interventions/{iid}", headers=fac).get_json()
    assert flagged.id in [f["id"] for f in detail["flags"]]
    assert detail["program"]["id"] == program
    if recorder != k.facilitator:  # readable, but only its recorder changes it
        assert_problem(client.put(f"{API}/interventions/{iid}", headers=fac, json=CHANGE), 403)
    assert_problem(client.get(f"{API}/interventions/{iid}", headers=bearer(app, k.foreign)), 404)
    body = {
        "program_id": own_program,
        "village_code": "33.10.12.2001",
        "category_code": "house_renovation",
        "title": "Rehab RTLH tahap 2",
        "start_date": "2031-01-01",
        "end_date": "2031-06-30",
    }
    created = client.post(f"{API}/interventions", headers=fac, json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["budget_year"] == 2031
    duplicate = assert_problem(client.post(f"{API}/interventions", headers=fac, json=body), 409)
    assert duplicate["errors"][0]["field"] == "start_date"
    with app.app_context():
        others = db.session.scalars(
            sa.select(Intervention.program_id).where(Intervention.program_id != own_program)
        ).first()
        mine = {p.id for p in db.session.get(Person, k.facilitator).programs}  # type: ignore[union-attr]
    if others not in mine:
        foreign_program = assert_problem(
            client.post(f"{API}/interventions", headers=fac, json={**body, "program_id": others}),
            422,
        )
        assert foreign_program["errors"][0]["field"] == "program_id"
    listed = _all(client, "/interventions?village=33.10.12.2001&year=2031", fac)
    assert [i["title"] for i in listed] == ["Rehab RTLH tahap 2"]


def test_flags_are_for_coordinators_and_gaps_follow_the_need(
    app: Flask, client: FlaskClient
) -> None:
    k = seed_klaten(app)
    koor = bearer(app, k.coordinator)
    assert_problem(client.get(f"{API}/overlap-flags", headers=bearer(app, k.facilitator)), 403)
    flags = _all(client, "/overlap-flags", koor)
    assert flags
    flag = flags[0]
    assert flag["interventions"] and all(
        i["type"] == "intervention" and i["title"] for i in flag["interventions"]
    )
    assert flag["level"] in ("high", "medium", "low") and flag["programs"]
    assert all(f["level"] == "high" for f in _all(client, "/overlap-flags?level=high", koor))
    assert_problem(
        client.get(f"{API}/overlap-flags/{flag['id']}", headers=bearer(app, k.foreign)), 404
    )
    gaps = _all(client, "/gaps", koor)
    for gap in gaps:
        assert gap["need"]["type"] == "need" and gap["need"]["title"]
    assert _all(client, "/gaps", bearer(app, k.foreign)) == []


def test_regions_and_programs(app: Flask, client: FlaskClient, make_person) -> None:
    headers = bearer(app, make_person("sri@example.org"))
    klaten = client.get(f"{API}/regions/33.10", headers=headers).get_json()
    assert klaten == {
        "code": "33.10",
        "name": "Kabupaten Klaten",
        "level": "regency",
        "parent": "33",
        "kind": "kabupaten",
    }
    kecamatan = _all(client, "/regions?parent=33.10", headers)
    assert len(kecamatan) == 26 and all(k["level"] == "kecamatan" for k in kecamatan)
    villages = _all(client, "/regions?parent=33.10.01", headers)
    assert villages and all(v["code"].startswith("33.10.01.") for v in villages)
    assert _all(client, f"/regions?parent={villages[0]['code']}", headers) == []
    assert_problem(client.get(f"{API}/regions?parent=99", headers=headers), 404)
    assert_problem(client.get(f"{API}/regions/99.99", headers=headers), 404)
    assert client.get(f"{API}/programs", headers=headers).get_json() == {
        "items": [],
        "next_cursor": None,
    }
