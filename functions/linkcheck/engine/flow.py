"""One check, hop by hop: requests, retries, redirects and the deadline, to one result.

For each hop: HEAD (GET when a detector or the caller wants the page, or HEAD is refused or
misbehaves),
retry transient failures while the deadline allows, follow redirects by hand (cap, loop
detection, every hop vetted by the exchanger), carry the check's cookies; then ``judging.py``
reaches the verdict. Everything runs under one total deadline; every way a check can end is a
``CheckResult``, a defect included (``check_safely``). A check whose page the caller wants
(``page_safely``) is a GET whose final answer's body is read up to ``max_page_bytes``; its
detectors see the same prefix as any other check's, so its verdict is the same.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from types import TracebackType

from . import ssrf
from .classify import (
    REDIRECT_STATUSES,
    RETRYABLE_STATUSES,
    classify_transport_error,
    deadline_exceeded,
    never_started,
)
from .cookies import CookieJar
from .detectors import Follow, ProbeResponse
from .errors import RETRYABLE, TransportFailure
from .exchange import BodyWanted, Exchanger
from .head_trust import HeadTrust
from .judging import Judges
from .options import CheckOptions
from .page import Page, media_type
from .pool import queued_out
from .quirks import QUIRKS
from .retry import backoff_delay, retry_after_seconds
from .trail import Reply, Stop, Trail
from .unwrap import INTERSTITIAL_HOSTS, WRAPPER_HOSTS, unwrap_url
from .urls import BadUrl, Target, normalize_url, resolve_relative
from .verdict import CheckResult, Hop, Reason, Status, Verdict

log = logging.getLogger(__name__)

HEAD_ONLY_RETRY = frozenset({429})  # a HEAD answered otherwise falls back to GET at once
UNWRAPPED = 0  # the status listed for a wrapper URL the engine unwrapped without requesting it


class CheckFlow:
    """Runs single checks for one ``Checker``: its options, exchanger, judges and HEAD trust."""

    def __init__(self, options: CheckOptions, exchanger: Exchanger, judges: Judges) -> None:
        self.options = options
        self._exchanger = exchanger
        self._judges = judges
        self._head_trust = HeadTrust()

    async def check_safely(
        self, given: str, target: Target, budget: float, started: float
    ) -> CheckResult:
        """``_check_target``, with a bug in it becoming this check's result, never the batch's end.

        The one deliberate catch-all of the engine: every expected failure is already a
        verdict, so what lands here is a defect, logged with the URL and the traceback.
        """
        try:
            return (await self._check_target(given, target, budget, started, page=False))[0]
        except Exception as exc:
            return _defect(given, exc)

    async def page_safely(
        self, given: str, target: Target, budget: float, started: float
    ) -> tuple[CheckResult, Page | None]:
        """``check_safely`` for a check whose page is wanted: the result, and the final answer's
        page when it was a 2xx (``page.Page``)."""
        try:
            return await self._check_target(given, target, budget, started, page=True)
        except Exception as exc:
            return _defect(given, exc), None

    async def _check_target(
        self, given: str, target: Target, budget: float, started: float, *, page: bool
    ) -> tuple[CheckResult, Page | None]:
        trail = Trail(target=target, current=target, hops=[])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget
        platform: str | None = None
        read: Page | None = None
        try:
            with _Deadline(loop, deadline):
                reply = await self._follow(trail, deadline, force_get=False, page=page)
                judged, platform = await self._judge(trail, reply, deadline)
                while isinstance(judged, Follow):  # an interstitial: on to the page it names
                    hop = Hop(url=trail.current.url, status=reply.status)
                    following = normalize_url(judged.url)
                    trail.advance(hop, following, self.options.max_redirects, restart=True)
                    trail.wanting.clear()  # the stop's platform has no say on the target
                    reply = await self._follow(trail, deadline, force_get=False, page=page)
                    judged, platform = await self._judge(trail, reply, deadline)
                verdict = judged
                if reply.page is not None:  # only when wanted, and only for a 2xx answer
                    read = Page(
                        url=trail.current.url,
                        content_type=media_type(reply.headers),
                        body=reply.page,
                        complete=not reply.cut,
                    )
        except TimeoutError:
            waited = queued_out.get()  # cancelled while it queued for a connection
            queued_out.set(False)
            if waited and trail.http_status is None:  # and nothing had answered it yet
                verdict = never_started(budget, trail.current.host)
            else:
                verdict = deadline_exceeded(budget)
        except Stop as stop:
            verdict = stop.verdict
        except (ssrf.ForbiddenTarget, ssrf.NameNotFound, ssrf.ResolutionFailed) as exc:
            verdict = _vetting_verdict(exc, trail.current.host)
        except TransportFailure as exc:
            verdict = classify_transport_error(exc)
        except BadUrl as exc:  # only a redirect's Location can be bad here
            verdict = Verdict(
                Status.INVALID, exc.reason, f"A redirect points to an unusable URL: {exc.detail}"
            )
        result = CheckResult(
            url=given,
            status=verdict.status,
            reason=verdict.reason,
            detail=verdict.detail,
            final_url=trail.current.url,
            http_status=trail.http_status,
            redirects=tuple(trail.hops),
            platform=platform,
            elapsed_ms=_ms_since(started),
            checked_at=_clock.now_iso(),
        )
        return result, read

    async def _follow(
        self, trail: Trail, deadline: float, *, force_get: bool, page: bool = False
    ) -> Reply:
        """Request hop after hop until a response that is not a redirect.

        Once a platform detector wants a hop, every later hop is fetched with GET too, so the
        detector sees a body wherever the redirects lead.
        """
        limit = self.options.max_redirects
        get = force_get or self.options.always_get
        while True:
            target = trail.current
            if target.host in WRAPPER_HOSTS:  # a pasted interstitial or wall URL: its target
                inner = unwrap_url(target.url)
                # A wall that names the page it stands in front of (LinkedIn's authwall after
                # a redirect from that page) is judged as the wall it is, not followed back.
                if inner is not None and not trail.visited(unwrapped := normalize_url(inner)):
                    hop = Hop(url=target.url, status=UNWRAPPED)
                    trail.advance(hop, unwrapped, limit, restart=True)
                    continue
            wanting = self._judges.wanting(target)
            trail.wanting.update(wanting)
            get = get or bool(wanting) or target.host in INTERSTITIAL_HOSTS
            reply = await self._fetch(target, deadline, get, trail.jar.header(target), page)
            set_cookie = reply.headers.get("set-cookie")
            if set_cookie:  # most answers set none: no clock read on the common path
                trail.jar.store(set_cookie, target, now=time.time())
            trail.http_status = reply.status
            location = reply.headers.get("location")
            if reply.status not in REDIRECT_STATUSES or not location:
                return reply
            hop = Hop(url=target.url, status=reply.status)
            trail.advance(hop, resolve_relative(target, location), limit)

    async def _fetch(
        self, target: Target, deadline: float, want_body: bool, cookie: str | None, page: bool
    ) -> Reply:
        """HEAD first (no body), GET when the body or the page is wanted, or HEAD was refused."""
        if want_body or page or self._head_trust.get_first(target.host):
            return await self._attempts(
                target, "GET", deadline, cookie, want_body=want_body, page=page
            )
        reply = await self._attempts(target, "HEAD", deadline, cookie, want_body=False)
        if reply.status in HEAD_ONLY_RETRY or self._head_trust.believes(target.host, reply.status):
            return reply
        # Many servers answer HEAD wrongly (405, 404, 403, 500...): ask again with GET.
        again = await self._attempts(target, "GET", deadline, cookie, want_body=False)
        self._head_trust.record(target.host, reply.status, again.status)
        return again

    async def _attempts(
        self,
        target: Target,
        method: str,
        deadline: float,
        cookie: str | None,
        *,
        want_body: bool,
        page: bool = False,
    ) -> Reply:
        """One request, retried on transient failures while the deadline allows."""
        loop = asyncio.get_running_loop()
        retry_statuses = HEAD_ONLY_RETRY if method == "HEAD" else RETRYABLE_STATUSES
        attempt = 0
        while True:
            try:
                reply = await self._send(target, method, cookie, want_body=want_body, page=page)
            except RETRYABLE as exc:
                if _is_tls(exc) or attempt >= self.options.retries:
                    raise
                wait = backoff_delay(attempt, self.options.backoff)
                if loop.time() + wait >= deadline:
                    raise
            else:
                if (
                    reply.status not in retry_statuses
                    or attempt >= self.options.retries
                    or _challenged(reply.headers)  # asked again, it asks again: impolite, useless
                ):
                    return reply
                asked = retry_after_seconds(reply.headers.get("retry-after"))
                wait = asked if asked is not None else backoff_delay(attempt, self.options.backoff)
                if loop.time() + wait >= deadline:
                    reply.refused_wait = asked
                    return reply
            attempt += 1
            await asyncio.sleep(wait)

    async def _send(
        self, target: Target, method: str, cookie: str | None, *, want_body: bool, page: bool
    ) -> Reply:
        wants: BodyWanted | None = None
        if method == "GET":
            wants = _always if want_body else self._judges.body_wanted
        limit = self.options.max_body_bytes
        if page:
            return await self._send_for_page(target, cookie, wants)
        quirk = QUIRKS.get(target.host)  # a site's request tweak (quirks.py); most have none
        if quirk is None:
            extra = {"Cookie": cookie} if cookie else None
            answer = await self._exchanger.exchange(method, target, wants, limit, extra)
        else:  # only the wire sees the tweaked URL: the trail keeps the real one
            sent = replace(target, url=quirk.url(target.url))
            headers = _with_cookie(quirk.headers, cookie)
            answer = await self._exchanger.exchange(method, sent, wants, limit, headers)
        return Reply(answer.status, answer.headers, answer.body, method)

    async def _send_for_page(
        self, target: Target, cookie: str | None, judged: BodyWanted | None
    ) -> Reply:
        """A GET whose 2xx body is read up to ``max_page_bytes``, for the caller's ``Page``.

        The judges get what an ordinary GET would have given them: the first
        ``max_body_bytes`` of a body they (``judged``) want, nothing of one they do not, so
        wanting the page never changes a verdict.
        """

        def wanted(status: int, content_type: str) -> bool:
            return 200 <= status < 300 or (judged is not None and judged(status, content_type))

        limit = max(self.options.max_page_bytes, self.options.max_body_bytes)
        quirk = QUIRKS.get(target.host)
        sent = target if quirk is None else replace(target, url=quirk.url(target.url))
        headers = _with_cookie(quirk.headers, cookie) if quirk is not None else None
        if quirk is None and cookie:
            headers = {"Cookie": cookie}
        answer = await self._exchanger.exchange("GET", sent, wanted, limit, headers)
        status, content_type = answer.status, answer.headers.get("content-type", "")
        prefix = b""
        if judged is not None and judged(status, content_type):
            prefix = answer.body[: self.options.max_body_bytes]
        page = answer.body if 200 <= status < 300 else None
        return Reply(status, answer.headers, prefix, "GET", page=page, cut=answer.cut)

    async def _probe(self, url: str, deadline: float, jar: CookieJar) -> ProbeResponse | None:
        """A GET on a detector's behalf: same vetting, politeness, deadline and cookies as the
        check."""
        try:
            target = normalize_url(url)
            trail = Trail(target=target, current=target, hops=[], jar=jar)
            trail.seen.add((target.url, jar.version))
            reply = await self._follow(trail, deadline, force_get=True)
        except (Stop, BadUrl, ssrf.ForbiddenTarget, ssrf.NameNotFound, ssrf.ResolutionFailed):
            return None
        except TransportFailure:
            return None
        return ProbeResponse(
            status=reply.status,
            final_url=trail.current.url,
            headers={k.lower(): v for k, v in reply.headers.items()},
            body=reply.body,
        )

    async def _judge(
        self, trail: Trail, reply: Reply, deadline: float
    ) -> tuple[Verdict | Follow, str | None]:
        async def probe(url: str) -> ProbeResponse | None:
            return await self._probe(url, deadline, trail.jar)

        return await self._judges.judge(trail, reply, probe)


class _Deadline:
    """``asyncio.timeout_at`` for the per-check hot path: the same outcome (``TimeoutError``
    when the deadline cancels the block), a third of the cost (one timer, a sync ``with``)."""

    __slots__ = ("_expired", "_handle", "_task")

    def __init__(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a check deadline needs a running task")
        self._task = task
        self._expired = False
        self._handle = loop.call_at(when, self._expire)

    def _expire(self) -> None:
        self._expired = True
        self._task.cancel()

    def __enter__(self) -> _Deadline:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._handle.cancel()
        # Ours only if we cancelled and nobody else did too (then the cancel propagates).
        if self._expired and exc_type is asyncio.CancelledError and self._task.uncancel() == 0:
            raise TimeoutError from exc


class _Clock:
    """``checked_at`` stamps (the format of ``verdict.utc_now_iso``): the date and time part
    formatted once per second (``strftime`` dominated this cost), the milliseconds appended."""

    __slots__ = ("_prefix", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def now_iso(self) -> str:
        ms = int(time.time() * 1000)
        second = ms // 1000
        if second != self._second:  # a batch finishes thousands of checks per second
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{ms % 1000:03d}Z"


_clock = _Clock()


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _defect(given: str, exc: Exception) -> CheckResult:
    log.exception("the check of %s failed unexpectedly", given, exc_info=exc)
    return CheckResult.not_checked(
        given,
        f"The check failed inside linkcheck ({type(exc).__name__}); this says nothing "
        "about the link.",
    )


def _always(status: int, content_type: str) -> bool:
    return True


def _with_cookie(headers: Mapping[str, str], cookie: str | None) -> Mapping[str, str]:
    """A quirk's fixed headers plus the check's cookies (a quirk's own cookie comes first)."""
    if not cookie:
        return headers
    fixed = next((value for name, value in headers.items() if name.lower() == "cookie"), None)
    merged = {name: value for name, value in headers.items() if name.lower() != "cookie"}
    merged["Cookie"] = f"{fixed}; {cookie}" if fixed else cookie
    return merged


def _challenged(headers: Mapping[str, str]) -> bool:
    """Cloudflare says the answer is a challenge (any status; 503 in "I'm under attack" mode)."""
    return (headers.get("cf-mitigated") or "").strip().lower() == "challenge"


def _is_tls(exc: TransportFailure) -> bool:
    return classify_transport_error(exc).reason is Reason.TLS_ERROR


def _vetting_verdict(exc: Exception, host: str) -> Verdict:
    detail = getattr(exc, "detail", "") or str(exc)
    if isinstance(exc, ssrf.ForbiddenTarget):
        return Verdict(Status.INVALID, Reason.FORBIDDEN_TARGET, detail)
    if isinstance(exc, ssrf.NameNotFound):
        return Verdict(
            Status.BROKEN, Reason.DNS_NXDOMAIN, detail or f"The host name {host} does not exist."
        )
    return Verdict(
        Status.ERROR, Reason.CONNECT_ERROR, detail or f"The host name {host} could not be resolved."
    )
