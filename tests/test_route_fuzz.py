"""Every GET route, fuzzed: no path segment or query value may make a server error.

For every GET rule of the URL map (the API's too), values for its path variables and for the query
parameters its view reads (found in the view module's source - ``request.args``, ``arg_int`` and
filter forms fed the query string - or, for the API, in its OpenAPI document): huge and negative
integers, NUL and control characters, very long strings, unicode digits, codes that look almost
right. First each parameter poisoned in turn (deterministic), then hypothesis over them all, signed
in as Klaten's coordinator and as one of its facilitators, with a little data (a program, an
intervention, a need, an offer) so the pages with an id render in full. Every answer must be
below 500: bad input is a 400 or a 404. Last, the requests issue 12 named, one by one.

Derandomised; TITIKTEMU_FUZZ_EXAMPLES sets hypothesis's examples per route (10 keeps the file
near 20 s of CPU; 60 is a long hunt before a change to the views lands).
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import os
import re
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, IntegerConverter, Rule
from wtforms.fields.core import UnboundField

from titiktemu.exchange.commands import InterventionInput, save_intervention
from titiktemu.extensions import db
from titiktemu.models import ExchangeStatus, Need, Offer, Person, Program, Role, Skill
from titiktemu.models.programs import FundingSource

from .api_support import PROBLEM, bearer
from .conftest import PASSWORD, csrf_token

EXAMPLES = int(os.environ.get("TITIKTEMU_FUZZ_EXAMPLES", "10"))
WEB = Path(__file__).resolve().parents[1] / "web"
SENGON = "33.10.01.2001"
PRAMBANAN = "33.10.01"

#: Query parameters read through forms or helpers, which the scan below cannot see.
CURATED = (
    "program",
    "page",
    "per_page",
    "village",
    "kecamatan",
    "regency",
    "year",
    "q",
    "status",
    "category",
    "sort",
    "kind",
    "format",
    "lang",
    "next",
    "min_score",
    "overdue",
    "show",
    "by",
    "r",
    "exclude",
    "start_date",
    "end_date",
    "households",
    "budget",
    "skills",
    "title",
    "area",
    "cursor",
    "limit",
    "since",
    "updated_since",
    "person",
    "token",
    "endpoint",
    "_method",
)
#: ``request.args.get("x")``, ``.getlist("x")``, ``request.args["x"]``, ``arg_int("x")``.
READS = re.compile(
    r"""(?:request\.args(?:\.get|\.getlist)?\(|request\.args\[|arg_int\()\s*["'](\w+)["']"""
)


@functools.cache
def query_names() -> list[str]:
    """Every name a view reads from ``request.args``, found in the source, and the curated ones."""
    found = set(CURATED)
    for path in WEB.rglob("*.py"):
        for match in READS.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1))
    return sorted(found)


#: Values that broke, or nearly broke, a page once; hypothesis mixes them with generated ones.
NASTY = (
    "",
    "0",
    "-1",
    "1",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "1e309",
    "NaN",
    "inf",
    "²",
    "١٢",
    "0x10",
    "1_000",
    " 1",
    "\x00",
    "a\x00b",
    f"{SENGON}\x00",
    "\x1f",
    "\x7f",
    "\u202e",
    "\ufeff",
    "x" * 5000,
    "9" * 400,
    "33.10",
    PRAMBANAN,
    SENGON,
    "33.10.01.9999",
    "34.04",
    "34.04.01.2001",
    "..",
    "../../etc/passwd",
    "%00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "2024-02-30",
    "0001-01-01",
    "9999-12-31",
    "proposed",
    "accepted",
    "village",
    "person",
    "program",
    "csv",
    "xlsx",
    "en",
    "id",
    "//evil.example",
)
#: Integers past PostgreSQL's integer (and bigint), either sign.
HUGE_INTEGERS = st.one_of(
    st.integers(min_value=2**31, max_value=10**30), st.integers(max_value=-(2**31) - 1)
).map(str)
#: Each kind of trouble its own branch, so ten examples meet most of them.
VALUES = st.one_of(
    st.sampled_from(NASTY),
    HUGE_INTEGERS,
    st.integers(min_value=-1000, max_value=1000).map(str),
    st.text(st.characters(max_codepoint=0x9F), max_size=12),  # ASCII, controls, C1
    st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=8), st.text(max_size=8)),
    st.integers(min_value=1001, max_value=6000).map(lambda n: "7" * n),  # over-long
    st.text(max_size=40),  # any unicode
)


@dataclass
class Seeded:
    coordinator: int
    facilitator: int
    program: int
    intervention: int
    need: int
    offer: int


@pytest.fixture
def seeded(app: Flask, make_person: Any) -> Seeded:
    """Klaten's coordinator and a facilitator, with one of each thing a page shows."""
    coordinator = make_person("koordinator@example.org", role=Role.COORDINATOR, name="Koor")
    facilitator = make_person("sri@example.org")
    with app.app_context():
        session = db.session()
        program = Program(
            code="RTLH", name="RTLH", agency="Dinas", funding_source=FundingSource.APBD
        )
        session.add(program)
        session.flush()
        sri = session.get(Person, facilitator)
        assert sri is not None
        sri.programs, sri.home_village_code = [program], SENGON
        item = save_intervention(
            session,
            sri,
            InterventionInput(
                program_id=program.id,
                village_code=SENGON,
                category_code="house_renovation",
                title="Bedah rumah",
                start_date=dt.date.today(),
                end_date=dt.date.today() + dt.timedelta(days=90),
                households=10,
                budget_idr=150_000_000,
            ),
        )
        skill = session.get(Skill, "bookkeeping")
        assert skill is not None
        need = Need(
            person_id=facilitator,
            title="Pembukuan BUMDes",
            kecamatan_code=PRAMBANAN,
            village_code=SENGON,
            status=ExchangeStatus.OPEN,
            skills=[skill],
        )
        offer = Offer(person_id=coordinator, title="Pelatihan pembukuan", skills=[skill])
        session.add_all([need, offer])
        session.commit()
        return Seeded(coordinator, facilitator, program.id, item.id, need.id, offer.id)


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    token = csrf_token(client, "/login")
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, f"{email} could not sign in"
    return client


@dataclass
class Callers:
    """A signed-in client per role, and the headers each sends (a bearer token for the API)."""

    clients: dict[str, FlaskClient]
    tokens: dict[str, dict[str, str]]
    ids: list[int]

    def get(self, role: str, path: str, query: dict[str, str] | None = None) -> int | str:
        """The status of one GET, or the exception a view raised (TESTING propagates it)."""
        headers = self.tokens[role] if path.startswith("/api/") else {}
        try:
            return self.clients[role].get(path, query_string=query, headers=headers).status_code
        except Exception as exc:
            return f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"


@pytest.fixture
def callers(app: Flask, seeded: Seeded) -> Callers:
    return Callers(
        clients={
            "coordinator": _signed_in(app, "koordinator@example.org"),
            "facilitator": _signed_in(app, "sri@example.org"),
        },
        tokens={
            "coordinator": bearer(app, seeded.coordinator),
            "facilitator": bearer(app, seeded.facilitator),
        },
        ids=sorted(
            {seeded.program, seeded.intervention, seeded.need, seeded.offer, seeded.facilitator}
        ),
    )


def get_rules(app: Flask) -> list[Rule]:
    """Every rule answering GET but the static files'."""
    rules = (r for r in app.url_map.iter_rules() if "GET" in (r.methods or ()))
    return sorted((r for r in rules if r.endpoint != "static"), key=lambda r: r.rule)


def _api_names(app: Flask) -> dict[str, list[str]]:
    """The query parameters of each API path, as its OpenAPI document lists them."""
    with app.test_request_context():
        document = app.test_client().get("/api/v1/openapi.json").get_json()
    names: dict[str, list[str]] = {}
    for path, operations in document["paths"].items():
        get = operations.get("get", {})
        names[path] = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]
    return names


def names_of(app: Flask, rule: Rule, api: dict[str, list[str]]) -> list[str]:
    """The query parameters the rule's view reads: for a page, those its module names (through
    ``request.args`` or a filter form fed ``formdata=request.args``); for the API, its document's."""
    if rule.endpoint.startswith("api."):
        path = re.sub(r"<(?:[^<>:]+:)?(\w+)>", r"{\1}", rule.rule)
        return api.get(path, api.get(path.removeprefix("/api/v1"), []))
    view = inspect.unwrap(app.view_functions[rule.endpoint])
    module = sys.modules[view.__module__]
    source = inspect.getsource(module)
    found = {m.group(1) for m in READS.finditer(source)}
    for form_name in re.findall(r"(\w+)\(formdata=request\.args", source):
        form = getattr(module, form_name)
        found |= {name for name in dir(form) if isinstance(getattr(form, name), UnboundField)}
    return sorted(found)


def build_path(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with each variable replaced by its (percent-encoded) value."""
    path = rule.rule
    for name in rule.arguments:
        pattern = r"<(?:[^<>:]+:)?" + re.escape(name) + r">"
        path = re.sub(pattern, lambda _m, n=name: _quote(values[n]), path)  # type: ignore[misc]
    return path


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="") or "%20"


def _fitting(rule: Rule, ids: list[int]) -> dict[str, str]:
    """Path values the rule's converters accept, so the poison reaches the view."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif name == "kind":
            values[name] = "village"
        elif name in ("code", "ident"):
            values[name] = SENGON
        else:  # an id (an API id is text in the path), or a token
            values[name] = str(ids[0])
    return values


#: Poisons every path variable and query parameter gets: numbers (and a digit ``int()`` refuses)
#: one parameter at a time, so a 400 from one never hides the 500 of the next; unreadable text
#: in every parameter at once (one check refuses them all).
NUMBERS = ("99999999999999999999", "2147483648", "²")  # beyond bigint; beyond integer; not 0-9
UNREADABLE = ("\x00", "a\x1fb", "x" * 3000)
URL_FOR_NAMES = ("endpoint", "_method", "_scheme", "_external", "_anchor")


def poison_cases(
    rule: Rule, names: list[str], ids: list[int]
) -> Iterator[tuple[str, dict[str, str]]]:
    """(path, query) pairs that carry a poison into each variable and parameter of the rule."""
    fitting = _fitting(rule, ids)
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            continue  # a value outside its list never reaches a view
        for poison in (*NUMBERS, *UNREADABLE, f"{fitting[name]}\x00"):
            yield build_path(rule, {**fitting, name: poison}), {}
    for name in names:
        for poison in NUMBERS[::2]:  # beyond any integer column; a digit int() refuses
            yield build_path(rule, fitting), {name: poison}
    for poison in UNREADABLE:
        yield build_path(rule, fitting), {name: poison for name in names} or {"q": poison}
    # Names url_for keeps for itself: a page that carries its query string into links must not.
    yield build_path(rule, fitting), {name: "x" for name in URL_FOR_NAMES}


def test_every_get_route_refuses_poison_without_a_server_error(
    app: Flask, callers: Callers
) -> None:
    """Each parameter of each GET route, poisoned in turn, as the coordinator (who may open
    every page): a 4xx, or the page, never a 500."""
    api = _api_names(app)
    failures = []
    for rule in get_rules(app):
        for path, query in poison_cases(rule, names_of(app, rule, api), callers.ids):
            status = callers.get("coordinator", path, query)
            if not isinstance(status, int) or status >= 500:
                failures.append(f"GET {path[:100]} {str(query)[:100]} -> {status}")
    assert failures == [], "\n".join(failures)


def _path_values(rule: Rule, ids: list[int]) -> st.SearchStrategy[dict[str, str]]:
    """A value for each of the rule's variables: fitting its converter half of the time."""
    parts: dict[str, st.SearchStrategy[str]] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            parts[name] = st.sampled_from(sorted(converter.items))
        elif isinstance(converter, IntegerConverter):
            parts[name] = st.one_of(st.sampled_from([str(i) for i in ids]), HUGE_INTEGERS, VALUES)
        else:
            fitting = st.sampled_from([SENGON, "village", "person", "program", str(ids[0])])
            parts[name] = st.one_of(fitting, VALUES)
    return st.fixed_dictionaries(parts)


def fuzz_rule(rule: Rule, names: list[str], callers: Callers) -> list[str]:
    """EXAMPLES generated calls of one GET rule; the server errors found, as text."""
    failures: list[str] = []
    pool = st.sampled_from(names or list(CURATED))
    others = st.sampled_from(query_names())

    @given(
        role=st.sampled_from(sorted(callers.clients)),
        path_values=_path_values(rule, callers.ids),
        query=st.dictionaries(st.one_of(pool, pool, others), VALUES, max_size=4),
    )
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(role: str, path_values: dict[str, str], query: dict[str, str]) -> None:
        path = build_path(rule, path_values)
        status = callers.get(role, path, query)
        if not isinstance(status, int) or status >= 500:
            failures.append(f"{role} GET {path[:100]} {str(query)[:160]} -> {status}")

    call()
    return failures


def test_no_get_route_answers_a_server_error(app: Flask, callers: Callers) -> None:
    """Hypothesis over every GET route's path variables and query parameters."""
    api = _api_names(app)
    failures: list[str] = []
    for rule in get_rules(app):
        failures += fuzz_rule(rule, names_of(app, rule, api), callers)
    assert failures == [], "\n".join(failures)


# --- The cases the issue named (finding 8), one by one ---------------------------------------------

#: (path, expected status) as Klaten's coordinator: each was a 500 before.
NAMED = [
    ("/review?program=99999999999999999999", 400),
    ("/review?page=99999999999999999999", 400),
    ("/exports/proposals.csv?program=99999999999999999999", 400),
    ("/exports/proposals.xlsx?program=99999999999999999999", 400),
    ("/interventions?page=99999999999999999999", 400),
    ("/coverage?year=99999999999999999999", 400),
    ("/similar/needs?village=%00", 400),
    (f"/similar/needs?village={SENGON}%00", 400),
    ("/similar/interventions?village=%00", 400),
    ("/villages/%00", 400),
    (f"/villages/{SENGON}%00", 400),
    ("/villages/33.10.01.200x", 404),
    ("/villages/" + "9" * 300, 404),
    ("/graph/village/%00", 400),
    ("/graph/village/not-a-code", 404),
    ("/graph/person/%C2%B2", 404),
    ("/graph/program/99999999999999999999", 404),
    ("/needs/99999999999999999999", 404),
    ("/interventions/2147483648", 404),
    ("/people/99999999999999999999", 404),
    ("/coverage?kecamatan=" + "x" * 5000, 400),
    ("/profile?q=%1F", 400),
    # Found by the fuzz: the query string carried into url_for (export links, the queue's pages).
    ("/review?endpoint=x", 200),
    ("/interventions?_method=x", 200),
    ("/coverage?endpoint=x&kecamatan=33.10.01", 200),
]


def test_the_named_requests_answer_4xx(app: Flask, callers: Callers) -> None:
    client = callers.clients["coordinator"]
    got = {path: callers.get("coordinator", path) for path, _ in NAMED}
    assert got == dict(NAMED)
    assert client.get("/review?program=%C2%B2").status_code == 200  # not a number: ignored


def test_the_400_page_is_ours_and_speaks_the_readers_language(
    app: Flask, callers: Callers, seeded: Seeded
) -> None:
    client = callers.clients["coordinator"]
    page = client.get("/similar/needs?village=%00")
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "tidak dapat kami baca" in page.get_data(as_text=True)
    with app.app_context():
        db.session.execute(
            sa.update(Person).where(Person.id == seeded.coordinator).values(language="en")
        )
        db.session.commit()
    page = client.get("/review?program=99999999999999999999")
    assert page.status_code == 400 and "We could not read this request" in page.get_data(
        as_text=True
    )


def test_the_api_answers_a_problem_for_the_same(app: Flask, callers: Callers) -> None:
    headers = callers.tokens["coordinator"]
    client = callers.clients["coordinator"]
    for path, expected in (
        ("/api/v1/needs/%00", 400),
        ("/api/v1/regions/33.10%00", 400),
        ("/api/v1/needs?kecamatan=%00", 400),
        ("/api/v1/needs/99999999999999999999", 404),
    ):
        answer = client.get(path, headers=headers)
        assert (answer.status_code, answer.mimetype) == (expected, PROBLEM), path
