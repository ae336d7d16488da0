"""What the Lambda runtime does around a handler: the context, the call, errors as results.

``Function`` is what the HTTP API and the pumps invoke; the local stack has two kinds:

- ``environments.ProcessFunction`` (the default): execution environments are processes, as in
  Lambda; they run ``invoke_handler`` (below) on events received as JSON.
- ``LocalFunction``: the function runs in the stack's own process, as one warm environment:
  invocations of the same function take turns (handlers such as Powertools' resolver keep the
  current event on a module-level object, so two concurrent calls would see each other's
  request). For handlers given as Python callables (test doubles) and ``--in-process``.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .wiring import FunctionSpec

log = logging.getLogger("linkcheck.dev")

ACCOUNT_ID = "123456789012"


class FunctionNotReady(RuntimeError):
    """The function's handler is not built yet (it raised NotImplementedError) or cannot load."""


class FunctionFailed(RuntimeError):
    """The handler raised: Lambda reports this as a function error."""


class FunctionTimedOut(FunctionFailed):
    """The handler ran past the function's timeout: its environment was stopped."""


class FunctionCrashed(FunctionFailed):
    """The environment's process died during the invocation (killed, out of memory)."""


class Function(Protocol):
    """A function of the template as the HTTP API and the pumps see it."""

    spec: FunctionSpec

    @property
    def name(self) -> str: ...

    @property
    def ready(self) -> bool: ...

    def load(self) -> bool: ...

    def invoke(self, event: Any) -> Any: ...


@dataclass
class LambdaContext:
    """The attributes of the Lambda runtime's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    region: str = "us-east-1"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


Handler = Callable[[Any, Any], Any]


def invoke_handler(
    handler_path: str,
    event: Any,
    *,
    function_name: str,
    timeout_seconds: int,
    memory_mb: int,
    region: str,
    request_id: str | None = None,
) -> dict[str, Any]:
    """Run one invocation inside an execution environment; the reply for the stack.

    ``{"result": ...}``, ``{"error": {"type", "message"}}`` (the handler raised: printed to
    the log like Lambda's runtime does) or ``{"not_ready": reason}`` (not built or not loadable).
    """
    context = LambdaContext(
        function_name=function_name,
        memory_limit_in_mb=memory_mb,
        timeout_seconds=timeout_seconds,
        region=region,
        aws_request_id=request_id or str(uuid.uuid4()),
    )
    module_name, _, attribute = handler_path.rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except Exception as exc:
        return {"not_ready": f"cannot load {handler_path}: {type(exc).__name__}: {exc}"}
    try:
        return {"result": handler(event, context)}
    except NotImplementedError as exc:
        return {"not_ready": f"not built yet ({exc})"}
    # Any error in a handler is a function error, as in Lambda: reported, the environment stays.
    except Exception as exc:
        print(f"[ERROR] {type(exc).__name__}: {exc} (request {context.aws_request_id})")
        traceback.print_exc(file=sys.stdout)
        return {"error": {"type": type(exc).__name__, "message": str(exc)}}


class LocalFunction:
    """One function of the template, invoked in-process."""

    def __init__(
        self, spec: FunctionSpec, *, region: str = "us-east-1", handler: Handler | None = None
    ) -> None:
        self.spec = spec
        self.region = region
        self._handler: Handler | None = handler  # given: used instead of importing spec.handler
        self._not_ready: str | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.spec.logical_id

    @property
    def ready(self) -> bool:
        return self._not_ready is None

    def load(self) -> bool:
        """Import the handler now (start-up does this so errors show early); False if not ready."""
        try:
            self._resolve()
        except FunctionNotReady:
            return False
        return True

    def invoke(self, event: Any) -> Any:
        """Call the handler; raises FunctionNotReady or FunctionFailed instead of crashing."""
        handler = self._resolve()
        context = LambdaContext(
            function_name=self.name,
            memory_limit_in_mb=self.spec.memory_mb,
            timeout_seconds=self.spec.timeout_seconds,
            region=self.region,
        )
        with self._lock:
            started = time.monotonic()
            try:
                result = handler(event, context)
            except NotImplementedError as exc:
                self._mark_not_ready(f"not built yet ({exc})")
                raise FunctionNotReady(self._not_ready or "") from exc
            # Any error in a handler is a function error, as in Lambda: report it, keep running.
            except Exception as exc:
                log.exception("%s failed (request %s)", self.name, context.aws_request_id)
                raise FunctionFailed(f"{self.name}: {type(exc).__name__}: {exc}") from exc
            elapsed = time.monotonic() - started
        if elapsed > self.spec.timeout_seconds:
            # Lambda would have stopped it; locally we can only say so.
            log.warning(
                "%s took %.1f s, longer than its %d s timeout: it would time out in AWS",
                self.name,
                elapsed,
                self.spec.timeout_seconds,
            )
        return result

    def _resolve(self) -> Handler:
        if self._not_ready is not None:
            raise FunctionNotReady(self._not_ready)
        if self._handler is None:
            module_name, _, attribute = self.spec.handler.rpartition(".")
            try:
                module = importlib.import_module(module_name)
                self._handler = getattr(module, attribute)
            # A function whose module cannot load must not stop the others (logged once).
            except Exception as exc:
                log.exception("cannot load %s (%s)", self.name, self.spec.handler)
                self._mark_not_ready(f"cannot load {self.spec.handler}: {exc}")
                raise FunctionNotReady(self._not_ready or "") from exc
        return self._handler

    def _mark_not_ready(self, reason: str) -> None:
        if self._not_ready is None:
            self._not_ready = reason
            log.warning("%s is %s; the rest of the stack keeps running", self.name, reason)
