"""TikTok: videos, photo posts, profiles and short links.

TikTok answers 200 for dead content too. Its pages embed a JSON state whose ``statusCode``
says what happened: ``<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__">`` with
``__DEFAULT_SCOPE__["webapp.video-detail" | "webapp.user-detail"].statusCode`` (current pages)
or ``<script id="SIGI_STATE">`` with ``VideoPage`` / ``UserPage`` (older pages). 0 is live.

10204 ("item does not exist") is also what TikTok answers to clients it refuses (some regions,
data-centre addresses), so it is confirmed with the public oEmbed endpoint before calling the
video deleted. A redirect to the login or captcha page means the checker was refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..detectors import Page, Probe
from ..verdict import Reason, Status, Verdict
from . import html
from .base import PlatformDetector, json_body, oembed, redirected_home

OEMBED = "https://www.tiktok.com/oembed"
SHORT_HOSTS = frozenset({"vm.tiktok.com", "vt.tiktok.com"})

# statusCode -> what it means. Sources: yt-dlp's TikTok extractor and issue threads, TikTok-Api.
ITEM_MISSING = 10204  # ambiguous: also sent to refused clients, so confirmed via oEmbed
PRIVATE_POST = 10216
PRIVATE_ACCOUNT = 10222
REGION_BLOCKED = 10231
USER_GONE = frozenset({10202, 10221})  # no such user / banned


@dataclass(frozen=True, slots=True)
class TikTokState:
    kind: str  # "video" or "user"
    code: int


_CAPTCHA_PAGE = re.compile(r"captcha-verify|<title>[^<]*(captcha|security check)", re.IGNORECASE)
_STATUS_AFTER = re.compile(r'"statusCode"\s*:\s*(\d+)')


def read_state(text: str) -> TikTokState | None:
    """The page's status code from the rehydration JSON (or SIGI_STATE on older pages)."""
    universal = html.script_json(text, "__UNIVERSAL_DATA_FOR_REHYDRATION__")
    if universal is not None:
        scope = html.dig(universal, "__DEFAULT_SCOPE__")
        for key, kind in (("webapp.video-detail", "video"), ("webapp.user-detail", "user")):
            state = _state_of(html.dig(scope, key), kind, ("itemInfo", "userInfo"))
            if state:
                return state
    sigi = html.script_json(text, "SIGI_STATE")
    if sigi is not None:
        for key, kind in (("VideoPage", "video"), ("UserPage", "user")):
            code = html.dig(sigi, key, "statusCode")
            if isinstance(code, int):
                return TikTokState(kind, code)
        for module, kind in (("ItemModule", "video"), ("UserModule", "user")):
            if html.dig(sigi, module):
                return TikTokState(kind, 0)
    return _truncated_state(text) if universal is None and sigi is None else None


def _state_of(section: Any, kind: str, payloads: tuple[str, ...]) -> TikTokState | None:
    if not isinstance(section, dict):
        return None
    code = section.get("statusCode")
    if isinstance(code, int):
        return TikTokState(kind, code)
    if any(section.get(p) for p in payloads):
        return TikTokState(kind, 0)
    return None


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


class TikTokDetector(PlatformDetector):
    name: str = "tiktok"
    label: str = "TikTok"
    domains: frozenset[str] = frozenset({"tiktok.com"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        refused = refusal(page.final_url)
        if refused:
            return self.refused(refused)
        if redirected_home(page):
            short = html.host(page.requested_url) in SHORT_HOSTS
            what = "short link" if short else "link"
            return self.to_home(f"the {what} leads to the home page: the video is gone.")
        if page.status != 200:
            return None  # the HTTP status says it better
        state = read_state(page.text)
        if state is None:
            if _CAPTCHA_PAGE.search(page.text):
                return self.refused("TikTok answered with a captcha.")
            return None
        return await self._judge(state, page, probe)

    async def _judge(self, state: TikTokState, page: Page, probe: Probe) -> Verdict:
        thing = "video" if state.kind == "video" else "profile"
        code = state.code
        if code == 0:
            return self.live(thing)
        if code == PRIVATE_POST:
            return self.private("the video is private.")
        if code == PRIVATE_ACCOUNT:
            return self.private(f"the account is private (status {code}).")
        if code == REGION_BLOCKED:
            return self.geo_blocked(
                "the video is not available in the region the checker runs from."
            )
        if code in USER_GONE:
            return self.deleted(f"the account does not exist or was banned (status {code}).")
        if code == ITEM_MISSING:
            return await self._confirm_missing(page, probe)
        return Verdict(
            Status.ERROR,
            Reason.PROTOCOL_ERROR,
            f"TikTok answered status {code}, which linkcheck does not know yet; "
            "the link's state is unknown.",
        )

    async def _confirm_missing(self, page: Page, probe: Probe) -> Verdict:
        answer = await oembed(probe, OEMBED, page.final_url)
        if answer is not None and answer.status in (400, 404):
            return self.deleted("the video does not exist (status 10204, confirmed by oEmbed).")
        if answer is not None and answer.status == 200 and json_body(answer):
            return self.refused(
                "the page said the video does not exist (status 10204) but oEmbed finds it, "
                "so TikTok refused the checker."
            )
        return self.refused(
            "the page said the video does not exist (status 10204), which TikTok also answers "
            "to clients it refuses, and oEmbed could not confirm."
        )
