"""Checks of ``file://`` links found in local documents (a docs folder's relative links).

A link to a file or directory that exists is ``ok``; a missing one is ``broken`` with reason
``http_404`` (the verdict vocabulary has no file-system reason; the detail says
``file not found: <path>``). A fragment on a link to a Markdown or HTML file is judged against
that file's anchors (heading slugs and explicit ids) like a web page's.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..engine import CheckResult, Reason, Status
from ..extract import DocumentKind, detect_kind, html_anchors, markdown_anchors
from .fragments import judge_fragment, split_fragment

MAX_ANCHOR_FILE_BYTES = 4 * 1024 * 1024  # as the engine's max_page_bytes: a page's worth


def file_path(url: str) -> Path:
    """The local path of a ``file://`` URL (percent-decoded; fragment and query dropped)."""
    return Path(unquote(urlsplit(url).path))


class LocalFiles:
    """Judges ``file://`` links; reads each target's anchors once."""

    def __init__(self) -> None:
        self._anchors: dict[Path, tuple[frozenset[str] | None, bool]] = {}

    def check(self, url: str) -> CheckResult:
        base, fragment = split_fragment(url)
        path = file_path(base)
        if not path.exists():
            return CheckResult(
                url=url,
                status=Status.BROKEN,
                reason=Reason.HTTP_404,
                detail=f"file not found: {path}",
            )
        what = "directory" if path.is_dir() else "file"
        result = CheckResult(
            url=url, status=Status.OK, reason=Reason.HTTP_2XX, detail=f"The {what} exists: {path}"
        )
        if not fragment or path.is_dir():
            return result
        anchors, complete = self._anchors_of(path)
        return judge_fragment(result, fragment, anchors, complete, read_bytes=MAX_ANCHOR_FILE_BYTES)

    def _anchors_of(self, path: Path) -> tuple[frozenset[str] | None, bool]:
        known = self._anchors.get(path)
        if known is None:
            known = self._anchors[path] = _read_anchors(path)
        return known


def _read_anchors(path: Path) -> tuple[frozenset[str] | None, bool]:
    """(anchors, complete): None when the file is not Markdown or HTML, or cannot be read."""
    kind = detect_kind(path=str(path))
    if kind not in (DocumentKind.HTML, DocumentKind.MARKDOWN):
        return None, True
    try:
        with path.open("rb") as handle:
            body = handle.read(MAX_ANCHOR_FILE_BYTES + 1)
    except OSError:
        return None, True
    complete = len(body) <= MAX_ANCHOR_FILE_BYTES
    body = body[:MAX_ANCHOR_FILE_BYTES]
    if kind is DocumentKind.HTML:
        return html_anchors(body), complete
    return markdown_anchors(body.decode("utf-8", errors="replace")), complete
