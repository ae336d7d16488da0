"""How ``linkcheck check`` shows results: the table, JSON Lines in input order, the summary line
and the progress bar on a terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ..engine import CheckResult
from ..engine.ssrf import naming_the_option
from ..engine.verdict import Reason, Status

PROGRESS_MIN_URLS = 10  # shorter lists finish before a bar would help


def write_results(results: Sequence[CheckResult], out: TextIO, *, as_json: bool) -> None:
    if as_json:
        encode = json.JSONEncoder(ensure_ascii=False).encode
        out.write("".join(encode(json_record(result)) + "\n" for result in results))
        return
    out.write(format_table(results))


class JsonLinesInOrder:
    """Writes JSON Lines in input order as results arrive in completion order."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._encode = json.JSONEncoder(ensure_ascii=False).encode
        self._waiting: dict[int, CheckResult] = {}
        self._next = 0

    def add(self, index: int, result: CheckResult) -> None:
        self._waiting[index] = result
        if index != self._next:
            return
        lines = []
        while self._next in self._waiting:
            lines.append(self._encode(json_record(self._waiting.pop(self._next))) + "\n")
            self._next += 1
        self._out.write("".join(lines))


def json_record(result: CheckResult) -> dict[str, Any]:
    """``result.to_dict()``, built directly: ``dataclasses.asdict`` is slow on long lists."""
    return {
        "url": result.url,
        "status": result.status.value,
        "reason": result.reason.value,
        "detail": shown_detail(result),
        "final_url": result.final_url,
        "http_status": result.http_status,
        "redirects": [{"url": hop.url, "status": hop.status} for hop in result.redirects],
        "platform": result.platform,
        "elapsed_ms": result.elapsed_ms,
        "checked_at": result.checked_at,
    }


def format_table(results: Sequence[CheckResult], *, found_in: Sequence[str] | None = None) -> str:
    """The table; ``found_in``: per result, where it was found (shown under a failing one)."""
    rows = [
        (
            r.status.value,
            r.reason.value,
            str(r.http_status) if r.http_status is not None else "-",
            _shown_url(r),
            r.platform or "",
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(_HEADER[:3])]
    lines = [_row(_HEADER, widths)]
    indent = " " * (sum(widths) + 6)
    for number, (result, row) in enumerate(zip(results, rows, strict=True)):
        lines.append(_row(row, widths))
        if result.status is not Status.OK:
            lines.append(indent + shown_detail(result))
            if found_in is not None and found_in[number]:
                lines.append(f"{indent}found in: {found_in[number]}")
    lines.append("")
    lines.append(summary(results))
    return "\n".join(lines) + "\n"


_HEADER = ("STATUS", "REASON", "HTTP", "URL", "PLATFORM")
ALLOW_PRIVATE_OPTION = "--allow-private-networks"


def shown_detail(result: CheckResult) -> str:
    """The verdict's detail; a refused private address names the option that allows it."""
    if result.reason is Reason.FORBIDDEN_TARGET:
        return naming_the_option(result.detail, ALLOW_PRIVATE_OPTION)
    return result.detail


def _row(row: Sequence[str], widths: Sequence[int]) -> str:
    head = "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
    platform = f"  [{row[4]}]" if row[4] and row is not _HEADER else ""
    return f"{head}  {row[3]}{platform}".rstrip()


def _shown_url(result: CheckResult) -> str:
    if result.final_url and result.redirects and result.final_url != result.url:
        return f"{result.url} -> {result.final_url}"
    return result.url


def summary(results: Sequence[CheckResult]) -> str:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    parts = [f"{counts[s.value]} {s.value}" for s in Status if s.value in counts]
    noun = "link" if len(results) == 1 else "links"
    return f"{len(results)} {noun}: " + ", ".join(parts)


def wants_progress(count: int) -> bool:
    return count >= PROGRESS_MIN_URLS and sys.stderr.isatty()


class Progress:
    """A one-line progress bar on stderr (only used when stderr is a terminal)."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.count = 0
        self.stream = stream or sys.stderr
        self._shown = -1

    def step(self) -> None:
        self.count += 1
        filled = self.count * self.WIDTH // self.total
        if filled == self._shown and self.count != self.total:
            return  # redraw only when the bar moves: cheap on long lists
        self._shown = filled
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.count}/{self.total}")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\r" + " " * (self.WIDTH + 24) + "\r")
        self.stream.flush()
