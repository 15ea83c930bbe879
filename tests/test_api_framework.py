"""The API's plumbing: bearer tokens, problem details, pagination, ETags, the OpenAPI document."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from titiktemu.accounts.tokens import revoke_token
from titiktemu.extensions import db
from titiktemu.models import ApiToken, Person, Role

from .api_support import assert_problem, bearer
from .test_security import filled_path

PUBLIC = {"api.openapi_document", "api.api_docs"}


def api_rules(app: Flask) -> list[tuple[Rule, str]]:
    return sorted(
        (
            (rule, method)
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("api.")
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        ),
        key=lambda pair: (pair[0].rule, pair[1]),
    )


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer tt_not-a-real-token", "Basic dXNlcjpwYXNz", "tt_abc"]
)
def test_every_api_route_without_a_valid_token_answers_401(
    app: Flask, client: FlaskClient, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    rules = api_rules(app)
    assert len(rules) >= 25
    for rule, method in rules:
        if rule.endpoint in PUBLIC:
            continue
        answer = client.open(filled_path(rule), method=method, headers=headers, json={})
        body = assert_problem(answer, 401)
        assert answer.headers["WWW-Authenticate"].startswith("Bearer"), rule.rule
        assert body["instance"] == filled_path(rule)


def test_a_revoked_token_or_an_inactive_person_is_refused(
    app: Flask, client: FlaskClient, make_person
) -> None:
    sri = make_person("sri@example.org")
    headers = bearer(app, sri)
    assert client.get("/api/v1/needs", headers=headers).status_code == 200
    with app.app_context():
        person = db.session.get(Person, sri)
        assert person is not None
        token = db.session.query(ApiToken).filter_by(person_id=sri).one()
        assert revoke_token(db.session(), person, token.id)
        db.session.commit()
    assert_problem(client.get("/api/v1/needs", headers=headers), 401)
    second = bearer(app, sri, "second")
    with app.app_context():
        person = db.session.get(Person, sri)
        assert person is not None
        person.active = False
        db.session.commit()
    assert_problem(client.get("/api/v1/needs", headers=second), 401)


def test_cookies_do_not_authenticate(app: Flask, client: FlaskClient, auth, make_person) -> None:
    from .conftest import PASSWORD

    make_person("sri@example.org")
    assert auth.login("sri@example.org", PASSWORD).status_code == 302
    assert_problem(client.get("/api/v1/needs"), 401)


def test_errors_are_problems(app: Flask, client: FlaskClient, make_person) -> None:
    headers = bearer(app, make_person("sri@example.org"))
    assert_problem(client.get("/api/v1/no-such-thing", headers=headers), 404)
    wrong = client.delete("/api/v1/needs", headers=headers)
    assert_problem(wrong, 405)
    assert "GET" in wrong.headers["Allow"]
    assert_problem(client.get("/api/v1/needs/abc", headers=headers), 404)
    assert_problem(client.get("/api/v1/needs/99999999999999", headers=headers), 404)
    bad_json = client.post(
        "/api/v1/needs", data="{", content_type="application/json", headers=headers
    )
    assert_problem(bad_json, 400)
    form = client.post("/api/v1/needs", data={"title": "x"}, headers=headers)
    assert_problem(form, 415)
    limit = assert_problem(client.get("/api/v1/needs?limit=500", headers=headers), 422)
    assert [e["field"] for e in limit["errors"]] == ["query.limit"]
    unknown = assert_problem(client.get("/api/v1/needs?colour=red", headers=headers), 422)
    assert unknown["errors"][0]["field"] == "query.colour"
    body = assert_problem(
        client.post("/api/v1/needs", json={"title": "", "skills": []}, headers=headers), 422
    )
    assert {e["field"] for e in body["errors"]} == {"title", "skills"}
    nul = assert_problem(
        client.post("/api/v1/needs", json={"title": "a\x00b", "skills": ["x"]}, headers=headers),
        422,
    )
    assert nul["errors"][0]["field"] == "title"


def test_the_web_keeps_its_html_error_pages(client: FlaskClient) -> None:
    answer = client.get("/no-such-page")
    assert answer.status_code == 404 and answer.mimetype == "text/html"


def test_cursor_pagination_walks_every_item_once(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        for n in range(7):
            db.session.add(Person(email=f"p{n}@example.org", name=f"P {n}", regency_code="33.10"))
        db.session.add(
            Person(
                email="koor@example.org", name="Koor", role=Role.COORDINATOR, regency_code="33.10"
            )
        )
        db.session.commit()
        koor = db.session.query(Person).filter_by(email="koor@example.org").one().id
    headers = bearer(app, koor)
    seen: list[int] = []
    url = "/api/v1/people?limit=3"
    pages = 0
    while url:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200
        page = answer.get_json()
        seen += [p["id"] for p in page["items"]]
        pages += 1
        if page["next_cursor"]:
            link = answer.headers["Link"]
            # The link carries the cursor URL-encoded ("=" padding becomes %3D).
            assert link.endswith('rel="next"') and page["next_cursor"] in unquote(link)
            url = f"/api/v1/people?limit=3&cursor={page['next_cursor']}"
        else:
            assert "Link" not in answer.headers
            url = ""
    assert pages == 3 and len(seen) == 8 and seen == sorted(set(seen))
    bad = assert_problem(client.get("/api/v1/people?cursor=bm9wZQ", headers=headers), 422)
    assert bad["errors"][0]["field"] == "query.cursor"


def test_etags_answer_304_when_nothing_changed(
    app: Flask, client: FlaskClient, make_person
) -> None:
    headers = bearer(app, make_person("sri@example.org"))
    first = client.get("/api/v1/people", headers=headers)
    tag = first.headers["ETag"]
    assert tag.startswith('"') and first.status_code == 200
    again = client.get("/api/v1/people", headers={**headers, "If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == tag
    make_person("ani@example.org", name="Ani")
    changed = client.get("/api/v1/people", headers={**headers, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


def test_the_openapi_document_is_public_and_3_1(client: FlaskClient, app: Flask) -> None:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    doc = answer.get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token from your profile page",
    }
    operations = [(m.upper(), p) for p, item in doc["paths"].items() for m in item]
    registered = {
        (method, rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}"))
        for rule, method in api_rules(app)
    }
    assert set(operations) == registered
    need = doc["paths"]["/needs/{id}"]["get"]
    assert need["security"] == [{"bearer": []}]
    assert need["responses"]["404"] == {"$ref": "#/components/responses/404"}
    assert doc["paths"]["/openapi.json"]["get"]["security"] == []
    problem = doc["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem["properties"])
    proposal = doc["components"]["schemas"]["ProposalOut"]["properties"]
    assert {"rank", "sides", "reasons", "score", "kind", "status"} <= set(proposal)
    person = doc["components"]["schemas"]["PersonOut"]["properties"]
    assert {"type": "null"} in person["email"]["anyOf"]
