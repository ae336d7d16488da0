"""``linkcheck dev`` as a user runs it: a real process, its banner, its API, a clean stop."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from linkcheck.cli import build_parser
from linkcheck.commands.dev import banner, run
from tests.integration.devstack import DevStackFactory

START_TIMEOUT = 60.0


class DevProcess:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "linkcheck.cli", "dev", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str) -> str:
        """Everything printed up to the first line containing ``text``."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.output.append(line)
            if text in line:
                return "".join(self.output)
        raise AssertionError(f"never printed {text!r}:\n{''.join(self.output)}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture()
def dev() -> Iterator[list[DevProcess]]:
    started: list[DevProcess] = []
    yield started
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait(timeout=10)


@pytest.mark.slow
def test_dev_starts_serves_and_stops_cleanly(dev: list[DevProcess]) -> None:
    key = "lck_cli_test_key_123"
    process = DevProcess(
        "--port", "0", "--sweep-every", "0", "--allow-private-networks",
        env={"LINKCHECK_DEV_API_KEY": key},
    )  # fmt: skip
    dev.append(process)
    banner = process.wait_for("Ctrl-C")

    api = re.search(r"API\s+(http://127\.0\.0\.1:\d+)", banner)
    assert api, banner
    base_url = api.group(1)
    assert f"{base_url}/docs" in banner
    assert key in banner
    assert f'curl -H "Authorization: Bearer {key}" "{base_url}/check?url=' in banner
    assert "--allow-private-networks is ON" in banner
    assert "WorkerFunction" in banner and "NotifierFunction" in banner

    with httpx.Client(base_url=base_url, trust_env=False, timeout=10) as client:
        assert client.get("/me").status_code == 401
        me = client.get("/me", headers={"Authorization": f"Bearer {key}"})
        assert me.status_code == 200, me.text
        assert me.json()["tenant"] == "dev"

    assert process.stop() == 0
    assert "shutting down" in "".join(process.output) + _drain(process)


def test_busy_port_is_a_clear_error(dev: list[DevProcess]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = DevProcess("--port", str(port), "--sweep-every", "0")
        dev.append(process)
        code = process.process.wait(timeout=START_TIMEOUT)
    assert code == 1
    assert f"port {port} is already in use" in _drain(process)


def test_banner_without_private_networks(dev_stack_factory: DevStackFactory) -> None:
    stack = dev_stack_factory(allow_private_networks=False, api_key=None)
    text = banner(stack, sweep_every=60)
    assert "allow-private-networks is ON" not in text
    assert stack.api_key and stack.api_key.startswith("lck_")  # generated
    assert f"API key  {stack.api_key}" in text
    assert "every 60 s" in text


def test_a_bad_fixed_key_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["dev", "--port", "0", "--api-key", "short"])
    assert run(args) == 2
    assert "error: --api-key: an API key must be" in capsys.readouterr().err


def _drain(process: DevProcess) -> str:
    lines = []
    while not process.lines.empty():
        lines.append(process.lines.get())
    return "".join(lines)
