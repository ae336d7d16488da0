"""One webhook POST over HTTP, to a vetted address, with a hard per-attempt timeout.

The target's host is resolved and vetted (``targets.vet_target``) at every attempt, and the
request goes to the vetted IP with the Host header and TLS SNI (``sni_hostname``) set to the
name, so certificates are still checked against the name and DNS cannot change in between.
Connections are not kept alive: a pooled connection is keyed by IP, and reusing one for another
name on the same IP would skip that name's TLS check. Redirects are never followed.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from functools import cached_property

import httpx

from .. import __version__
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
        try:
            vetted = vet_target(
                target_url, allow_private=self._allow_private, timeout=self._timeout
            )
        except TargetRejected as exc:
            return AttemptResult(error=exc.message)
        target = vetted.target
        result = AttemptResult(error="no address to connect to")
        for address in vetted.addresses:
            url = httpx.URL(target.url).copy_with(host=address.partition("%")[0])
            request_headers = {
                **headers,
                "host": target.netloc,
                "content-type": "application/json",
            }
            extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
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
                return AttemptResult(error=f"timed out after {self._timeout:g} s")
            except httpx.ConnectError as exc:
                result = AttemptResult(error=f"connect error: {exc}")  # try the next address
            except httpx.HTTPError as exc:
                return AttemptResult(error=f"{type(exc).__name__}: {exc}")
        return result

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()
