"""YouTube: watch pages, shorts, youtu.be links, live and embed URLs, channels.

A watch page always answers 200; what happened is in ``ytInitialPlayerResponse.
playabilityStatus`` (``OK``, ``ERROR``, ``LOGIN_REQUIRED``, ``UNPLAYABLE``, ...) with a human
``reason``. When the page cannot say (a consent or sign-in gate, the JSON beyond the body
prefix) or says ``ERROR`` (which must be confirmed before calling a video deleted), the public
oEmbed endpoint decides: 404 deleted, 403 private, 401 exists but embedding is disabled.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..detectors import Page, Probe, ProbeResponse
from ..verdict import Status, Verdict
from . import html
from .base import PlatformDetector, json_body, oembed

OEMBED = "https://www.youtube.com/oembed"
GATE_HOSTS = frozenset({"consent.youtube.com", "accounts.google.com", "consent.google.com"})
_VIDEO_PATH = re.compile(r"^/(?:shorts|live|embed|v)/([\w-]{6,})")
_CHANNEL_PATH = re.compile(
    r"^/(?:@[^/]+|channel/[\w-]+|c/[^/]+|user/[^/]+)/?(?:featured|videos)?/?$"
)
_REMOVED = ("removed", "terminated", "no longer available", "isn't available anymore")
_CHANNEL_GONE = ("this account has been terminated", "this channel does not exist")


def video_id(url: str) -> str | None:
    """The video id of any YouTube video URL form, else None."""
    parts = urlsplit(url)
    name = html.host(url)
    if name == "youtu.be":
        vid = parts.path.strip("/").split("/")[0]
        return vid or None
    if parts.path == "/watch":
        ids = parse_qs(parts.query).get("v")
        return ids[0] if ids else None
    match = _VIDEO_PATH.match(parts.path)
    return match.group(1) if match else None


def playability(text: str) -> dict[str, Any] | None:
    player = html.assigned_json(text, "ytInitialPlayerResponse =")
    status = html.dig(player, "playabilityStatus")
    return status if isinstance(status, dict) else None


def _reason_text(status: dict[str, Any]) -> str:
    """Every human string of the status (reason, messages, the error screen's subreason)."""
    parts: list[str] = []
    pending: list[Any] = [status]
    while pending and len(parts) < 64:  # bounded walk of a small JSON tree
        value = pending.pop()
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            pending.extend(v for k, v in value.items() if k != "status")
        elif isinstance(value, list):
            pending.extend(value)
    return html.fold(" ".join(parts))


class YouTubeDetector(PlatformDetector):
    name = "youtube"
    label = "YouTube"
    domains = frozenset({"youtube.com", "youtu.be", "youtube-nocookie.com"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        vid = video_id(page.requested_url) or video_id(page.final_url)
        gated = html.host(page.final_url) in GATE_HOSTS
        if vid is None:
            return None if gated else self._channel(page)
        status = playability(page.text) if page.status == 200 and not gated else None
        if status is not None:
            verdict = await self._playability(status, vid, probe)
            if verdict is not None:
                return verdict
        if page.status != 200 and not gated:
            return None  # a real HTTP error says it better
        answer = await oembed(probe, OEMBED, _watch_url(vid), extra="&format=json")
        verdict = self._oembed(answer)
        if verdict is None and gated:
            return self.refused("YouTube showed a consent or sign-in gate to the checker.")
        return verdict

    async def _playability(self, status: dict[str, Any], vid: str, probe: Probe) -> Verdict | None:
        kind = str(status.get("status") or "")
        reason = _reason_text(status)
        if kind == "OK":
            return self.live("video")
        if kind == "LOGIN_REQUIRED":
            if "bot" in reason:
                return self.refused("YouTube asked the checker to prove it is not a bot.")
            if "private" in reason:
                return self.private("the video is private.")
            if any(w in reason for w in ("your age", "age-restricted", "inappropriate")):
                return self.age_restricted("the video is age-restricted (sign-in required).")
            return self.login_required("the video needs a signed-in viewer.")
        if kind in {"AGE_CHECK_REQUIRED", "AGE_VERIFICATION_REQUIRED", "CONTENT_CHECK_REQUIRED"}:
            return self.age_restricted("the video is behind an age or content check.")
        if kind == "UNPLAYABLE":
            if "country" in reason or "region" in reason:
                return self.geo_blocked("the video is not available in the checker's country.")
            if "member" in reason or "join this channel" in reason:
                return self.login_required("the video is for channel members only.")
            return None  # let oEmbed decide
        if kind == "ERROR":
            return await self._confirm_error(reason, vid, probe)
        return None

    async def _confirm_error(self, reason: str, vid: str, probe: Probe) -> Verdict:
        answer = await oembed(probe, OEMBED, _watch_url(vid), extra="&format=json")
        verdict = self._oembed(answer)
        if verdict is not None and verdict.status in {Status.BROKEN, Status.RESTRICTED}:
            return verdict
        if verdict is not None:  # oEmbed knows the video: the page error was for the checker
            return self.refused("the watch page showed an error but oEmbed finds the video.")
        if any(word in reason for word in _REMOVED):
            return self.deleted(f"the video was removed ({reason}).")
        return self.refused("the watch page showed an error that oEmbed could not confirm.")

    def _oembed(self, answer: ProbeResponse | None) -> Verdict | None:
        if answer is None:
            return None
        said = answer.body[:64].strip().lower()
        if answer.status in (404, 400) or said == b"not found":
            return self.deleted("the video does not exist (oEmbed answered not found).")
        if answer.status == 403 or said == b"forbidden":
            return self.private("the video is private (oEmbed answered forbidden).")
        if answer.status == 401:
            return self.live("video (its owner disabled embedding)")
        if answer.status == 200 and json_body(answer):
            return self.live("video")
        return None

    def _channel(self, page: Page) -> Verdict | None:
        if page.status != 200 or not _CHANNEL_PATH.match(html.path(page.final_url)):
            return None
        text = html.fold(page.text)
        if any(phrase in text for phrase in _CHANNEL_GONE):
            return self.deleted("the channel was terminated or does not exist.")
        if "channelmetadatarenderer" in text or html.meta(page.text, "og:type") == "profile":
            return self.live("channel")
        return None


def _watch_url(vid: str) -> str:
    return f"https://www.youtube.com/watch?v={vid}"
