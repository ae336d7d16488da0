"""`linkcheck check` over local files, directories and globs; config file, cache, formats."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from linkcheck.cli import main

from .servers import Reply, ScriptedServer

FAST = ["--allow-private-networks", "--timeout", "3", "--retries", "0"]


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/ok", Reply(200, body=b"<h1 id='top-part'>Hi</h1>"))
        running.route("/gone", Reply(404))
        yield running


@pytest.fixture()
def docs(tmp_path: Path, server: ScriptedServer) -> Path:
    """A docs folder: relative links, anchors present and missing, links to a local server."""
    root = tmp_path / "docs"
    (root / "guide").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "node_modules" / "pkg").mkdir(parents=True)
    (root / "index.md").write_text(
        "# Welcome\n\n"
        "See [the guide](guide/setup.md) and [its install part](guide/setup.md#install).\n"
        "A [missing part](guide/setup.md#nowhere) and [a missing page](guide/nope.md).\n"
        f"Online: [ok]({server.url('/ok')}) and [gone]({server.url('/gone')}).\n"
        f"Again: [ok]({server.url('/ok')}#top-part), [here](#welcome).\n",
        encoding="utf-8",
    )
    (root / "guide" / "setup.md").write_text(
        "# Setup\n\n## Install\n\nBack [home](../index.md) or to [the page](page.html#main).\n",
        encoding="utf-8",
    )
    (root / "guide" / "page.html").write_text(
        f"<main id='main'><a href='{server.url('/ok')}'>ok</a></main>", encoding="utf-8"
    )
    (root / ".hidden" / "skip.md").write_text("[x](nothing.md)\n", encoding="utf-8")
    (root / "node_modules" / "pkg" / "README.md").write_text("[x](nope.md)\n", encoding="utf-8")
    return root


def run_json(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, dict[str, Any]], str]:
    code = main(["check", *FAST, "--format", "json", *argv])
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    return code, {r["url"]: r for r in records}, err


def test_a_docs_folder(
    docs: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, found, _ = run_json([str(docs)], capsys)
    assert code == 1
    setup = (docs / "guide" / "setup.md").resolve().as_uri()
    assert found[setup]["status"] == "ok"
    assert found[setup]["found_in"] == [f"{docs / 'index.md'}:3"]
    assert found[f"{setup}#install"]["status"] == "ok"
    nowhere = found[f"{setup}#nowhere"]
    assert (nowhere["status"], nowhere["reason"]) == ("broken", "missing_fragment")
    nope = found[(docs / "guide" / "nope.md").resolve().as_uri()]
    assert (nope["status"], nope["reason"]) == ("broken", "http_404")
    assert nope["detail"].startswith("file not found: ")
    assert found[(docs / "guide" / "page.html").resolve().as_uri() + "#main"]["status"] == "ok"
    assert found[server.url("/gone")]["status"] == "broken"
    assert found[server.url("/ok") + "#top-part"]["status"] == "ok"
    assert found[server.url("/ok")]["found_count"] == 2  # index.md and page.html
    assert len(server.hits("/ok")) == 1  # one check, its page read for the fragment
    assert found[(docs / "index.md").resolve().as_uri() + "#welcome"]["status"] == "ok"
    assert not any("nothing.md" in u or "node_modules" in u for u in found)


def test_a_glob_and_a_file(docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, found, _ = run_json([f"{docs}/**/*.html"], capsys)
    assert {r["found_in"][0] for r in found.values()} == {f"{docs / 'guide' / 'page.html'}:1"}
    _, found, _ = run_json([str(docs / "guide" / "setup.md")], capsys)
    assert (docs / "index.md").resolve().as_uri() in found


def test_base_resolves_relative_links_against_a_url(
    docs: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    page = docs / "guide" / "links.md"
    page.write_text("[ok](../ok) [gone](gone)\n", encoding="utf-8")
    code, found, _ = run_json(["--base", server.url("/guide/"), str(page)], capsys)
    assert set(found) == {server.url("/ok"), server.url("/guide/gone")}
    assert code == 1


def test_a_glob_matching_nothing_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pattern = f"{tmp_path}/**/*.md"
    assert main(["check", pattern]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"linkcheck check: {pattern}: no file matches this pattern\n"
    assert main(["check", str(tmp_path / "no-such.md")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


@pytest.mark.parametrize("form", ["junit", "csv", "markdown"])
def test_formats_to_an_output_file(
    docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    report = tmp_path / f"report.{form}"
    code = main(["check", *FAST, str(docs), "--format", form, "--output", str(report)])
    assert code == 1
    assert capsys.readouterr().out == ""
    text = report.read_text(encoding="utf-8")
    if form == "junit":
        suite = ElementTree.fromstring(text.encode()).find("testsuite")
        assert suite is not None and suite.get("failures") == "3"
        failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
        assert all(c.get("classname", "").startswith(str(docs)) for c in failed)
    elif form == "csv":
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert sum(r["status"] == "broken" for r in rows) == 3
    else:
        assert text.count("| broken |") == 3 and "links:" in text.splitlines()[-1]


def test_json_is_an_alias(docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", *FAST, "--json", str(docs / "guide" / "setup.md")])
    assert all("found_in" in json.loads(line) for line in capsys.readouterr().out.splitlines())


def test_config_file_discovery_override_and_unknown_key(
    docs: Path,
    server: ScriptedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("linkcheck.toml").write_text(
        f'urls = ["{docs}"]\nformat = "csv"\nallow-private-networks = true\n'
        'exclude = ["/gone$", "nope\\\\.md", "#nowhere"]\nmax_depth = 3\ntimeout = 3\n',
        encoding="utf-8",
    )
    assert main(["check"]) == 0  # the file's inputs, filters and format (max_depth: crawl's)
    out = capsys.readouterr().out
    assert out.startswith("url,status,")
    assert server.hits("/gone") == []
    # Options on the command line win; a list given there replaces the file's.
    assert main(["check", "--format", "json", "--exclude", "nope\\.md"]) == 1
    found = {json.loads(line)["url"] for line in capsys.readouterr().out.splitlines()}
    assert server.url("/gone") in found
    Path("linkcheck.toml").write_text("max-deepness = 3\n", encoding="utf-8")
    assert main(["check", server.url("/ok")]) == 2
    assert "unknown key 'max-deepness'" in capsys.readouterr().err
    other = tmp_path / "other.toml"
    other.write_text("accept = 'x'\n", encoding="utf-8")
    assert (
        main(["check", "--config", str(other), "--allow-private-networks", server.url("/ok")]) == 2
    )
    assert "--accept: 'x'" in capsys.readouterr().err


def test_cache_reuse_expiry_and_corruption(
    docs: Path, server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache.json"
    argv = [server.url("/ok"), server.url("/gone"), "--cache", str(cache)]
    assert run_json(argv, capsys)[0] == 1
    assert run_json(argv, capsys)[0] == 1
    assert (len(server.hits("/ok")), len(server.hits("/gone"))) == (1, 1)  # reused
    stored = json.loads(cache.read_text(encoding="utf-8"))
    for entry in stored["entries"].values():
        entry[0] -= 7200  # checked two hours ago
    cache.write_text(json.dumps(stored), encoding="utf-8")
    run_json([*argv, "--max-cache-age", "3h"], capsys)
    assert len(server.hits("/ok")) == 1
    run_json([*argv, "--max-cache-age", "1h"], capsys)
    assert len(server.hits("/ok")) == 2  # expired: checked again
    cache.write_text("{garbage", encoding="utf-8")
    code, found, err = run_json(argv, capsys)
    assert code == 1 and set(found) == {server.url("/ok"), server.url("/gone")}
    assert "ignoring the cache" in err
    assert json.loads(cache.read_text(encoding="utf-8"))["format"] == 1
    assert os.listdir(tmp_path).count("cache.json") == 1
    code, _, err = run_json([*argv, "--max-cache-age", "soon"], capsys)
    assert code == 2 and "--max-cache-age" in err


def test_cache_in_an_audit_skips_checked_links(
    docs: Path, server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache.json"
    first = run_json([str(docs), "--cache", str(cache)], capsys)
    second = run_json([str(docs), "--cache", str(cache)], capsys)
    assert {u: r["status"] for u, r in first[1].items()} == {
        u: r["status"] for u, r in second[1].items()
    }
    assert len(server.hits("/gone")) == 1
    assert "reused from the cache" in second[2]
