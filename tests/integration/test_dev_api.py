"""The real HTTP API through ``linkcheck dev``: the emulated API Gateway, the real authorizer
and api handler, moto, and real HTTP servers on 127.0.0.1 as the links being checked."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator

import httpx
import pytest

from linkcheck.local.stack import DevStack
from tests.e2e.servers import Reply, ScriptedServer, scripted_server
from tests.integration.devstack import DevStackFactory, stack_options

PAGE = Reply(200, {"content-type": "text/html"}, b"<html><body><h1>A real page</h1></body></html>")


@pytest.fixture()
def site() -> Iterator[ScriptedServer]:
    with scripted_server() as server:
        server.route("/page", PAGE)
        server.route("/gone", Reply(404, {"content-type": "text/html"}, b"<h1>Not found</h1>"))
        yield server


@pytest.fixture(scope="module")
def dev_stack(moto_endpoint: str) -> Iterator[DevStack]:
    """One stack for the tests of this module that need no special options (faster)."""
    stack = DevStack(**stack_options(moto_endpoint)).start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture()
def api(dev_stack: DevStack) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {dev_stack.api_key}"}
    with httpx.Client(
        base_url=dev_stack.base_url, headers=headers, trust_env=False, timeout=30
    ) as client:
        yield client


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["message"], body
    return str(body["error"]["code"])


# ------------------------------------------------------------------------- auth


def test_no_key_is_401_from_the_gateway(dev_stack: DevStack) -> None:
    with httpx.Client(base_url=dev_stack.base_url, trust_env=False) as client:
        response = client.get("/me")
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_unknown_key_is_401_with_a_clear_error(dev_stack: DevStack) -> None:
    with httpx.Client(base_url=dev_stack.base_url, trust_env=False) as client:
        response = client.get("/me", headers={"Authorization": "Bearer lck_not_a_real_key"})
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"


def test_the_first_key_identifies_its_tenant(api: httpx.Client, dev_stack: DevStack) -> None:
    response = api.get("/me")
    assert response.status_code == 200, response.text
    assert response.json()["tenant"] == "dev"
    assert dev_stack.first_key is not None
    assert response.json()["key_id"] == dev_stack.first_key.key_id


# ------------------------------------------------------------------------- error statuses


def test_malformed_json_is_400(api: httpx.Client) -> None:
    response = api.post(
        "/check", content=b'{"url": "https://', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error_code(response)


def test_invalid_input_is_422_naming_the_field(api: httpx.Client) -> None:
    response = api.post("/check", json={"url": "https://a.example", "urls": ["https://b.example"]})
    assert response.status_code == 422, response.text
    assert error_code(response) == "invalid_input"
    assert api.post("/check", json={"urls": "not a list"}).status_code == 422


def test_too_large_is_413(api: httpx.Client) -> None:
    too_many = api.post("/check", json={"urls": [f"https://e.example/{i}" for i in range(101)]})
    assert too_many.status_code == 413, too_many.text
    assert error_code(too_many) == "too_large"
    huge = api.post("/check", json={"url": "https://e.example/" + "a" * 2_000_000})
    assert huge.status_code == 413, huge.text
    beyond_gateway = api.post("/check", content=b"x" * (10 * 1024 * 1024 + 1))
    assert beyond_gateway.status_code == 413


def test_unknown_route_and_unknown_link_are_404(api: httpx.Client) -> None:
    response = api.get("/no-such-route")
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert api.get("/links/lnk_does_not_exist").status_code == 404


def test_wrong_method_is_405_with_allow(api: httpx.Client) -> None:
    response = api.delete("/check")
    assert response.status_code == 405, response.text
    assert "GET" in response.headers["allow"] and "POST" in response.headers["allow"]


def test_over_the_rate_limit_is_429_with_retry_after(
    dev_stack_factory: DevStackFactory,
) -> None:
    stack = dev_stack_factory(env={"RATE_LIMIT_PER_MINUTE": "3"})
    headers = {"Authorization": f"Bearer {stack.api_key}"}
    with httpx.Client(base_url=stack.base_url, headers=headers, trust_env=False) as client:
        statuses = [client.get("/me").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/me")
    # The authorizer's answer is cached (ReauthorizeEvery); the api function counted anyway.
    assert [gate.calls for gate in stack.authorizers.values()] == [1]
    assert limited.status_code == 429
    assert error_code(limited) == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60


# ------------------------------------------------------------------------- checks


def test_a_single_check_of_a_local_page(api: httpx.Client, site: ScriptedServer) -> None:
    ok = api.get("/check", params={"url": site.url("/page")})
    assert ok.status_code == 200, ok.text
    assert (ok.json()["status"], ok.json()["reason"]) == ("ok", "http_2xx")
    gone = api.post("/check", json={"url": site.url("/gone")})
    assert (gone.json()["status"], gone.json()["reason"]) == ("broken", "http_404")


def test_a_batch_check_answers_in_order(api: httpx.Client, site: ScriptedServer) -> None:
    urls = [site.url("/gone"), site.url("/page"), "not a url"]
    response = api.post("/check", json={"urls": urls})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["url"] for r in results][:2] == urls[:2]
    assert [r["status"] for r in results] == ["broken", "ok", "invalid"]


def test_private_networks_are_refused_unless_allowed(
    dev_stack_factory: DevStackFactory, site: ScriptedServer
) -> None:
    stack = dev_stack_factory(allow_private_networks=False)
    headers = {"Authorization": f"Bearer {stack.api_key}"}
    with httpx.Client(base_url=stack.base_url, headers=headers, trust_env=False) as client:
        result = client.get("/check", params={"url": site.url("/page")}).json()
    assert (result["status"], result["reason"]) == ("invalid", "forbidden_target")
    # The local stack names the option that allows it (a deployment has none to name).
    assert result["detail"].endswith("checked only with linkcheck dev --allow-private-networks.")
    assert site.hits("/page") == []


# ------------------------------------------------------------------------- docs


def test_openapi_json_is_valid_openapi_3_and_public(dev_stack: DevStack) -> None:
    with httpx.Client(base_url=dev_stack.base_url, trust_env=False) as client:
        response = client.get("/openapi.json")
        docs = client.get("/docs")
        as_json = client.get("/docs", params={"format": "json"})
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/check" in document["paths"]
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(json.loads(response.text))
    assert docs.status_code == 200
    assert "text/html" in docs.headers["content-type"]
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_json.json() == document


# ------------------------------------------------------------------------- access log

SECRET = "hunter2-do-not-log"


def test_the_access_log_never_shows_query_strings(
    api: httpx.Client, dev_stack: DevStack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # what `linkcheck dev` prints
    checked = api.get("/check", params={"url": f"http://user:{SECRET}@127.0.0.1:9/"})
    assert checked.status_code == 200, checked.text
    anonymous = httpx.get(f"{dev_stack.base_url}/me?api_key={SECRET}", trust_env=False)
    assert anonymous.status_code == 401
    host, port = dev_stack.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(f"GET /check?url=http://u:{SECRET}@x/ junk HTTP/1.1\r\n\r\n".encode())
        assert raw.recv(1024).startswith(b"HTTP/1.1 400")  # a malformed request line

    # Everything the stack logged (the test's own HTTP client logs its URLs: not the stack's).
    logged = "\n".join(
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith(("httpx", "httpcore"))
    )
    assert SECRET not in logged
    assert '"GET /check HTTP/1.1" 200' in logged
    assert '"GET /me HTTP/1.1" 401' in logged
    assert "refused a malformed request (400)" in logged
