"""A page a check read for its caller (a crawler, an audit): the final answer's decoded body.

Only checks that ask for it (``Checker.fetch_page``, ``run_checks(pages=...)``,
``OpenBatch.add(page=True)``) carry one: they are GETs whose final answer's body is read up to
``CheckOptions.max_page_bytes`` instead of the detectors' prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Page:
    url: str  # the final URL (after redirects): resolve relative links against it
    content_type: str  # the Content-Type header's media type, lower case ("" if none)
    body: bytes  # decoded (gzip/deflate), at most ``options.max_page_bytes``
    complete: bool  # False when the body was cut at ``max_page_bytes``


def media_type(headers: Mapping[str, str]) -> str:
    """The Content-Type's media type without parameters, lower case ("" when absent)."""
    return (headers.get("content-type") or "").split(";", 1)[0].strip().lower()
