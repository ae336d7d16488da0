"""Stateful contract test of the HTTP API: schemathesis chains calls through the OpenAPI links.

``POST /links`` answers a link whose ``id`` the document links to ``GET``/``PATCH``/``DELETE
/links/{link_id}``, ``POST /links/{link_id}/check`` and ``GET /links/{link_id}/history``;
``POST /hooks`` to ``GET``/``DELETE /hooks/{hook_id}`` (routes/openapi_links.py). A scenario
registers links and hooks, then reads, changes, checks and deletes them in a random order (a
deleted link read again, a link checked twice, ...). Every answer, through the whole local
stack, must be documented (status, content type, headers, body schema), never a 5xx, and
schema-valid input is refused only for what no schema can say (``only_semantic_refusals``).

Links must really be registered and checked, so this stack allows private networks and every
URL the generator writes is moved onto a test server on 127.0.0.1 (``on_site``): a URL the
engine accepts becomes one of a few pages of that server (some repeat: registering the same
URL again answers 200), one it refuses is sent as generated (the ``bad_url`` answers). No
other address is ever connected to; the DNS tripwire of the contract test stays armed.

Bounded: a few scenarios of a few steps, derandomized (well under a minute on 2 cores).
``LINKCHECK_FUZZ_SCALE`` multiplies the scenarios (see docs/testing.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis import BaseSchema, GenerationMode

from linkcheck.engine.urls import BadUrl, normalize_url
from linkcheck.local.stack import DevStack
from tests.e2e.servers import Reply, ScriptedServer
from tests.fuzzing import fuzz_examples
from tests.integration.devstack import stack_options
from tests.integration.test_api_schema import (
    CHECKS,
    REQUEST_TIMEOUT_SECONDS,
    URL_FIELDS,
    dns_tripwire,
    only_semantic_refusals,
)

__all__ = ["dns_tripwire"]  # a fixture of the contract test, used here too

pytestmark = pytest.mark.slow  # the whole local stack, many generated requests

SCENARIOS = fuzz_examples(12)
STEPS = 8  # calls per scenario at most
RUNS = 3  # fresh starts after Hypothesis saw the live data change under a replay (see the test)
# Pages of the test server that generated URLs become: fine, gone, failing, and unrouted (404).
PAGES = ("/ok", "/also-ok", "/gone", "/fails", "/nowhere")
KEPT_AS_GENERATED = 8  # one generated URL or interval in this many is sent unchanged
# Valid intervals of the local stack (routes/links.py: 5 minutes to 30 days; seconds: dev only).
INTERVAL_BOUNDS = {"interval_minutes": (5, 30 * 24 * 60), "interval_seconds": (5, 30 * 24 * 3600)}


@pytest.fixture(scope="module")
def site() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        server.route("/ok", Reply(200, headers={"content-type": "text/html"}, body=b"<p>ok</p>"))
        server.route("/also-ok", Reply(200, body=b"fine"))
        server.route("/gone", Reply(410))
        server.route("/fails", Reply(503, headers={"retry-after": "0"}))
        server.route("/hook", Reply(204))
        yield server


@pytest.fixture(scope="module")
def open_stack(moto_endpoint: str) -> Iterator[DevStack]:
    """Private networks allowed (links are checked on 127.0.0.1), no rate limit."""
    options = stack_options(moto_endpoint)
    options.update(env={"RATE_LIMIT_PER_MINUTE": "0"})
    stack = DevStack(**options).start()
    try:
        yield stack
    finally:
        stack.stop()


def _hash(value: Any) -> int:
    return int.from_bytes(hashlib.sha256(repr(value).encode()).digest()[:4], "big")


def on_site(value: str, site: ScriptedServer, *, hook: bool) -> str:
    """``value`` moved onto ``site`` (its hook page, or one of ``PAGES``).

    Kept as generated when the engine refuses it anyway and the value's hash says so (one in
    ``KEPT_AS_GENERATED``): most URLs must be usable for the links to exist at all.
    """
    try:
        normalize_url(value)
    except BadUrl:
        if _hash(value) % KEPT_AS_GENERATED == 0:
            return value  # refused before any connection: the bad_url answers
    if hook:
        return site.url("/hook")
    return site.url(PAGES[_hash(value) % len(PAGES)])


def within_bounds(key: str, value: Any) -> Any:
    """A generated interval moved into the deployment's bounds, but for one in
    ``KEPT_AS_GENERATED`` (those exercise the ``interval_*`` refusals)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return value
    if _hash((key, value)) % KEPT_AS_GENERATED == 0:
        return value
    low, high = INTERVAL_BOUNDS[key]
    return low + value % (high - low + 1)


def realistic(data: Any, site: ScriptedServer) -> Any:
    """``data`` with URL fields (at any depth) on ``site`` and intervals within bounds."""
    if isinstance(data, dict):
        return {key: _realistic_field(key, value, site) for key, value in data.items()}
    if isinstance(data, list):
        return [realistic(item, site) for item in data]
    return data


def _realistic_field(key: Any, value: Any, site: ScriptedServer) -> Any:
    hook = key == "target_url"
    if key in URL_FIELDS:
        if isinstance(value, str):
            return on_site(value, site, hook=hook)
        if isinstance(value, list):
            return [on_site(v, site, hook=hook) if isinstance(v, str) else v for v in value]
    if key in INTERVAL_BOUNDS:
        return within_bounds(key, value)
    return realistic(value, site)


def test_generated_input_is_mostly_made_usable() -> None:
    with ScriptedServer() as server:
        home = server.url("")
        moved = on_site("https://example.com/a", server, hook=False)
        assert moved.startswith(home) and moved[len(home) :] in PAGES
        assert on_site("https://example.com/a", server, hook=False) == moved  # stable
        assert on_site("10.0.0.1", server, hook=True) == server.url("/hook")
        refused = [f"not a url {n}" for n in range(400)]
        kept = [value for value in refused if on_site(value, server, hook=False) == value]
        assert 0 < len(kept) < len(refused) / 4
        body = {"links": [{"url": "example.org", "interval_minutes": 0}], "tags": ["x.com"]}
        made = realistic(body, server)
        assert made["tags"] == ["x.com"] and made["links"][0]["url"].startswith(home)
        minutes = [within_bounds("interval_minutes", n) for n in range(-200, 200)]
        assert 300 < sum(5 <= m <= 30 * 24 * 60 for m in minutes) < 400


@pytest.fixture(scope="module")
def linked_schema(open_stack: DevStack) -> BaseSchema:
    schema = schemathesis.openapi.from_url(
        f"{open_stack.base_url}/openapi.json", timeout=REQUEST_TIMEOUT_SECONDS
    )
    # Invalid input is the contract test's subject; here every step should do something.
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    return schema


def test_the_document_links_created_items_to_what_takes_their_id(
    linked_schema: BaseSchema,
) -> None:
    paths = linked_schema.raw_schema["paths"]
    for status in ("200", "201"):
        links = paths["/links"]["post"]["responses"][status]["links"]
        assert sorted(links) == [
            "CheckLink",
            "DeleteLink",
            "GetLink",
            "LinkHistory",
            "UpdateLink",
        ]
        assert links["GetLink"] == {
            "operationRef": "#/paths/~1links~1{link_id}/get",
            "parameters": {"link_id": "$response.body#/id"},
            "description": "Read the link.",
        }
    hooks = paths["/hooks"]["post"]["responses"]["201"]["links"]
    assert {name: link["operationRef"] for name, link in hooks.items()} == {
        "GetHook": "#/paths/~1hooks~1{hook_id}/get",
        "DeleteHook": "#/paths/~1hooks~1{hook_id}/delete",
    }


def test_random_sequences_of_calls_honour_the_contract(
    linked_schema: BaseSchema,
    open_stack: DevStack,
    site: ScriptedServer,
    dns_tripwire: list[str],
) -> None:
    key = {"Authorization": f"Bearer {open_stack.api_key}"}
    followed: list[str] = []  # "METHOD path -> status" of steps that found the item
    failures: list[str] = []  # every broken contract, as it happens

    class Scenario(linked_schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: schemathesis.Case[Any]) -> None:
            if case.query:
                case.query = realistic(case.query, site)
            if isinstance(case.body, dict | list):
                case.body = realistic(case.body, site)

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {
                "base_url": open_stack.base_url,
                "headers": key,
                "timeout": REQUEST_TIMEOUT_SECONDS,
            }

        def after_call(self, response: schemathesis.Response, case: schemathesis.Case[Any]) -> None:
            if case.path_parameters and response.status_code < 300:
                followed.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

        def validate_response(
            self,
            response: schemathesis.Response,
            case: schemathesis.Case[Any],
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            try:
                case.validate_response(response, checks=CHECKS, headers=key)
                only_semantic_refusals(case, response)
            except Exception as exc:
                failures.append(f"{exc}\n{case.as_curl_command(headers=key)}")
                raise

    # Answers feed later steps (ids, lists holding every earlier scenario's links), so when
    # Hypothesis replays a prefix against the live stack the data can differ, which it reports
    # as FlakyStrategyDefinition. That is no verdict on the API: failures are recorded as they
    # happen (none can be lost that way) and the run starts afresh, a bounded number of times.
    # Shrinking is off for the same reason: a failure is reported as found.
    for _ in range(RUNS):
        try:
            Scenario.run(
                settings=settings(
                    max_examples=SCENARIOS,
                    stateful_step_count=STEPS,
                    derandomize=True,
                    deadline=None,
                    database=None,
                    phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
            )
            break
        except FlakyStrategyDefinition:
            assert failures == [], "\n\n".join(failures)
    assert failures == [], "\n\n".join(failures)
    assert dns_tripwire == [], f"looked up names outside 127.0.0.1: {dns_tripwire}"
    # The links were followed: ids from registrations reached the operations that take one.
    assert any(step.startswith(("GET /links/", "PATCH /links/")) for step in followed), followed
    assert any(step.startswith("DELETE /links/") for step in followed), followed
