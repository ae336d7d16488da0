"""Resolution shortcuts (the shared memo, concatenation, absolute URLs kept) agree with urljoin."""

from __future__ import annotations

import itertools

import pytest

from linkcheck.extract import resolve
from linkcheck.extract.resolve import Resolver

BASES = [
    "http://127.0.0.1:8000/",
    "http://h.example/d1/page.html",
    "https://h.example/a/b/",
    "https://h.example/a//b/page",
    "https://h.example/a/./b/",
    "http://h.example/x?q=1",
    "http://h.example/x#top",
    "http://h.example/x;p",
    "http://h.example",
    "HTTP://H.example/A/",
    "http://h.example/caf%C3%A9/",
    "http://user@h.example:81/d/",
]
REFS = [
    "/a",
    "/",
    "/a/../b",
    "/a//b",
    "/./a",
    "a",
    "a/",
    "a/b.html",
    "./a",
    "../a",
    "../../../a",
    "a//b",
    "a/.",
    "a/..",
    ".",
    "..",
    "?q",
    "#f",
    "a?q",
    "a#f",
    "a?",
    "a#",
    ";p",
    "a;p",
    "//other.example/x",
    "http://x.example/z",
    "HTTP://X.example",
    "http://x.example:8080",
    "http://x.example:80x/",
    "http://x.example?q",
    "http://x.example#",
    "http://[::1]:8000/",
    "http://[::1/",
    "http://a:b:c/",
    "http://user@x.example/",
    "http://",
    "http:///path",
    "http:/x",
    "http:x",
    "https://h.example/a b",
    "https://h.example/é",
    "mailto:a@b.example",
    "javascript:void(0)",
    "a b",
    "é",
    "%41",
    " /a\t\n",
    "a:b",
    "file:///etc/passwd",
]


def _reference(base: str, ref: str) -> str | None:
    """The resolution without any shortcut: urljoin, urlsplit and the validity checks."""
    resolver = Resolver(base, base)
    cleaned = ref.strip(resolve._STRIP)
    cleaned = resolve._INNER_WHITESPACE.sub("", cleaned)
    return resolver._join(cleaned) if cleaned else None


@pytest.mark.parametrize("base", BASES)
def test_every_shortcut_gives_what_urljoin_gives(base: str) -> None:
    resolve._SHARED.clear()
    for ref in REFS:
        assert Resolver(base, base).resolve(ref) == _reference(base, ref), (base, ref)
        # Again, from the shared memo, and from another page of the same directory.
        assert Resolver(base, base).resolve(ref) == _reference(base, ref), (base, ref)
        sibling = base + "x" if base.endswith("/") else base + "y"
        assert Resolver(sibling, sibling).resolve(ref) == _reference(sibling, ref), (base, ref)


def test_the_memo_keeps_bases_apart() -> None:
    resolve._SHARED.clear()
    for base, ref in itertools.product(BASES, REFS):
        assert Resolver(base, base).resolve(ref) == _reference(base, ref), (base, ref)


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    resolve._SHARED.clear()
    monkeypatch.setattr(resolve, "_SHARED_ENTRIES", 10)
    resolver = Resolver("http://h.example/", "http://h.example/")
    for number in range(50):
        assert resolver.resolve(f"/p{number}") == f"http://h.example/p{number}"
    assert len(resolve._SHARED) <= 10
