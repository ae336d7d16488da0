"""One webhook POST over HTTP, to a vetted address, with a hard per-attempt timeout.

The target's host is resolved and vetted (``targets.vet_target``) at every attempt, and the
request goes to the vetted IP with the Host header and TLS SNI (``sni_hostname``) set to the
name, so certificates are still checked against the name and DNS cannot change in between.
Connections are not kept alive: a pooled connection is keyed by IP, and reusing one for another
name on the same IP would skip that name's TLS check. Redirects are never followed.

httpx's timeouts bound each socket operation, not the exchange: a target answering one byte at
a time would never trip them. ``AttemptDeadline`` ends the whole attempt at ``timeout`` by
shutting its socket down, so a batch's parallel deliveries end inside the Lambda's timeout.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import httpx

from .. import __version__
from ..engine.urls import Target
from .targets import TargetRejected, vet_target

USER_AGENT = f"linkcheck-webhooks/{__version__}"


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


class AttemptDeadline:
    """Shuts an attempt's socket down when its total time is up (an httpx ``trace`` hook).

    The socket is looked up when time is up: TLS replaces the TCP socket object (the old one
    is detached), so the latest stream httpcore reported is the one to cut.
    """

    def __init__(self, seconds: float) -> None:
        self._ends = time.monotonic() + seconds
        self._stream: Any = None
        self._timer: threading.Timer | None = None
        self.expired = False

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event not in {"connection.connect_tcp.complete", "connection.start_tls.complete"}:
            return
        self._stream = info.get("return_value")
        if self._timer is None:
            self._timer = threading.Timer(max(0.0, self._ends - time.monotonic()), self._cut)
            self._timer.daemon = True
            self._timer.start()

    def _cut(self) -> None:
        self.expired = True
        stream = self._stream
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):  # already closed: the attempt ended by itself
                sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read in the sending thread

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


class WebhookSender:
    """Sends signed deliveries; one per execution environment (its client is reused)."""

    def __init__(
        self,
        *,
        timeout: float,
        allow_private: bool,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._timeout = timeout
        self._allow_private = allow_private
        self._verify = verify

    @cached_property
    def client(self) -> httpx.Client:
        return httpx.Client(
            timeout=httpx.Timeout(self._timeout),
            follow_redirects=False,
            trust_env=False,  # no proxies or netrc from the environment
            verify=self._verify,
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={"user-agent": USER_AGENT},
        )

    def post(self, target_url: str, headers: dict[str, str], body: bytes) -> AttemptResult:
        deadline = AttemptDeadline(self._timeout)  # counts the DNS lookup too
        try:
            vetted = vet_target(
                target_url, allow_private=self._allow_private, timeout=self._timeout
            )
        except TargetRejected as exc:
            return AttemptResult(error=exc.message)
        try:
            return self._post_vetted(vetted.target, vetted.addresses, headers, body, deadline)
        finally:
            deadline.cancel()

    def _post_vetted(
        self,
        target: Target,
        addresses: tuple[str, ...],
        headers: dict[str, str],
        body: bytes,
        deadline: AttemptDeadline,
    ) -> AttemptResult:
        timed_out = AttemptResult(error=f"timed out after {self._timeout:g} s")
        result = AttemptResult(error="no address to connect to")
        for address in addresses:
            if deadline.expired:
                return timed_out
            url = httpx.URL(target.url).copy_with(host=address.partition("%")[0])
            request_headers = {
                **headers,
                "host": target.netloc,
                "content-type": "application/json",
            }
            extensions: dict[str, Any] = {"trace": deadline.trace}
            if target.scheme == "https":
                extensions["sni_hostname"] = target.host
            try:
                # Streamed and never read: a target cannot make us download a large answer.
                with self.client.stream(
                    "POST", url, headers=request_headers, content=body, extensions=extensions
                ) as response:
                    return AttemptResult(
                        status=response.status_code,
                        retry_after=response.headers.get("retry-after"),
                    )
            except httpx.TimeoutException:
                return timed_out
            except httpx.ConnectError as exc:
                result = AttemptResult(error=f"connect error: {exc}")  # try the next address
            except httpx.HTTPError as exc:
                if deadline.expired:
                    return timed_out
                return AttemptResult(error=f"{type(exc).__name__}: {exc}")
        return result

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()
