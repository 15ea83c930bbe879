"""The signed-in people of the page benchmark, driven by Locust in a process of their own.

    python -m benchmarks.web_users PLAN.json RESULTS.json

``benchmarks.web`` writes the plan (base URL, accounts, API tokens, each person's requests) and
reads the results: one row per request (page, milliseconds, bytes, error or None). Locust patches
the standard library for gevent when imported (``time.sleep`` here yields to the other people), which is why it never runs in the process that
prepared the database. Each person signs in with the real form (not counted), then makes the
requests of their plan one after another with a short pause before each, and stops: the number
of requests is bounded, whatever the machine's speed.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from locust.exception import StopUser

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

Row = tuple[str, float, int, str | None]
RESULTS: list[Row] = []
PLAN: dict[str, Any] = {}
#: People signed in so far: nobody starts before everyone has (signing in is slow on purpose).
SIGNED_IN = [0]


def _accounts(role: str) -> Iterator[dict[str, Any]]:
    yield from PLAN["accounts"][role]


_NEXT: dict[str, Iterator[dict[str, Any]]] = {}


class Person(FastHttpUser):
    """One signed-in person working through the plan's requests for their role."""

    abstract = True
    role = ""
    wait_time = between(1.0, 3.0)  # replaced by the plan's ``think``

    def on_start(self) -> None:
        account = next(_NEXT[self.role])
        self.requests: list[tuple[str, str]] = [(n, p) for n, p in account["requests"]]
        self.token = account["token"]
        page = self.client.get("/login", name="sign-in")
        match = CSRF.search(page.text or "")
        assert match, "no CSRF token on /login"
        answer = self.client.post(
            "/login",
            data={
                "email": account["email"],
                "password": PLAN["password"],
                "csrf_token": match.group(1),
            },
            allow_redirects=False,
            name="sign-in",
        )
        SIGNED_IN[0] += 1
        if answer.status_code not in (302, 303):
            raise StopUser
        while SIGNED_IN[0] < PLAN["users"]:
            time.sleep(0.05)
        # The first request after a pause drawn like the others: released together by the
        # wait above, the twenty first requests went out in the same millisecond and queued
        # on the two workers (22-133 ms, the slowest of a run), which no one at work does.
        time.sleep(random.uniform(*PLAN["think"]))

    @task
    def next_request(self) -> None:
        if not self.requests:
            raise StopUser
        name, path = self.requests.pop(0)
        headers = {"Authorization": f"Bearer {self.token}"} if path.startswith("/api/") else {}
        with self.client.get(
            path, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")


class Coordinator(Person):
    role = "coordinator"
    fixed_count = 0


class Facilitator(Person):
    role = "facilitator"
    fixed_count = 0


def _record(
    request_type: str,
    name: str,
    response_time: float,
    response_length: int,
    exception: BaseException | None = None,
    **_: Any,
) -> None:
    if name != "sign-in" or exception is not None:
        RESULTS.append(
            (name, response_time, response_length, repr(exception) if exception else None)
        )


def main(argv: list[str]) -> int:
    plan_path, results_path = argv
    with open(plan_path, encoding="utf-8") as f:
        PLAN.update(json.load(f))
    for role in ("coordinator", "facilitator"):
        _NEXT[role] = _accounts(role)
    Coordinator.fixed_count = len(PLAN["accounts"]["coordinator"])
    Facilitator.fixed_count = len(PLAN["accounts"]["facilitator"])
    Coordinator.host = Facilitator.host = PLAN["base_url"]
    Person.wait_time = between(*PLAN["think"])
    users = PLAN["users"] = Coordinator.fixed_count + Facilitator.fixed_count
    events.request.add_listener(_record)  # type: ignore[no-untyped-call]
    env = Environment(user_classes=[Coordinator, Facilitator], events=events)
    runner = env.create_local_runner()
    started = time.perf_counter()
    runner.start(users, spawn_rate=users)
    if runner.spawning_greenlet is not None:
        runner.spawning_greenlet.join()
    while runner.user_count > 0 and time.perf_counter() - started < PLAN["timeout"]:
        time.sleep(0.2)
    runner.quit()
    with open(results_path, "w", encoding="utf-8") as f:
        json.dump({"rows": RESULTS, "seconds": time.perf_counter() - started}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
