"""``linkcheck.toml``: the options of ``check`` and ``crawl`` kept in a file.

Every long option is a key, spelt with dashes or underscores (``max-depth = 3``,
``exclude = ["^https://example\\.com/private"]``, ``allow-private-networks = true``); the
inputs are ``urls = [...]``. The file is ``--config FILE`` or ``linkcheck.toml`` in the
working directory. Options given on the command line win: a value replaces the file's, and a
repeatable option given on the command line replaces the file's list. A key no command has is
a usage error; a key of the other command (``max-depth`` under ``check``) is ignored, so one
file serves both.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .usage import UsageError

CONFIG_NAME = "linkcheck.toml"
PARSERS: dict[str, argparse.ArgumentParser] = {}  # the commands that read the file, by name


def add_config_argument(name: str, parser: argparse.ArgumentParser) -> None:
    """Let command ``name`` read the file (``--config FILE``, else ./linkcheck.toml)."""
    PARSERS[name] = parser
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"read options from FILE (default: ./{CONFIG_NAME} when it exists); "
        "command-line options win",
    )
    parser.set_defaults(reads_config=True)


def configured(args: argparse.Namespace, argv: Sequence[str] | None) -> argparse.Namespace:
    """``args`` parsed again over the config file's values (unchanged without a file)."""
    path = Path(args.config) if args.config else Path(CONFIG_NAME)
    if not args.config and not path.is_file():
        return args
    name: str = args.command
    parser = PARSERS[name]
    table = _load(path)
    actions = _actions(parser)
    others = {key for other, p in PARSERS.items() if other != name for key in _actions(p)}
    defaults: dict[str, Any] = {}
    for key, value in table.items():
        normal = key.replace("-", "_")
        action = actions.get(normal)
        if action is None:
            if normal in others:
                continue
            raise UsageError(f"{path}: unknown key {key!r}; the keys are the long options")
        try:
            _set(defaults, action, value)
        except (TypeError, ValueError, argparse.ArgumentTypeError) as exc:
            raise UsageError(f"{path}: {key}: {exc}") from None
    tokens = list(sys.argv[1:] if argv is None else argv)
    tokens = tokens[tokens.index(name) + 1 :] if name in tokens else tokens
    parser.set_defaults(**defaults)
    again = parser.parse_args(tokens)
    for dest, listed in defaults.items():
        value = getattr(again, dest)
        if isinstance(listed, list) and isinstance(value, list) and len(value) > len(listed):
            setattr(again, dest, value[len(listed) :])  # given on the command line: replaces
    return again


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise UsageError(f"--config: no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not valid TOML: {exc}") from None


def _actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Options by key: long option names without dashes (underscored), positionals by dest."""
    keys: dict[str, argparse.Action] = {}
    for action in parser._actions:
        if action.dest in (argparse.SUPPRESS, "help", "config"):
            continue
        if not action.option_strings:
            keys[action.dest] = action
        for option in action.option_strings:
            if option.startswith("--"):
                keys[option[2:].replace("-", "_")] = action
    return keys


def _set(defaults: dict[str, Any], action: argparse.Action, value: Any) -> None:
    if action.nargs == 0:  # a switch: true turns it on, false keeps or turns off
        if not isinstance(value, bool):
            raise TypeError("expected true or false")
        if value:
            defaults[action.dest] = action.const
        elif action.const is True:
            defaults[action.dest] = False
        return
    if isinstance(action, argparse._AppendAction) or action.nargs in ("*", "+"):
        items = value if isinstance(value, list) else [value]
        defaults[action.dest] = [_converted(action, item) for item in items]
        return
    defaults[action.dest] = _converted(action, value)


def _converted(action: argparse.Action, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"expected a string or a number, not {type(value).__name__}")
    text = str(value)
    converted = action.type(text) if callable(action.type) else text
    if action.choices is not None and converted not in action.choices:
        choices = ", ".join(map(str, action.choices))
        raise ValueError(f"{text!r} is not one of {choices}")
    return converted
