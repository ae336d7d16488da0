"""How a check behaves: deadlines, politeness, safety switches. One frozen value per checker.

The engine never reads the environment: its callers build the options (the deployed functions
from their settings, ``handlers/check_options.py``; the CLI from its flags).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import __version__
from .proxy import Proxy

DEFAULT_USER_AGENT = (
    f"linkcheck/{__version__} (+https://github.com/linkcheck/linkcheck; link checker)"
)


@dataclass(frozen=True, slots=True)
class ConnectTo:
    """curl's ``--connect-to HOST:PORT:ADDR:PORT``: dial ADDR:PORT when a URL names HOST:PORT.

    The Host header and TLS SNI stay HOST. An empty host or port on the left matches any.
    """

    host: str
    port: int | None
    to_host: str
    to_port: int | None

    @classmethod
    def parse(cls, spec: str) -> ConnectTo:
        # ADDR may be a bracketed IPv6 literal, so split from both ends.
        host, sep, rest = spec.partition(":")
        port, sep2, target = rest.partition(":")
        to_host, _, to_port = target.rpartition(":")
        if not (sep and sep2 and to_host):
            raise ValueError(f"--connect-to expects HOST:PORT:ADDR:PORT, got {spec!r}")
        try:
            return cls(
                host=host.lower(),
                port=int(port) if port else None,
                to_host=to_host.strip("[]"),
                to_port=int(to_port) if to_port else None,
            )
        except ValueError as exc:
            raise ValueError(f"--connect-to has a bad port in {spec!r}") from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class Credentials:
    """Optional keys of official platform endpoints; detectors use them when present.

    Values never appear in ``repr`` (so never in logs or tracebacks).
    """

    meta_app_token: str | None = None  # Instagram / Facebook oEmbed (graph.facebook.com)
    youtube_api_key: str | None = None  # YouTube Data API v3

    def __repr__(self) -> str:
        held = [name for name in ("meta_app_token", "youtube_api_key") if getattr(self, name)]
        return f"Credentials(set={held})"


NO_CREDENTIALS = Credentials()

DEFAULT_CONNECT_TIMEOUT = 5.0  # seconds
DEFAULT_READ_TIMEOUT = 10.0  # seconds without a byte


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckOptions:
    timeout: float = 15.0  # total deadline of one check (all hops, retries and waits), seconds
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    concurrency: int = 64  # checks in flight at once
    per_host: int = 4  # polite cap of concurrent requests to one host
    max_redirects: int = 10
    max_body_bytes: int = 256 * 1024  # bounded prefix read for detectors
    # A page a caller asked for (``Checker.fetch_page``, ``pages=``): its body is read up to this.
    max_page_bytes: int = 4 * 1024 * 1024
    retries: int = 2  # extra attempts on transient failures
    backoff: float = 0.25  # first pause before a retry, seconds (doubles, with jitter)
    always_get: bool = False  # GET every URL (no HEAD): lets generic detectors see every page
    user_agent: str = DEFAULT_USER_AGENT
    allow_private_networks: bool = False  # SSRF guard off: tests and local dev only
    connect_to: tuple[ConnectTo, ...] = ()
    # Fail closed: a host no ``connect_to`` rule maps is refused (forbidden_target) without a
    # DNS lookup, so a fixture run can never reach the network (``--only-connect-to``).
    only_connect_to: bool = False
    ca_bundle: str | None = None  # extra trust roots (PEM), added to the system ones
    proxy: Proxy | None = None  # HTTP CONNECT egress (``--proxy``); see ``proxy.py``
    credentials: Credentials = NO_CREDENTIALS  # platform API keys, handed to detectors
