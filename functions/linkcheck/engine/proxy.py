"""An HTTP CONNECT proxy for outbound checks: its configuration and the tunnel's wording (pure).

Checks from cloud addresses meet walls on some platforms; an operator can route them (or only
those of named hosts) through an egress proxy they trust. The target is still resolved and
vetted by the checker (``exchange.dial_addresses``) and the CONNECT names the vetted address,
never the host name, so the proxy's DNS cannot send a check anywhere the checker refused. The
Host header and TLS SNI stay the URL's host; TLS runs end to end inside the tunnel
(``pool.ConnectionPool._connect``). The proxy's own address is the operator's explicit choice
and is not vetted (it may be on a private network), like a ``--connect-to`` target.

The password never appears in ``repr``, in errors or in verdict details: only ``host:port``.
"""

from __future__ import annotations

import base64
import http
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


class ProxyConfigError(ValueError):
    """A proxy URL or host list that cannot be used; the message says what to fix."""


def _domains(names: Iterable[str]) -> tuple[str, ...]:
    """Lower-case host names without a leading ``*.``/``.`` or trailing dot; blanks dropped."""
    cleaned = []
    for name in names:
        name = name.strip().lower().rstrip(".")
        name = name.removeprefix("*").removeprefix(".")
        if name:
            cleaned.append(name)
    return tuple(dict.fromkeys(cleaned))


def split_hosts(text: str) -> tuple[str, ...]:
    """``"tiktok.com, instagram.com"`` -> ``("tiktok.com", "instagram.com")``."""
    return _domains(text.replace(" ", ",").split(","))


def _covers(domains: tuple[str, ...], host: str) -> bool:
    name = host.lower().rstrip(".").strip("[]")
    return any(name == domain or name.endswith("." + domain) for domain in domains)


@dataclass(frozen=True, slots=True, kw_only=True)
class Proxy:
    """Where to tunnel, as whom, and for which hosts (``only``: these domains and their
    subdomains; empty means every host; ``bypass``: never these, as ``NO_PROXY`` says)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    only: tuple[str, ...] = ()
    bypass: tuple[str, ...] = ()
    bypass_all: bool = False  # NO_PROXY=*

    def __repr__(self) -> str:  # never the credentials (logs, tracebacks)
        auth = "set" if self.username is not None else "none"
        return f"Proxy({self.address}, auth={auth}, only={self.only}, bypass={self.bypass})"

    @property
    def address(self) -> str:
        """``host:port`` (IPv6 bracketed): how errors and logs name the proxy."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @classmethod
    def parse(cls, url: str, *, only: Iterable[str] = (), bypass: Iterable[str] = ()) -> Proxy:
        """``http://[user:password@]host:port``; a missing scheme means ``http://``."""
        text = url.strip()
        if "://" not in text:
            text = "http://" + text
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            raise ProxyConfigError(
                "the proxy URL has a bad port; expected http://host:port"
            ) from None
        if parts.scheme != "http":
            raise ProxyConfigError(
                f"the proxy URL must start with http:// (got {parts.scheme}://): the tunnel to "
                "the proxy is plain HTTP, the checks inside it keep their own TLS"
            )
        if not parts.hostname:
            raise ProxyConfigError("the proxy URL has no host; expected http://host:port")
        if port is None:
            raise ProxyConfigError("the proxy URL has no port; expected http://host:port")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ProxyConfigError("the proxy URL must be http://[user:password@]host:port only")
        bypass_names = list(bypass)
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username is not None else None,
            password=unquote(parts.password) if parts.password is not None else None,
            only=_domains(only),
            bypass=_domains(bypass_names),
            bypass_all=any(name.strip() == "*" for name in bypass_names),
        )

    def applies_to(self, host: str) -> bool:
        """Whether a connection to ``host`` (the URL's host) goes through the proxy."""
        if self.bypass_all or _covers(self.bypass, host):
            return False
        return not self.only or _covers(self.only, host)

    def connect_request(self, address: str, port: int) -> bytes:
        """The CONNECT request for a vetted ``address`` (an IP, never a name)."""
        authority = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
        if self.username is not None:
            token = f"{self.username}:{self.password or ''}".encode()
            lines.append("Proxy-Authorization: Basic " + base64.b64encode(token).decode("ascii"))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def refusal(self, status: int) -> str:
        """One sentence for a CONNECT answered with a non-2xx status (no credentials in it)."""
        said = f"{status} {_phrase(status)}".strip()
        if status == 407:
            why = (
                "proxy authentication failed: check the user and password in the proxy URL"
                if self.username is not None
                else "the proxy requires authentication: put user:password@ in the proxy URL"
            )
            return f"The proxy at {self.address} answered {said} to CONNECT ({why})."
        return f"The proxy at {self.address} refused the tunnel: it answered {said} to CONNECT."


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""
