"""The options ``check`` and ``crawl`` share beyond the engine's: what to check (filters,
fragments, media, limits), what counts as ok (``--accept``), the cache and the report format."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..audit.scope import Filters, Limits
from .accept import parse_accept
from .cache import DEFAULT_MAX_AGE, ResultCache, parse_duration
from .formats import FORMATS
from .usage import UsageError

DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class ReportSettings:
    form: str  # one of FORMATS
    output: Path | None  # None: stdout
    accept: frozenset[int]
    filters: Filters
    limits: Limits
    fragments: bool
    media: bool
    cache: ResultCache | None


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="report format: text (a table, the default), json (JSON Lines), markdown (the "
        "failing links, for a pull-request comment), csv, junit (XML for CI)",
    )
    parser.add_argument("--json", action="store_true", help="the same as --format json")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="REGEX",
        help="neither check nor read URLs this regular expression matches; repeatable",
    )
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="REGEX",
        help="check only URLs one of these matches (--exclude wins); repeatable",
    )
    parser.add_argument(
        "--accept",
        metavar="CODES",
        help="HTTP statuses that count as ok, e.g. 200..299,429",
    )
    parser.add_argument(
        "--no-fragments",
        action="store_true",
        help="do not check #fragments against the target page's anchors",
    )
    parser.add_argument(
        "--media", action="store_true", help="also check img, script, source, ... links"
    )
    parser.add_argument(
        "--max-links",
        type=int,
        default=DEFAULT_LIMITS.max_links,
        metavar="N",
        help=f"check at most N distinct links (default {DEFAULT_LIMITS.max_links})",
    )
    parser.add_argument(
        "--cache", metavar="FILE", help="reuse recent verdicts kept in FILE, and keep new ones"
    )
    parser.add_argument(
        "--max-cache-age",
        default=DEFAULT_MAX_AGE,
        metavar="DURATION",
        help=f"how long a cached verdict is reused: 30m, 6h, 1d (default {DEFAULT_MAX_AGE})",
    )


def report_settings(args: argparse.Namespace, warn: Any) -> ReportSettings:
    """The settings, validated (``UsageError`` naming the option); ``warn(text)`` reports a
    cache file that had to be ignored."""
    try:
        filters = Filters.compile(args.include, args.exclude)
        limits = Limits(
            max_depth=getattr(args, "max_depth", DEFAULT_LIMITS.max_depth),
            max_pages=getattr(args, "max_pages", DEFAULT_LIMITS.max_pages),
            max_links=args.max_links,
        )
    except ValueError as exc:
        raise UsageError(_option_message(str(exc))) from None
    accept = parse_accept(args.accept) if args.accept is not None else frozenset()
    max_age = parse_duration(args.max_cache_age)
    output = Path(args.output) if args.output else None
    if output is not None and not output.parent.is_dir():
        raise UsageError(f"--output {output}: no such directory: {output.parent}")
    cache = ResultCache(Path(args.cache), max_age, warn=warn) if args.cache else None
    return ReportSettings(
        form=args.format or ("json" if args.json else "text"),
        output=output,
        accept=accept,
        filters=filters,
        limits=limits,
        fragments=not args.no_fragments,
        media=args.media,
        cache=cache,
    )


def _option_message(text: str) -> str:
    if text.startswith("limits:"):
        return "--max-depth cannot be negative; --max-pages and --max-links must be at least 1"
    return text
