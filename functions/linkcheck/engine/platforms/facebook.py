"""Facebook: posts, videos, reels, pages, and the ``fb.watch`` / ``fb.me`` / ``/share/`` links.

Facebook shows logged-out, data-centre clients walls and notices that do not describe the
content: a redirect to ``/login/`` or ``/checkpoint/``, an inline login form ("You must log in
to continue", ``id="login_form"``, ``id="loginbutton"``, "Log In or Sign Up to View"),
"Unsupported Browser". All are refusals of the checker (``blocked``).

Its notices are not proof either:

- "This page isn't available" / "The link you followed may be broken" is shown to logged-out
  visitors for pages that exist;
- "This content isn't available right now" (m.facebook.com: "Content Not Found") covers
  deleted content *and* content shared with fewer people, and it is also shown for content
  that a logged-in visitor, or another link form, can see;
- the video notice (``uiInterstitialContent``) and a 404 to a logged-out client say no more.

None of them tells a dead link from a live one, so each is ``blocked`` (unknown) unless Meta's
Graph oEmbed, asked with the optional Meta app token, answers: 200 live, an error saying the
object does not exist deleted (see ``meta``). ``restricted`` would be a guess: a wrong one
pages someone for a live post, and the notice is what Facebook also shows the checker for
content the public can see. A page with Open Graph tags (``og:url``) is live.
"""

from __future__ import annotations

import re

from ..detectors import Page, Probe
from ..verdict import Reason, Verdict
from . import html, meta
from .base import PlatformDetector, trail, unwalled

DOMAINS = frozenset({"facebook.com", "fb.com", "fb.watch", "fb.me"})
SHORT_HOSTS = frozenset({"fb.watch", "fb.me"})
_WALL = re.compile(r"^/(login|login\.php|checkpoint|unsupportedbrowser)(?:/|$)", re.IGNORECASE)

_WALL_WHY = {
    "checkpoint": "Facebook sent the checker to a checkpoint.",
    "unsupportedbrowser": "Facebook told the checker its browser is unsupported.",
}
_LOGIN_TEXT = ("you must log in to continue", "log in or sign up to view")
_LOGIN_FORM = re.compile(r"""\bid\s*=\s*["'](?:login_form|loginbutton)["']""")
_UNSUPPORTED = ("unsupported browser",)
_UNAVAILABLE = ("this content isn't available", "content not found")
_GONE = ("this page isn't available", "the link you followed may be broken")
_LOGIN_WHY = "Facebook put a login form in front of the checker."
# Facebook's notices, in the order they are looked for, with what each one means.
_NOTICES = (
    (_UNSUPPORTED, "Facebook told the checker its browser is unsupported."),
    (
        _UNAVAILABLE,
        "Facebook says the content isn't available right now, which it says for deleted "
        "content, for content shared with fewer people, and for content it hides from "
        "logged-out visitors.",
    ),
    (
        _GONE,
        "Facebook says the page isn't available, which it also tells logged-out visitors "
        "about pages that exist.",
    ),
    (_LOGIN_TEXT, _LOGIN_WHY),
)
_INTERSTITIAL = re.compile(
    r"""class\s*=\s*["'][^"']*\buiInterstitialContent\b[^"']*["'][^>]*>\s*<div[^>]*>(.*?)</div""",
    re.IGNORECASE | re.DOTALL,
)

_VIDEO_PATH = re.compile(r"/(?:videos?|watch|reels?)(?:/|$)|^/share/[vr]/", re.IGNORECASE)
_POST_PATH = re.compile(
    r"/(?:posts|permalink\.php|story\.php|photo\.php|photos?)(?:/|$)|^/share/p/", re.IGNORECASE
)
_PAGE_PATH = re.compile(r"^/(?:[A-Za-z0-9.\-]{2,80}/?|profile\.php|people/[^/]+/\d+/?)$")


def oembed_endpoint(url: str) -> str | None:
    """The Graph oEmbed endpoint that covers ``url`` (video, post, page), else None."""
    if html.host(url) == "fb.watch":
        return "oembed_video"
    where = html.path(url)
    if _VIDEO_PATH.search(where):
        return "oembed_video"
    if _POST_PATH.search(where):
        return "oembed_post"
    if _PAGE_PATH.match(where) and not html.is_home_path(where):
        return "oembed_page"
    return None


def content_url(page: Page) -> str:
    """The URL of the content itself: the last Facebook URL before any wall, short links last."""
    candidates = [
        url for url in trail(page) if html.host_in(url, DOMAINS) and not _WALL.match(html.path(url))
    ]
    full = [url for url in candidates if html.host(url) not in SHORT_HOSTS]
    return (full or candidates or [page.requested_url])[-1]


class FacebookDetector(PlatformDetector):
    name = "facebook"
    label = "Facebook"
    domains = DOMAINS

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not (self.owns(page) and self.wants(page.final_url)):
            return None  # a short link that left Facebook is the other site's business
        wall = _WALL.match(html.path(page.final_url))
        if wall:
            walled = _WALL_WHY.get(wall.group(1).lower(), "Facebook sent the checker to log in.")
            return await self._unknown(page, probe, walled)
        if page.status == 429:
            return self.refused("Facebook rate limited the checker (429).", Reason.RATE_LIMITED)
        if page.status not in (200, 404):
            return None
        content = html.meta(page.text, "og:url") is not None
        why = self._notice(page, content)
        if why is None and page.status == 404:
            why = "Facebook answered 404 to a logged-out client, as it does for some live content."
        if why is not None:
            return await self._unknown(page, probe, why)
        return self.live() if content else None

    def _notice(self, page: Page, content: bool) -> str | None:
        """Why the page is one of Facebook's walls or notices (none of them is proof), else None."""
        for phrases, why in _NOTICES:
            if self._says(page, phrases, content):
                return why
        if content:
            return None
        notice = _INTERSTITIAL.search(page.text)
        if notice:
            said = html.visible_text(notice.group(1))[:120]
            return f'Facebook showed a notice instead of the content ("{said}").'
        if _LOGIN_FORM.search(page.text):
            return _LOGIN_WHY
        return None

    @staticmethod
    def _says(page: Page, phrases: tuple[str, ...], content: bool) -> bool:
        """Facebook's own notice: what the title or a heading starts with, or anywhere on a page
        that is not content (a post quoting the phrase carries Open Graph tags)."""
        shown = [html.title(page.text) or ""]
        shown += [h for tag in ("h1", "h2") for h in html.headings(page.text, tag)]
        lines = [html.fold(line) for line in shown]
        if any(line.startswith(p) for p in phrases for line in lines):
            return True
        text = "" if content else html.fold(html.visible_text(page.text))
        return any(p in text for p in phrases)

    async def behind_wall(self, page: Page, probe: Probe) -> Verdict | None:
        """A generic wall in front of Facebook content: Meta's oEmbed, only with the app token."""
        if not (self.owns(page) and self.wants(page.final_url)):
            return None
        if not page.credentials.meta_app_token:
            return None
        found, _ = await self._official(page, unwalled(probe))
        return found

    async def _unknown(self, page: Page, probe: Probe, why: str) -> Verdict:
        """Not proof either way: ask Meta's oEmbed (with the app token) before saying unknown."""
        found, asked = await self._official(page, probe)
        return found or self.refused(f"{why} {asked[0].upper()}{asked[1:]}.")

    async def _official(self, page: Page, probe: Probe) -> tuple[Verdict | None, str]:
        """What Meta's oEmbed proves about the content (None: nothing), and what it said."""
        target = content_url(page)
        endpoint = oembed_endpoint(target)
        token = page.credentials.meta_app_token
        evidence = await meta.ask(probe, endpoint, target, token) if endpoint else None
        if evidence is meta.Evidence.LIVE:
            return self.live_past_wall("Meta's oEmbed finds the content"), ""
        if evidence is meta.Evidence.MISSING:
            return self.deleted("Meta's oEmbed says the content does not exist."), ""
        if endpoint or not token:
            return None, meta.describe(evidence)
        return None, "no oEmbed covers this URL"
