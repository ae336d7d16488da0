"""Fault injection for the local stack: AWS calls failing, environments dying, skewed clocks.

``linkcheck dev --faults SPEC`` (and ``DevStack(faults=SPEC)``) passes ``SPEC`` to every
execution environment as ``LINKCHECK_DEV_FAULTS``; each environment installs the injector on
its boto3 clients (``aws.add_client_hook``: botocore event hooks, as
``tests/integration/throttle.py`` does), so the code under test runs unchanged and sees what
DynamoDB, SQS and SNS do when they fail. A spec is comma-separated ``name=value`` pairs::

    seed=7,dynamodb=0.05,sqs=0.05,sns=0.05,kill=0.02,skew=2

- ``dynamodb``, ``sqs``, ``sns``: the share of calls to that service that fail, as the code
  sees them once the client's own retries are spent. A DynamoDB failure is a throttle
  (``ProvisionedThroughputExceededException``), a 5xx, a lost race where another writer could
  make the call's condition fail (``ConditionalCheckFailedException``,
  ``TransactionCanceledException``; not a release of the caller's own lease), or for
  batches part of the batch left unprocessed; an SQS ``SendMessageBatch`` may have part of its
  entries refused. ``lost`` (default 0.25) of the failures happen *after* the call took effect
  (the answer was lost on the way back: the caller cannot tell whether it happened).
- ``kill``: the share of invocations (of ``kill_functions``, default the worker, the notifier
  and the webhook function) whose environment process is killed with SIGKILL at a random AWS
  call of the invocation, before or after it, as a timeout or running out of memory would.
  Only process environments can be killed.
- ``skew``: each environment's wall clock (``time.time``) is off by a random offset within
  plus or minus this many seconds, as between machines.
- ``seed``: every decision is drawn from a random stream per environment seeded from it (and
  the function and environment number), so a failing run can be replayed with the same seed;
  threads and timing can still interleave calls differently.

Every injected fault prints one log line, ``[fault] {"kind": ..., "service": ..., ...}``; the
stack counts them (``DevStack.fault_counts``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

FAULTS_ENV = "LINKCHECK_DEV_FAULTS"
STREAM_ENV = "LINKCHECK_DEV_FAULTS_STREAM"  # which environment this is: "<function>#<n>"
LOG_PREFIX = "[fault] "
DEFAULT_KILL_FUNCTIONS = ("WorkerFunction", "NotifierFunction", "WebhookFunction")
KILL_WITHIN_CALLS = 8  # a doomed invocation dies at one of its first N AWS calls

THROTTLES = {
    "dynamodb": "ProvisionedThroughputExceededException",
    "sqs": "RequestThrottled",
    "sns": "Throttling",
}
SERVER_ERRORS = {"dynamodb": "InternalServerError", "sqs": "InternalError", "sns": "InternalError"}
# What a lost race looks like for calls that carry a condition.
RACES = {"TransactWriteItems": "TransactionCanceledException"}
CONDITIONAL = {"PutItem", "UpdateItem", "DeleteItem"}
PARTIAL = {"BatchGetItem", "BatchWriteItem", "SendMessageBatch"}


class FaultSpecError(ValueError):
    """A ``--faults`` spec that cannot be used; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class FaultSpec:
    seed: int = 0
    rates: dict[str, float] = field(default_factory=dict)  # service -> share of calls failing
    lost: float = 0.25
    kill: float = 0.0
    kill_functions: tuple[str, ...] = DEFAULT_KILL_FUNCTIONS
    skew: float = 0.0

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        rates: dict[str, float] = {}
        values: dict[str, Any] = {}
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            name, sep, raw = part.partition("=")
            name = name.strip()
            if not sep:
                raise FaultSpecError(f"--faults: {part!r} is not name=value")
            if name == "kill_functions":
                values[name] = tuple(f for f in raw.split("+") if f)
                continue
            try:
                number = float(raw)
            except ValueError:
                raise FaultSpecError(f"--faults: {name} must be a number, not {raw!r}") from None
            if name == "seed":
                values["seed"] = int(number)
            elif name == "skew":
                if number < 0:
                    raise FaultSpecError("--faults: skew cannot be negative")
                values["skew"] = number
            elif name in ("lost", "kill", *THROTTLES):
                if not 0 <= number <= 1:
                    raise FaultSpecError(f"--faults: {name} is a share, from 0 to 1, not {raw}")
                if name in THROTTLES:
                    rates[name] = number
                else:
                    values[name] = number
            else:
                known = "seed, dynamodb, sqs, sns, lost, kill, kill_functions, skew"
                raise FaultSpecError(f"--faults: unknown setting {name!r} (known: {known})")
        return cls(rates=rates, **values)

    def render(self) -> str:
        parts = [f"seed={self.seed}"]
        parts += [f"{name}={rate:g}" for name, rate in sorted(self.rates.items())]
        parts += [f"lost={self.lost:g}", f"kill={self.kill:g}", f"skew={self.skew:g}"]
        parts.append("kill_functions=" + "+".join(self.kill_functions))
        return ",".join(parts)


Emit = Callable[[dict[str, Any]], None]


def print_fault(fault: dict[str, Any]) -> None:
    """An environment's report: one log line the stack reads (``parse_line``)."""
    sys.stdout.write(LOG_PREFIX + json.dumps(fault, sort_keys=True) + "\n")
    sys.stdout.flush()


def parse_line(line: str) -> dict[str, Any] | None:
    """The fault a ``[fault] {...}`` log line reports, or None for any other line."""
    if not line.startswith(LOG_PREFIX):
        return None
    try:
        fault = json.loads(line[len(LOG_PREFIX) :])
    except ValueError:
        return None
    return fault if isinstance(fault, dict) else None


def counter_key(fault: dict[str, Any]) -> str:
    """How faults are counted: ``dynamodb throttled``, ``sqs lost``, ``killed``..."""
    service = fault.get("service")
    return f"{service} {fault.get('kind')}" if service else str(fault.get("kind"))


class Injector:
    """Decides and injects faults for the clients of one process (one stream of decisions)."""

    def __init__(self, spec: FaultSpec, stream: str, *, emit: Emit, function: str = "") -> None:
        self.spec = spec
        self.stream = stream
        self.function = function
        self._emit = emit
        self._rng = random.Random(f"{spec.seed}/{stream}")
        self._lock = threading.Lock()
        self._calls = 0  # AWS calls of the current invocation
        self._kill_at: tuple[int, str] | None = None  # (call number, "before" | "after")
        self.counts: Counter[str] = Counter()

    # -------------------------------------------------------------- decisions
    def _draw(self) -> float:
        with self._lock:
            return self._rng.random()

    def _choice(self, options: list[str]) -> str:
        with self._lock:
            return self._rng.choice(options)

    def report(self, fault: dict[str, Any]) -> None:
        fault = {**fault, "stream": self.stream}
        with self._lock:
            self.counts[counter_key(fault)] += 1
        self._emit(fault)

    # -------------------------------------------------------------- invocations and clocks
    def begin_invocation(self) -> None:
        """A new invocation: decide whether (and where) this environment dies during it."""
        with self._lock:
            self._calls = 0
            self._kill_at = None
            doomed = (
                self.spec.kill > 0
                and self.function in self.spec.kill_functions
                and self._rng.random() < self.spec.kill
            )
            if doomed:
                self._kill_at = (
                    self._rng.randint(1, KILL_WITHIN_CALLS),
                    self._rng.choice(["before", "after"]),
                )

    def _maybe_die(self, operation: str, moment: str, call: int) -> None:
        if self._kill_at == (call, moment):
            self.report(
                {"kind": "killed", "function": self.function, "at": f"{moment} {operation}"}
            )
            os.kill(os.getpid(), signal.SIGKILL)

    def clock_offset(self) -> float:
        return 0.0 if not self.spec.skew else self._rng.uniform(-self.spec.skew, self.spec.skew)

    # -------------------------------------------------------------- botocore hooks
    def install(self, service: str, client: Any) -> None:
        rate = self.spec.rates.get(service, 0.0)
        events = client.meta.events
        events.register("provide-client-params.*.*", self._make_before(service, rate))
        events.register("before-call.*.*", _short_circuit)
        events.register("after-call.*.*", self._make_after(client))

    def _make_before(self, service: str, rate: float) -> Callable[..., None]:
        def before(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
            operation = model.name
            with self._lock:
                self._calls += 1
                call = self._calls
            context["fault_call"] = call
            context["fault_operation"] = operation
            self._maybe_die(operation, "before", call)
            if rate <= 0 or self._draw() >= rate:
                return
            kind = self._kind(service, operation, params)
            fault = {"service": service, "operation": operation, "kind": kind}
            if kind == "partial":
                if not _hold_back_half(operation, params, context):
                    return
            elif kind == "lost":
                context["fault_lost"] = SERVER_ERRORS[service]
            else:
                context["fault_refuse"] = _code(service, kind, operation)
            self.report(fault)

        return before

    def _kind(self, service: str, operation: str, params: dict[str, Any]) -> str:
        if self._draw() < self.spec.lost:
            return "lost"
        options = ["throttled", "failed"]
        if service == "dynamodb" and (
            operation in RACES or (operation in CONDITIONAL and _contended(params))
        ):
            options.append("race")
        if operation in PARTIAL:
            options.append("partial")
        return self._choice(options)

    def _make_after(self, client: Any) -> Callable[..., None]:
        def after(
            http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any
        ) -> None:
            held = context.get("fault_unprocessed")
            if held is not None:
                name, unprocessed = held
                if name == "Failed":
                    parsed.setdefault("Failed", []).extend(unprocessed)
                else:
                    parsed[name] = unprocessed
            code = context.get("fault_lost")
            if code is not None and http_response.status_code < 300:
                # It happened; the caller hears an error (the answer was lost on the way).
                http_response.status_code = 500
                parsed["Error"] = {"Code": code, "Message": "injected: the answer was lost"}
                parsed.setdefault("ResponseMetadata", {})["HTTPStatusCode"] = 500
            call = context.get("fault_call")
            if call is not None:
                self._maybe_die(str(context.get("fault_operation")), "after", int(call))

        return after


def _contended(params: dict[str, Any]) -> bool:
    """A condition another writer can make fail (create-if-absent, a version, an expired
    lease). Not one guarded by the writer's own lease owner or token: that fails only once the
    lease was lost, and a fake failure there would fake a lost lease."""
    condition = str(params.get("ConditionExpression", ""))
    values = params.get("ExpressionAttributeValues") or {}
    return bool(condition) and not ({":owner", ":token"} & set(values))


def _code(service: str, kind: str, operation: str) -> str:
    if kind == "throttled":
        return THROTTLES[service]
    if kind == "race":
        return RACES.get(operation, "ConditionalCheckFailedException")
    return SERVER_ERRORS[service]


def _short_circuit(context: dict[str, Any], **_: Any) -> Any:
    """A refused call never reaches moto: botocore raises the error as DynamoDB would."""
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    code = context.get("fault_refuse")
    if code is None and not context.get("fault_nothing_sent"):
        return None
    if code is None:  # a batch of one held back entirely: nothing processed, no error
        return AWSResponse("http://faults", 200, HTTPHeaders(), None), {}
    status = 400 if code not in SERVER_ERRORS.values() else 500
    parsed: dict[str, Any] = {
        "Error": {"Code": code, "Message": "injected fault"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    if code == "TransactionCanceledException":
        parsed["CancellationReasons"] = [{"Code": "ConditionalCheckFailed"}]
    return AWSResponse("http://faults", status, HTTPHeaders(), None), parsed


def _hold_back_half(operation: str, params: dict[str, Any], context: dict[str, Any]) -> bool:
    """Send half of a batch; the rest comes back unprocessed (or refused, for SQS)."""
    if operation == "SendMessageBatch":
        entries = params["Entries"]
        half = len(entries) // 2
        if not half:
            return False
        params["Entries"] = entries[:half]
        context["fault_unprocessed"] = (
            "Failed",
            [
                {"Id": e["Id"], "SenderFault": False, "Code": "InternalError", "Message": "held"}
                for e in entries[half:]
            ],
        )
        return True
    items = params.get("RequestItems") or {}
    if len(items) != 1:
        return False
    ((table, request),) = items.items()
    batch = request["Keys"] if operation == "BatchGetItem" else request
    half = len(batch) // 2
    held = batch[half:]
    if half:
        if operation == "BatchGetItem":
            request["Keys"] = batch[:half]
        else:
            items[table] = batch[:half]
    else:
        context["fault_nothing_sent"] = True
    if operation == "BatchGetItem":
        context["fault_unprocessed"] = ("UnprocessedKeys", {table: {**request, "Keys": held}})
    else:
        context["fault_unprocessed"] = ("UnprocessedItems", {table: held})
    return True


# ------------------------------------------------------------------ per process
_current: Injector | None = None


def current() -> Injector | None:
    return _current


def install_in_environment(env: Mapping[str, str], function: str) -> None:
    """In a forked execution environment: read the spec, hook the clients, skew the clock."""
    global _current
    text = env.get(FAULTS_ENV, "")
    if not text:
        return
    from .. import aws

    spec = FaultSpec.parse(text)
    injector = Injector(spec, env.get(STREAM_ENV) or function, emit=print_fault, function=function)
    _current = injector
    aws.add_client_hook(injector.install)
    offset = injector.clock_offset()
    if offset:
        skew_clock(offset)


def begin_invocation() -> None:
    if _current is not None:
        _current.begin_invocation()


def skew_clock(offset: float) -> None:
    """This process's wall clock reads ``offset`` seconds off (monotonic clocks are untouched)."""
    real_time, real_time_ns = time.time, time.time_ns
    time.time = lambda: real_time() + offset  # type: ignore[assignment]
    time.time_ns = lambda: real_time_ns() + int(offset * 1e9)  # type: ignore[assignment]
