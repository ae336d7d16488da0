"""``--cache FILE``: verdicts of links checked recently, reused instead of checked again.

Only verdicts about the link itself are kept (``ok``, ``broken``, ``restricted``); ``error``,
``blocked``, ``invalid`` and ``not_checked`` are always checked again. An entry older than
``--max-cache-age`` is dropped. The file is written whole to a temporary file that then
replaces it, so an interrupted run never leaves half a cache; a file that cannot be read as a
cache is ignored (with a warning) and replaced at the end of the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..engine import CheckResult, Reason, Status
from .usage import UsageError

CACHED_STATUSES = frozenset({Status.OK, Status.BROKEN, Status.RESTRICTED})
FORMAT = 1
DEFAULT_MAX_AGE = "1d"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"(\d+)([smhdw])")


def parse_duration(text: str) -> float:
    """``1d``, ``6h``, ``30m``, ``45s``, ``1h30m`` -> seconds; a usage error otherwise."""
    compact = text.strip().lower().replace(" ", "")
    parts = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise UsageError(f"--max-cache-age: {text!r} is not a duration like 1d, 6h, 30m or 1h30m")
    return float(sum(int(number) * _UNITS[unit] for number, unit in parts))


class ResultCache:
    def __init__(
        self,
        path: Path,
        max_age: float,
        *,
        now: Callable[[], float] = time.time,
        warn: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.path = path
        self.max_age = max_age
        self._now = now
        self._entries: dict[str, tuple[float, dict[str, Any]]] = self._load(warn)
        self._served: set[str] = set()  # reused this run: kept with their first check's age

    def _load(self, warn: Callable[[str], None]) -> dict[str, tuple[float, dict[str, Any]]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            warn(f"cannot read the cache {self.path} ({exc}); checking every link")
            return {}
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ValueError("not a linkcheck cache")
            entries = {
                str(url): (float(stored), dict(result))
                for url, (stored, result) in data["entries"].items()
            }
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            warn(f"ignoring the cache {self.path}: it is not a linkcheck cache ({exc})")
            return {}
        oldest = self._now() - self.max_age
        return {url: entry for url, entry in entries.items() if entry[0] >= oldest}

    def get(self, url: str) -> CheckResult | None:
        entry = self._entries.get(url)
        if entry is None or entry[0] < self._now() - self.max_age:
            return None
        try:
            result = CheckResult.from_dict(entry[1])
        except (ValueError, TypeError, KeyError):
            return None  # an entry this version cannot read: check the link again
        self._served.add(url)
        return result

    @property
    def hits(self) -> int:
        return len(self._served)

    def put(self, url: str, result: CheckResult) -> None:
        if url in self._served:
            return
        if result.status in CACHED_STATUSES and result.reason is not Reason.NOT_CHECKED:
            self._entries[url] = (self._now(), result.to_dict())

    def save(self) -> None:
        """Write the whole cache to a temporary file beside it, then rename it into place."""
        data = {"format": FORMAT, "entries": self._entries}
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
