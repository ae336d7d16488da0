"""The fast path of ``normalize_url`` gives exactly the full path's Target, or steps aside."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from linkcheck.engine.urls import (
    _PLAIN,
    BadUrl,
    Target,
    _normalize_full,
    _plain_target,
    normalize_url,
)
from linkcheck.engine.verdict import Reason

from . import test_urls


def full(raw: str) -> Target | tuple[Reason, str]:
    try:
        return _normalize_full(raw)
    except BadUrl as exc:
        return exc.reason, exc.detail


def assert_agree(raw: str) -> None:
    fast = _plain_target(raw)
    if fast is not None:
        assert fast == _normalize_full(raw)
    try:
        assert normalize_url(raw) == full(raw)
    except BadUrl as exc:
        assert (exc.reason, exc.detail) == full(raw)


LABELS = st.sampled_from(
    [
        "example", "com", "a", "b-c", "_x", "-", "xn--bcher-kva", "localhost", "Example",
        "bücher", "a" * 63, "a" * 64, "", "0", "1", "09", "255", "256", "4294967295", "0x",
        "0x7f", "0X7F", "0x1g", "1a", "127", "%31",
    ]
)  # fmt: skip
HOSTS = st.one_of(
    st.lists(LABELS, min_size=1, max_size=5).map(".".join),
    st.lists(LABELS, min_size=1, max_size=4).map(lambda labels: ".".join(labels) + "."),
    st.text(alphabet="abz019xX.-_%:@[]", max_size=16),
)
PREFIXES = st.sampled_from(
    [
        "http://",
        "https://",
        "HTTP://",
        "Https://",
        "http:/",
        "http:///",
        "http:",
        "//",
        "",
        "ftp://",
    ]
)
PORTS = st.one_of(
    st.just(""),
    st.sampled_from(
        ["0", "1", "80", "443", "080", "8080", "65535", "65536", "99999", "00000", "x", ""]
    ).map(lambda port: ":" + port),
)
PATHS = st.text(alphabet="/.%aAzZ09eE~ \\?#é:@!$'()*+,;=&-_\t", max_size=24)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(prefix=PREFIXES, host=HOSTS, port=PORTS, path=PATHS)
@example(prefix="http://", host="127.0.0.2", port=":8080", path="/ok/1")
@example(prefix="https://", host="example.com", port="", path="/a/../b?x=1#top")
def test_fast_path_agrees_on_composed_urls(prefix: str, host: str, port: str, path: str) -> None:
    assert_agree(prefix + host + port + path)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(raw=st.from_regex(_PLAIN, fullmatch=True))
def test_fast_path_agrees_on_urls_it_accepts(raw: str) -> None:
    assert_agree(raw)


@settings(max_examples=300, deadline=None)
@given(raw=st.text(max_size=40))
def test_fast_path_agrees_on_any_text(raw: str) -> None:
    assert_agree(raw)


def _table(test: object) -> list[str]:
    (mark,) = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
    return [case[0] for case in mark.args[1]]


@pytest.mark.parametrize(
    "raw",
    _table(test_urls.test_normalize_url) + _table(test_urls.test_bad_urls_say_what_to_fix),
)
def test_fast_path_agrees_on_the_test_table(raw: str) -> None:
    assert_agree(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "http://127.0.0.2:8080/ok/1",
        "https://example.com/",
        "https://example.com",
        "https://www.example.com/a/b.html?x=1&y=2#part",
        "http://localhost:8000/.well-known/x",
        "https://sub_domain.example-site.org:8443/~user/",
    ],
)
def test_common_urls_take_the_fast_path(raw: str) -> None:
    assert _plain_target(raw) is not None
