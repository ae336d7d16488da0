"""One webhook POST over HTTP, through the engine's vetted transport, within one deadline.

The request goes through ``httpx.AsyncClient`` over the engine's ``WireTransport``
(``Checker.transport``): the target's host is resolved and every address vetted by the same
SSRF rules as a checked link, at every connection; the connection dials the vetted address,
with TLS checked against the name. Connections are kept alive per (scheme, host, port), so a
warm execution environment reuses them across deliveries and invocations (the client lives on
the environment's one event loop, ``linkcheck.runner``). Redirects are never followed, and the
answer's body is never read (a target cannot make us download anything).

One ``asyncio.timeout`` bounds the whole attempt (DNS, connect, TLS, send, answer), so a
target answering one byte at a time is cut off at ``timeout`` like any other.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from .. import __version__, runner
from ..engine import Checker, CheckOptions
from ..engine.ssrf import TargetError
from .targets import TargetRejected, usable_target

USER_AGENT = f"linkcheck-webhooks/{__version__}"
PER_HOST = 10  # a delivery batch's parallel attempts to one target, at most
RUNNER_MARGIN_SECONDS = 2.0  # the attempt's own deadline ends it first; this is a backstop


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """How one delivery attempt went."""

    status: int | None = None  # the HTTP status, None when no response came back
    retry_after: str | None = None  # the target's Retry-After header, as sent
    error: str | None = None  # why there was no usable response (timeout, refused target, ...)

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        return self.status == 410

    def describe(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else (self.error or "no response")


class WebhookSender:
    """Sends signed deliveries; one per execution environment (its connections are reused).

    ``post`` may be called from several threads at once (a batch's parallel deliveries).
    """

    def __init__(
        self, *, timeout: float, allow_private: bool, ca_bundle: str | None = None
    ) -> None:
        self._timeout = timeout
        self._allow_private = allow_private
        self._options = CheckOptions(
            allow_private_networks=allow_private,
            ca_bundle=ca_bundle,
            connect_timeout=timeout,
            read_timeout=timeout,
            per_host=PER_HOST,
            concurrency=PER_HOST,
            user_agent=USER_AGENT,
        )
        self._client: httpx.AsyncClient | None = None
        self._checker: Checker | None = None

    def post(self, target_url: str, headers: dict[str, str], body: bytes) -> AttemptResult:
        try:
            return runner.run(
                self._post(target_url, headers, body), self._timeout + RUNNER_MARGIN_SECONDS
            )
        except TimeoutError:
            return self._timed_out()

    async def _post(self, target_url: str, headers: dict[str, str], body: bytes) -> AttemptResult:
        try:
            target = usable_target(target_url, allow_private=self._allow_private)
        except TargetRejected as exc:
            return AttemptResult(error=exc.message)
        client = self._client_on_this_loop()
        request = client.build_request(
            "POST",
            target.url,
            headers={**headers, "content-type": "application/json"},
            content=body,
        )
        try:
            async with asyncio.timeout(self._timeout):
                response = await client.send(request, stream=True)
                if response.headers.get("content-length") == "0":
                    await response.aread()  # nothing to read: the connection can be reused
                await response.aclose()  # never read a body: the status and headers suffice
        except TimeoutError:
            return self._timed_out()
        except TargetError as exc:  # the name resolved to a refused address, or not at all
            return AttemptResult(error=f"target_url is refused: {exc.detail}")
        except httpx.ConnectError as exc:
            return AttemptResult(error=f"connect error: {exc}")
        except httpx.TransportError as exc:
            return AttemptResult(error=f"{type(exc).__name__}: {exc}")
        return AttemptResult(
            status=response.status_code, retry_after=response.headers.get("retry-after")
        )

    def _client_on_this_loop(self) -> httpx.AsyncClient:
        if self._client is None:
            self._checker = Checker(self._options, detectors=())
            self._client = httpx.AsyncClient(
                transport=self._checker.transport,
                follow_redirects=False,
                trust_env=False,  # no proxies or netrc from the environment
                timeout=self._timeout,
                headers={"user-agent": USER_AGENT},
            )
        return self._client

    def _timed_out(self) -> AttemptResult:
        return AttemptResult(error=f"timed out after {self._timeout:g} s")

    def close(self) -> None:
        """Close the kept-alive connections (tests; Lambda simply freezes the environment)."""
        client, checker = self._client, self._checker
        self._client = self._checker = None
        if client is not None and checker is not None:

            async def close() -> None:
                await client.aclose()
                await checker.aclose()

            runner.run(close(), self._timeout + RUNNER_MARGIN_SECONDS)
