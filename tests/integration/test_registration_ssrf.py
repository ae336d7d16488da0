"""Registration refuses what every check would refuse, before any DNS lookup: forbidden IP
literals and local-only names (links, batches, hooks), unless private networks are allowed by
the deployment (moto server, through the API handler)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from linkcheck.handlers import api
from linkcheck.settings import get_settings

EVENTS = Path(__file__).resolve().parents[2] / "events"


def request(name: str, body: Any) -> tuple[int, Any]:
    event = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
    event["body"] = json.dumps(body)
    event["requestContext"]["authorizer"]["lambda"]["tenant"] = "acme"
    response = api.handler(event, None)
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def checked(url: str) -> Any:
    """``GET /check?url=...``: the verdict a check gives (refused names never reach DNS)."""
    event = copy.deepcopy(json.loads((EVENTS / "api-check-get.json").read_text()))
    event["rawQueryString"] = urlencode({"url": url})
    event["queryStringParameters"] = {"url": url}
    return json.loads(api.handler(event, None)["body"])


def listed_links() -> list[Any]:
    event = copy.deepcopy(json.loads((EVENTS / "api-links-list.json").read_text()))
    event["requestContext"]["authorizer"]["lambda"]["tenant"] = "acme"
    event["rawQueryString"], event["queryStringParameters"] = "", None  # every link
    return list(json.loads(api.handler(event, None)["body"])["links"])


@pytest.fixture()
def public_only(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("url", "says"),
    [("http://10.0.0.1/", "private"), ("http://2130706433/", "loopback")],
)
def test_a_link_on_a_forbidden_address_is_refused(public_only: None, url: str, says: str) -> None:
    status, error = request("api-links-create", {"url": url})
    assert status == 422, error
    assert error["error"]["field"] == "url"
    assert says in error["error"]["message"]
    assert "not publicly routable" in error["error"]["message"]
    assert listed_links() == []  # nothing stored


def test_a_batch_refuses_only_the_forbidden_items(public_only: None) -> None:
    status, answer = request(
        "api-links-batch",
        {"links": [{"url": "https://example.com/a"}, {"url": "http://[::1]:8080/admin"}]},
    )
    assert status == 200, answer
    assert [r["status"] for r in answer["results"]] == ["created", "error"]
    refused = answer["results"][1]["error"]
    assert refused["code"] == "invalid_input" and "loopback" in refused["message"]
    assert [link["url"] for link in listed_links()] == ["https://example.com/a"]


LOCAL_ONLY_URLS = [
    "http://localhost:8080/admin",
    "http://LocalHost./",
    "http://app.localhost/",
    "http://printer.local/status",
    "http://db.internal/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://169.254.169.254/latest/meta-data/",
]


@pytest.mark.parametrize("url", LOCAL_ONLY_URLS)
def test_a_link_every_check_refuses_is_refused_with_the_checks_message(
    public_only: None, url: str
) -> None:
    verdict = checked(url)
    assert (verdict["status"], verdict["reason"]) == ("invalid", "forbidden_target"), verdict
    status, error = request("api-links-create", {"url": url})
    assert status == 422, error
    assert error["error"]["field"] == "url"
    assert error["error"]["message"] == f"url is refused: {verdict['detail']}"
    assert listed_links() == []  # nothing stored


def test_a_batch_refuses_each_local_only_name_and_registers_the_rest(public_only: None) -> None:
    links = [{"url": url} for url in LOCAL_ONLY_URLS] + [{"url": "https://example.com/ok"}]
    status, answer = request("api-links-batch", {"links": links})
    assert status == 200, answer
    statuses = [result["status"] for result in answer["results"]]
    assert statuses == ["error"] * len(LOCAL_ONLY_URLS) + ["created"]
    for url, result in zip(LOCAL_ONLY_URLS, answer["results"], strict=False):
        assert result["error"]["field"] == "url"
        assert result["error"]["message"] == f"url is refused: {checked(url)['detail']}"
    assert [link["url"] for link in listed_links()] == ["https://example.com/ok"]


@pytest.mark.parametrize(
    "url", ["http://metadata.google.internal/hook", "http://hooks.localhost/", "http://nas.local/"]
)
def test_a_hook_on_a_local_only_name_is_refused(public_only: None, url: str) -> None:
    status, error = request("api-hooks-create", {"target_url": url})
    assert status == 422, error
    assert error["error"]["field"] == "target_url"
    assert "local-only host name" in error["error"]["message"]


def test_a_links_url_cannot_be_changed(public_only: None) -> None:
    # PATCH takes settings only, so a stored URL can never be swapped for a refused one.
    status, link = request("api-links-create", {"url": "https://example.com/page"})
    assert status == 201, link
    event = copy.deepcopy(json.loads((EVENTS / "api-links-update.json").read_text()))
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/links/{link['id']}"
    event["body"] = json.dumps({"url": "http://localhost/"})
    event["requestContext"]["authorizer"]["lambda"]["tenant"] = "acme"
    response = api.handler(event, None)
    assert response["statusCode"] == 422, response
    assert json.loads(response["body"])["error"]["field"] == "url"
    assert [stored["url"] for stored in listed_links()] == ["https://example.com/page"]


def test_a_hook_on_a_decimal_loopback_address_is_refused(public_only: None) -> None:
    status, error = request("api-hooks-create", {"target_url": "http://2130706433/hook"})
    assert status == 422, error
    assert error["error"]["field"] == "target_url"
    assert "loopback" in error["error"]["message"]


def test_private_addresses_register_when_the_deployment_allows_them(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    get_settings.cache_clear()
    status, link = request("api-links-create", {"url": "http://127.0.0.1:8080/page"})
    assert status == 201, link
    status, answer = request(
        "api-links-batch",
        {"links": [{"url": "http://localhost:8080/a"}, {"url": "http://db.internal/"}]},
    )
    assert [result["status"] for result in answer["results"]] == ["created", "created"], answer
    status, hook = request("api-hooks-create", {"target_url": "http://127.0.0.1:9/hook"})
    assert status == 201, hook


# ---------------------------------------------------------------- how the refusal is worded


def test_the_deployed_api_says_private_addresses_are_never_checked(public_only: None) -> None:
    verdict = checked("http://127.0.0.1:9/")
    _, link_error = request("api-links-create", {"url": "http://10.0.0.1/"})
    _, hook_error = request("api-hooks-create", {"target_url": "http://hooks.localhost/"})
    for text in (
        verdict["detail"],
        link_error["error"]["message"],
        hook_error["error"]["message"],
    ):
        assert "addresses are never checked" in text, text
        assert "--" not in text and "linkcheck dev" not in text, text  # no option to name


def test_the_local_stack_names_the_option_that_allows_them(
    public_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKCHECK_DEV", "1")  # as `linkcheck dev` runs the api
    get_settings.cache_clear()
    verdict = checked("http://127.0.0.1:9/")
    _, link_error = request("api-links-create", {"url": "http://10.0.0.1/"})
    _, hook_error = request("api-hooks-create", {"target_url": "http://hooks.localhost/"})
    for text in (
        verdict["detail"],
        link_error["error"]["message"],
        hook_error["error"]["message"],
    ):
        assert "checked only with linkcheck dev --allow-private-networks." in text, text
        assert "never checked" not in text, text
