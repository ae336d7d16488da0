"""The fork server of the local stack, and what each execution environment runs.

``python -m linkcheck.local.zygote FD`` is started by ``environments.Zygote`` as a fresh
interpreter (so it never inherits the stack's threads). On its control socket (FD, a
``SOCK_SEQPACKET`` pair: one message per datagram) it first receives the handler modules and
imports them, then answers fork requests: each carries the function's handler, its whole
environment, and two file descriptors (the environment's channel and its log pipe). The forked
child becomes one **execution environment**: it takes exactly that environment (``os.environ``
is replaced), sends its stdout and stderr to the log pipe, and serves invocations one at a time
over its channel (``ipc`` messages) until the channel closes.

Nothing here outlives the stack: the zygote exits when its control socket closes (killing and
reaping its children first), and every child asks the kernel for SIGKILL when the zygote dies
(``PR_SET_PDEATHSIG``) and exits when its channel closes. Ctrl-C is ignored here: the stack
(the parent) handles it and stops everything.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import io
import json
import os
import signal
import socket
import sys
import threading
import traceback
from typing import Any

from . import ipc

_PR_SET_PDEATHSIG = 1
_MAX_CONTROL_MESSAGE = 4 * 1024 * 1024


def main(argv: list[str]) -> int:
    control = socket.socket(fileno=int(argv[0]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the stack stops us (inherited by children)
    children: set[int] = set()

    def reap(signum: int = 0, frame: Any = None) -> None:
        while children:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                return
            if pid == 0:
                return
            children.discard(pid)

    signal.signal(signal.SIGCHLD, reap)
    failed = _preload(_recv(control).get("preload", []))
    _warm()
    control.send(json.dumps({"ready": True, "failed": failed}).encode())
    try:
        while True:
            received = _recv_with_fds(control)
            if received is None:
                break  # the stack closed the control socket: stop
            request, fds = received
            if "kill" in request:
                pid = int(request["kill"])
                if pid in children:
                    _kill(pid)
                control.send(b"{}")
                continue
            # SIGCHLD waits until the pid is known: a child that dies at once is still reaped.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
            try:
                pid = _fork_environment(control, request, fds)
                children.add(pid)
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            reap()
            control.send(json.dumps({"pid": pid}).encode())
    finally:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for pid in list(children):
            _kill(pid)
        for pid in list(children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # nothing to finalise: skip tearing down hundreds of imported modules


def _recv(control: socket.socket) -> dict[str, Any]:
    data = control.recv(_MAX_CONTROL_MESSAGE)
    if not data:
        raise SystemExit(0)
    message: dict[str, Any] = json.loads(data)
    return message


def _recv_with_fds(control: socket.socket) -> tuple[dict[str, Any], list[int]] | None:
    data, fds, _, _ = socket.recv_fds(control, _MAX_CONTROL_MESSAGE, 2)
    if not data:
        return None
    return json.loads(data), list(fds)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _preload(modules: list[str]) -> dict[str, str]:
    """Import the handlers' modules now, once for every environment forked later."""
    failed: dict[str, str] = {}
    for name in modules:
        try:
            importlib.import_module(name)
        # A module that cannot load only takes its own function down (reported to the stack).
        except Exception as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
    if threading.active_count() > 1:
        # Forking a process with threads copies their locks in whatever state they were.
        print("linkcheck.local.zygote: an import started a thread; fork is unsafe", file=sys.stderr)
    return failed


def _warm() -> None:
    """Build once, before any fork, what every environment would otherwise build on its first
    request: the engine's TLS trust store (~0.1 s of CPU each). Children share it."""
    with contextlib.suppress(Exception):  # an optional speed-up: never stops the stack
        from ..engine.exchange import ssl_context

        ssl_context()


def _fork_environment(control: socket.socket, request: dict[str, Any], fds: list[int]) -> int:
    channel_fd, log_fd = fds
    sys.stdout.flush()
    sys.stderr.flush()
    zygote = os.getpid()
    pid = os.fork()
    if pid:
        os.close(channel_fd)
        os.close(log_fd)
        return pid
    # The child: never returns into the zygote's loop.
    code = 1
    try:
        control.close()
        _die_with(zygote)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, io.TextIOWrapper):
                stream.reconfigure(line_buffering=True)  # a pipe is block-buffered otherwise
        _become(request)
        code = serve(socket.socket(fileno=channel_fd), request)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _die_with(parent: int) -> None:
    """SIGKILL this process when the zygote dies (Linux), so no environment is orphaned."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the channel still closes when the stack goes away
    if os.getppid() != parent:
        os._exit(1)  # the zygote died before prctl took effect


def _become(request: dict[str, Any]) -> None:
    """Take this function's environment, and only it, as a Lambda environment would."""
    from .. import aws, check_secrets, devmode
    from ..settings import get_settings

    os.environ.clear()
    os.environ.update(request["env"])
    get_settings.cache_clear()
    check_secrets.reset()
    aws.reset_clients()
    devmode.enable()  # a local-stack process: the dev-only variables it was given apply
    from . import faults

    faults.install_in_environment(os.environ, str(request["function"]))  # when asked for


def serve(channel: socket.socket, request: dict[str, Any]) -> int:
    """Serve invocations one at a time until the channel closes; the exit status."""
    from . import faults
    from .functions import invoke_handler

    name = str(request["function"])
    handler_path = str(request["handler"])
    timeout = int(request["timeout"])
    memory = int(request["memory"])
    region = str(request["region"])
    while True:
        try:
            invocation = ipc.recv_message(channel)
        except ipc.ChannelClosed:
            return 0  # the stack stopped or let this environment go
        faults.begin_invocation()
        reply = invoke_handler(
            handler_path,
            invocation["event"],
            function_name=name,
            timeout_seconds=timeout,
            memory_mb=memory,
            region=region,
            request_id=invocation.get("request_id"),
        )
        try:
            ipc.send_message(channel, reply)
        except (TypeError, ValueError) as exc:  # not JSON: Lambda's Runtime.MarshalError
            error = {
                "type": "Runtime.MarshalError",
                "message": f"Unable to marshal response: {exc}",
            }
            try:
                ipc.send_message(channel, {"error": error})
            except ipc.ChannelClosed:
                return 0
        except ipc.ChannelClosed:
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
