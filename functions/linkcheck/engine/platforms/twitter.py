"""X / Twitter: posts judged by the public oEmbed endpoint; every other page is unverifiable.

x.com answers anonymous clients with the same JavaScript app shell (which asks to log in) for
live posts, deleted posts, existing and missing profiles: the page is never judged.
``publish.twitter.com/oembed`` is, for posts:

- 200 with an oEmbed object: live;
- 404 with error code 34 ("Sorry, that page does not exist"): deleted;
- 403 "Sorry, you are not authorized to see this status.": a protected account (restricted);
- 403 (or 404) "User has been suspended.": the author is suspended, nobody can see the post:
  ``broken`` / ``platform_deleted`` (gone for everyone while the suspension lasts);
- anything else (429, other bodies, no answer): ``blocked``, unknown.

Profiles and other pages have no public endpoint that linkcheck knows to be reliable, so they
are ``blocked`` with a detail saying what was not verified; never ``ok`` on the shell alone.
``t.co`` links redirect onto x.com and are judged there.
"""

from __future__ import annotations

import re
from typing import Any

from ..detectors import Page, Probe, ProbeResponse
from ..verdict import Reason, Verdict
from . import html
from .base import PlatformDetector, json_body, oembed, trail, unwalled

OEMBED = "https://publish.twitter.com/oembed"
DOMAINS = frozenset({"twitter.com", "x.com"})
_STATUS_PATH = re.compile(r"^/[A-Za-z0-9_]{1,15}/status(?:es)?/(\d+)", re.IGNORECASE)
_STATUS_ONLY = re.compile(r"^/i/(?:web/)?status/(\d+)")
_HANDLE = re.compile(r"^/([A-Za-z0-9_]{1,15})/?$")

DELETED_CODE = 34
_DELETED = "does not exist"
_PROTECTED = "not authorized to see this status"
_SUSPENDED = "has been suspended"


def status_url(url: str) -> str | None:
    """The canonical ``https://twitter.com/<user>/status/<id>`` form, else None."""
    if not html.host_in(url, DOMAINS):
        return None
    where = html.path(url)
    match = _STATUS_PATH.match(where) or _STATUS_ONLY.match(where)
    if not match:
        return None
    return f"https://twitter.com{where[: match.end()]}"


def _errors(body: dict[str, Any] | None) -> tuple[str, set[int]]:
    """The error messages (folded, joined) and codes of an oEmbed error answer."""
    if body is None:
        return "", set()
    messages: list[str] = []
    codes: set[int] = set()
    if isinstance(body.get("error"), str):
        messages.append(body["error"])
    for item in body.get("errors") or ():
        if isinstance(item, dict):
            messages.append(str(item.get("message") or ""))
            if isinstance(item.get("code"), int):
                codes.add(item["code"])
    return html.fold(" ".join(messages)), codes


class TwitterDetector(PlatformDetector):
    name = "twitter"
    label = "X (Twitter)"
    domains = DOMAINS

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not (self.owns(page) and self.wants(page.final_url)):
            return None
        post = next(filter(None, map(status_url, reversed(trail(page)))), None)
        if post is not None:
            return self.read_oembed(await oembed(probe, OEMBED, post))
        if page.status >= 500:
            return None  # the server failed: the HTTP verdict says it
        if page.status == 429:
            return self.refused("X rate limited the checker (429).", Reason.RATE_LIMITED)
        where = html.path(page.final_url)
        if html.is_home_path(where) and html.is_home_path(html.path(page.requested_url)):
            return None  # x.com itself
        handle = _HANDLE.match(html.path(page.requested_url))
        what = f"the account @{handle.group(1)}" if handle else "this page"
        return self.refused(
            f"X shows anonymous clients the same login app shell whether or not {what} "
            f"exists (it answered {page.status}), and has no public endpoint to ask: not "
            "verified."
        )

    async def behind_wall(self, page: Page, probe: Probe) -> Verdict | None:
        """A generic wall in front of a post: oEmbed by the same rules (its refusals are not
        evidence). Profiles and other pages have no endpoint to ask."""
        post = next(filter(None, map(status_url, reversed(trail(page)))), None)
        if post is None:
            return None
        return self.past_wall(self.read_oembed(await oembed(unwalled(probe), OEMBED, post)))

    def read_oembed(self, answer: ProbeResponse | None) -> Verdict:
        """The verdict on a post from X's oEmbed answer (see the module doc)."""
        if answer is None:
            return self.refused("X's oEmbed did not answer, and the post page is a login shell.")
        body = json_body(answer)
        if answer.status == 200 and body and "html" in body:
            return self.live("post")
        said, codes = _errors(body)
        if answer.status == 429:
            return self.refused("X's oEmbed rate limited the checker (429).", Reason.RATE_LIMITED)
        if answer.status in (403, 404) and _SUSPENDED in said:
            return self.deleted("the author's account is suspended: nobody can see the post.")
        if answer.status == 404 and (DELETED_CODE in codes or _DELETED in said):
            return self.deleted("the post does not exist (deleted, or its account is gone).")
        if answer.status == 403 and _PROTECTED in said:
            return self.private("the post is from a protected account.")
        return self.refused(
            f"X's oEmbed answered {answer.status} without saying what happened to the post."
        )
