"""TikTok: videos, photo posts, profiles, short links and share links.

TikTok answers 200 for dead content too. Its pages embed a JSON state whose ``statusCode``
(and ``statusMsg``) say what happened: ``<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__">``
with ``__DEFAULT_SCOPE__["webapp.video-detail" | "webapp.user-detail"]`` (current pages) or
``<script id="SIGI_STATE">`` with ``VideoPage`` / ``UserPage`` (older pages). 0 is live.

Data-centre clients are often refused: a ~1.4 KB "Please wait..." WAF challenge page (HTTP
200), a redirect to the login or captcha page, or 10204 "item doesn't exist", which TikTok
also sends to clients it refuses. So 10204 is only called deleted when an official endpoint
agrees: oEmbed answering 404 (or 400, which must then be backed by the embed page
``/embed/<id>`` answering 400 too), or the embed page's 400 when oEmbed cannot answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..detectors import Page, Probe, ProbeResponse
from ..verdict import Reason, Status, Verdict
from . import html
from .base import PlatformDetector, json_body, oembed, redirected_home, trail, unwalled

OEMBED = "https://www.tiktok.com/oembed"
EMBED = "https://www.tiktok.com/embed/"
SHORT_HOSTS = frozenset({"vm.tiktok.com", "vt.tiktok.com"})

# statusCode -> what it means. Sources: yt-dlp's TikTok extractor and issue threads, TikTok-Api.
ITEM_MISSING = 10204  # ambiguous: also sent to refused clients, so confirmed by oEmbed / embed
PRIVATE_POST = 10216
PRIVATE_ACCOUNT = 10222
UNDOCUMENTED_BLOCK = 10231  # assumed a region block by some, never documented: not judged
PROFILE_UNCLEAR = 10221  # "Profile Not Found" to one parser, private to another
USER_GONE = frozenset({10202, 10223})  # "user not exist", "Profile Not Found"

# statusMsg values (they also come with 10204, so they are read before the code).
_AUDIENCE_ONLY = ("status_self_see", "status_friend_see", "author_secret")
_AGE_GATE = "content_classification"
_DELETED = ("status_deleted", "vigo")

_VIDEO_ID = re.compile(r"/(?:video|photo|v)/(\d{6,})")
_CAPTCHA_PAGE = re.compile(r"captcha-verify|<title>[^<]*(captcha|security check)", re.IGNORECASE)
_STATUS_AFTER = re.compile(r'"statusCode"\s*:\s*(\d+)')


@dataclass(frozen=True, slots=True)
class TikTokState:
    kind: str  # "video" or "user"
    code: int
    message: str = ""  # statusMsg
    age_gated: bool = False  # itemStruct without ``video`` and ``isContentClassified: true``


def read_state(text: str) -> TikTokState | None:
    """The page's status from the rehydration JSON (or SIGI_STATE on older pages)."""
    universal = html.script_json(text, "__UNIVERSAL_DATA_FOR_REHYDRATION__")
    if universal is not None:
        scope = html.dig(universal, "__DEFAULT_SCOPE__")
        for key, kind in (("webapp.video-detail", "video"), ("webapp.user-detail", "user")):
            state = _state_of(html.dig(scope, key), kind)
            if state:
                return state
    sigi = html.script_json(text, "SIGI_STATE")
    if sigi is not None:
        for key, kind in (("VideoPage", "video"), ("UserPage", "user")):
            code = html.dig(sigi, key, "statusCode")
            if isinstance(code, int):
                return TikTokState(kind, code, _text(html.dig(sigi, key, "statusMsg")))
        for module, kind in (("ItemModule", "video"), ("UserModule", "user")):
            if html.dig(sigi, module):
                return TikTokState(kind, 0)
    return _truncated_state(text) if universal is None and sigi is None else None


def _state_of(section: Any, kind: str) -> TikTokState | None:
    if not isinstance(section, dict):
        return None
    code = section.get("statusCode")
    item = html.dig(section, "itemInfo", "itemStruct")
    payload = item or section.get("userInfo")
    if not isinstance(code, int):
        if not payload:
            return None
        code = 0
    gated = (
        isinstance(item, dict) and item.get("isContentClassified") is True and not item.get("video")
    )
    return TikTokState(kind, code, _text(section.get("statusMsg")), age_gated=gated)


def _text(value: Any) -> str:
    return value.casefold() if isinstance(value, str) else ""


def _truncated_state(text: str) -> TikTokState | None:
    """Best effort when the body prefix cut the JSON: live pages put the item first."""
    for marker, kind, payload in (
        ('"webapp.video-detail":', "video", '"itemStruct":{'),
        ('"webapp.user-detail":', "user", '"userInfo":{'),
    ):
        at = text.find(marker)
        if at < 0:
            continue
        rest = text[at + len(marker) : at + len(marker) + 200]
        found = _STATUS_AFTER.match(rest.lstrip("{ \n"))
        if found:
            return TikTokState(kind, int(found.group(1)))
        if text.find(payload, at) >= 0:
            return TikTokState(kind, 0)
    return None


def refusal(url: str) -> str | None:
    """Why a final URL means TikTok refused the checker (login wall, captcha), else None."""
    where = html.path(url).lower()
    if where.startswith("/login"):
        return "TikTok sent the checker to its login page."
    captcha = "captcha" in url.lower() or html.host(url).startswith("verify")
    if captcha or where.startswith("/verify"):
        return "TikTok answered with a captcha."
    return None


def waf_challenge(text: str) -> bool:
    """TikTok's "Please wait..." WAF page (SlardarWAF): a proof-of-work for browsers."""
    if "SlardarWAF" in text or "_wafchallengeid" in text:
        return True
    return 'id="cs"' in text and 'id="wci"' in text


def video_id(url: str) -> str | None:
    found = _VIDEO_ID.search(html.path(url))
    return found.group(1) if found else None


def is_short_link(url: str) -> bool:
    return html.host(url) in SHORT_HOSTS or html.path(url).startswith("/t/")


class TikTokDetector(PlatformDetector):
    name: str = "tiktok"
    label: str = "TikTok"
    domains: frozenset[str] = frozenset({"tiktok.com", "tiktokv.com"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        refused = refusal(page.final_url)
        if refused:
            return self.refused(refused)
        if redirected_home(page):
            what = "short link" if is_short_link(page.requested_url) else "link"
            return self.to_home(f"the {what} leads to the home page: the video is gone.")
        state = read_state(page.text) if page.status == 200 else None
        if state is None:
            if waf_challenge(page.text):
                return self.refused('TikTok answered with its "Please wait..." WAF challenge.')
            if _CAPTCHA_PAGE.search(page.text):
                return self.refused("TikTok answered with a captcha.")
            return None  # no state: the HTTP status says it better
        return await self._judge(state, page, probe)

    async def _judge(self, state: TikTokState, page: Page, probe: Probe) -> Verdict:
        thing = "video" if state.kind == "video" else "profile"
        code, message = state.code, state.message
        if state.age_gated or _AGE_GATE in message:
            return self.age_restricted(f"the {thing} is shown to signed-in adults only.")
        if code == 0:
            return self.live(thing)
        if any(m in message for m in _AUDIENCE_ONLY):
            return self.private(f"the {thing} is for its author, friends or subscribers only.")
        if code == PRIVATE_POST:
            return self.private("the video is private.")
        if code == PRIVATE_ACCOUNT:
            return self.private(f"the account is private (status {code}).")
        if code in USER_GONE:
            return self.deleted(f"the account does not exist or was banned (status {code}).")
        if code == PROFILE_UNCLEAR:
            return self.private(
                f"the profile cannot be seen (status {code}: not found or private, TikTok does "
                "not say which, so linkcheck does not call it deleted)."
            )
        if code == UNDOCUMENTED_BLOCK:
            return self.refused(
                f"TikTok did not show the {thing} to the checker (status {code}, an undocumented "
                "code said to mean a region block): its state for the audience is unknown."
            )
        if code == ITEM_MISSING or any(m in message for m in _DELETED):
            return await self._confirm_missing(code, page, probe)
        return Verdict(
            Status.ERROR,
            Reason.PROTOCOL_ERROR,
            f"TikTok answered status {code}, which linkcheck does not know yet; "
            "the link's state is unknown.",
        )

    async def _confirm_missing(self, code: int, page: Page, probe: Probe) -> Verdict:
        """Deleted only when oEmbed or the embed page agrees, and neither finds the video."""
        said = f"the page said the video does not exist (status {code})"
        asked = await oembed(probe, OEMBED, _canonical(page.final_url))
        oembed_says = _oembed_says(asked)
        if oembed_says == "found":
            return self.refused(f"{said} but oEmbed finds it, so TikTok refused the checker.")
        if oembed_says == "gone":
            return self.deleted(f"{said}, and oEmbed agrees.")
        vid = video_id(page.final_url) or video_id(page.requested_url)
        if vid and await _embed_gone(vid, probe):
            both = oembed_says == "maybe gone"
            backing = "oEmbed and the embed page agree" if both else "the embed page agrees"
            return self.deleted(f"{said}, and {backing}.")
        return self.refused(
            f"{said}, which TikTok also answers to clients it refuses, and neither oEmbed nor "
            "the embed page confirmed it."
        )

    async def behind_wall(self, page: Page, probe: Probe) -> Verdict | None:
        """A generic wall in front of a video. With no page to agree with, oEmbed alone proves
        a live video, and a missing one needs oEmbed (404 or 400) and the embed page (400)."""
        post = next((u for u in reversed(trail(page)) if self.wants(u) and video_id(u)), None)
        vid = video_id(post) if post else None
        if post is None or vid is None:
            return None  # profiles and unresolved short links: no endpoint to ask
        probe = unwalled(probe)
        oembed_says = _oembed_says(await oembed(probe, OEMBED, _canonical(post)))
        if oembed_says == "found":
            return self.past_wall(self.live("video"))
        if oembed_says in ("gone", "maybe gone") and await _embed_gone(vid, probe):
            return self.past_wall(
                self.deleted("oEmbed and the embed page agree the video does not exist.")
            )
        return None


async def _embed_gone(vid: str, probe: Probe) -> bool:
    """The embed page ``/embed/<id>`` answers 400, as it does for a video that does not exist."""
    embed = await probe(EMBED + vid)
    return embed is not None and embed.status == 400


def _oembed_says(answer: ProbeResponse | None) -> str | None:
    """What oEmbed says: found (200 with JSON), gone (404), maybe gone (400: ask again)."""
    if answer is None:
        return None
    if answer.status == 200 and json_body(answer):
        return "found"
    if answer.status == 404:
        return "gone"
    if answer.status == 400:
        return "maybe gone"
    return None


def _canonical(url: str) -> str:
    """The post URL as oEmbed expects it: no query (``?_r=1`` from short links) or fragment."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
