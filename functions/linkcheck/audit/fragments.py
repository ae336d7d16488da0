"""Fragments (``#section``): whether a link's fragment is worth checking, and the verdict when
the page it points into has no such anchor. Pure: the page's anchors come from ``extract``.

Browsers look a fragment up in the page (the HTML standard's "indicated part of the
document"): an element whose ``id`` (or an ``<a>`` whose ``name``) equals the fragment as
written, then percent-decoded; an empty fragment and ``#top`` (any case) mean the top of the
page. Many sites instead read the fragment with JavaScript, so their anchors are not in the
HTML a checker reads; those fragments are skipped (``fragment_checked``), never judged:

- single-page-app routes and hashbangs on any host: ``#/path``, ``#!path``;
- text fragments (``#:~:text=...``), a browser feature that names no anchor at all;
- GitHub and GitLab line, range, diff and comment anchors (``#L10``, ``#L10-L20``,
  ``#diff-...``, ``#issuecomment-...``, ``#note_...``), and any fragment on their file and
  folder views (``/blob/``, ``/tree/``), which are rendered by JavaScript; other GitHub and
  GitLab fragments (README headings) match the ``user-content-`` ids those sites write;
- Google Docs, Sheets, Slides and Drive (``#heading=h.x``, ``#gid=0``, ``#slide=id.p``),
  Notion (block ids) and Figma (node ids): applications drawn by JavaScript.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import unquote, urlsplit

from ..engine.verdict import CheckResult, Reason, Status

# Hosts whose fragments are all read by JavaScript (see the module's docstring).
SCRIPTED_HOSTS = frozenset(
    {
        "docs.google.com",
        "drive.google.com",
        "sheets.google.com",
        "slides.google.com",
        "notion.so",
        "www.notion.so",
        "figma.com",
        "www.figma.com",
    }
)
SCRIPTED_HOST_SUFFIXES = (".notion.site",)
# Code hosts: GitHub's and GitLab's (gitlab.com and self-hosted ``gitlab.*``).
CODE_HOSTS = frozenset({"github.com", "www.github.com", "gitlab.com", "www.gitlab.com"})
# Their anchors that JavaScript resolves: lines and ranges (L10, L10C5-L20), diffs, comments.
CODE_SCRIPTED_FRAGMENT = re.compile(
    r"L\d+(C\d+)?(-L?\d+(C\d+)?)?"
    r"|diff-.*|issuecomment-\d+|discussion_r\d+|pullrequestreview-\d+|r\d+|note_\d+"
    r"|commitcomment-\d+|event-\d+"
)
CODE_SCRIPTED_PATH = re.compile(r"/(-/)?(blob|tree|blame|commit|compare|pull/\d+/files)(/|$)")
CODE_ANCHOR_PREFIX = "user-content-"  # the ids GitHub and GitLab give rendered headings
TEXT_DIRECTIVE = ":~:"  # starts a fragment directive (``#:~:text=``), never an anchor
SHOWN_FRAGMENT = 100  # characters of a fragment quoted in a detail


def split_fragment(url: str) -> tuple[str, str | None]:
    """``url`` without its fragment, and the fragment (without ``#``, as written); None when
    the URL has no ``#`` at all (an empty string when it ends with a bare ``#``)."""
    base, sep, fragment = url.partition("#")
    return base, fragment if sep else None


def fragment_checked(url: str) -> bool:
    """Whether ``url``'s fragment can be checked against the page's anchors: False when it
    has none, or when the page reads it with JavaScript (the module's list)."""
    base, fragment = split_fragment(url)
    if not fragment:
        return False
    return _checkable(base, fragment)


def judge_fragment(
    result: CheckResult,
    fragment: str,
    anchors: frozenset[str] | None,
    complete: bool,
    *,
    read_bytes: int | None = None,
) -> CheckResult:
    """``result`` judged again for ``fragment``, given the anchors of the page it reached.

    An ``ok`` page read to its end (``complete``) without the anchor is ``broken`` /
    ``missing_fragment``. A page cut short keeps its verdict; its detail says the fragment
    could not be confirmed in the part read (``read_bytes``). Any other result, unknown
    anchors (``None``: a page kind without anchors) and skipped fragments stay as they are.
    """
    if result.status is not Status.OK or anchors is None:
        return result
    page_url = result.final_url or split_fragment(result.url)[0]
    if not _checkable(page_url, fragment) or _found(page_url, fragment, anchors):
        return result
    shown = _shown(fragment)
    if not complete:
        part = "the part of the page that was read"
        if read_bytes:
            part = f"the first {_size(read_bytes)} of the page, all that was read"
        return replace(
            result,
            detail=f"{result.detail} The fragment #{shown} could not be confirmed in {part}.",
        )
    return replace(
        result,
        status=Status.BROKEN,
        reason=Reason.MISSING_FRAGMENT,
        detail=(
            f"The page answered, but it has no anchor #{shown} (no element with that id or "
            "name), so the link does not lead to the part it names."
        ),
    )


def _checkable(page_url: str, fragment: str) -> bool:
    anchor = _anchor_part(fragment)
    if not anchor:
        # Empty: the top of the page (always there); only a directive (``#:~:text=``): no anchor.
        return fragment == ""
    if anchor[0] in "/!":  # a single-page app's route, a hashbang
        return False
    host, path = _host_and_path(page_url)
    if host in SCRIPTED_HOSTS or host.endswith(SCRIPTED_HOST_SUFFIXES):
        return False
    if _code_host(host):
        return not (CODE_SCRIPTED_FRAGMENT.fullmatch(anchor) or CODE_SCRIPTED_PATH.search(path))
    return True


def _found(page_url: str, fragment: str, anchors: frozenset[str]) -> bool:
    """Whether the page has the fragment's anchor, looked up as browsers do."""
    anchor = _anchor_part(fragment)
    decoded = unquote(anchor) if "%" in anchor else anchor
    if not decoded or decoded.lower() == "top":
        return True
    if anchor in anchors or decoded in anchors:
        return True
    host, _ = _host_and_path(page_url)
    return _code_host(host) and (
        CODE_ANCHOR_PREFIX + anchor in anchors or CODE_ANCHOR_PREFIX + decoded in anchors
    )


def _anchor_part(fragment: str) -> str:
    """The fragment without a fragment directive (``#intro:~:text=x`` looks up ``intro``)."""
    return fragment.split(TEXT_DIRECTIVE, 1)[0]


def _host_and_path(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url)
        return (parts.hostname or "").lower().rstrip("."), parts.path
    except ValueError:
        return "", ""


def _code_host(host: str) -> bool:
    return host in CODE_HOSTS or host.startswith("gitlab.")


def _shown(fragment: str) -> str:
    return fragment if len(fragment) <= SHOWN_FRAGMENT else fragment[:SHOWN_FRAGMENT] + "..."


def _size(count: int) -> str:
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MiB"
    if count >= 1024 and count % 1024 == 0:
        return f"{count // 1024} KiB"
    return f"{count} bytes"
