"""JSON messages between the local stack and its execution environments (processes).

An environment's channel is a stream socket; each message is a 4-byte big-endian length and
that many bytes of UTF-8 JSON, so events and results cross the process boundary as JSON, as
they do in Lambda. ``recv_message`` takes an optional timeout (the function's timeout).
"""

from __future__ import annotations

import json
import socket
import struct
import time
from typing import Any

_HEADER = struct.Struct(">I")
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # far above API Gateway's 10 MB: a corrupt length, not data


class ChannelClosed(ConnectionError):
    """The other end went away (the process exited or closed its channel)."""


def encode(message: Any) -> bytes:
    data = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return _HEADER.pack(len(data)) + data


def send_message(sock: socket.socket, message: Any) -> None:
    try:
        sock.sendall(encode(message))
    except OSError as exc:  # BrokenPipe, ConnectionReset: the process is gone
        raise ChannelClosed(str(exc)) from exc


def recv_message(sock: socket.socket, timeout: float | None = None) -> Any:
    """The next message; ``TimeoutError`` when none is complete within ``timeout`` seconds."""
    deadline = None if timeout is None else time.monotonic() + timeout
    (length,) = _HEADER.unpack(_recv_exactly(sock, _HEADER.size, deadline))
    if length > MAX_MESSAGE_BYTES:
        raise ChannelClosed(f"message of {length} bytes: the channel is out of step")
    return json.loads(_recv_exactly(sock, length, deadline))


def _recv_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    missing = size
    while missing:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            sock.settimeout(left)
        try:
            chunk = sock.recv(min(missing, 1024 * 1024))
        except TimeoutError:
            raise
        except OSError as exc:
            raise ChannelClosed(str(exc)) from exc
        finally:
            if deadline is not None:
                sock.settimeout(None)
        if not chunk:
            raise ChannelClosed("end of stream")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)
