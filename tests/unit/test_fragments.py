"""Fragments: which are checked, and how a page's anchors judge them (audit/fragments.py)."""

from __future__ import annotations

import pytest

from linkcheck.audit.fragments import fragment_checked, judge_fragment, split_fragment
from linkcheck.engine import CheckResult, Reason, Status


def ok(url: str, final_url: str | None = None) -> CheckResult:
    return CheckResult(
        url=url,
        status=Status.OK,
        reason=Reason.HTTP_2XX,
        detail="The server answered 200 OK.",
        final_url=final_url or url.partition("#")[0],
        http_status=200,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a#intro", ("https://example.com/a", "intro")),
        ("https://example.com/a#", ("https://example.com/a", "")),
        ("https://example.com/a", ("https://example.com/a", None)),
        ("https://example.com/a#b#c", ("https://example.com/a", "b#c")),
    ],
)
def test_split_fragment(url: str, expected: tuple[str, str | None]) -> None:
    assert split_fragment(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/guide#install",
        "https://example.com/guide#caf%C3%A9",
        "https://github.com/owner/repo#installation",  # a README heading
        "https://gitlab.com/group/project#usage",
        "https://example.com/guide#intro:~:text=hello",  # an anchor before a directive
    ],
)
def test_fragments_that_are_checked(url: str) -> None:
    assert fragment_checked(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/guide",  # no fragment
        "https://example.com/guide#",  # the top of the page
        "https://app.example.com/#/settings/profile",  # a single-page app route
        "https://app.example.com/#!/inbox",  # a hashbang
        "https://example.com/guide#:~:text=hello%20world",  # a text fragment
        "https://github.com/owner/repo/blob/main/app.py#L10",
        "https://github.com/owner/repo/blob/main/app.py#L10-L20",
        "https://github.com/owner/repo/blob/main/README.md#usage",  # a file view: JavaScript
        "https://github.com/owner/repo/pull/1/files#diff-0123abcd",
        "https://github.com/owner/repo/issues/7#issuecomment-123456",
        "https://github.com/owner/repo#L5",
        "https://gitlab.com/group/project/-/blob/main/a.py#L3",
        "https://gitlab.example.org/group/project/-/issues/4#note_99",
        "https://docs.google.com/document/d/abc/edit#heading=h.xyz",
        "https://docs.google.com/spreadsheets/d/abc/edit#gid=0",
        "https://drive.google.com/drive/folders/abc#grid",
        "https://www.notion.so/Page-0123#4567",
        "https://team.notion.site/Page-0123#4567",
        "https://www.figma.com/file/abc/Name#node-id=1",
    ],
)
def test_fragments_that_are_skipped(url: str) -> None:
    assert not fragment_checked(url)


def test_missing_anchor_on_a_complete_page_is_broken() -> None:
    result = ok("https://example.com/guide#install")
    judged = judge_fragment(result, "install", frozenset({"intro", "usage"}), True)
    assert (judged.status, judged.reason) == (Status.BROKEN, Reason.MISSING_FRAGMENT)
    assert "#install" in judged.detail
    assert judged.url == result.url and judged.final_url == result.final_url


def test_present_anchor_leaves_the_result_alone() -> None:
    result = ok("https://example.com/guide#install")
    assert judge_fragment(result, "install", frozenset({"install"}), True) is result


@pytest.mark.parametrize(
    ("fragment", "anchors"),
    [
        ("caf%C3%A9", frozenset({"café"})),  # percent-decoded, as browsers do
        ("a%20b", frozenset({"a%20b"})),  # the id as written matches too
        ("", frozenset()),  # the top of the page
        ("top", frozenset()),
        ("TOP", frozenset()),
        ("intro:~:text=hello", frozenset({"intro"})),  # the directive is not the anchor
    ],
)
def test_anchors_found_as_browsers_find_them(fragment: str, anchors: frozenset[str]) -> None:
    result = ok(f"https://example.com/guide#{fragment}")
    assert judge_fragment(result, fragment, anchors, True) is result


def test_ids_are_case_sensitive() -> None:
    judged = judge_fragment(ok("https://example.com/g#Intro"), "Intro", frozenset({"intro"}), True)
    assert judged.reason is Reason.MISSING_FRAGMENT


def test_code_hosts_match_their_user_content_ids() -> None:
    result = ok("https://github.com/owner/repo#installation")
    anchors = frozenset({"user-content-installation"})
    assert judge_fragment(result, "installation", anchors, True) is result
    judged = judge_fragment(result, "missing", anchors, True)
    assert judged.reason is Reason.MISSING_FRAGMENT


def test_an_incomplete_page_keeps_its_verdict_and_says_why() -> None:
    result = ok("https://example.com/big#end")
    judged = judge_fragment(result, "end", frozenset({"start"}), False, read_bytes=4 * 1024 * 1024)
    assert (judged.status, judged.reason) == (Status.OK, Reason.HTTP_2XX)
    assert judged.detail.startswith(result.detail)
    assert "#end could not be confirmed in the first 4 MiB" in judged.detail


def test_an_incomplete_page_with_the_anchor_is_unchanged() -> None:
    result = ok("https://example.com/big#start")
    assert judge_fragment(result, "start", frozenset({"start"}), False) is result


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Status.BROKEN, Reason.HTTP_404),
        (Status.BLOCKED, Reason.BOT_CHALLENGE),
        (Status.ERROR, Reason.TIMEOUT),
        (Status.RESTRICTED, Reason.LOGIN_REQUIRED),
    ],
)
def test_results_other_than_ok_are_unchanged(status: Status, reason: Reason) -> None:
    result = CheckResult(url="https://example.com/g#x", status=status, reason=reason, detail="d")
    assert judge_fragment(result, "x", frozenset(), True) is result


def test_unknown_anchors_judge_nothing() -> None:
    result = ok("https://example.com/file.pdf#page=3")
    assert judge_fragment(result, "page=3", None, True) is result


def test_a_redirect_to_a_scripted_host_is_not_judged() -> None:
    # The link named an ordinary host, but it ended on a single-page app's route host.
    result = ok("https://short.example/x#4567", final_url="https://www.notion.so/Page-0123")
    assert judge_fragment(result, "4567", frozenset(), True) is result


def test_a_long_fragment_is_shortened_in_the_detail() -> None:
    fragment = "x" * 500
    judged = judge_fragment(ok(f"https://example.com/g#{fragment}"), fragment, frozenset(), True)
    assert judged.reason is Reason.MISSING_FRAGMENT
    assert len(judged.detail) < 300
