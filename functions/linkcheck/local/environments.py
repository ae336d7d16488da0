"""Execution environments as processes: each function scales out under load, as in Lambda.

``Zygote`` starts the fork server (``zygote.py``) as a fresh interpreter that imports the
handlers once; forking from it gives a new environment in milliseconds, with the handlers
already imported and no thread of the stack copied. ``ProcessFunction`` is one function's pool
of environments: an invocation takes a warm idle environment (the most recently used, as
Lambda does) or, while fewer than ``max_environments`` exist, forks a new one; beyond that it
waits for one to be free. Each environment has its own ``os.environ`` (only its function's
variables), module state and Powertools logger, and serves one invocation at a time.

An environment whose handler runs past the function's timeout is killed and replaced, and the
invocation fails as ``FunctionTimedOut``; one that exits or crashes fails its invocation and
is replaced on the next. Its stdout and stderr (the function's log) are read line by line and
handed to ``on_log(function, pid, line)``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import faults, ipc
from .functions import FunctionCrashed, FunctionFailed, FunctionNotReady, FunctionTimedOut
from .wiring import FunctionSpec

log = logging.getLogger("linkcheck.dev")

LogSink = Callable[[str, int, str], None]  # function name, environment pid, one log line

# A reply may cross the channel this long after the handler's own deadline.
REPLY_GRACE_SECONDS = 0.5
ZYGOTE_READY_SECONDS = 120.0  # importing every handler on a busy machine


class ZygoteFailed(RuntimeError):
    """The fork server could not start or stopped answering."""


def print_log(function: str, pid: int, line: str) -> None:
    """The default sink: the line on stdout, as CloudWatch would show it."""
    sys.stdout.write(line if line.endswith("\n") else line + "\n")
    sys.stdout.flush()


class Zygote:
    """The fork server process; ``spawn`` asks it for a new environment."""

    def __init__(self, modules: Iterable[str], env: Mapping[str, str]) -> None:
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            # Our own interpreter and module, no shell: nothing here comes from input.
            self._process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "linkcheck.local.zygote", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                env=dict(env),
                stdin=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        self._lock = threading.Lock()
        self._control.sendall(json.dumps({"preload": sorted(set(modules))}).encode())
        self._failed: dict[str, str] | None = None

    @property
    def pid(self) -> int:
        return self._process.pid

    def failed_modules(self) -> dict[str, str]:
        """Modules that could not be imported (waits until the zygote has imported them all)."""
        with self._lock:
            if self._failed is None:
                reply = self._request_locked(None, (), timeout=ZYGOTE_READY_SECONDS)
                self._failed = dict(reply.get("failed") or {})
            return self._failed

    def spawn(
        self,
        spec: FunctionSpec,
        handler: str,
        env: Mapping[str, str],
        *,
        region: str,
        on_log: LogSink,
    ) -> Environment:
        self.failed_modules()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        log_read, log_write = os.pipe()
        request = {
            "function": spec.logical_id,
            "handler": handler,
            "env": dict(env),
            "timeout": spec.timeout_seconds,
            "memory": spec.memory_mb,
            "region": region,
        }
        try:
            with self._lock:
                reply = self._request_locked(request, (theirs.fileno(), log_write), timeout=30)
        except BaseException:
            ours.close()
            os.close(log_read)
            raise
        finally:
            theirs.close()
            os.close(log_write)
        environment = Environment(spec.logical_id, int(reply["pid"]), ours, log_read, on_log)
        environment.start_reading()
        return environment

    def kill(self, pid: int) -> None:
        """Kill an environment (only if it is still the zygote's child: pids get reused)."""
        # ZygoteFailed: the zygote is gone, and its children with it.
        with self._lock, contextlib.suppress(ZygoteFailed):
            self._request_locked({"kill": pid}, (), timeout=10)

    def _request_locked(
        self, request: dict[str, Any] | None, fds: tuple[int, ...], *, timeout: float
    ) -> dict[str, Any]:
        try:
            if request is not None:
                socket.send_fds(self._control, [json.dumps(request).encode()], list(fds))
            self._control.settimeout(timeout)
            data = self._control.recv(1024 * 1024)
        except OSError as exc:
            raise ZygoteFailed(f"the environment fork server failed: {exc}") from exc
        if not data:
            raise ZygoteFailed(f"the environment fork server exited ({self._process.poll()})")
        reply: dict[str, Any] = json.loads(data)
        return reply

    def stop(self) -> None:
        """Close the control socket: the zygote kills and reaps every environment, then exits."""
        self._control.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)


class Environment:
    """One execution environment (a process) as the stack sees it."""

    def __init__(
        self, function: str, pid: int, channel: socket.socket, log_fd: int, on_log: LogSink
    ) -> None:
        self.function = function
        self.pid = pid
        self.channel = channel
        self.invocations = 0
        self._log_fd = log_fd
        self._on_log = on_log
        self._reader: threading.Thread | None = None

    def start_reading(self) -> None:
        self._reader = threading.Thread(
            target=self._read_log, daemon=True, name=f"log {self.function} {self.pid}"
        )
        self._reader.start()

    def _read_log(self) -> None:
        with open(self._log_fd, "rb") as lines:  # ends when every writer (the process) is gone
            for raw in lines:
                try:
                    self._on_log(self.function, self.pid, raw.decode("utf-8", "replace"))
                # A failing sink must not stop the reading (the process would block on a full pipe).
                except Exception:
                    log.exception("cannot print a log line of %s", self.function)

    def call(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one invocation, wait for its reply (``TimeoutError``, ``ipc.ChannelClosed``)."""
        self.invocations += 1
        ipc.send_message(self.channel, message)
        reply: dict[str, Any] = ipc.recv_message(self.channel, timeout)
        return reply

    def close(self) -> None:
        """Let the process go: it exits when it reads the end of its channel."""
        self.channel.close()

    def shutdown(self) -> None:
        """End the channel both ways, waking a thread waiting for a reply (``close`` would not)."""
        with contextlib.suppress(OSError):  # already closed
            self.channel.shutdown(socket.SHUT_RDWR)

    def join_log(self, timeout: float = 5) -> None:
        if self._reader is not None:
            self._reader.join(timeout)


@dataclass(frozen=True)
class PoolStats:
    live: int  # environments that exist now
    busy: int  # ... of which serving an invocation
    started: int  # environments started so far (cold starts)
    peak_busy: int  # most invocations served at the same time
    pids: tuple[int, ...]  # every environment that ever served, in start order


class ProcessFunction:
    """One function of the template, served by a pool of process environments."""

    def __init__(
        self,
        spec: FunctionSpec,
        *,
        zygote: Zygote,
        env: Mapping[str, str],
        handler: str | None = None,
        max_environments: int = 10,
        region: str = "us-east-1",
        on_log: LogSink = print_log,
    ) -> None:
        if max_environments < 1:
            raise ValueError("max_environments must be at least 1")
        self.spec = spec
        self.env = dict(env)
        self.handler = handler or spec.handler
        self.max_environments = max_environments
        self.region = region
        self._zygote = zygote
        self._on_log = on_log
        self._not_ready: str | None = None
        self._idle: list[Environment] = []
        self._all: list[Environment] = []  # alive now
        self._every: list[Environment] = []  # ever started (their log readers are joined)
        self._live = 0
        self._busy = 0
        self._peak_busy = 0
        self._started: list[int] = []
        self._spawns = 0  # environments asked for (numbers each one's stream of faults)
        self._stopped = False
        self._cond = threading.Condition()

    @property
    def name(self) -> str:
        return self.spec.logical_id

    @property
    def ready(self) -> bool:
        return self._not_ready is None

    @property
    def module(self) -> str:
        return self.handler.rpartition(".")[0]

    def load(self) -> bool:
        """Wait for the zygote's imports; False when this function's module cannot load."""
        problem = self._zygote.failed_modules().get(self.module)
        if problem is not None:
            self._mark_not_ready(f"cannot load {self.handler}: {problem}")
        return self.ready

    def stats(self) -> PoolStats:
        with self._cond:
            return PoolStats(
                live=self._live,
                busy=self._busy,
                started=len(self._started),
                peak_busy=self._peak_busy,
                pids=tuple(self._started),
            )

    def invoke(self, event: Any) -> Any:
        if self._not_ready is not None:
            raise FunctionNotReady(self._not_ready)
        request_id = str(uuid.uuid4())
        message = {"event": event, "request_id": request_id}
        environment = self._acquire()
        healthy = False
        try:
            reply = environment.call(message, self.spec.timeout_seconds + REPLY_GRACE_SECONDS)
            healthy = True
        except TimeoutError:
            log.warning(
                "%s: Task timed out after %d seconds (request %s); its environment (pid %d) "
                "is stopped and replaced, as in AWS",
                self.name,
                self.spec.timeout_seconds,
                request_id,
                environment.pid,
            )
            self._zygote.kill(environment.pid)
            raise FunctionTimedOut(
                f"{self.name}: Task timed out after {self.spec.timeout_seconds} seconds"
            ) from None
        except ipc.ChannelClosed as exc:
            log.error(
                "%s: its environment (pid %d) exited during request %s; it will be replaced",
                self.name,
                environment.pid,
                request_id,
            )
            raise FunctionCrashed(f"{self.name}: Runtime exited ({exc})") from exc
        finally:
            self._release(environment, healthy)
        if "not_ready" in reply:
            self._mark_not_ready(str(reply["not_ready"]))
            raise FunctionNotReady(str(reply["not_ready"]))
        if "error" in reply:
            error = reply["error"]
            log.error("%s failed (request %s): %s", self.name, request_id, error.get("type"))
            raise FunctionFailed(f"{self.name}: {error.get('type')}: {error.get('message')}")
        return reply.get("result")

    def _acquire(self) -> Environment:
        with self._cond:
            while True:
                if self._stopped:
                    raise FunctionFailed(f"{self.name}: the stack is stopping")
                if self._idle:
                    environment = self._idle.pop()  # the warmest one, as Lambda reuses
                    self._mark_busy()
                    return environment
                if self._live < self.max_environments:
                    self._live += 1
                    self._mark_busy()
                    break
                self._cond.wait()
        env = self.env
        if env.get(faults.FAULTS_ENV):  # each environment draws its own stream of faults
            with self._cond:
                self._spawns += 1
                number = self._spawns
            env = {**env, faults.STREAM_ENV: f"{self.name}#{number}"}
        try:
            environment = self._zygote.spawn(
                self.spec, self.handler, env, region=self.region, on_log=self._on_log
            )
        except BaseException as exc:
            with self._cond:
                self._live -= 1
                self._busy -= 1
                self._cond.notify()
            raise FunctionFailed(f"{self.name}: cannot start an environment: {exc}") from exc
        with self._cond:
            self._started.append(environment.pid)
            self._all.append(environment)
            self._every.append(environment)
        return environment

    def _mark_busy(self) -> None:
        self._busy += 1
        self._peak_busy = max(self._peak_busy, self._busy)

    def _release(self, environment: Environment, healthy: bool) -> None:
        with self._cond:
            self._busy -= 1
            if healthy and not self._stopped:
                self._idle.append(environment)
            else:
                environment.close()
                self._all.remove(environment)
                self._live -= 1
            self._cond.notify()

    def _mark_not_ready(self, reason: str) -> None:
        if self._not_ready is None:
            self._not_ready = reason
            log.warning("%s is %s; the rest of the stack keeps running", self.name, reason)

    def stop(self) -> None:
        """Let every environment go; a busy one's invocation fails at once."""
        with self._cond:
            self._stopped = True
            environments = list(self._all)
            self._idle.clear()
            self._cond.notify_all()
        for environment in environments:
            environment.shutdown()

    def join_logs(self) -> None:
        """Wait until every exited environment's last log lines went to the sink."""
        with self._cond:
            environments = list(self._every)
        for environment in environments:
            environment.join_log()
