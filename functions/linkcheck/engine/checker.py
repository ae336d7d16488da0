"""The check engine: one URL in, one ``CheckResult`` out, whatever happens on the way.

A check: normalise the URL, then for each hop send HEAD (GET when a platform detector wants the
page), fall back to GET when HEAD is refused or misbehaves, retry transient failures within the
deadline, follow redirects by hand (cap, loop detection, every hop vetted), then classify the
final status and let detectors override it. Everything runs under one total deadline.

Event loops: a connection pool (``wire.ConnectionPool``) is bound to the loop that made it.
The checker creates its pool lazily on first use and makes a new one if it is later used from
another running loop (the worker and API call ``asyncio.run`` per invocation). The intended
use is cheap: create a ``Checker`` per invocation with ``async with Checker(options) as
checker``; the costly part (the SSL context) is built once per process and shared, detector
modules are imported once, on first use.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import TYPE_CHECKING

from . import ssrf
from .classify import (
    REDIRECT_STATUSES,
    RETRYABLE_STATUSES,
    classify_status,
    classify_transport_error,
    deadline_exceeded,
    never_started,
    redirect_loop,
    too_many_redirects,
)
from .cookies import CookieJar
from .detectors import (
    REFUSAL_HEADERS,
    Detector,
    Follow,
    Page,
    Probe,
    ProbeResponse,
    default_detectors,
)
from .errors import RETRYABLE, TransportFailure
from .exchange import (
    BodyWanted,
    Exchanger,
)
from .head_trust import HeadTrust
from .options import CheckOptions
from .quirks import QUIRKS
from .retry import backoff_delay, retry_after_seconds
from .unwrap import INTERSTITIAL_HOSTS, WRAPPER_HOSTS, unwrap_url
from .urls import BadUrl, Target, normalize_url, resolve_relative
from .verdict import CheckResult, Hop, Reason, Status, Verdict
from .wire import ConnectionPool, WireExchanger, queued_out

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

HEAD_ONLY_RETRY = frozenset({429})  # a HEAD answered otherwise falls back to GET at once
PLAN_SLICE = 64  # URLs normalised between two turns of the event loop in ``run_checks``
MIN_CHECK_SECONDS = 0.05  # a check with less of the batch's budget left is not started
# Non-2xx answers whose page may be a refusal (a challenge, a captcha, a WAF block page).
REFUSAL_STATUSES = frozenset({403, 405, 429, 999})
UNWRAPPED = 0  # the status listed for a wrapper URL the engine unwrapped without requesting it


def is_generic(detector: Detector) -> bool:
    """Generic detectors (soft-404...) judge 2xx HTML pages fetched by GET; see detectors.py."""
    return bool(getattr(detector, "generic", False))


def is_first(detector: Detector) -> bool:
    """First detectors (refusals, interstitials) judge any final response first."""
    return bool(getattr(detector, "first", False))


class _Stop(Exception):
    """Ends a check early with a verdict (redirect loop, too many redirects)."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.detail)
        self.verdict = verdict


@dataclass(slots=True)
class _Reply:
    """What one request got back, with the body prefix already read and the response closed."""

    status: int
    headers: Mapping[str, str]  # case-insensitive get
    body: bytes
    method: str
    refused_wait: float | None = None  # a Retry-After longer than the deadline allowed


@dataclass(slots=True)
class _Trail:
    """Where a check has got to: kept outside the flow so a timeout can still report it."""

    target: Target
    current: Target
    hops: list[Hop]
    http_status: int | None = None
    wanting: set[int] = field(default_factory=set)  # platform detectors (index) a hop wanted
    # The check's cookies, shared by its redirects and its detectors' probes (cookies.py).
    jar: CookieJar = field(default_factory=CookieJar)
    # (URL, cookie jar version) pairs visited: a redirect back to a URL is a loop only if no
    # cookie changed since (cookie-gated pages redirect to themselves once, setting one).
    seen: set[tuple[str, int]] = field(default_factory=set)
    # Where the link really starts: the target of an unwrapped URL or an interstitial, which
    # detectors judge as if it had been asked for (a deep link bounced home is still gone).
    origin: Target | None = None

    def visited(self, target: Target) -> bool:
        version = self.jar.version
        return (target.url, version) in self.seen or (
            target.url == self.target.url and version == 0
        )

    def advance(self, hop: Hop, following: Target, limit: int, *, restart: bool = False) -> None:
        """One more hop (a redirect, an unwrapped URL, an interstitial) towards ``following``."""
        if restart:
            self.origin = following
        self.hops.append(hop)
        if len(self.hops) > limit:
            raise _Stop(too_many_redirects(limit))
        if self.visited(following):
            raise _Stop(redirect_loop(following.url))
        self.seen.add((following.url, self.jar.version))
        self.current = following


class Checker:
    """Checks URLs; reusable, safe for concurrent ``check`` calls on one event loop."""

    def __init__(
        self, options: CheckOptions | None = None, *, detectors: Sequence[Detector] | None = None
    ) -> None:
        self.options = options or CheckOptions()
        # Fresh default detectors per checker (they may cache per host; ~5 us to build).
        chosen = tuple(default_detectors()) if detectors is None else tuple(detectors)
        self._first_detectors = tuple(d for d in chosen if is_first(d))
        self._platform_detectors = tuple(d for d in chosen if not is_generic(d) and not is_first(d))
        # The ``domains`` prefilter (detectors.py): detector index by domain, and the
        # detectors without ``domains`` that must always be asked.
        self._by_domain: dict[str, list[int]] = {}
        self._unfiltered: list[int] = []
        self._candidates: dict[str, tuple[int, ...]] = {}  # host -> detectors to ask
        for index, detector in enumerate(self._platform_detectors):
            domains = getattr(detector, "domains", None)
            if not domains:
                self._unfiltered.append(index)
            for domain in domains or ():
                self._by_domain.setdefault(domain.lower().rstrip("."), []).append(index)
        self._generic_detectors = tuple(d for d in chosen if is_generic(d))
        self._pool: ConnectionPool | None = None
        self._transport: httpx.AsyncBaseTransport | None = None  # made on first use
        self._exchanger: Exchanger = WireExchanger(self._current_pool, self.options)
        # Generic detectors read 2xx HTML pages fetched by GET, first detectors (refusals) also
        # the HTML of refusal and 5xx answers; without either, no unwanted body is read.
        self._generic_body: BodyWanted | None = (
            _page_or_refusal
            if self._first_detectors
            else _generic_page
            if self._generic_detectors
            else None
        )
        self._head_trust = HeadTrust()

    # -- lifecycle -------------------------------------------------------------------------

    def _current_pool(self) -> ConnectionPool:
        pool = self._pool
        if pool is None or pool.loop is not asyncio.get_running_loop():
            pool = self._pool = ConnectionPool(self.options)
        return pool

    @property
    def transport(self) -> httpx.AsyncBaseTransport:
        """The SSRF-safe transport, for an ``httpx.AsyncClient(transport=...)`` elsewhere."""
        if self._transport is None:
            from .httpx_path import WireTransport  # httpx is imported only when used

            self._transport = WireTransport(self._current_pool, self.options)
        return self._transport

    async def __aenter__(self) -> Checker:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None and pool.loop is asyncio.get_running_loop():
            pool.close()

    # -- public API ------------------------------------------------------------------------

    async def check(
        self,
        url: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (the agreed interface: deadline override)
    ) -> CheckResult:
        """Check one URL. Never raises for a bad or unreachable URL: every outcome is a result."""
        given = url.strip()
        started = time.perf_counter()
        try:
            target = normalize_url(given)
        except BadUrl as exc:
            return CheckResult(
                url=given,
                status=Status.INVALID,
                reason=exc.reason,
                detail=exc.detail,
                elapsed_ms=_ms_since(started),
            )
        return await self._check_safely(given, target, timeout or self.options.timeout, started)

    async def check_many(
        self,
        urls: Sequence[str],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (per-check deadline, not the batch's)
    ) -> list[CheckResult]:
        """Results in input order; identical normalised URLs are checked once."""
        results: list[CheckResult | None] = [None] * len(urls)

        def keep(index: int, result: CheckResult) -> None:
            results[index] = result

        await self.run_checks(urls, keep, timeout=timeout)
        return [r for r in results if r is not None]

    async def run_checks(
        self,
        urls: Sequence[str],
        on_result: Callable[[int, CheckResult], None],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (per-check deadline, not the batch's)
        budget: float | None = None,
    ) -> None:
        """Call ``on_result(input index, result)`` as each check ends, ``concurrency`` at once.

        Every index gets exactly one result, whatever happens: a check that fails unexpectedly
        ends as ``not_checked`` (logged once), never as the end of the batch. ``budget``: the
        seconds the whole batch may take; checks still running then end by their own deadline
        (clipped to the budget) and checks not yet started end as ``not_checked``.

        The bulk form of ``iter_checks`` (no queue or task switch per result). The first wave
        of requests goes out before the rest of the list is normalised, and the rest is
        planned in slices with the event loop free in between, so on a long list the
        planning (~10 us per URL) overlaps the network instead of delaying it.
        """
        per_check = timeout or self.options.timeout
        loop = asyncio.get_running_loop()
        batch_end = None if budget is None else loop.time() + budget
        groups: dict[str, list[int]] = {}
        finished: dict[str, CheckResult] = {}  # only while the rest is being planned
        first_wave = min(len(urls), self.options.concurrency)
        queue = collections.deque(
            interleave_hosts(self._plan(urls, range(first_wave), groups, finished, on_result))
        )
        more = asyncio.Event()  # set (and cleared) whenever a slice joins the queue
        planning = True

        async def work() -> None:
            while queue or planning:
                if not queue:
                    await more.wait()
                    continue
                given, target = queue.popleft()
                left = per_check if batch_end is None else min(per_check, batch_end - loop.time())
                if left < MIN_CHECK_SECONDS:
                    result = CheckResult.not_checked(given, _out_of_budget(budget))
                else:
                    result = await self._check_safely(given, target, left, time.perf_counter())
                if planning:
                    finished[target.url] = result  # for duplicates planned later
                first, *others = groups[target.url]
                on_result(first, result)
                for index in others:
                    on_result(index, replace(result, url=urls[index].strip()))

        workers = [asyncio.create_task(work()) for _ in range(first_wave)]
        try:
            for start in range(first_wave, len(urls), PLAN_SLICE):
                await asyncio.sleep(0)  # connections finish, requests go out
                part = range(start, min(start + PLAN_SLICE, len(urls)))
                queue.extend(interleave_hosts(self._plan(urls, part, groups, finished, on_result)))
                more.set()
                more.clear()
            planning = False
            finished.clear()
            more.set()
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def iter_checks(
        self,
        urls: Sequence[str],
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (per-check deadline, not the batch's)
        budget: float | None = None,
    ) -> AsyncIterator[tuple[int, CheckResult]]:
        """(input index, result) in completion order, at most ``options.concurrency`` at once.

        ``run_checks`` behind a queue; closing the iterator early stops the checks.
        """
        done: asyncio.Queue[tuple[int, CheckResult] | None] = asyncio.Queue()
        runner = asyncio.create_task(
            self.run_checks(
                urls,
                lambda index, result: done.put_nowait((index, result)),
                timeout=timeout,
                budget=budget,
            )
        )
        runner.add_done_callback(lambda _: done.put_nowait(None))  # after every result
        try:
            while (item := await done.get()) is not None:
                yield item
            runner.result()  # a failed check run raises here, never lost
        finally:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)

    @staticmethod
    def _plan(
        urls: Sequence[str],
        indexes: Iterable[int],
        groups: dict[str, list[int]],
        finished: Mapping[str, CheckResult],
        on_result: Callable[[int, CheckResult], None],
    ) -> list[tuple[str, Target]]:
        """One job per distinct normalised URL among ``indexes``; ``groups`` gets every index.

        Invalid URLs, and duplicates of a URL whose check already ``finished``, are reported
        at once through ``on_result``.
        """
        jobs: list[tuple[str, Target]] = []
        for index in indexes:
            given = urls[index].strip()
            try:
                target = _normalize(given)
            except BadUrl as exc:
                on_result(index, CheckResult.invalid(given, exc.reason, exc.detail))
                continue
            same = groups.get(target.url)
            if same is None:
                groups[target.url] = [index]
                jobs.append((given, target))
                continue
            same.append(index)
            done = finished.get(target.url)
            if done is not None:
                on_result(index, replace(done, url=given))
        return jobs

    # -- one check -------------------------------------------------------------------------

    async def _check_safely(
        self, given: str, target: Target, budget: float, started: float
    ) -> CheckResult:
        """``_check_target``, with a bug in it becoming this check's result, never the batch's end.

        The one deliberate catch-all of the engine: every expected failure is already a
        verdict, so what lands here is a defect, logged with the URL and the traceback.
        """
        try:
            return await self._check_target(given, target, budget, started)
        except Exception as exc:
            log.exception("the check of %s failed unexpectedly", given)
            return CheckResult.not_checked(
                given,
                f"The check failed inside linkcheck ({type(exc).__name__}); this says nothing "
                "about the link.",
            )

    async def _check_target(
        self, given: str, target: Target, budget: float, started: float
    ) -> CheckResult:
        trail = _Trail(target=target, current=target, hops=[])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget
        platform: str | None = None
        try:
            with _Deadline(loop, deadline):
                reply = await self._follow(trail, deadline, force_get=False)
                judged, platform = await self._judge(trail, reply, deadline)
                while isinstance(judged, Follow):  # an interstitial: on to the page it names
                    hop = Hop(url=trail.current.url, status=reply.status)
                    following = normalize_url(judged.url)
                    trail.advance(hop, following, self.options.max_redirects, restart=True)
                    trail.wanting.clear()  # the stop's platform has no say on the target
                    reply = await self._follow(trail, deadline, force_get=False)
                    judged, platform = await self._judge(trail, reply, deadline)
                verdict = judged
        except TimeoutError:
            waited = queued_out.get()  # cancelled while it queued for a connection
            queued_out.set(False)
            if waited and trail.http_status is None:  # and nothing had answered it yet
                verdict = never_started(budget, trail.current.host)
            else:
                verdict = deadline_exceeded(budget)
        except _Stop as stop:
            verdict = stop.verdict
        except (ssrf.ForbiddenTarget, ssrf.NameNotFound, ssrf.ResolutionFailed) as exc:
            verdict = _vetting_verdict(exc, trail.current.host)
        except TransportFailure as exc:
            verdict = classify_transport_error(exc)
        except BadUrl as exc:  # only a redirect's Location can be bad here
            verdict = Verdict(
                Status.INVALID, exc.reason, f"A redirect points to an unusable URL: {exc.detail}"
            )
        return CheckResult(
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

    def _wanting(self, target: Target) -> tuple[int, ...]:
        """Indexes of the platform detectors that want ``target`` (``domains`` prefilter)."""
        if not self._platform_detectors:
            return ()
        candidates = self._candidates.get(target.host)
        if candidates is None:
            labels = target.host.split(".")
            found = set(self._unfiltered)
            for start in range(len(labels)):
                found.update(self._by_domain.get(".".join(labels[start:]), ()))
            candidates = tuple(sorted(found))
            if len(self._candidates) < 4096:  # bounded memory on huge batches
                self._candidates[target.host] = candidates
        if not candidates:
            return ()
        return tuple(
            index for index in candidates if self._platform_detectors[index].wants(target.url)
        )

    async def _follow(self, trail: _Trail, deadline: float, *, force_get: bool) -> _Reply:
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
            wanting = self._wanting(target)
            trail.wanting.update(wanting)
            get = get or bool(wanting) or target.host in INTERSTITIAL_HOSTS
            reply = await self._fetch(target, deadline, get, trail.jar.header(target))
            trail.jar.store(reply.headers.get("set-cookie"), target, now=time.time())
            trail.http_status = reply.status
            location = reply.headers.get("location")
            if reply.status not in REDIRECT_STATUSES or not location:
                return reply
            hop = Hop(url=target.url, status=reply.status)
            trail.advance(hop, resolve_relative(target, location), limit)

    async def _fetch(
        self, target: Target, deadline: float, want_body: bool, cookie: str | None
    ) -> _Reply:
        """HEAD first (no body), GET when the body is wanted or HEAD was refused."""
        if want_body or self._head_trust.get_first(target.host):
            return await self._attempts(target, "GET", deadline, cookie, want_body=want_body)
        reply = await self._attempts(target, "HEAD", deadline, cookie, want_body=False)
        if reply.status in HEAD_ONLY_RETRY or self._head_trust.believes(target.host, reply.status):
            return reply
        # Many servers answer HEAD wrongly (405, 404, 403, 500...): ask again with GET.
        again = await self._attempts(target, "GET", deadline, cookie, want_body=False)
        self._head_trust.record(target.host, reply.status, again.status)
        return again

    async def _attempts(
        self, target: Target, method: str, deadline: float, cookie: str | None, *, want_body: bool
    ) -> _Reply:
        """One request, retried on transient failures while the deadline allows."""
        loop = asyncio.get_running_loop()
        retry_statuses = HEAD_ONLY_RETRY if method == "HEAD" else RETRYABLE_STATUSES
        attempt = 0
        while True:
            try:
                reply = await self._send(target, method, cookie, want_body=want_body)
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
        self, target: Target, method: str, cookie: str | None, *, want_body: bool
    ) -> _Reply:
        wants: BodyWanted | None = None
        if method == "GET":
            wants = _always if want_body else self._generic_body
        limit = self.options.max_body_bytes
        quirk = QUIRKS.get(target.host)  # a site's request tweak (quirks.py); most have none
        if quirk is None:
            extra = {"Cookie": cookie} if cookie else None
            answer = await self._exchanger.exchange(method, target, wants, limit, extra)
        else:  # only the wire sees the tweaked URL: the trail keeps the real one
            sent = replace(target, url=quirk.url(target.url))
            headers = _with_cookie(quirk.headers, cookie)
            answer = await self._exchanger.exchange(method, sent, wants, limit, headers)
        return _Reply(answer.status, answer.headers, answer.body, method)

    # -- verdict ---------------------------------------------------------------------------

    async def _judge(
        self, trail: _Trail, reply: _Reply, deadline: float
    ) -> tuple[Verdict | Follow, str | None]:
        verdict = classify_status(reply.status)
        if reply.refused_wait is not None:
            verdict = replace(
                verdict,
                detail=f"{verdict.detail[:-1]}; it asked to retry after "
                f"{reply.refused_wait:g} s, beyond the check's deadline.",
            )
        final_url = trail.current.url
        # Consulted: detectors that want the final URL or wanted any hop (a platform URL that
        # redirected away is still that platform's business: its home page, a login wall...).
        consulted = trail.wanting.union(self._wanting(trail.current))
        platform = [self._platform_detectors[index] for index in sorted(consulted)]
        generic = (
            self._generic_detectors
            if reply.method == "GET"
            and 200 <= reply.status < 300
            and _is_html(reply.headers.get("content-type", ""))
            else ()
        )
        # First detectors need something to read: a body prefix, or refusal headers on an
        # answer without one (walls answer 403/429/503: a bodiless 2xx, the bulk of HEAD-only
        # checks, is not looked at, which keeps that path free of header lookups).
        first = (
            tuple(d for d in self._first_detectors if d.wants(final_url))
            if self._first_detectors
            and (reply.body or (reply.status >= 300 and _refusal_headers(reply.headers)))
            else ()
        )
        if not first and not platform and not generic:
            return verdict, None
        page = Page(
            requested_url=(trail.origin or trail.target).url,
            final_url=final_url,
            status=reply.status,
            headers={k.lower(): v for k, v in reply.headers.items()},
            body=reply.body,
            redirects=tuple(trail.hops),
            credentials=self.options.credentials,
        )

        async def probe(url: str) -> ProbeResponse | None:
            return await self._probe(url, deadline, trail.jar)

        named = platform[0].name if platform else None
        for detector in (*first, *platform, *generic):
            try:
                found = await detector.detect(page, probe)
            except Exception:  # a detector bug must not fail the check: keep the HTTP verdict
                log.exception("detector %s failed on %s", detector.name, final_url)
                continue
            if found is not None:
                if is_generic(detector):
                    return found, None
                if not is_first(detector):
                    return found, detector.name
                if platform and isinstance(found, Verdict) and found.status is Status.BLOCKED:
                    return await self._past_wall(found, platform, page, probe)
                return found, named
        return verdict, named

    async def _past_wall(
        self, wall: Verdict, platform: Sequence[Detector], page: Page, probe: Probe
    ) -> tuple[Verdict, str]:
        """A generic wall stood in front of a platform's URL: its official endpoint may know.

        Each consulted platform detector with a ``behind_wall`` hook is asked in order; the
        first answer wins, else the wall's verdict stands (named by the first platform).
        """
        for detector in platform:
            ask = getattr(detector, "behind_wall", None)
            if ask is None:
                continue
            try:
                found: Verdict | None = await ask(page, probe)
            except Exception:  # a detector bug must not fail the check: keep the wall's verdict
                log.exception(
                    "detector %s failed behind a wall on %s", detector.name, page.final_url
                )
                continue
            if found is not None:
                return found, detector.name
        return wall, platform[0].name

    async def _probe(self, url: str, deadline: float, jar: CookieJar) -> ProbeResponse | None:
        """A GET on a detector's behalf: same vetting, politeness, deadline and cookies as the
        check."""
        try:
            target = _normalize(url)
            trail = _Trail(target=target, current=target, hops=[], jar=jar)
            trail.seen.add((target.url, jar.version))
            reply = await self._follow(trail, deadline, force_get=True)
        except (_Stop, BadUrl, ssrf.ForbiddenTarget, ssrf.NameNotFound, ssrf.ResolutionFailed):
            return None
        except TransportFailure:
            return None
        return ProbeResponse(
            status=reply.status,
            final_url=trail.current.url,
            headers={k.lower(): v for k, v in reply.headers.items()},
            body=reply.body,
        )


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


def interleave_hosts(jobs: list[tuple[str, Target]]) -> list[tuple[str, Target]]:
    """Round-robin over hosts, so per-host limits never leave the other slots idle.

    A list grouped by site (a sitemap, then another) would otherwise put every worker in the
    queue of one host while ``per_host`` lets only a few of them through.
    """
    by_host: dict[str, list[tuple[str, Target]]] = {}
    for job in jobs:
        by_host.setdefault(job[1].host, []).append(job)
    if len(by_host) <= 1:
        return jobs
    active = list(by_host.values())
    mixed: list[tuple[str, Target]] = []
    depth = 0
    while active:  # linear: each round visits only the hosts that still have URLs
        mixed.extend(queue[depth] for queue in active)
        depth += 1
        active = [queue for queue in active if len(queue) > depth]
    return mixed


def _normalize(url: str) -> Target:
    return normalize_url(url)


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


def _out_of_budget(budget: float | None) -> str:
    return (
        f"The check could not start within the batch's time budget ({budget or 0:g} s); "
        "this says nothing about the link."
    )


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _always(status: int, content_type: str) -> bool:
    return True


def _generic_page(status: int, content_type: str) -> bool:
    return 200 <= status < 300 and _is_html(content_type)


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


def _refusal_headers(headers: Mapping[str, str]) -> bool:
    return any(headers.get(name) is not None for name in REFUSAL_HEADERS)


def _page_or_refusal(status: int, content_type: str) -> bool:
    """2xx pages, and the pages of answers a refusal hides behind (403, 429, 5xx...)."""
    return (200 <= status < 300 or status in REFUSAL_STATUSES or 500 <= status < 600) and _is_html(
        content_type
    )


def _is_html(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind in {"text/html", "application/xhtml+xml"} or not kind


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


def check_urls(urls: Sequence[str], options: CheckOptions | None = None) -> list[CheckResult]:
    """Synchronous convenience: check ``urls`` on a fresh event loop (uvloop when available)."""

    async def run() -> list[CheckResult]:
        async with Checker(options) as checker:
            return await checker.check_many(urls)

    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(run())


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop when installed (measurably less CPU per check), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory
