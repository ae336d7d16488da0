"""The local stack's api (``/check``) and worker reach the fixture corpus the way the CLI does
(``linkcheck dev --connect-to ... --ca-bundle ... --only-connect-to``) and give its verdicts.

The dev-only mapping is honoured only inside a process that switched it on (``devmode``); the
last tests prove the variables alone do nothing, and that no template function carries them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from linkcheck import devmode
from linkcheck.cli import main
from linkcheck.handlers.check_options import check_options
from linkcheck.settings import get_settings
from linkcheck.sweeps.messages import LinkRef
from linkcheck.sweeps.queue import CheckQueue
from tests.e2e.corpus_server import CorpusServer
from tests.integration.devstack import DevStackFactory

if TYPE_CHECKING:
    from linkcheck.local.stack import DevStack

# A small sample over platform detectors, an oEmbed probe, a redirect and a generic detector.
SAMPLE = (
    "https://www.youtube.com/watch?v=PPPPPPPPPPP",  # restricted / platform_private (oEmbed)
    "https://www.tiktok.com/@alice/video/7300000000000000002",  # broken / platform_deleted
    "https://vm.tiktok.com/ZMdead01/",  # broken / redirect_to_home
    "https://shop.harbour.example/products/sold-out-boots",  # broken / soft_404 (GET)
    "https://docs.harbour.example/guides/fix-404-nginx",  # ok
)
Verdict = tuple[str, str, str | None]


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[CorpusServer]:
    with CorpusServer() as server:
        yield server


@pytest.fixture(scope="module")
def cli_verdicts(corpus_server: CorpusServer) -> dict[str, Verdict]:
    """What ``linkcheck check --get`` (deep, like the functions) says about the sample."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", "--json", "--get", *corpus_server.cli_args(), *SAMPLE])
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    verdicts = {line["url"]: (line["status"], line["reason"], line["platform"]) for line in lines}
    expected = {c.url: (c.status, c.reason, c.platform) for c in corpus_server.corpus.cases}
    assert verdicts == {url: expected[url] for url in SAMPLE}  # the corpus's own verdicts
    return verdicts


@pytest.fixture()
def corpus_stack(dev_stack_factory: DevStackFactory, corpus_server: CorpusServer) -> DevStack:
    rules = tuple(
        f"{host}:443:127.0.0.1:{corpus_server.port}" for host in corpus_server.corpus.hosts
    )
    return dev_stack_factory(
        allow_private_networks=False,  # as in AWS: only the mapping reaches loopback
        connect_to=rules,
        ca_bundle=corpus_server.ca_pem,
        only_connect_to=True,
    )


def client(stack: DevStack) -> httpx.Client:
    return httpx.Client(
        base_url=stack.base_url,
        headers={"Authorization": f"Bearer {stack.api_key}"},
        timeout=30,
    )


def verdict(body: dict[str, Any]) -> Verdict:
    return body["status"], body["reason"], body["platform"]


def test_the_dev_api_check_gives_the_cli_verdicts(
    corpus_stack: DevStack, cli_verdicts: dict[str, Verdict]
) -> None:
    with client(corpus_stack) as api:
        answer = api.post("/check", json={"urls": list(SAMPLE)})
    assert answer.status_code == 200, answer.text
    got = {r["url"]: verdict(r) for r in answer.json()["results"]}
    assert got == cli_verdicts


@pytest.mark.slow
def test_the_dev_worker_gives_the_cli_verdicts(
    corpus_stack: DevStack, cli_verdicts: dict[str, Verdict]
) -> None:
    with client(corpus_stack) as api:
        links = {}
        for url in SAMPLE:
            created = api.post("/links", json={"url": url})
            assert created.status_code == 201, created.text
            links[url] = created.json()["id"]
        CheckQueue().send_links(
            [LinkRef(tenant=corpus_stack.tenant, link_id=link_id) for link_id in links.values()]
        )
        corpus_stack.run_pumps_once()
        got = {
            url: verdict(api.get(f"/links/{i}").json()["last_result"]) for url, i in links.items()
        }
    assert got == cli_verdicts


def test_an_unmapped_host_is_refused_by_the_dev_api(corpus_stack: DevStack) -> None:
    with client(corpus_stack) as api:
        answer = api.get("/check", params={"url": "https://not-in-the-corpus.example/other"})
    body = answer.json()
    assert (body["status"], body["reason"]) == ("invalid", "forbidden_target")


def test_the_dev_variables_alone_do_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a deployed function would see if someone set them: no in-process switch, no effect.
    devmode.disable()
    monkeypatch.setenv(devmode.CONNECT_TO_ENV, "metadata.example:80:169.254.169.254:80")
    monkeypatch.setenv(devmode.CA_BUNDLE_ENV, "/tmp/anything.pem")
    monkeypatch.setenv(devmode.ONLY_CONNECT_TO_ENV, "1")
    get_settings.cache_clear()
    options = check_options()
    assert (options.connect_to, options.ca_bundle, options.only_connect_to) == ((), None, False)
    devmode.enable()
    try:
        assert check_options().connect_to[0].to_host == "169.254.169.254"
    finally:
        devmode.disable()
        get_settings.cache_clear()
