"""The ``linkcheck`` command line: ``check``, ``crawl``, ``dev``, ``keys``, ``stats``,
``webhooks``, ``--version``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .commands import check, crawl, dev, keys, stats, webhooks
from .commands.config_file import configured
from .commands.usage import UsageError

COMMANDS = (check, crawl, dev, keys, stats, webhooks)
EXIT_USAGE = 2
DISTRIBUTION = "linkcheck"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C


def installed_version() -> str:
    """The version of the installed package (its metadata), else the source tree's."""
    # Imported here: only ``--version`` needs package metadata.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a source tree that was never installed
        from . import __version__

        return __version__


class VersionAction(argparse.Action):
    """``--version``: print ``linkcheck <version>`` and exit 0, read only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"{parser.prog} {installed_version()}")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkcheck",
        description="Serverless link checking: precise verdicts, sweeps and notifications.",
    )
    parser.add_argument(
        "--version", action=VersionAction, help="print the version of linkcheck and exit"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "reads_config", False):  # linkcheck.toml: parsed again over its values
        try:
            args = configured(args, argv)
        except UsageError as exc:
            print(f"linkcheck {args.command}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        # Ctrl-C is the user's choice, not a failure: one line, no traceback.
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
