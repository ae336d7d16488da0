"""Checks through an HTTP CONNECT proxy (``--proxy``), against a real proxy and the HTTPS corpus.

The checker resolves and vets the target itself; the CONNECT names the vetted address, never
the name, while the Host header, TLS SNI and the certificate check keep the URL's host. All
traffic stays on loopback: a patched resolver maps corpus names to 127.0.0.1 (which the
patched vetting treats as public) and ``internal.harbour.example`` to 127.0.0.2 (internal).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from linkcheck.cli import main
from linkcheck.engine import Checker, CheckOptions, CheckResult, ConnectTo, ssrf
from linkcheck.engine.proxy import Proxy
from linkcheck.engine.urls import IPAddress
from tests.e2e.connect_proxy import ConnectProxy
from tests.e2e.corpus_server import CorpusServer

PAGE = "https://docs.harbour.example/guides/fix-404-nginx"  # a plain 200 page of the corpus


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[CorpusServer]:
    with CorpusServer() as server:
        yield server


@pytest.fixture()
def proxy(corpus_server: CorpusServer) -> Iterator[ConnectProxy]:
    # The URLs name port 443; the corpus listens elsewhere on 127.0.0.1.
    with ConnectProxy(forward={("127.0.0.1", 443): ("127.0.0.1", corpus_server.port)}) as running:
        yield running


@pytest.fixture()
def loopback_dns(monkeypatch: pytest.MonkeyPatch, corpus_server: CorpusServer) -> None:
    """Corpus names resolve to 127.0.0.1 (public here), internal.harbour.example to 127.0.0.2."""
    real_reason = ssrf.forbidden_reason
    answers = dict.fromkeys(corpus_server.corpus.hosts, "127.0.0.1")
    answers["internal.harbour.example"] = "127.0.0.2"

    def reason(ip: IPAddress) -> str | None:
        return None if str(ip) == "127.0.0.1" else real_reason(ip)

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> object:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "no such name")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answers[host], port))]

    monkeypatch.setattr(ssrf, "forbidden_reason", reason)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def options(server: CorpusServer, proxy: Proxy | None, **overrides: Any) -> CheckOptions:
    values: dict[str, Any] = {
        "proxy": proxy,
        "ca_bundle": server.ca_pem,
        "timeout": 3.0,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "retries": 0,
    }
    values.update(overrides)
    return CheckOptions(**values)


async def check(opts: CheckOptions, *urls: str, detectors: Any = ()) -> list[CheckResult]:
    kwargs = {} if detectors is None else {"detectors": detectors}
    async with Checker(opts, **kwargs) as checker:
        return await checker.check_many(list(urls))


def outcome(result: CheckResult) -> tuple[str, str, str | None]:
    return result.status.value, result.reason.value, result.platform


pytestmark = pytest.mark.usefixtures("loopback_dns")


async def test_the_connect_names_the_vetted_address_and_tls_keeps_the_name(
    corpus_server: CorpusServer, proxy: ConnectProxy
) -> None:
    names_before, requests_before = len(corpus_server.server_names), len(corpus_server.requests)
    [result] = await check(options(corpus_server, Proxy.parse(proxy.url)), PAGE)
    assert outcome(result) == ("ok", "http_2xx", None)
    assert [seen.line for seen in proxy.seen] == ["CONNECT 127.0.0.1:443 HTTP/1.1"]
    assert proxy.seen[0].headers["host"] == "127.0.0.1:443"
    assert "proxy-authorization" not in proxy.seen[0].headers
    # Inside the tunnel: TLS to the name (SNI and certificate), Host header the name.
    assert corpus_server.server_names[names_before:] == ["docs.harbour.example"]
    assert corpus_server.requests[requests_before:] == [
        ("docs.harbour.example", "/guides/fix-404-nginx")
    ]


async def test_platform_verdicts_through_the_proxy_are_the_corpus_verdicts(
    corpus_server: CorpusServer, proxy: ConnectProxy
) -> None:
    cases = [c for c in corpus_server.corpus.cases if c.platform == "youtube"]
    results = await check(
        options(corpus_server, Proxy.parse(proxy.url)), *[c.url for c in cases], detectors=None
    )
    assert [outcome(r) for r in results] == [(c.status, c.reason, c.platform) for c in cases]
    assert {seen.line for seen in proxy.seen} == {"CONNECT 127.0.0.1:443 HTTP/1.1"}


@pytest.mark.parametrize(
    "url",
    [
        "https://internal.harbour.example/",  # the name resolves to an internal address
        "https://127.0.0.2/",  # an internal IP literal
        "http://localhost/",  # a local-only name
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    ],
)
async def test_a_forbidden_target_is_refused_before_any_connect(
    corpus_server: CorpusServer, proxy: ConnectProxy, url: str
) -> None:
    [result] = await check(options(corpus_server, Proxy.parse(proxy.url)), url)
    assert outcome(result) == ("invalid", "forbidden_target", None)
    assert proxy.seen == []  # the proxy's own (loopback) address allows nothing else


async def test_a_proxy_demanding_credentials_answers_407(corpus_server: CorpusServer) -> None:
    with ConnectProxy(credentials=("alice", "s3cret-pass")) as proxy:
        # retries allowed: a refused tunnel is still asked once (not a transient failure)
        [anonymous] = await check(options(corpus_server, Proxy.parse(proxy.url), retries=2), PAGE)
        wrong = Proxy.parse(f"http://alice:wrong-pass@127.0.0.1:{proxy.port}")
        [refused] = await check(options(corpus_server, wrong, retries=2), PAGE)
    assert outcome(anonymous) == ("error", "connect_error", None)
    assert "407" in anonymous.detail and "requires authentication" in anonymous.detail
    assert outcome(refused) == ("error", "connect_error", None)
    assert "407" in refused.detail and "authentication failed" in refused.detail
    assert "wrong-pass" not in refused.detail and "alice" not in refused.detail
    assert len(proxy.seen) == 2  # one CONNECT each: a refused tunnel is not retried


async def test_proxy_credentials_are_sent_and_never_shown(
    corpus_server: CorpusServer,
) -> None:
    with ConnectProxy(
        credentials=("alice", "s3cret:pass"),
        forward={("127.0.0.1", 443): ("127.0.0.1", corpus_server.port)},
    ) as proxy:
        configured = Proxy.parse(f"http://alice:s3cret%3Apass@127.0.0.1:{proxy.port}")
        [result] = await check(options(corpus_server, configured), PAGE)
    assert outcome(result) == ("ok", "http_2xx", None)
    assert proxy.seen[0].headers["proxy-authorization"].startswith("Basic ")
    shown = repr(configured) + repr(options(corpus_server, configured))
    assert "s3cret" not in shown


async def test_a_tunnel_the_proxy_refuses_is_an_error_naming_the_proxy(
    corpus_server: CorpusServer,
) -> None:
    with ConnectProxy(refuse_with=403) as proxy:
        [result] = await check(options(corpus_server, Proxy.parse(proxy.url)), PAGE)
    assert outcome(result) == ("error", "connect_error", None)
    assert result.detail == (
        f"The proxy at 127.0.0.1:{proxy.port} refused the tunnel: it answered 403 Forbidden "
        "to CONNECT."
    )


async def test_an_unreachable_proxy_is_an_error_not_a_verdict_on_the_link(
    corpus_server: CorpusServer,
) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    [result] = await check(options(corpus_server, Proxy.parse(f"http://127.0.0.1:{port}")), PAGE)
    assert outcome(result) == ("error", "connect_error", None)
    assert f"The proxy at 127.0.0.1:{port} could not be reached" in result.detail


async def test_the_host_filter_sends_only_named_domains_through_the_proxy(
    corpus_server: CorpusServer, proxy: ConnectProxy
) -> None:
    direct = ConnectTo("docs.harbour.example", 443, "127.0.0.1", corpus_server.port)
    opts = options(
        corpus_server, Proxy.parse(proxy.url, only=["youtube.com"]), connect_to=(direct,)
    )
    results = await check(opts, PAGE, "https://www.youtube.com/@creator")
    assert [r.status.value for r in results] == ["ok", "ok"]
    assert [seen.line for seen in proxy.seen] == ["CONNECT 127.0.0.1:443 HTTP/1.1"]
    assert set(corpus_server.requests[-2:]) == {
        ("docs.harbour.example", "/guides/fix-404-nginx"),
        ("www.youtube.com", "/@creator?hl=en"),  # YouTube always gets English (quirks)
    }


# -- the command line: --proxy URL, --proxy env, never the environment unasked --------------


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["check", "--json", *args])
    lines = capsys.readouterr().out.splitlines()
    return code, [json.loads(line) for line in lines if line.strip()]


def test_the_cli_ignores_https_proxy_unless_asked(
    corpus_server: CorpusServer,
    proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    code, lines = cli_json(capsys, *corpus_server.cli_args(), PAGE)
    assert (code, lines[0]["status"]) == (0, "ok")
    assert proxy.seen == []


def test_the_cli_proxy_env_reads_https_proxy_and_no_proxy(
    corpus_server: CorpusServer,
    proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "harbour.example")
    youtube = "https://www.youtube.com/@creator"
    code, lines = cli_json(capsys, *corpus_server.cli_args(), "--proxy", "env", PAGE, youtube)
    assert (code, [line["status"] for line in lines]) == (0, ["ok", "ok"])
    # --connect-to still decides the address; the CONNECT names it, for youtube only.
    assert [seen.line for seen in proxy.seen] == [
        f"CONNECT 127.0.0.1:{corpus_server.port} HTTP/1.1"
    ]


def test_the_cli_reports_a_bad_proxy_url_as_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--proxy", "socks5://127.0.0.1:1080", PAGE]) == 2
    assert "--proxy: the proxy URL must start with http://" in capsys.readouterr().err
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # not what --proxy env reads
    assert main(["check", "--proxy", "env", PAGE]) == 2
    assert "--proxy env: HTTPS_PROXY (or https_proxy) is not set" in capsys.readouterr().err


def test_the_cli_never_prints_proxy_credentials(
    corpus_server: CorpusServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with ConnectProxy(credentials=("alice", "right")) as proxy:
        url = f"http://alice:hunter2-secret@127.0.0.1:{proxy.port}"
        code = main(["check", *corpus_server.cli_args(), "--proxy", url, PAGE])
    captured = capsys.readouterr()
    assert code == 1
    assert "authentication failed" in captured.out
    assert "hunter2-secret" not in captured.out + captured.err
