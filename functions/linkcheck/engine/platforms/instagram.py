"""Instagram: posts (``/p/``), reels, IGTV, profiles, and ``instagr.am`` links.

Instagram refuses many anonymous, data-centre clients: it redirects them to
``/accounts/login/``, ``/challenge/`` or its home page, serves "Login • Instagram", asks them to
"wait a few minutes", answers 429, or serves a 404 whose page carries ``"require_login":true``.
None of these says anything about the post, so they are ``blocked``, never ``restricted`` or
``broken``. Before concluding, a walled post is looked up where Instagram still answers
anonymous clients:

- the public embed page ``/p/<code>/embed/captioned/``: a live embed shows the media
  (``class="EmbeddedMediaImage"`` or ``"EmbeddedMediaVideo"``). An unavailable embed
  (``class="EmbedIsBroken"``) is also what private posts and posts with embedding turned off
  show, so it proves nothing;
- with a Meta app token, Graph's ``instagram_oembed`` (see ``meta``): 200 live; an error that
  says the media does not exist is the only error taken as proof.

Content verdicts need Instagram's own words: the not-found page (404, title
"Page not found • Instagram", "Sorry, this page isn't available." and "The link you followed
may be broken...") *without* ``require_login`` is deleted; a 200 with that title is a banned
profile; "This account is private" on a profile is private; "Restricted Video" needs a login for
everyone. A live page carries Open Graph tags.
"""

from __future__ import annotations

import re

from ..detectors import Page, Probe, ProbeResponse
from ..verdict import Reason, Verdict
from . import html, meta
from .base import PlatformDetector, redirected_home, trail, unwalled

_POST = re.compile(r"^/(?:[A-Za-z0-9_.]{1,30}/)?(p|reels?|tv)/([A-Za-z0-9_-]{5,64})(?:/|$)", re.I)
_CHALLENGE = re.compile(r"^/challenge(?:/|$)", re.IGNORECASE)
_LOGIN = re.compile(r"^/accounts/login(?:/|$)", re.IGNORECASE)
_REQUIRE_LOGIN = re.compile(r'"require_login"\s*:\s*true')
_LIVE_EMBED = re.compile(r"""class\s*=\s*["'][^"']*\bEmbeddedMedia(?:Image|Video)\b""")
_BROKEN_EMBED = re.compile(r"""class\s*=\s*["'][^"']*\bEmbedIsBroken\b""")

NOT_FOUND_TITLE = "page not found • instagram"
LOGIN_TITLE = "login • instagram"
_GONE_TEXT = ("sorry, this page isn't available", "the link you followed may be broken")
_WAIT = "please wait a few minutes before you try again"
_PRIVATE = "this account is private"
_RESTRICTED_VIDEO = "restricted video"
DOMAINS = frozenset({"instagram.com", "instagr.am"})


def post_code(url: str) -> tuple[str, str] | None:
    """``("p" | "reel" | "tv", shortcode)`` for a post URL on Instagram, else None."""
    if not html.host_in(url, DOMAINS):
        return None
    match = _POST.match(html.path(url))
    if not match:
        return None
    kind = match.group(1).lower()
    return ("reel" if kind.startswith("reel") else kind), match.group(2)


def embed_url(code: str) -> str:
    return f"https://www.instagram.com/p/{code}/embed/captioned/"


def canonical_url(kind: str, code: str) -> str:
    return f"https://www.instagram.com/{kind}/{code}/"


def read_embed(answer: ProbeResponse | None) -> str:
    """``"live"``, ``"unavailable"`` (not proof of anything) or ``"unknown"``."""
    if answer is None or answer.status != 200 or "/embed" not in html.path(answer.final_url):
        return "unknown"  # failed, refused, or sent to the login page
    text = answer.body.decode("utf-8", errors="replace")
    if _BROKEN_EMBED.search(text):
        return "unavailable"
    return "live" if _LIVE_EMBED.search(text) else "unknown"


_EMBED_SAYS = {
    "unavailable": "public embed is unavailable (also the case for private posts and posts "
    "that may not be embedded)",
    "unknown": "public embed did not show the post",
}


class InstagramDetector(PlatformDetector):
    name = "instagram"
    label = "Instagram"
    domains = DOMAINS

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not (self.owns(page) and self.wants(page.final_url)):
            return None  # a link that left Instagram is the other site's business
        post = next(filter(None, map(post_code, trail(page))), None)
        thing = "post" if post else "page"
        where = html.path(page.final_url)
        if _CHALLENGE.match(where):
            why = "Instagram sent the checker to a challenge page."
            return await self._walled(page, probe, post, why)
        if _LOGIN.match(where):
            return await self._walled(page, probe, post, "Instagram sent the checker to log in.")
        if redirected_home(page):
            why = f"Instagram sent the checker to its home page instead of the {thing}."
            return await self._walled(page, probe, post, why)
        if page.status == 429:
            return self.refused("Instagram rate limited the checker (429).", Reason.RATE_LIMITED)
        if page.status not in (200, 404):
            return None
        title = html.fold(html.title(page.text) or "")
        text = html.fold(html.visible_text(page.text))
        content = bool(html.meta(page.text, "og:url") or html.meta(page.text, "og:type"))
        if _WAIT in text and not content:
            return self.refused(
                "Instagram asked the checker to wait a few minutes.", Reason.RATE_LIMITED
            )
        if title == LOGIN_TITLE:
            why = "Instagram answered with its login page."
            return await self._walled(page, probe, post, why)
        if _REQUIRE_LOGIN.search(page.text) and not content:  # a live page's config may say it
            why = f"Instagram's answer says a login is required to see the {thing}."
            return await self._walled(page, probe, post, why)
        if title == NOT_FOUND_TITLE or (page.status == 404 and all(p in text for p in _GONE_TEXT)):
            what = "the post" if post else "the page (removed, banned, or a wrong link)"
            return self.deleted(f"Instagram says {what} isn't available.")
        if page.status != 200:
            return None
        if self._restricted_video(page, title):
            return self.login_required("the video is restricted: Instagram requires a login.")
        if post is None and _PRIVATE in text:
            return self.private("the account is private.")
        if content:
            return self.live(thing if post is None else "reel" if post[0] == "reel" else "post")
        return None

    @staticmethod
    def _restricted_video(page: Page, title: str) -> bool:
        """Instagram's own "Restricted Video" notice (title or heading, never a caption)."""
        shown = [
            title,
            *(html.fold(h) for tag in ("h1", "h2") for h in html.headings(page.text, tag)),
        ]
        return any(line.startswith(_RESTRICTED_VIDEO) for line in shown)

    async def behind_wall(self, page: Page, probe: Probe) -> Verdict | None:
        """A generic wall in front of a post: the public embed, then Meta's oEmbed (with the
        app token), as for Instagram's own walls. Profiles have no endpoint to ask."""
        if not (self.owns(page) and self.wants(page.final_url)):
            return None
        post = next(filter(None, map(post_code, trail(page))), None)
        if post is None:
            return None
        found, _ = await self._official(page, unwalled(probe), post)
        return found

    async def _walled(
        self, page: Page, probe: Probe, post: tuple[str, str] | None, why: str
    ) -> Verdict:
        """A refusal: ask the embed page and Meta's oEmbed before concluding it is unknown."""
        if post is None:
            return self.refused(f"{why} Profiles and other pages have no public fallback.")
        found, asked = await self._official(page, probe, post)
        return found or self.refused(f"{why} {asked}.")

    async def _official(
        self, page: Page, probe: Probe, post: tuple[str, str]
    ) -> tuple[Verdict | None, str]:
        """What the public embed and Meta's oEmbed prove about a post (None: nothing), and
        what they said, for the detail of a refusal."""
        kind, code = post
        embed = read_embed(await probe(embed_url(code)))
        if embed == "live":
            shown = "reel" if kind == "reel" else "post"
            return self.live_past_wall(f"the {shown} is there (its public embed shows it)"), ""
        token = page.credentials.meta_app_token
        evidence = await meta.ask(probe, "instagram_oembed", canonical_url(kind, code), token)
        if evidence is meta.Evidence.LIVE:
            return self.live_past_wall("Meta's oEmbed finds the post"), ""
        if evidence is meta.Evidence.MISSING:
            return self.deleted("Meta's oEmbed says the post does not exist."), ""
        return None, f"Its {_EMBED_SAYS[embed]}; {meta.describe(evidence)}"
