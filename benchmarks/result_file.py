"""(helper) Write a benchmark's result file, ``benchmarks/results/<name>.json``.

The shape ``scripts/render_reliability.py`` renders into ``docs/reliability.md``: name, title,
date (UTC), commit (the short sha of the code measured, ``-dirty`` when the checkout had
uncommitted changes), command, a one-sentence summary, two-column ``rows``, ``invariants``
(numbers tests and readers may assert on) and optional ``notes``.
"""

from __future__ import annotations

import datetime
import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def commit() -> str:
    """The checkout's short sha, ``-dirty`` when it has uncommitted changes to tracked files
    (other than result files and the page rendered from them)."""
    root = Path(__file__).resolve().parents[1]
    sha = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    # The results and the page rendered from them are outputs, not the code measured.
    outputs = [":(exclude)benchmarks/results", ":(exclude)docs/reliability.md"]
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", *outputs],
        cwd=root,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{sha or 'unknown'}{'-dirty' if dirty else ''}"


def command_line() -> str:
    """How this run was started, as a user would type it from the repository's root (without
    ``--note`` options)."""
    script = Path(sys.argv[0])
    shown = f"benchmarks/{script.name}" if script.parent.name == "benchmarks" else str(script)
    arguments: list[str] = []
    skip = False
    for argument in sys.argv[1:]:  # notes are in the file's notes, not part of the command
        if skip or argument.startswith("--note="):
            skip = False
        elif argument == "--note":
            skip = True
        else:
            arguments.append(argument)
    return shlex.join([".venv/bin/python", shown, *arguments])


def write_result(
    name: str,
    *,
    title: str,
    summary: str,
    rows: list[tuple[str, Any]],
    invariants: dict[str, int | float],
    notes: list[str] | None = None,
    directory: Path = RESULTS,
) -> Path:
    """Write ``<directory>/<name>.json`` and return its path."""
    data: dict[str, Any] = {
        "name": name,
        "title": title,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": commit(),
        "command": command_line(),
        "summary": summary,
        "rows": [[label, value] for label, value in rows],
        "invariants": invariants,
    }
    if notes:
        data["notes"] = notes
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path
