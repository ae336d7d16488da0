"""Security review: one tenant can never read or change another's links, events, audits or pages.

Complements test_links_api.py (get, history, delete) and test_hooks_api.py (hooks) with the
remaining routes and with cursors, which a caller could try to forge.
"""

from __future__ import annotations

import base64
import json

import pytest

from tests.integration.test_links_api import register, request
from tests.integration.test_notifier_sns import put_event


def _cursor(data: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_another_tenant_can_neither_change_nor_check_a_link(aws_env: dict[str, str]) -> None:
    _, link = register("https://example.com/private", tenant="acme", tags=["mine"])
    path = f"/links/{link['id']}"
    status, error = request(
        "api-links-update", path=path, body={"tags": ["theirs"]}, tenant="globex"
    )
    assert (status, error["error"]["code"]) == (404, "not_found")
    status, error = request("api-links-check", path=f"{path}/check", tenant="globex")
    assert (status, error["error"]["code"]) == (404, "not_found")
    status, mine = request("api-links-get", path=path, tenant="acme")
    assert status == 200 and mine["tags"] == ["mine"]  # untouched


def test_a_cursor_never_leaves_the_callers_partition(aws_env: dict[str, str]) -> None:
    for n in range(3):
        register(f"https://example.com/page-{n}", tenant="acme")
    status, page = request("api-links-list", query={"limit": 1}, tenant="acme")
    assert status == 200 and page["cursor"]
    # acme's real cursor, and one forged to name acme's partition, read only globex's links.
    forged = _cursor({"pk": "T#acme", "sk": "LINK#"})
    for cursor in (page["cursor"], forged):
        status, theirs = request("api-links-list", query={"cursor": cursor}, tenant="globex")
        assert (status, theirs["links"]) == (200, [])


def test_a_cursor_of_another_listing_is_refused(aws_env: dict[str, str]) -> None:
    forged = _cursor({"sk": "HOOK#hook_0"})  # a valid sort key, but not of a link
    status, error = request("api-links-list", query={"cursor": forged}, tenant="acme")
    assert (status, error["error"]["field"]) == (422, "cursor")


def test_the_event_feed_shows_only_the_callers_events(aws_env: dict[str, str]) -> None:
    put_event(aws_env["TABLE_NAME"], tenant="acme", id="evt_acme_only")
    status, feed = request("api-events-list", query={}, tenant="globex")
    assert (status, feed["events"]) == (200, [])
    status, feed = request("api-events-list", query={}, tenant="acme")
    assert status == 200 and [e["id"] for e in feed["events"]] == ["evt_acme_only"]


def test_audit_cursors_never_leave_the_callers_audit(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from linkcheck.settings import get_settings
    from linkcheck.store.audits import AuditStore, FoundUrl, Role
    from tests.integration.test_audits_api import call, start

    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    get_settings.cache_clear()
    _, mine, _ = start("https://example.com/acme-only", tenant="acme")
    _, theirs, _ = start("https://example.com/globex", tenant="globex")
    store = AuditStore()
    audit = store.get("acme", mine["id"])
    for n in range(3):
        store.claim(audit, FoundUrl(f"https://example.com/{n}", Role.LINK, 1, audit.url))
    status, page, _ = call(
        "api-audits-links", path=f"{mine['href']}/links", query={"limit": 1}, tenant="acme"
    )
    assert status == 200 and page["cursor"]
    # acme's cursor, used by globex on its own audit, reads only globex's audit.
    status, other, _ = call(
        "api-audits-links",
        path=f"{theirs['href']}/links",
        query={"cursor": page["cursor"]},
        tenant="globex",
    )
    assert status == 200
    assert {link["url"] for link in other["links"]} <= {"https://example.com/globex"}
    # A cursor of another listing is refused; another tenant's audit is not found.
    forged = _cursor({"sk": "LINK#x"})
    status, error, _ = call(
        "api-audits-links", path=f"{mine['href']}/links", query={"cursor": forged}
    )
    assert (status, error["error"]["field"]) == (422, "cursor")
    status, error, _ = call("api-audits-links", path=f"{mine['href']}/links", tenant="globex")
    assert status == 404
