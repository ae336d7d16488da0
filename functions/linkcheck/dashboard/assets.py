"""The dashboard's files and the headers they are served with (pure: no HTTP, no AWS).

The page and its assets ship inside the package (``static/``), so the Lambda artifact and
``linkcheck dev`` serve the same bytes. Only names of the form ``word.js`` / ``word.css`` are
ever looked up, in that one folder: a request cannot reach any other file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Final

STATIC: Final = Path(__file__).resolve().parent / "static"
PAGE: Final = "index.html"

# The page loads only its own modules and style sheet and talks only to its own API: nothing
# inline, nothing from elsewhere, no forms posted, no framing.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Final = MappingProxyType(
    {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }
)
# The page is revalidated on every load (one small request, usually a 304), so a deploy is
# seen at once; assets may be reused for a few minutes, then revalidated by their ETag.
PAGE_CACHE: Final = "no-cache"
ASSET_CACHE: Final = "public, max-age=300"

CONTENT_TYPES: Final = MappingProxyType(
    {
        ".html": "text/html; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
    }
)
_ASSET_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\.(?:js|css)")


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    body: str
    content_type: str
    etag: str  # a strong validator: the content's hash, quoted

    def headers(self) -> dict[str, str]:
        """Every header of a 200 (or 304) answer with this file."""
        cache_control = PAGE_CACHE if self.name == PAGE else ASSET_CACHE
        return {
            **SECURITY_HEADERS,
            "Content-Type": self.content_type,
            "Cache-Control": cache_control,
            "ETag": self.etag,
            "Vary": "Accept-Encoding",
        }

    def matches(self, if_none_match: str | None) -> bool:
        """Whether the client's ``If-None-Match`` names this version (answer 304)."""
        if not if_none_match:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or self.etag in tags


def is_asset_name(name: str) -> bool:
    return _ASSET_NAME.fullmatch(name) is not None


@cache
def _load(name: str) -> Asset | None:
    path = STATIC / name
    if not path.is_file():
        return None
    body = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
    return Asset(name=name, body=body, content_type=CONTENT_TYPES[path.suffix], etag=f'"{digest}"')


def page() -> Asset:
    """The dashboard's HTML page."""
    found = _load(PAGE)
    if found is None:  # the package was built without its data files
        raise FileNotFoundError(f"the dashboard page is missing from {STATIC}")
    return found


def asset(name: str) -> Asset | None:
    """A JavaScript module or style sheet of the page, or None for any other name."""
    return _load(name) if is_asset_name(name) else None


def asset_names() -> list[str]:
    """Every asset the page may load (for tests and the artifact check)."""
    return sorted(p.name for p in STATIC.iterdir() if is_asset_name(p.name))
