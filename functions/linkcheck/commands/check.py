"""``linkcheck check``: the engine from the command line (a table, or ``--json`` lines).

Local files, directories, globs and ``--extract`` are audits (``audit_run``); the options
shared with ``crawl`` are in ``report_options``, the formats in ``formats``.

Exit codes: 0 when no link is broken, restricted, error or invalid (``blocked`` does not fail
a run); 1 when one is; 2 for usage errors (bad option values, no URLs, a file that cannot be
read or has no URL in it);
130 when interrupted with Ctrl-C (``linkcheck.cli``).
"""

from __future__ import annotations

import argparse
import os
import ssl
import sys
from collections.abc import Sequence
from typing import Any

from ..audit.report import LinkReport
from ..engine import CheckOptions, CheckResult, ConnectTo
from ..engine.http1 import check_header_value
from ..engine.options import NO_CREDENTIALS
from ..engine.parallel import check_in_processes
from ..engine.proxy import Proxy, ProxyConfigError, split_hosts
from ..settings import SettingsError, read_allow_private_networks, read_local_credentials
from .check_output import JsonLinesInOrder, Progress, wants_progress
from .config_file import add_config_argument
from .inputs import classify
from .report_options import ReportSettings, add_report_arguments, report_settings
from .reporting import EXIT_FAILED, EXIT_OK, finish, with_accept
from .usage import UsageError

EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="check links now and print their verdicts",
        description="Check links and print one verdict per URL, in input order; or check every "
        "link of local files, directories, globs (and, with --extract, of web pages). Exit code "
        "0 when none is broken, restricted, error or invalid, 1 otherwise, 2 for usage errors.",
    )
    parser.add_argument(
        "urls",
        nargs="*",
        metavar="INPUT",
        help="URLs to check, or files, directories and quoted globs ('docs/**/*.md') whose "
        "links to check",
    )
    parser.add_argument(
        "--file",
        "-f",
        metavar="FILE",
        help="read URLs from FILE, one per line ('-' for stdin; blank lines and # comments "
        "are skipped)",
    )
    parser.add_argument(
        "--extract",
        action="store_true",
        help="read the URLs given as documents (page, sitemap, feed, link-in-bio page) and "
        "check the links they hold",
    )
    parser.add_argument(
        "--base",
        metavar="URL",
        help="resolve relative links of local files against URL instead of the file system",
    )
    add_engine_arguments(parser)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="processes for long lists, hosts sharded between them (default 1; more helps "
        "when cores are free: measured on 2 busy cores it cost CPU without saving time)",
    )
    add_report_arguments(parser)
    add_config_argument("check", parser)
    # ``--get``/``--head-first`` share ``head_first``: argparse would take the first one's
    # implied default (True, from store_false), so the default is set here, once: GET.
    parser.set_defaults(func=run, head_first=False)


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the engine (how to check), shared by ``check`` and ``crawl``."""
    defaults = CheckOptions()
    parser.add_argument(
        "--concurrency",
        type=int,
        default=defaults.concurrency,
        metavar="N",
        help=f"checks in flight at once (default {defaults.concurrency})",
    )
    parser.add_argument(
        "--per-host",
        type=int,
        default=defaults.per_host,
        metavar="N",
        help=f"concurrent connections to one host (default {defaults.per_host})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=defaults.timeout,
        metavar="SECONDS",
        help=f"total deadline of one check, redirects and retries included "
        f"(default {defaults.timeout:g})",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=defaults.retries,
        metavar="N",
        help=f"extra attempts on transient failures (default {defaults.retries})",
    )
    parser.add_argument(
        "--allow-private-networks",
        action="store_true",
        default=None,
        help="allow loopback/private/link-local targets (also LINKCHECK_ALLOW_PRIVATE_NETWORKS=1)",
    )
    parser.add_argument(
        "--connect-to",
        action="append",
        default=[],
        metavar="HOST:PORT:ADDR:PORT",
        help="dial ADDR:PORT for HOST:PORT (curl semantics; Host header and TLS SNI stay "
        "HOST; the target is trusted); repeatable",
    )
    parser.add_argument(
        "--only-connect-to",
        action="store_true",
        help="refuse (as forbidden_target, without a DNS lookup) every host no --connect-to "
        "rule maps: fixture runs that can never reach the network",
    )
    parser.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="extra trusted CA certificates (PEM), added to the system ones",
    )
    parser.add_argument(
        "--proxy",
        metavar="URL",
        help="send checks through this HTTP CONNECT proxy, http://[user:pass@]host:port; "
        "'env' reads HTTPS_PROXY and NO_PROXY (never read otherwise)",
    )
    parser.add_argument(
        "--proxy-hosts",
        metavar="DOMAINS",
        default="",
        help="use the proxy only for these domains and their subdomains, comma-separated "
        "(e.g. tiktok.com,instagram.com); default: every host",
    )
    parser.add_argument(
        "--user-agent",
        type=user_agent,
        default=defaults.user_agent,
        metavar="TEXT",
        help="User-Agent header (one printable line)",
    )
    method = parser.add_mutually_exclusive_group()
    method.add_argument(
        "--get",
        action="store_false",
        dest="head_first",
        help="GET every URL, so soft-404, parked-domain and refusal detection read every page "
        "(the default, as in the API and the sweeps)",
    )
    method.add_argument(
        "--head-first",
        action="store_true",
        dest="head_first",
        help="ask with HEAD first and GET only when needed: less bandwidth, but soft-404s and "
        "parked domains are missed on pages that answer HEAD with 200",
    )


def user_agent(value: str) -> str:
    """``--user-agent``: refused at parsing (exit 2) when the engine could not send it."""
    try:
        check_header_value("User-Agent", value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{exc}: no line breaks (CR, LF, U+2028, NEL) or other control characters"
        ) from None
    return value


def run(args: argparse.Namespace) -> int:
    try:
        options = options_from_args(args)
        settings = report_settings(args, warn=_warn)
        inputs = classify(args.urls)
        if args.file is not None:
            inputs.urls.extend(_urls_from_file(args.file))
        if inputs.documents or args.extract:
            from .audit_run import run_documents  # the extraction code, only when needed

            return run_documents(args, options, settings, inputs)
        if not inputs.urls:
            raise UsageError("no URLs given; pass URLs, files or directories, or use --file FILE")
        return check_list(inputs.urls, options, settings, workers=args.workers)
    except UsageError as exc:
        print(f"linkcheck check: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _warn(text: str) -> None:
    print(f"linkcheck check: {text}", file=sys.stderr)


def check_list(
    given: Sequence[str], options: CheckOptions, settings: ReportSettings, *, workers: int
) -> int:
    """A plain list of URLs: one verdict each, in input order (duplicates checked once)."""
    urls = [url for url in given if settings.filters.allows(url)]
    reports: list[LinkReport | None] = [None] * len(urls)
    cache = settings.cache
    for index, url in enumerate(urls):
        cached = cache.get(url) if cache is not None else None
        if cached is not None:
            reports[index] = LinkReport(url, cached)
    todo = [index for index, report in enumerate(reports) if report is None]
    progress = Progress(len(todo)) if wants_progress(len(todo)) else None
    # JSON Lines stream out in input order while the checks run (no bar to mix them with):
    # results show up early, and encoding overlaps the waits for the network.
    streams = settings.form == "json" and settings.output is None
    stream = JsonLinesInOrder(sys.stdout) if streams and not _shares_terminal(progress) else None
    if stream is not None:
        for index, report in enumerate(reports):
            if report is not None:
                stream.add(index, with_accept(report, settings).result)

    def on_result(index: int, result: CheckResult) -> None:
        if progress is not None:
            progress.step()
        if stream is not None:
            shown = with_accept(LinkReport(urls[todo[index]], result), settings)
            stream.add(todo[index], shown.result)

    wanted = progress is not None or stream is not None
    results = check_in_processes(
        [urls[index] for index in todo],
        options,
        workers=workers,
        on_result=on_result if wanted else None,
    )
    if progress is not None:
        progress.done()
    for index, result in zip(todo, results, strict=True):
        reports[index] = LinkReport(urls[index], result)
    done = [report for report in reports if report is not None]
    return finish(done, settings, places=False, written=stream is not None)


def _shares_terminal(progress: Progress | None) -> bool:
    return progress is not None and sys.stdout.isatty()


def options_from_args(args: argparse.Namespace) -> CheckOptions:
    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    if args.per_host < 1:
        raise UsageError("--per-host must be at least 1")
    if not args.timeout > 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.retries < 0:
        raise UsageError("--retries cannot be negative")
    if getattr(args, "workers", 1) < 1:
        raise UsageError("--workers must be at least 1")
    try:
        connect_to = tuple(ConnectTo.parse(spec) for spec in args.connect_to)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.only_connect_to and not connect_to:
        raise UsageError("--only-connect-to needs at least one --connect-to rule")
    if args.ca_bundle:
        _check_ca_bundle(args.ca_bundle)
    proxy = _proxy(args.proxy, args.proxy_hosts)
    try:  # the same variables, parsed the same way, as the deployed functions
        credentials = read_local_credentials() or NO_CREDENTIALS
        allow_private = args.allow_private_networks
        if allow_private is None:
            allow_private = read_allow_private_networks()
    except SettingsError as exc:
        raise UsageError(str(exc)) from None
    return CheckOptions(
        timeout=args.timeout,
        connect_timeout=min(CheckOptions().connect_timeout, args.timeout),
        read_timeout=min(CheckOptions().read_timeout, args.timeout),
        concurrency=args.concurrency,
        per_host=args.per_host,
        retries=args.retries,
        user_agent=args.user_agent,
        allow_private_networks=allow_private,
        connect_to=connect_to,
        only_connect_to=args.only_connect_to,
        ca_bundle=args.ca_bundle,
        always_get=not args.head_first,
        proxy=proxy,
        credentials=credentials,
    )


def _proxy(url: str | None, hosts: str) -> Proxy | None:
    if not url:
        if hosts:
            raise UsageError("--proxy-hosts needs --proxy")
        return None
    bypass: list[str] = []
    if url == "env":  # read only when asked: linkcheck never picks a proxy up silently
        url = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy") or ""
        if not url.strip():
            raise UsageError("--proxy env: HTTPS_PROXY (or https_proxy) is not set")
        bypass = (os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or "").split(",")
    try:
        return Proxy.parse(url, only=split_hosts(hosts), bypass=bypass)
    except ProxyConfigError as exc:
        raise UsageError(f"--proxy: {exc}") from None


def _check_ca_bundle(path: str) -> None:
    try:
        ssl.create_default_context().load_verify_locations(path)
    except FileNotFoundError:
        raise UsageError(f"--ca-bundle: no such file: {path}") from None
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise UsageError(
            f"--ca-bundle: {path} is not a readable PEM certificate file ({exc})"
        ) from None


def _urls_from_file(file: str) -> list[str]:
    try:
        if file == "-":
            text = sys.stdin.read()
        else:
            with open(file, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --file {file}: {exc}") from None
    lines = (line.strip() for line in text.splitlines())
    urls = [line for line in lines if line and not line.startswith("#")]
    if not urls:
        # Almost always the wrong file (or an unfinished export): say so, never "all ok".
        name = "- (stdin)" if file == "-" else file
        what = "is empty" if not text.strip() else "has only blank lines and # comments"
        raise UsageError(f"--file {name} {what}; put one URL per line")
    return urls


__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "UsageError", "register", "run"]
