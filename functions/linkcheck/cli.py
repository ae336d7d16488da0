"""The ``linkcheck`` command line: ``check``, ``dev``, ``keys``, ``webhooks``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from .commands import check, dev, keys, webhooks

COMMANDS = (check, dev, keys, webhooks)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkcheck",
        description="Serverless link checking: precise verdicts, sweeps and notifications.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
