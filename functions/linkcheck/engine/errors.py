"""The engine's failures: a URL it cannot check as given, a request that got no HTTP answer.

The engine raises and judges these only; ``httpx_path.WireTransport`` translates them into
httpx's exceptions for code that uses the engine as an httpx transport. Keeping our own tree
means the check path never imports httpx, and a verdict never depends on another library's
exception hierarchy. The ``detail`` (the message) is shown to users: it says what failed,
never a credential.
"""

from __future__ import annotations

from .verdict import Reason


class BadUrl(ValueError):
    """The input cannot be checked as given. ``detail`` says what to fix (never echoes secrets)."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class TransportFailure(Exception):
    """No HTTP answer was received: the base of every failure below."""


class ConnectFailed(TransportFailure):
    """No connection: refused, unreachable, or the TLS handshake failed (see ``__cause__``)."""


class ConnectTimedOut(TransportFailure):
    """Connecting took longer than the connect timeout."""


class ReadTimedOut(TransportFailure):
    """Connected, but no byte arrived within the read timeout."""


class ConnectionDropped(TransportFailure):
    """The connection was reset or closed before the answer was complete."""


class ProtocolViolation(TransportFailure):
    """The server's bytes are not HTTP/1.x we can trust."""


class ProxyFailed(TransportFailure):
    """The egress proxy failed; says nothing about the link."""


class Unrequestable(TransportFailure):
    """The request cannot be sent as asked (a scheme or header HTTP/1.1 cannot carry)."""


# Worth another attempt: the failure may be the connection's, not the server's answer.
RETRYABLE: tuple[type[TransportFailure], ...] = (
    ConnectFailed,
    ConnectionDropped,
    ProtocolViolation,
)
