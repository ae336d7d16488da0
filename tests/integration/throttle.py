"""Throttling on demand for real boto3 clients talking to the moto server.

moto never throttles, so tests make a client behave as DynamoDB and SQS do under load, through
botocore's own event hooks (the request still goes to moto unless the call is refused):

- ``leave_unprocessed(operation, calls)``: the next ``calls`` BatchGetItem / BatchWriteItem
  calls send only the first half of their keys or puts to moto and answer the rest as
  ``UnprocessedKeys`` / ``UnprocessedItems``, exactly as DynamoDB does when it throttles part
  of a batch (``calls=None``: every call, for ever);
- ``refuse(operation, code, calls, when)``: the next matching calls fail with ``code`` (e.g.
  ``ProvisionedThroughputExceededException``) without reaching moto; ``when`` picks calls by
  their parameters.

Clients made by ``clients()`` do a single attempt per call (botocore's own retries would only
add sleeps here): an injected error is what the code sees once the client's retries are spent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

Params = dict[str, Any]
SINGLE_ATTEMPT = Config(retries={"mode": "standard", "total_max_attempts": 1})


def client(service: str) -> Any:
    return boto3.client(service, config=SINGLE_ATTEMPT)  # type: ignore[call-overload]


class Throttle:
    """Injects throttling into one client (see the module docstring)."""

    def __init__(self, target: Any) -> None:
        self._lock = threading.Lock()
        self._unprocessed: dict[str, int | None] = {}
        self._refusals: list[tuple[str, str, int | None, Callable[[Params], bool]]] = []
        self.refused: list[tuple[str, Params]] = []  # (operation, params) of refused calls
        self.calls: dict[str, int] = {}
        events = target.meta.events
        events.register("provide-client-params.*.*", self._before)
        events.register("before-call.*.*", self._short_circuit)
        events.register("after-call.*.*", self._after)

    def leave_unprocessed(self, operation: str, calls: int | None = 1) -> None:
        with self._lock:
            self._unprocessed[operation] = calls

    def refuse(
        self,
        operation: str,
        code: str,
        calls: int | None = 1,
        when: Callable[[Params], bool] = lambda params: True,
    ) -> None:
        with self._lock:
            self._refusals.append((operation, code, calls, when))

    def clear(self) -> None:
        with self._lock:
            self._unprocessed.clear()
            self._refusals.clear()

    # -------------------------------------------------------------- botocore hooks
    def _before(self, params: Params, model: Any, context: dict[str, Any], **_: Any) -> None:
        operation = model.name
        with self._lock:
            self.calls[operation] = self.calls.get(operation, 0) + 1
            for index, (name, code, left, when) in enumerate(self._refusals):
                if name == operation and when(params) and left != 0:
                    self._refusals[index] = (name, code, None if left is None else left - 1, when)
                    context["throttle_refuse"] = code
                    self.refused.append((operation, params))
                    return
            left = self._unprocessed.get(operation, 0)
            if left == 0:
                return
            if left is not None:
                self._unprocessed[operation] = left - 1
        (table, request), *_others = params["RequestItems"].items()
        batch = request["Keys"] if operation == "BatchGetItem" else request
        half = len(batch) // 2
        held = batch[half:]
        if half:  # moto gets the first half; DynamoDB "throttled" the rest
            if operation == "BatchGetItem":
                request["Keys"] = batch[:half]
            else:
                params["RequestItems"][table] = batch[:half]
        else:  # a batch of one: none of it is processed, moto is not asked at all
            context["throttle_nothing_sent"] = True
        if operation == "BatchGetItem":
            context["throttle_unprocessed"] = (
                "UnprocessedKeys",
                {table: {**request, "Keys": held}},
            )
        else:
            context["throttle_unprocessed"] = ("UnprocessedItems", {table: held})

    def _short_circuit(
        self, model: Any, context: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        code = context.get("throttle_refuse")
        if code is None and not context.get("throttle_nothing_sent"):
            return None
        if code is None:  # a batch with nothing left to send: DynamoDB answers all unprocessed
            return AWSResponse("http://throttle", 200, {}, None), {}
        error = {"Error": {"Code": code, "Message": "Rate exceeded (injected)"}}
        return AWSResponse("http://throttle", 400, {}, None), {
            **error,
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }

    def _after(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        held = context.get("throttle_unprocessed")
        if held is not None:
            name, unprocessed = held
            parsed[name] = unprocessed
