"""Ctrl-C during ``linkcheck check``: exit 130 and one line on stderr, never a traceback.

The CLI runs in a subprocess checking a local server that accepts connections and never
answers; SIGINT is sent once the check is under way. Bounded: the child is killed if it has
not ended within the timeout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from .servers import SilentServer

ENDED_WITHIN_SECONDS = 20.0
STARTED_WITHIN_SECONDS = 20.0


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupted_check(
    silent: SilentServer, *extra: str, connections: int = 1, group: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``linkcheck check`` on the hanging server, SIGINT it mid-check, and collect it.

    Two hosts, both dialled on the server (``--connect-to``), so ``--workers`` shards them.
    ``group``: the signal goes to the whole process group, as a terminal's Ctrl-C does;
    otherwise to the main process only (``kill -INT``).
    """
    port = silent.port
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "linkcheck.cli",
            "check",
            "--allow-private-networks",
            "--timeout",
            "60",
            "--only-connect-to",
            "--connect-to",
            f"a.test:80:127.0.0.1:{port}",
            "--connect-to",
            f"b.test:80:127.0.0.1:{port}",
            *extra,
            "http://a.test/page",
            "http://b.test/page",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as in a terminal
        # As a terminal's foreground job gets it: a shell's background job (CI may run the
        # suite as one) starts with SIGINT ignored, and Python then never raises Ctrl-C.
        preexec_fn=_interruptible,
    )
    try:
        deadline = time.monotonic() + STARTED_WITHIN_SECONDS
        while (
            silent.accepted < connections and child.poll() is None and time.monotonic() < deadline
        ):
            time.sleep(0.02)
        assert silent.accepted >= connections, "the checks never reached the server"
        if group:
            os.killpg(child.pid, signal.SIGINT)
        else:
            child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=ENDED_WITHIN_SECONDS)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def test_ctrl_c_exits_130_with_one_line() -> None:
    with SilentServer() as silent:
        done = interrupted_check(silent)
    assert done.returncode == 130, done.stderr
    assert done.stderr == "interrupted\n"
    assert done.stdout == ""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes need fork")
@pytest.mark.parametrize("group", [True, False], ids=["ctrl-c", "kill-int-main-only"])
def test_ctrl_c_with_worker_processes_exits_130_with_one_line(group: bool) -> None:
    with SilentServer() as silent:
        done = interrupted_check(silent, "--workers", "2", connections=2, group=group)
    assert done.returncode == 130, done.stderr
    assert done.stderr == "interrupted\n"
