"""YouTube: watch pages, shorts, live and embed URLs, youtu.be links, channels and playlists.

Evidence, best first:

1. the YouTube Data API v3, only when ``credentials.youtube_api_key`` is set: no item is
   deleted, ``privacyStatus: private`` is private (the key never leaves the request URL);
2. the watch page's ``ytInitialPlayerResponse.playabilityStatus``: ``status`` (``OK``,
   ``ERROR``, ``LOGIN_REQUIRED``, ``UNPLAYABLE``...) and English reasons (every request to
   YouTube carries ``hl=en`` and the consent cookie ``SOCS=CAI``: engine/quirks.py);
3. the public oEmbed endpoint: 404 deleted (400: a malformed id), 403 or a 200 ``Forbidden``
   private, 401 the video exists but its owner disabled embedding, 200 JSON it exists.

Refusals say nothing about the video: a bot wall ("Sign in to confirm you're not a bot"), a
captcha (``playerCaptchaViewModel``), "try again later", Google's "unusual traffic" page, a
consent gate. Then the official endpoints decide, else the result is ``blocked``. A page
that says "Video unavailable" is deleted only when oEmbed agrees (or, when oEmbed cannot
answer, when the page names the removal: "removed by the uploader", "terminated"...).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from ..detectors import Page, Probe, ProbeResponse
from ..verdict import Reason, Status, Verdict
from . import html
from .base import PlatformDetector, json_body, looks_like_page, oembed, trail, unwalled

OEMBED = "https://www.youtube.com/oembed"
DATA_API = "https://www.googleapis.com/youtube/v3/videos"
GATE_HOSTS = frozenset({"consent.youtube.com", "accounts.google.com", "consent.google.com"})
_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIDEO_PATH = re.compile(r"^/(?:shorts|live|embed|v)/([\w-]{6,})")
_CHANNEL_PATH = re.compile(
    r"^/(?:@[^/]+|channel/[\w-]+|c/[^/]+|user/[^/]+)/?(?:featured|videos|about)?/?$"
)
_ALERT = re.compile(r'"(?:alertRenderer|alertWithButtonRenderer)"\s*:\s*')

# Reason phrases, folded (html.fold). Sources: yt-dlp's YouTube extractor and its issues.
_UNUSUAL_TRAFFIC = "our systems have detected unusual traffic"
_BOT_WALL = ("not a bot", "protect our community")
_TRY_LATER = "try again later"
_PRIVATE = ("private video", "this video is private")
_AGE = ("confirm your age", "age-restricted", "inappropriate for some users")
_AGE_STATUSES = frozenset(
    {"AGE_VERIFICATION_REQUIRED", "AGE_CHECK_REQUIRED", "CONTENT_CHECK_REQUIRED"}
)
_MEMBERS = ("join this channel", "members-only", "music premium", "requires payment")
_UPCOMING = ("premieres in", "live event will begin", "premiere will begin")
_REMOVED = (
    "removed by the uploader",
    "has been terminated",
    "isn't available anymore",
    "no longer available",
    "has been removed",
)
_CHANNEL_GONE = (
    "this account has been terminated",
    "this channel does not exist",
    "channel was removed because it violated",
)
_PLAYLIST_GONE = "the playlist does not exist"


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


def strings_of(value: Any, limit: int = 64) -> str:
    """Every human string of a small JSON tree (reasons, messages, subreasons), folded."""
    parts: list[str] = []
    pending: list[Any] = [value]
    while pending and len(parts) < limit:  # bounded walk
        item = pending.pop()
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, dict):
            pending.extend(v for k, v in item.items() if k != "status")
        elif isinstance(item, list):
            pending.extend(item)
    return html.fold(" ".join(parts))


def alerts(text: str) -> list[str]:
    """The folded text of each alert of a channel or playlist page (``ytInitialData``).

    Only real alert objects count: a description quoting an alert's words is a JSON string,
    whose quotes are escaped, so it never matches the key.
    """
    found: list[str] = []
    decoder = json.JSONDecoder()
    for match in _ALERT.finditer(text):
        try:
            value, _ = decoder.raw_decode(text, match.end())
        except ValueError:  # cut by the body prefix
            continue
        found.append(strings_of(value))
        if len(found) >= 8:
            break
    return found


def refused_page(page: Page, content: bool) -> str | None:
    """Why the final page is a refusal of the checker rather than YouTube content, else None.

    ``content``: the page carries YouTube's own data (a player or page JSON); Google's
    "unusual traffic" page never does, so a description quoting its words is not a refusal.
    """
    final = page.final_url
    if html.host(final) in GATE_HOSTS:
        return "YouTube showed a consent or sign-in gate to the checker"
    if html.path(final).startswith("/sorry"):
        return 'Google answered with its "unusual traffic" captcha page'
    if not content and _UNUSUAL_TRAFFIC in html.fold(page.text[:65536]):
        return 'Google answered with its "unusual traffic" captcha page'
    return None


def carries_content(text: str) -> bool:
    return "ytInitialPlayerResponse" in text or "ytInitialData" in text


@dataclass(frozen=True, slots=True)
class Claim:
    """What a watch page says when it is not a final verdict by itself."""

    kind: str  # "gone" (an error screen), "refused" (a wall), "unknown" (a state not known)
    why: str
    named: bool = False  # gone: the page names the removal ("removed by the uploader"...)
    reason: Reason = Reason.BOT_CHALLENGE  # refused: how to report it when nothing else answers


@dataclass(frozen=True, slots=True)
class Answer:
    """What an official endpoint (Data API, oEmbed) said about the video."""

    says: str  # "gone", "private", "found" or "refused" (the endpoint refused the checker)
    detail: str = ""


class YouTubeDetector(PlatformDetector):
    name = "youtube"
    label = "YouTube"
    domains = frozenset({"youtube.com", "youtu.be", "youtube-nocookie.com"})

    async def detect(self, page: Page, probe: Probe) -> Verdict | None:
        if not self.owns(page):
            return None
        vid = video_id(page.requested_url) or video_id(page.final_url)
        wall = refused_page(page, carries_content(page.text))
        if vid is None:
            return self.refused(f"{wall}.") if wall else self._channel_or_playlist(page)
        api = await self._data_api(vid, page, probe)
        if api is not None and api.says in ("gone", "private"):
            return self._verdict(api)
        status = playability(page.text) if page.status == 200 and not wall else None
        judged = self.read_status(status) if status is not None else None
        if isinstance(judged, Verdict):
            return judged
        if api is not None:  # the Data API lists the video
            if judged is not None and judged.kind == "gone":
                return self.refused(f"{judged.why}, but the Data API lists the video.")
            return self._verdict(api)
        if judged is None:
            if wall:
                judged = Claim("refused", wall)
            elif page.status == 200:  # the player JSON is beyond the body prefix
                judged = Claim("unknown", "the watch page did not say what it shows")
            else:
                return None  # a real HTTP error says it better
        return self._decide(judged, await self._oembed(vid, probe))

    async def behind_wall(self, page: Page, probe: Probe) -> Verdict | None:
        """A generic wall (Google's /sorry/ page, a Cloudflare challenge) stood in front of a
        video: the Data API, then oEmbed, by their usual rules; a refusal of theirs is not
        evidence. Channels and playlists have no endpoint to ask."""
        on_youtube = (url for url in trail(page) if self.wants(url))
        vid = next(filter(None, map(video_id, on_youtube)), None)
        if vid is None:
            return None
        probe = unwalled(probe)
        said = await self._data_api(vid, page, probe) or await self._oembed(vid, probe)
        if said is None or said.says == "refused":
            return None
        return self.past_wall(self._verdict(said))

    # -- the watch page ----------------------------------------------------------------------

    def read_status(self, status: dict[str, Any]) -> Verdict | Claim:
        """A verdict when ``playabilityStatus`` says enough by itself, else what it claims."""
        kind = str(status.get("status") or "")
        reason = strings_of(status)
        if html.dig(status, "errorScreen", "playerCaptchaViewModel") is not None:
            return Claim("refused", "YouTube showed the checker a captcha")
        if _TRY_LATER in reason:
            why = "YouTube told the checker to try again later"
            return Claim("refused", why, reason=Reason.RATE_LIMITED)
        if kind == "OK":
            return self.live("video")
        if kind == "LIVE_STREAM_OFFLINE" or any(p in reason for p in _UPCOMING):
            return self.live("video (a scheduled live stream or premiere)")
        if kind == "LOGIN_REQUIRED" and any(p in reason for p in _BOT_WALL):
            return Claim("refused", "YouTube asked the checker to prove it is not a bot")
        if kind in _AGE_STATUSES or any(p in reason for p in _AGE):
            return self.age_restricted("the video is age-restricted (sign-in required).")
        if kind == "LOGIN_REQUIRED" and any(p in reason for p in _PRIVATE):
            return self.private("the video is private.")
        if any(p in reason for p in _MEMBERS):
            return self.login_required("the video is for channel members or paying viewers only.")
        if kind == "LOGIN_REQUIRED":  # a sign-in wall for an anonymous client, reason unknown
            return Claim("refused", "YouTube asked the checker to sign in")
        if kind in ("UNPLAYABLE", "ERROR") and "country" in reason:
            return self.geo_blocked("the video is not available in the checker's country.")
        if kind == "ERROR":
            named = any(p in reason for p in _REMOVED)
            return Claim("gone", f"the watch page said the video is unavailable ({reason})", named)
        return Claim("unknown", f"the watch page said {kind or 'nothing'} ({reason})")

    # -- official endpoints ------------------------------------------------------------------

    async def _data_api(self, vid: str, page: Page, probe: Probe) -> Answer | None:
        """The Data API's word (needs a key); None without a key or a usable answer."""
        key = page.credentials.youtube_api_key
        if not key or not _WELL_FORMED_ID.match(vid):
            return None
        answer = await probe(f"{DATA_API}?part=status&id={vid}&key={quote(key, safe='')}")
        body = json_body(answer) if answer is not None and answer.status == 200 else None
        items = body.get("items") if body else None
        if not isinstance(items, list):
            return None  # quota, bad key, outage: the page and oEmbed decide
        if not items:
            return Answer("gone", "the video does not exist (YouTube Data API).")
        status = html.dig(items[0], "status") or {}
        if status.get("uploadStatus") in ("deleted", "rejected"):
            return Answer("gone", "the video was removed (YouTube Data API).")
        if status.get("privacyStatus") == "private":
            return Answer("private", "the video is private (YouTube Data API).")
        return Answer("found", "video (the YouTube Data API lists it)")

    async def _oembed(self, vid: str, probe: Probe) -> Answer | None:
        answer = await oembed(probe, OEMBED, _watch_url(vid), extra="&format=json")
        return read_oembed(answer, vid)

    def _decide(self, claim: Claim, said: Answer | None) -> Verdict:
        """Combine what the page claims with what oEmbed says."""
        if said is not None and said.says in ("gone", "private"):
            return self._verdict(said)
        if claim.kind == "gone":
            if said is not None and said.says == "found":
                return self.refused(f"{claim.why} but oEmbed finds the video.")
            if claim.named:  # oEmbed could not answer; the page names the removal
                return self.deleted(f"{claim.why}.")
            return self.refused(f"{claim.why}, and oEmbed could not confirm it.")
        if said is not None and said.says == "found":  # existence, from the official endpoint
            return Verdict(
                Status.OK, Reason.HTTP_2XX, f"The YouTube {said.detail} is there ({claim.why})."
            )
        if claim.kind == "refused":
            return self.refused(f"{claim.why}, and oEmbed could not answer.", claim.reason)
        if said is not None and said.says == "refused":
            return self.refused(f"{claim.why}, and oEmbed refused the checker too.")
        return Verdict(
            Status.ERROR,
            Reason.PROTOCOL_ERROR,
            f"YouTube: {claim.why}, and oEmbed could not answer: the link's state is unknown.",
        )

    def _verdict(self, said: Answer) -> Verdict:
        if said.says == "gone":
            return self.deleted(said.detail)
        if said.says == "private":
            return self.private(said.detail)
        return self.live(said.detail)

    # -- channels and playlists --------------------------------------------------------------

    def _channel_or_playlist(self, page: Page) -> Verdict | None:
        where = html.path(page.final_url)
        playlist = where == "/playlist"
        if page.status not in (200, 404) or not (playlist or _CHANNEL_PATH.match(where)):
            return None
        said = alerts(page.text)
        thing = "playlist" if playlist else "channel"
        if playlist and any(_PLAYLIST_GONE in text for text in said):
            return self.deleted("the playlist does not exist.")
        if playlist and any("private" in text for text in said):
            return self.private("the playlist is private.")
        if not playlist and any(p in text for text in said for p in _CHANNEL_GONE):
            return self.deleted("the channel was terminated, removed or does not exist.")
        if page.status == 404:
            return Verdict(Status.BROKEN, Reason.HTTP_404, f"YouTube: no such {thing} (404).")
        if carries_content(page.text) or html.meta(page.text, "og:type") == "profile":
            return self.live(thing)
        return None


def read_oembed(answer: ProbeResponse | None, vid: str) -> Answer | None:
    """YouTube's oEmbed answer as evidence (None: no usable answer)."""
    if answer is None:
        return None
    said = answer.body[:64].strip().lower()
    text = answer.body[:65536].decode("utf-8", errors="replace")
    if answer.status == 429 or _UNUSUAL_TRAFFIC in html.fold(text):
        return Answer("refused")
    if answer.status == 404 or said == b"not found":
        return Answer("gone", "the video does not exist (oEmbed answered not found).")
    if answer.status == 400 and not _WELL_FORMED_ID.match(vid):
        return Answer("gone", f"the link's video id {vid!r} is malformed (oEmbed: bad request).")
    if answer.status == 403 and looks_like_page(answer):  # a wall page, not oEmbed's answer
        return Answer("refused")
    if answer.status == 403 or said == b"forbidden":
        return Answer("private", "the video is private (oEmbed answered forbidden).")
    if answer.status == 401:
        return Answer("found", "video (its owner disabled embedding)")
    if answer.status == 200 and json_body(answer):
        return Answer("found", "video (oEmbed finds it)")
    return None


def _watch_url(vid: str) -> str:
    return f"https://www.youtube.com/watch?v={vid}"
