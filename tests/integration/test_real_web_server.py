"""The server of benchmarks/real_web.py, run as the benchmark runs it, on two loopback hosts.

It must answer what each URL's path says (status, redirect, never for a hanging one) and count
what the benchmark reports: connections, requests and reuse, the busiest host's open
connections.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[2] / "benchmarks" / "real_web_server.py"
HOSTS = ["127.1.0.1", "127.1.0.2"]


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """(port of the hosts, control port) of a running server."""
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("\n".join(HOSTS) + "\n")
    port, control = _free_port(HOSTS[0]), _free_port("127.0.0.1")
    process = subprocess.Popen(
        [
            sys.executable,
            str(SERVER),
            "--hosts-file",
            str(hosts),
            "--port",
            str(port),
            "--control-port",
            str(control),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"ready"
        yield port, control
    finally:
        process.terminate()
        process.wait(timeout=10)


def _stats(control: int) -> dict[str, float]:
    connection = http.client.HTTPConnection("127.0.0.1", control, timeout=5)
    try:
        connection.request("GET", "/stats")
        data: dict[str, float] = json.loads(connection.getresponse().read())
        return data
    finally:
        connection.close()


def test_answers_by_path_on_kept_alive_connections_and_counts_them(
    server: tuple[int, int],
) -> None:
    port, control = server
    first = http.client.HTTPConnection(HOSTS[0], port, timeout=5)
    second = http.client.HTTPConnection(HOSTS[1], port, timeout=5)
    try:
        first.request("GET", "/200/10/1")
        page = first.getresponse()
        assert page.status == 200 and b"Article 1" in page.read()
        first.request("GET", "/404/10/2")  # same connection
        missing = first.getresponse()
        assert missing.status == 404
        missing.read()
        first.request("HEAD", "/301/10/3")
        moved = first.getresponse()
        moved.read()
        assert (moved.status, moved.getheader("Location")) == (301, "/301/10/3/")
        second.request("GET", "/301/10/3/")  # the redirect's target, on the other host
        target = second.getresponse()
        assert target.status == 200 and b"Article 3" in target.read()
    finally:
        first.close()
        second.close()
    stats = _stats(control)
    assert (stats["connections"], stats["requests"], stats["answered"]) == (2, 4, 4)
    assert stats["peak_per_host"] == 1
    assert stats["cpu_s"] > 0


def test_a_hanging_url_is_read_and_never_answered(server: tuple[int, int]) -> None:
    port, control = server
    connection = http.client.HTTPConnection(HOSTS[1], port, timeout=0.3)
    try:
        connection.request("GET", "/hang/0/9")
        with pytest.raises(TimeoutError):
            connection.getresponse()
    finally:
        connection.close()
    stats = _stats(control)
    assert (stats["connections"], stats["requests"], stats["answered"]) == (1, 1, 0)


def test_the_peak_counts_connections_open_at_once_to_one_host(server: tuple[int, int]) -> None:
    port, control = server
    _stats(control)  # the peak is reported since the previous stats call
    sockets = [socket.create_connection((HOSTS[0], port)) for _ in range(3)]
    try:
        for client in sockets:  # one answered request each: the server has seen all three
            client.sendall(b"GET /200/0/1 HTTP/1.1\r\nHost: a\r\n\r\n")
            assert client.recv(100).startswith(b"HTTP/1.1 200 OK")
        assert _stats(control)["peak_per_host"] == 3
    finally:
        for client in sockets:
            client.close()
