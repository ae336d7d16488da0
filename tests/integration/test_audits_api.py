"""Audits through the API and worker handlers (moto server) against a local site on 127.0.0.1.

POST /audits starts one; the test plays SQS's part (it hands the queue's messages to the worker
handler until the queue is empty); GET shows the progress and the completion, the links
listing says where each URL was found, and exactly one ``audit.completed`` event is written
even when a message is delivered twice or two workers finish at once.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from linkcheck.engine.verdict import CheckResult, Reason, Status
from linkcheck.handlers import api, worker
from linkcheck.settings import get_settings
from linkcheck.store.audits import Audit, AuditStore, FoundUrl, Role
from linkcheck.store.links import LinkStore
from tests.e2e.servers import Reply, ScriptedServer

EVENTS = Path(__file__).resolve().parents[2] / "events"


def html(body: str) -> Reply:
    page = f"<html><head><title>t</title></head><body>{body}</body></html>".encode()
    return Reply(200, headers={"content-type": "text/html; charset=utf-8"}, body=page)


class Site:
    """Pages with nested links, a dead link, a missing fragment and a robots.txt."""

    def __init__(self) -> None:
        self.server = ScriptedServer().start()
        self.base = self.server.url("").rstrip("/")
        routes = {
            "/": '<a href="/a">a</a> <a href="/b#intro">intro</a> <a href="/b#missing">x</a>'
            ' <a href="/dead">dead</a> <a href="/private/secret">private</a>',
            "/a": '<a href="/a/deep">deep</a> <a href="/">home</a> <a href="/dead">dead</a>',
            "/a/deep": '<a href="/a/deeper">deeper</a>',
            "/a/deeper": '<a href="/a/deepest">deepest</a>',
            "/b": '<h2 id="intro">Intro</h2> <a href="/a">a</a>',
            "/private/secret": '<a href="/private/inner">inner</a>',
        }
        for path, body in routes.items():
            self.server.route(path, html(body))
        self.server.route("/dead", Reply(404, headers={"content-type": "text/html"}, body=b"no"))
        robots = b"User-agent: *\nDisallow: /private/\n"
        self.server.route("/robots.txt", Reply(200, {"content-type": "text/plain"}, robots))

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return len(self.server.hits(path))


@pytest.fixture()
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.server.stop()


@pytest.fixture()
def env(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    get_settings.cache_clear()
    return aws_env


def call(
    name: str,
    *,
    body: Any = None,
    path: str | None = None,
    query: dict[str, Any] | None = None,
    tenant: str = "acme",
) -> tuple[int, Any, dict[str, str]]:
    event = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
    if body is not None:
        event["body"] = json.dumps(body)
    if path is not None:
        event["rawPath"] = path
        event["requestContext"]["http"]["path"] = path
    event["rawQueryString"] = urlencode(query or {})
    event["queryStringParameters"] = {k: str(v) for k, v in (query or {}).items()} or None
    event["requestContext"]["authorizer"]["lambda"]["tenant"] = tenant
    response = api.handler(event, None)
    payload = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], payload, response.get("headers") or {}


def start(url: str, tenant: str = "acme", **extra: Any) -> tuple[int, Any, dict[str, str]]:
    return call("api-audits-create", body={"url": url, **extra}, tenant=tenant)


def receive(queue_url: str) -> list[dict[str, Any]]:
    got = boto3.client("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "eventSource": "aws:sqs",
        }
        for m in got.get("Messages", [])
    ]


def pump(queue_url: str, rounds: int = 40, *, twice: bool = False) -> list[dict[str, Any]]:
    """Hand the queue's messages to the worker until it is empty (``twice``: each batch is
    delivered a second time, as SQS may); returns the batch failures."""
    sqs = boto3.client("sqs")
    failures: list[dict[str, Any]] = []
    for _ in range(rounds):
        batch = receive(queue_url)
        if not batch:
            break
        for _delivery in range(2 if twice else 1):
            answer = worker.handler({"Records": batch}, None)
            failures.extend(answer["batchItemFailures"])
        for record in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=record["receiptHandle"])
    return failures


def completed_events(table: str, tenant: str = "acme") -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :evt)",
        ExpressionAttributeValues={":pk": {"S": f"T#{tenant}"}, ":evt": {"S": "EVT#"}},
    )["Items"]
    return [i for i in items if i["type"]["S"] == "audit.completed"]


def all_links(audit_id: str, **query: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    for _ in range(20):
        params = {**query, "limit": 3, **({"cursor": cursor} if cursor else {})}
        status, page, _ = call("api-audits-links", path=f"/audits/{audit_id}/links", query=params)
        assert status == 200, page
        found += page["links"]
        cursor = page["cursor"]
        if not cursor:
            break
    return found


def test_a_site_audit_reads_pages_checks_links_and_completes_once(
    env: dict[str, str], site: Site
) -> None:
    # Given a site audit of the local site, two clicks deep
    status, audit, headers = start(site.url("/"), mode="site", max_depth=2)
    assert status == 202, audit
    assert audit["state"] == "running" and audit["mode"] == "site"
    assert headers["Location"] == f"/audits/{audit['id']}" == audit["href"]
    assert audit["progress"]["pending"] == 1 and audit["limits"]["max_depth"] == 2

    # When the worker has done every message (each batch delivered twice)
    assert pump(env["CHECKS_QUEUE_URL"], twice=True) == []

    # Then the audit completed, with its counts
    status, done, _ = call("api-audits-get", path=f"/audits/{audit['id']}")
    assert status == 200 and done["state"] == "completed", done
    assert done["completed_at"] and done["progress"]["pending"] == 0
    urls = {u["url"]: u for u in all_links(audit["id"])}
    pages = {u for u, v in urls.items() if v["kind"] == "page"}
    assert pages == {site.url(p) for p in ("/", "/a", "/b", "/dead", "/a/deep")}
    links = {u for u, v in urls.items() if v["kind"] == "link"}
    assert links == {
        site.url("/b#intro"),
        site.url("/b#missing"),
        site.url("/private/secret"),  # robots.txt: checked, never read
        site.url("/a/deeper"),  # past max_depth: checked, never read
    }
    assert done["progress"] == {
        "pages_read": 5,
        "pages_found": 5,
        "links_checked": 4,
        "links_found": 4,
        "pending": 0,
    }
    assert done["counts"]["broken"] == 2 and done["counts"]["ok"] == 7
    assert site.hits("/private/inner") == 0 and site.hits("/a/deepest") == 0
    assert site.hits("/robots.txt") == 1

    # The results say what is wrong and where it was found
    assert urls[site.url("/dead")]["reason"] == "http_404"
    assert sorted(urls[site.url("/dead")]["found_in"]) == [site.url("/"), site.url("/a")]
    assert urls[site.url("/b#missing")]["reason"] == "missing_fragment"
    assert urls[site.url("/b#intro")]["status"] == "ok"
    broken = all_links(audit["id"], status="broken")
    assert {u["url"] for u in broken} == {site.url("/dead"), site.url("/b#missing")}

    # And exactly one audit.completed event was written
    events = completed_events(env["TABLE_NAME"])
    assert len(events) == 1 and events[0]["audit_id"]["S"] == audit["id"]


def test_a_page_audit_registers_what_it_finds_when_asked(env: dict[str, str], site: Site) -> None:
    status, audit, _ = start(site.url("/a"), register=True, tags=["docs"])
    assert status == 202, audit
    assert pump(env["CHECKS_QUEUE_URL"]) == []
    status, done, _ = call("api-audits-get", path=f"/audits/{audit['id']}")
    assert done["state"] == "completed" and done["progress"]["pages_read"] == 1
    assert done["progress"]["links_checked"] == 3  # /a/deep, /, /dead: page mode reads one page
    registered = LinkStore().list_links("acme").links
    assert {link.url for link in registered} == {site.url(p) for p in ("/a/deep", "/", "/dead")}
    assert all(link.tags == ["docs", f"audit:{audit['id']}"] for link in registered)


def test_limits_ssrf_and_running_audits_are_refused_clearly(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    get_settings.cache_clear()
    for body, field in (
        ({"url": "not a url"}, "url"),
        ({"url": "http://127.0.0.1/"}, "url"),
        ({"url": "https://example.com/", "max_pages": 10_001}, "max_pages"),
        ({"url": "https://example.com/", "max_depth": 21}, "max_depth"),
        ({"url": "https://example.com/", "mode": "everything"}, "mode"),
        ({"url": "https://example.com/", "unknown": 1}, "unknown"),
    ):
        status, error, _ = call("api-audits-create", body=body)
        assert (status, error["error"]["field"]) == (422, field), (body, error)
    for n in range(3):
        status, _, _ = start(f"https://example.com/{n}")
        assert status == 202
    status, error, headers = start("https://example.com/4")
    assert status == 429 and error["error"]["code"] == "rate_limited"
    assert "3 audits are already running" in error["error"]["message"]
    assert headers["Retry-After"]
    status, _, _ = start("https://example.com/4", tenant="globex")  # another tenant's slots
    assert status == 202
    status, listed, _ = call("api-audits-list", query={"limit": 2})
    assert status == 200 and len(listed["audits"]) == 2 and listed["cursor"]
    # Cancelling one frees a slot
    status, _, _ = call("api-audits-delete", path=listed["audits"][0]["href"])
    assert status == 204
    status, cancelled, _ = call("api-audits-get", path=listed["audits"][0]["href"])
    assert cancelled["state"] == "cancelled"
    status, _, _ = start("https://example.com/5")
    assert status == 202


def test_another_tenants_audit_is_not_found(env: dict[str, str], site: Site) -> None:
    _, audit, _ = start(site.url("/"))
    path = f"/audits/{audit['id']}"
    for name, where in (
        ("api-audits-get", path),
        ("api-audits-links", f"{path}/links"),
        ("api-audits-delete", path),
    ):
        status, error, _ = call(name, path=where, tenant="globex")
        assert (status, error["error"]["code"]) == (404, "not_found"), name
    status, listed, _ = call("api-audits-list", tenant="globex")
    assert (status, listed["audits"]) == (200, [])
    status, mine, _ = call("api-audits-get", path=path)
    assert status == 200 and mine["state"] == "running"  # untouched


def test_a_cancelled_audits_messages_are_dropped(env: dict[str, str], site: Site) -> None:
    _, audit, _ = start(site.url("/"), mode="site")
    status, _, _ = call("api-audits-delete", path=f"/audits/{audit['id']}")
    assert status == 204
    assert pump(env["CHECKS_QUEUE_URL"]) == []
    assert site.hits("/") == 0
    assert completed_events(env["TABLE_NAME"]) == []


def test_two_workers_finishing_at_once_write_one_event(env: dict[str, str]) -> None:
    # Given an audit with two links left, recorded by two workers at the same time
    store = AuditStore()
    audit = Audit(
        tenant="acme",
        id="aud_concurrent",
        url="https://example.com/",
        mode="page",
        max_pages=1,
        max_depth=0,
        max_links=10,
        register=False,
        tags=[],
        created_at="2026-11-27T00:00:00Z",
        expires_at=4_000_000_000,
    )
    store.create(audit, FoundUrl(audit.url, Role.PAGE, 0))
    links = ["https://example.com/1", "https://example.com/2"]
    for url in links:
        assert store.claim(audit, FoundUrl(url, Role.LINK, 1, audit.url)) == "claimed"
    ok = CheckResult(url=audit.url, status=Status.OK, reason=Reason.HTTP_2XX, detail="")
    assert store.record(audit, audit.url, Role.PAGE, ok)
    from linkcheck.sweeps.audits import _completed_event

    barrier = threading.Barrier(4)
    won: list[bool] = []

    def finish(url: str) -> None:
        barrier.wait()
        store.record(audit, url, Role.LINK, ok)
        won.append(store.complete_if_done("acme", audit.id, _completed_event))

    # When both record and both try to complete (twice each, as after a redelivery)
    threads = [threading.Thread(target=finish, args=(url,)) for url in links * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then the audit completed once, with one event and every count exact
    assert won.count(True) == 1
    assert len(completed_events(env["TABLE_NAME"])) == 1
    done = store.get("acme", audit.id)
    assert (done.state, done.pending, done.links_checked) == ("completed", 0, 2)
    assert done.counts["ok"] == 3


def test_max_pages_reads_that_many_and_checks_the_rest_as_links(
    env: dict[str, str], site: Site
) -> None:
    status, audit, _ = start(site.url("/"), mode="site", max_pages=2)
    assert status == 202, audit
    assert pump(env["CHECKS_QUEUE_URL"]) == []
    status, done, _ = call("api-audits-get", path=f"/audits/{audit['id']}")
    assert done["state"] == "completed" and done["truncated"] is True
    assert done["progress"]["pages_read"] == 2 == done["progress"]["pages_found"]
    urls = {u["url"]: u for u in all_links(audit["id"])}
    assert all(u["status"] for u in urls.values())  # every URL found was checked
    assert site.url("/dead") in urls and urls[site.url("/dead")]["reason"] == "http_404"


def test_a_url_not_reached_after_max_hops_is_recorded_not_judged(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a page the worker never reaches, on a message already MAX_HOPS deep
    from linkcheck.sweeps import audits as audit_steps
    from linkcheck.sweeps.audits import AuditWork, Fetched, process_audits
    from linkcheck.sweeps.messages import MAX_HOPS, AuditPages, PageToRead
    from linkcheck.sweeps.queue import CheckQueue

    store = AuditStore()
    audit = Audit(
        tenant="acme",
        id="aud_hops",
        url="https://example.com/",
        mode="page",
        max_pages=1,
        max_depth=0,
        max_links=10,
        register=False,
        tags=[],
        created_at="2026-11-27T00:00:00Z",
        expires_at=4_000_000_000,
    )
    store.create(audit, FoundUrl(audit.url, Role.PAGE, 0))
    work = AuditWork(store=store, queue=CheckQueue(), links=LinkStore(), settings=get_settings())
    monkeypatch.setattr(audit_steps, "DEFERRED_DELAY_SECONDS", 0)  # visible at once

    async def never(urls: Any, pages: Any) -> list[Fetched]:
        return [Fetched(None) for _ in urls]

    def run(hops: int) -> Any:
        message = AuditPages(
            tenant="acme", audit_id=audit.id, pages=[PageToRead(url=audit.url)], hops=hops
        )
        from linkcheck import runner

        return runner.run_apart(process_audits([("m1", message)], work, never))

    # When it is below the bound, it goes back on the queue, one hop more
    report = run(MAX_HOPS - 1)
    assert report.deferred == 1 and store.get("acme", audit.id).state == "running"
    (record,) = receive(env["CHECKS_QUEUE_URL"])
    assert json.loads(record["body"])["hops"] == MAX_HOPS
    # At the bound, its not-judged result is recorded and the audit completes
    report = run(MAX_HOPS)
    assert report.deferred == 0 and report.completed == [audit.id]
    (entry,) = store.list_urls(store.get("acme", audit.id)).urls
    assert entry.result is not None and entry.result["reason"] == "not_checked"


def test_a_page_and_a_fragment_into_it_in_one_batch_share_the_page(
    env: dict[str, str], site: Site
) -> None:
    # Given an audit that found /b (a page to read) and /b#missing (a link), both pending
    _, started, _ = start(site.url("/"), mode="site")
    receive(env["CHECKS_QUEUE_URL"])  # the start message is not needed here
    store = AuditStore()
    audit = store.get("acme", started["id"])
    page, link = site.url("/b"), site.url("/b#missing")
    for found in (FoundUrl(page, Role.PAGE, 1, audit.url), FoundUrl(link, Role.LINK, 1, audit.url)):
        assert store.claim(audit, found) == "claimed"
    pages = {
        "kind": "audit_pages",
        "tenant": "acme",
        "audit_id": audit.id,
        "pages": [{"url": page, "depth": 1}],
    }
    links = {"kind": "audit_links", "tenant": "acme", "audit_id": audit.id, "links": [link]}
    records = [
        {
            "messageId": f"m{n}",
            "receiptHandle": "r",
            "body": json.dumps(body),
            "eventSource": "aws:sqs",
        }
        for n, body in enumerate((pages, links))
    ]
    # When one worker batch holds both
    assert worker.handler({"Records": records}, None)["batchItemFailures"] == []
    # Then /b was fetched once, read for its links, and the fragment judged against it
    assert site.hits("/b") == 1
    found = {entry.url: entry for entry in store.list_urls(audit).urls}
    assert found[link].result is not None and found[link].result["reason"] == "missing_fragment"
    assert found[page].done and site.url("/a") in found  # /b's link to /a was claimed
