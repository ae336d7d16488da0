"""The dashboard's routes through ``linkcheck dev``: public (no key), with their security and
cache headers, ``/`` leading to ``/ui``; the data it shows still needs a key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from linkcheck.dashboard import assets
from linkcheck.local.stack import DevStack
from tests.integration.devstack import stack_options


@pytest.fixture(scope="module")
def dev_stack(moto_endpoint: str) -> Iterator[DevStack]:
    stack = DevStack(**stack_options(moto_endpoint)).start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture()
def public(dev_stack: DevStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_stack.base_url, trust_env=False, timeout=30) as client:
        yield client


def assert_secured(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == assets.CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_root_leads_to_the_dashboard(public: httpx.Client) -> None:
    response = public.get("/")
    assert response.status_code == 302
    assert response.headers["location"] == "/ui"
    assert_secured(response)


def test_the_page_is_served_without_a_key(public: httpx.Client) -> None:
    response = public.get("/ui")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert_secured(response)
    assert '<script type="module" src="ui/app.js">' in response.text


@pytest.mark.parametrize("name", assets.asset_names())
def test_each_asset_is_served_compressed_and_cacheable(public: httpx.Client, name: str) -> None:
    response = public.get(f"/ui/{name}", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200, response.text
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == assets.ASSET_CACHE
    assert_secured(response)
    expected = assets.asset(name)
    assert expected is not None and response.text == expected.body
    again = public.get(f"/ui/{name}", headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_other_names_are_not_served(public: httpx.Client) -> None:
    for path in ("/ui/nothing.js", "/ui/assets.py", "/ui/..%2fassets.py", "/ui/index.html"):
        assert public.get(path).status_code == 404, path


def test_the_data_still_needs_a_key(public: httpx.Client) -> None:
    assert public.get("/links").status_code == 401
    assert public.post("/ui").status_code == 401  # only GET is public
