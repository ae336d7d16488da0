"""oEmbed first, the page second: the verdict rules shared by platforms whose pages say nothing.

Spotify and SoundCloud answer their content URLs with a script shell (or a bot wall) whatever
the state of the content, so the only evidence is the platform's oEmbed endpoint. Its 200 means
the content is there. Its 404 is not documented as "deleted", so ``broken`` needs the page's own
404 as well; a 404 beside a page that loads is unknown. A failing endpoint (5xx, no answer) is
unknown too: the shell page never makes such a link ``ok``.
"""

from __future__ import annotations

from ..detectors import Page, ProbeResponse
from ..verdict import Reason, Status, Verdict
from .base import PlatformDetector, json_body


def unknown(detector: PlatformDetector, why: str, reason: Reason) -> Verdict:
    return Verdict(Status.ERROR, reason, f"{detector.label}: {why} Whether it is there is unknown.")


def oembed_evidence(
    detector: PlatformDetector, answer: ProbeResponse | None, what: str
) -> Verdict | None:
    """What the oEmbed ``answer`` proves alone: its 200 the content is there; nothing else
    (its 404 needs the page's own 404). How a wall in front of the page is looked past."""
    if answer is not None and answer.status == 200 and json_body(answer):
        return detector.live(what)
    return None


def oembed_verdict(
    detector: PlatformDetector, page: Page, answer: ProbeResponse | None, what: str
) -> Verdict | None:
    """The verdict for ``page`` given its oEmbed ``answer`` (None: keep the HTTP verdict)."""
    shell = 200 <= page.status < 300  # a page that loads says nothing on these platforms
    live = oembed_evidence(detector, answer, what)
    if live is not None:
        return live
    if answer is not None and answer.status == 404:
        if page.status in (404, 410):
            return detector.deleted(f"the {what} does not exist (oEmbed and page agree).")
        if shell:
            return unknown(
                detector, f"oEmbed does not know the {what} but its page loads.", Reason.HTTP_4XX
            )
        return None
    if not shell:  # oEmbed settles nothing: the page's own 404, 403 or 5xx says it better
        return None
    if answer is None:
        return unknown(detector, "its oEmbed endpoint could not be asked.", Reason.NOT_CHECKED)
    if answer.status == 429:
        return detector.refused(
            "its oEmbed endpoint rate-limited the checker.", Reason.RATE_LIMITED
        )
    if answer.status == 403:
        return detector.refused("its oEmbed endpoint refused the checker.", Reason.HTTP_403)
    if answer.status >= 500:
        return unknown(detector, f"its oEmbed endpoint failed ({answer.status}).", Reason.HTTP_5XX)
    return unknown(detector, f"its oEmbed endpoint answered {answer.status}.", Reason.HTTP_4XX)
