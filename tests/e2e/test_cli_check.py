"""`linkcheck check`: exit codes, table and JSON Lines output, --file, usage errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkcheck.cli import main

from .servers import Reply, ScriptedServer

FAST = ["--timeout", "2", "--retries", "0"]


@pytest.fixture()
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        running.route("/ok", Reply(200))
        running.route("/moved", Reply(301, {"Location": "/ok"}))
        running.route("/gone", Reply(410))
        running.route("/forbidden", Reply(403))
        yield running


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_all_ok_exits_0_with_a_table(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["--allow-private-networks", *FAST, server.url("/ok"), server.url("/moved")], capsys
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["STATUS", "REASON", "HTTP", "URL"]
    assert lines[1].split()[:3] == ["ok", "http_2xx", "200"]
    assert f"{server.url('/moved')} -> {server.url('/ok')}" in lines[2]
    assert lines[-1] == "2 links: 2 ok"


def test_a_broken_link_exits_1(server: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["--allow-private-networks", *FAST, server.url("/ok"), server.url("/gone")], capsys
    )
    assert code == 1
    assert "broken" in out and "removed for good" in out


def test_blocked_is_shown_but_does_not_fail(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["--allow-private-networks", *FAST, server.url("/forbidden")], capsys)
    assert code == 0
    assert "blocked" in out and "http_403" in out


def test_json_lines_in_input_order(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [server.url("/gone"), "ftp://x.example/", server.url("/ok"), server.url("/gone")]
    code, out, _ = run(["--allow-private-networks", "--json", *FAST, *urls], capsys)
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["url"] for r in records] == urls
    assert [r["status"] for r in records] == ["broken", "invalid", "ok", "broken"]
    assert set(records[0]) == {
        "url",
        "status",
        "reason",
        "detail",
        "final_url",
        "http_status",
        "redirects",
        "platform",
        "elapsed_ms",
        "checked_at",
    }
    assert [hit.method for hit in server.hits("/gone")] == ["GET"]  # checked once, by GET


def test_file_with_comments_and_blank_lines(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "links.txt"
    listing.write_text(
        f"# my links\n\n{server.url('/ok')}\n   \n  # indented comment\n{server.url('/gone')}\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        ["--allow-private-networks", "--json", *FAST, "--file", str(listing)], capsys
    )
    assert code == 1
    assert [json.loads(line)["url"] for line in out.splitlines()] == [
        server.url("/ok"),
        server.url("/gone"),
    ]


def test_file_from_stdin(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{server.url('/ok')}\n"))
    code, out, _ = run(["--allow-private-networks", "--json", *FAST, "-f", "-"], capsys)
    assert code == 0
    assert json.loads(out)["status"] == "ok"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "is empty"),
        ("\n  \n", "is empty"),
        ("# nothing yet\n\n   # still nothing\n", "has only blank lines and # comments"),
    ],
    ids=["empty", "blank-lines", "only-comments"],
)
def test_a_file_without_urls_is_a_usage_error_naming_it(
    server: ScriptedServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    says: str,
) -> None:
    listing = tmp_path / "empty.txt"
    listing.write_text(text, encoding="utf-8")
    # Even with a URL on the command line: an empty list file is a mistake to report.
    for extra in ([], [server.url("/ok")]):
        code, out, err = run(["--allow-private-networks", "--file", str(listing), *extra], capsys)
        assert code == 2
        assert out == ""
        assert err == f"linkcheck check: --file {listing} {says}; put one URL per line\n"
    assert server.hits("/ok") == []


def test_an_empty_stdin_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = run(["--file", "-"], capsys)
    assert (code, out) == (2, "")
    assert err == "linkcheck check: --file - (stdin) is empty; put one URL per line\n"


def test_private_targets_need_the_opt_in(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", raising=False)
    code, out, _ = run(["--json", *FAST, server.url("/ok")], capsys)
    assert code == 1
    assert json.loads(out)["reason"] == "forbidden_target"
    # The refusal names the option that allows the address, in JSON and in the table.
    allowed_by = "such addresses are checked only with --allow-private-networks."
    assert json.loads(out)["detail"].endswith(allowed_by)
    code, out, _ = run([*FAST, server.url("/ok")], capsys)
    assert code == 1 and allowed_by in out
    assert server.hits("/ok") == []
    monkeypatch.setenv("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "1")
    code, out, _ = run(["--json", *FAST, server.url("/ok")], capsys)
    assert (code, json.loads(out)["status"]) == (0, "ok")


def test_connect_to_reaches_a_named_host(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    port = server.port
    code, _out, _ = run(
        [
            "--json",
            *FAST,
            "--connect-to",
            f"www.example.com:{port}:127.0.0.1:{port}",
            f"http://www.example.com:{port}/ok",
        ],
        capsys,
    )
    assert code == 0
    assert server.hits("/ok")[0].headers["host"] == f"www.example.com:{port}"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--file", "/no/such/file.txt"],
        ["--concurrency", "0", "https://example.com/"],
        ["--per-host", "0", "https://example.com/"],
        ["--timeout", "0", "https://example.com/"],
        ["--connect-to", "nonsense", "https://example.com/"],
        ["--ca-bundle", "/no/such/ca.pem", "https://example.com/"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("linkcheck check: ")


def test_bad_option_type_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--concurrency", "many", "https://example.com/"])
    assert exited.value.code == 2


@pytest.mark.parametrize("bad", ["\r", "\n", "\u2028", "\u0085"], ids=["CR", "LF", "LS", "NEL"])
def test_a_user_agent_that_is_not_one_line_is_a_usage_error(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    argv = ["check", "--allow-private-networks", *FAST, server.url("/ok")]
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--user-agent", f"linkcheck{bad}X-Injected: yes"])
    out, err = capsys.readouterr()
    assert exited.value.code == 2
    assert out == ""
    assert err.startswith("usage: linkcheck check")
    assert "argument --user-agent: the User-Agent header must be one printable line" in err
    assert "Traceback" not in err
    assert server.hits("/ok") == []  # refused before anything was sent


def test_entry_point_in_a_subprocess(server: ScriptedServer) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "linkcheck.cli",
            "check",
            "--allow-private-networks",
            *FAST,
            server.url("/gone"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    assert "http_410" in done.stdout
    assert done.stderr == ""  # no progress bar when stderr is not a terminal


def test_json_record_matches_the_result_model() -> None:
    from linkcheck.commands.check_output import json_record
    from linkcheck.engine import CheckResult, Reason, Status
    from linkcheck.engine.verdict import Hop

    result = CheckResult(
        url="https://a.example/",
        status=Status.OK,
        reason=Reason.HTTP_2XX,
        detail="fine",
        final_url="https://b.example/",
        http_status=200,
        redirects=(Hop("https://a.example/", 301),),
        platform="youtube",
        elapsed_ms=12,
    )
    assert json_record(result) == result.to_dict()


def test_workers_shard_by_host_and_keep_input_order(capsys: pytest.CaptureFixture[str]) -> None:
    with ScriptedServer() as first, ScriptedServer() as second:
        for running in (first, second):
            running.route("/ok", Reply(200))
        urls = [
            (first if n % 2 else second).url("/ok" if n % 3 else f"/missing/{n}") for n in range(24)
        ]
        code, out, _ = run(
            ["--allow-private-networks", "--json", "--workers", "2", *FAST, *urls], capsys
        )
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["url"] for r in records] == urls
    assert [r["status"] for r in records] == ["ok" if n % 3 else "broken" for n in range(24)]


def test_shards_keep_each_host_whole() -> None:
    from linkcheck.engine.parallel import shard_key, shards

    urls = [f"https://h{n % 5}.example/p{n}" for n in range(50)] + ["HTTPS://H0.example:443/x"]
    parts = shards(urls, 3)
    hosts = [{shard_key(urls[i]) for i in part} for part in parts]
    assert sorted(i for part in parts for i in part) == list(range(51))
    for one, other in ((0, 1), (0, 2), (1, 2)):
        assert not hosts[one] & hosts[other]
    assert shard_key("HTTPS://H0.example:443/x") == shard_key("https://h0.example/y")
    # One host however it is spelled: one shard, so one per-host limit (no DNS involved).
    assert shard_key("http://127.1/a") == shard_key("http://127.0.0.1/b") == "127.0.0.1"
    assert shard_key("http://0x7f.0.0.1/") == shard_key("http://2130706433/")


def test_progress_bar_draws_and_clears() -> None:
    from linkcheck.commands.check_output import Progress

    stream = io.StringIO()
    bar = Progress(4, stream)
    for _ in range(4):
        bar.step()
    bar.done()
    drawn = stream.getvalue()
    assert "[" + "#" * Progress.WIDTH + "] 4/4" in drawn
    assert drawn.endswith("\r")


@pytest.mark.parametrize(
    ("options", "methods"),
    [([], ["GET"]), (["--get"], ["GET"]), (["--head-first"], ["HEAD"])],
)
def test_pages_are_read_with_get_unless_head_first_is_asked(
    server: ScriptedServer,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    methods: list[str],
) -> None:
    code, _, _ = run(["--allow-private-networks", *FAST, *options, server.url("/ok")], capsys)
    assert code == 0
    assert [hit.method for hit in server.hits("/ok")] == methods
