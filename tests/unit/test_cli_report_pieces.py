"""The pieces of ``check``/``crawl`` reports: --accept, the cache, durations, the formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from linkcheck.audit.report import LinkReport
from linkcheck.commands.accept import accepted, parse_accept
from linkcheck.commands.cache import ResultCache, parse_duration
from linkcheck.commands.formats import write_reports
from linkcheck.commands.usage import UsageError
from linkcheck.engine import CheckResult, Reason, Status


def result(url: str, status: Status, reason: Reason, http: int | None = None) -> CheckResult:
    return CheckResult(url=url, status=status, reason=reason, detail="d", http_status=http)


def test_accept_ranges_and_codes() -> None:
    assert parse_accept("200..202, 429") == frozenset({200, 201, 202, 429})


@pytest.mark.parametrize("bad", ["", "abc", "200..", "299..200", "42", "200-299"])
def test_accept_errors_name_the_part(bad: str) -> None:
    with pytest.raises(UsageError, match="--accept"):
        parse_accept(bad)


def test_an_accepted_status_counts_as_ok() -> None:
    codes = parse_accept("403,429")
    blocked = result("https://a.example/", Status.BLOCKED, Reason.HTTP_403, 403)
    assert accepted(blocked, codes).status is Status.OK
    assert accepted(blocked, codes).reason is Reason.HTTP_403
    gone = result("https://a.example/", Status.BROKEN, Reason.HTTP_404, 404)
    assert accepted(gone, codes) is gone
    missing = result("https://a.example/#x", Status.BROKEN, Reason.MISSING_FRAGMENT, 200)
    assert accepted(missing, parse_accept("200")) is missing  # the anchor is still missing


@pytest.mark.parametrize(
    ("text", "seconds"), [("1d", 86400), ("6h", 21600), ("30m", 1800), ("1h30m", 5400)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "1", "d", "1x", "-1d", "1d junk"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(UsageError, match="--max-cache-age"):
        parse_duration(bad)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_cache_keeps_verdicts_about_links_only_and_expires(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    clock = Clock()
    cache = ResultCache(path, 3600, now=clock)
    ok = result("https://a.example/", Status.OK, Reason.HTTP_2XX, 200)
    cache.put("https://a.example/", ok)
    cache.put("https://b.example/", result("https://b.example/", Status.ERROR, Reason.TIMEOUT))
    cache.put("https://c.example/", result("https://c.example/", Status.BLOCKED, Reason.HTTP_403))
    cache.save()
    again = ResultCache(path, 3600, now=clock)
    assert again.get("https://a.example/") == ok
    assert again.get("https://b.example/") is None
    assert again.get("https://c.example/") is None
    clock.now += 3601
    assert ResultCache(path, 3600, now=clock).get("https://a.example/") is None


def test_a_reused_verdict_keeps_its_age(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    clock = Clock()
    cache = ResultCache(path, 3600, now=clock)
    cache.put("https://a.example/", result("https://a.example/", Status.OK, Reason.HTTP_2XX))
    cache.save()
    clock.now += 3000
    reused = ResultCache(path, 3600, now=clock)
    found = reused.get("https://a.example/")
    assert found is not None
    reused.put("https://a.example/", found)
    reused.save()
    clock.now += 1000  # 4000 s after the check: expired, although reused at 3000 s
    assert ResultCache(path, 3600, now=clock).get("https://a.example/") is None


@pytest.mark.parametrize("text", ["{not json", '{"format": 99}', "[]", '{"format": 1}'])
def test_a_corrupt_cache_is_ignored_with_a_warning(tmp_path: Path, text: str) -> None:
    path = tmp_path / "cache.json"
    path.write_text(text, encoding="utf-8")
    warnings: list[str] = []
    cache = ResultCache(path, 3600, warn=warnings.append)
    assert cache.get("https://a.example/") is None
    assert len(warnings) == 1 and str(path) in warnings[0]
    cache.put("https://a.example/", result("https://a.example/", Status.OK, Reason.HTTP_2XX))
    cache.save()
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["cache.json"]  # no temporary file left


REPORTS = [
    LinkReport(
        "https://a.example/ok", result("https://a.example/ok", Status.OK, Reason.HTTP_2XX, 200)
    ),
    LinkReport(
        "https://a.example/gone|x",
        CheckResult(
            url="https://a.example/gone|x",
            status=Status.BROKEN,
            reason=Reason.HTTP_404,
            detail='The page is "gone" <really>, & \x01more,\nstill',
            http_status=404,
        ),
        found_in=("docs/a.md:3", "docs/b.md:7"),
        found_count=3,
    ),
    LinkReport(
        "https://a.example/wall",
        result("https://a.example/wall", Status.BLOCKED, Reason.BOT_CHALLENGE, 403),
    ),
]


def written(form: str) -> str:
    out = io.StringIO()
    write_reports(REPORTS, out, form)
    return out.getvalue()


def test_junit_is_valid_xml_with_a_failure_per_dead_link() -> None:
    root = ElementTree.fromstring(written("junit").encode("utf-8"))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [r.url for r in REPORTS]
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("message") == "broken/http_404 (HTTP 404)"
    assert failure.text is not None
    assert '"gone" <really>, & more' in failure.text
    assert "Found in: docs/a.md:3, docs/b.md:7 (+1 more)" in failure.text
    assert cases[2].find("skipped") is not None and cases[0].find("failure") is None


def test_csv_is_rfc_4180() -> None:
    text = written("csv")
    assert text.count("\r\n") >= 4
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["status"] for r in rows] == ["ok", "broken", "blocked"]
    assert rows[1]["detail"] == REPORTS[1].result.detail
    assert rows[1]["found_in"] == "docs/a.md:3 docs/b.md:7" and rows[1]["found_count"] == "3"
    assert rows[0]["http_status"] == "200" and rows[0]["found_count"] == "0"


def test_markdown_lists_only_failing_links_and_a_summary() -> None:
    lines = written("markdown").splitlines()
    assert lines[0].startswith("| Status | Reason | URL | Found in | Detail |")
    rows = [line for line in lines if line.startswith("| broken")]
    assert len(rows) == 1 and "gone\\|x" in rows[0] and "\n" not in rows[0]
    assert rows[0].count(" | ") == 4  # the escaped pipe adds no column
    assert lines[-1] == "**3 links: 1 ok, 1 broken, 1 blocked**"
    assert "wall" not in "\n".join(lines)


def test_json_lines_say_where_links_were_found() -> None:
    records = [json.loads(line) for line in written("json").splitlines()]
    assert records[1]["found_in"] == ["docs/a.md:3", "docs/b.md:7"]
    assert records[1]["found_count"] == 3


def test_text_names_where_a_failing_link_was_found() -> None:
    text = written("text")
    assert "found in: docs/a.md:3, docs/b.md:7 (+1 more)" in text
    assert text.rstrip().endswith("3 links: 1 ok, 1 broken, 1 blocked")
