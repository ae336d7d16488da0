"""``linkcheck crawl URL``: read a site's pages and check every link found, once each.

The same report formats, filters, cache and exit codes as ``check`` (``report_options``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .check import EXIT_USAGE, add_engine_arguments, options_from_args
from .config_file import add_config_argument
from .report_options import DEFAULT_LIMITS, add_report_arguments, report_settings
from .usage import UsageError


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "crawl",
        help="read a site's pages and check every link on them",
        description="Read the pages of a site from URL (same host and port; http/https and "
        "www. count as the same site) and check every link found, once each. robots.txt is "
        "honoured for the pages read. Exit codes as for check.",
    )
    parser.add_argument("url", metavar="URL", nargs="?", help="the start page")
    parser.add_argument(
        "--max-depth",
        type=int,
        default=DEFAULT_LIMITS.max_depth,
        metavar="N",
        help=f"read pages up to N links away from the start (default {DEFAULT_LIMITS.max_depth})",
    )
    parser.add_argument(
        "--max-pages",
        type=int,
        default=DEFAULT_LIMITS.max_pages,
        metavar="N",
        help=f"read at most N pages (default {DEFAULT_LIMITS.max_pages})",
    )
    parser.add_argument(
        "--sitemap", action="store_true", help="also start from the site's /sitemap.xml"
    )
    parser.add_argument(
        "--no-robots",
        action="store_true",
        help="ignore robots.txt (only for sites you run: it says what may be read)",
    )
    add_engine_arguments(parser)
    add_report_arguments(parser)
    add_config_argument("crawl", parser)
    parser.set_defaults(func=run, head_first=False)


def run(args: argparse.Namespace) -> int:
    from .audit_run import run_crawl

    try:
        if not args.url:
            raise UsageError("no start URL given: linkcheck crawl https://example.com/")
        if not args.url.startswith(("http://", "https://")):
            raise UsageError(f"{args.url}: the start URL must begin with http:// or https://")
        options = options_from_args(args)
        settings = report_settings(args, warn=_warn)
        return run_crawl(args, options, settings, args.url)
    except UsageError as exc:
        print(f"linkcheck crawl: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _warn(text: str) -> None:
    print(f"linkcheck crawl: {text}", file=sys.stderr)
