"""The engine's failures: a request that got no HTTP answer, and why (pure, no I/O).

The engine raises and judges these only; ``httpx_path.WireTransport`` translates them into
httpx's exceptions for code that uses the engine as an httpx transport. Keeping our own tree
means the check path never imports httpx, and a verdict never depends on another library's
exception hierarchy. The ``detail`` (the message) is shown to users: it says what failed,
never a credential.
"""

from __future__ import annotations


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
