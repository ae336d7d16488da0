"""Execution environments of ``linkcheck dev``: processes, as in Lambda.

Concurrent requests are served by several environments at once; each environment has only its
own function's variables and its own logger; a crash or a timeout costs one environment, not
the stack; and nothing is left running after ``stop()``.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import httpx
import pytest

from linkcheck.local.environments import ProcessFunction
from linkcheck.local.stack import DevStack, _default_template
from tests.e2e.servers import Reply, Request, ScriptedServer, scripted_server
from tests.integration.devstack import DevStackFactory

PAGE = b"<html><body><h1>A slow page</h1></body></html>"
HOLD_LIMIT = 10.0  # a gate never holds longer (below the checks' 15 s timeout)


class Gate:
    """A page that holds every request until ``expected`` requests are waiting (or ``open()``).

    If requests took turns, the first would wait alone until ``HOLD_LIMIT``: ``filled`` says
    whether they really were all in flight together.
    """

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.filled = False
        self.arrived = threading.Event()
        self._opened = threading.Event()
        self._count = 0
        self._lock = threading.Lock()

    def open(self) -> None:
        self._opened.set()

    def __call__(self, request: Request) -> Reply:
        with self._lock:
            self._count += 1
            if self._count >= self.expected and not self._opened.is_set():
                self.filled = True
                self._opened.set()
        self.arrived.set()
        self._opened.wait(HOLD_LIMIT)
        return Reply(200, {"content-type": "text/html"}, PAGE)


@pytest.fixture()
def site() -> Iterator[ScriptedServer]:
    with scripted_server() as server:
        yield server


def client(stack: DevStack) -> httpx.Client:
    return httpx.Client(
        base_url=stack.base_url,
        headers={"Authorization": f"Bearer {stack.api_key}"},
        trust_env=False,
        timeout=60,
    )


def pool(stack: DevStack, name: str) -> ProcessFunction:
    function = stack.function(name)
    assert isinstance(function, ProcessFunction)
    return function


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def gone(pid: int) -> bool:
    """True once the process has exited (a killed process takes a moment to go)."""
    for _ in range(100):
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


# ------------------------------------------------------------------------- concurrency


def test_concurrent_checks_of_a_slow_page_are_served_together(
    dev_stack: DevStack, site: ScriptedServer
) -> None:
    concurrent = 4
    gate = Gate(concurrent)
    site.route("/slow", gate)
    with client(dev_stack) as api, ThreadPoolExecutor(concurrent) as executor:
        responses = list(
            executor.map(
                lambda n: api.get("/check", params={"url": site.url(f"/slow?n={n}")}),
                range(concurrent),
            )
        )
    for response in responses:
        assert response.status_code == 200, response.text
        assert (response.json()["status"], response.json()["reason"]) == ("ok", "http_2xx")
        assert "time budget" not in response.text
    assert gate.filled  # every check reached the page while the others were waiting there
    # One new key in a burst: one authorizer call, the other requests wait for its answer.
    assert [a.calls for a in dev_stack.authorizers.values()] == [1]
    stats = pool(dev_stack, "ApiFunction").stats()
    assert stats.peak_busy == concurrent
    assert len(set(stats.pids)) == concurrent


def test_beyond_max_environments_requests_wait_for_a_free_one(
    dev_stack_factory: DevStackFactory,
) -> None:
    stack = dev_stack_factory(max_environments=1)
    with client(stack) as api, ThreadPoolExecutor(4) as executor:
        statuses = list(executor.map(lambda _: api.get("/me").status_code, range(4)))
    assert statuses == [200] * 4
    stats = pool(stack, "ApiFunction").stats()
    assert (stats.started, stats.peak_busy) == (1, 1)


# ------------------------------------------------------------------------- isolation


def test_each_environment_has_only_its_own_functions_variables(
    dev_stack_factory: DevStackFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTIFY_LEASE_SECONDS", "999")  # a notifier variable, set in the shell
    monkeypatch.setenv("LINKCHECK_SHELL_ONLY", "kept")
    show = "tests.integration.dev_handlers.environment"
    stack = dev_stack_factory(handlers={"ApiFunction": show, "WorkerFunction": show})
    with httpx.Client(base_url=stack.base_url, trust_env=False) as public:
        api = public.get("/docs").json()
    worker = stack.function("WorkerFunction").invoke({"Records": []})

    assert api["pid"] != os.getpid() != worker["pid"]
    assert api["function_name"] == "ApiFunction"
    assert 0 < api["remaining_ms"] <= 29_000  # the api's Timeout
    api_env, worker_env = api["env"], worker["env"]
    assert api_env["RATE_LIMIT_PER_MINUTE"] == "120"  # the api's own variable
    assert "RATE_LIMIT_PER_MINUTE" not in worker_env
    assert "NOTIFY_LEASE_SECONDS" not in api_env  # the notifier's, not the shell's
    assert "DELIVERIES_DLQ_URL" not in worker_env  # the webhook function's
    for env in (api_env, worker_env):
        assert env["TABLE_NAME"] == stack.env["TABLE_NAME"]  # Refs resolved to local resources
        assert env["AWS_ENDPOINT_URL"] == stack.moto_endpoint
        assert env["AWS_ACCESS_KEY_ID"] == "testing"
        assert env["LINKCHECK_ALLOW_PRIVATE_NETWORKS"] == "1"  # a dev option reaches it
        assert env["LINKCHECK_SHELL_ONLY"] == "kept"  # the rest of the shell's environment
    assert worker_env["AWS_LAMBDA_FUNCTION_NAME"] == "WorkerFunction"


def test_log_lines_carry_their_own_invocations_context(
    dev_stack_factory: DevStackFactory, site: ScriptedServer
) -> None:
    """A sweep running while the worker is busy logs as the sweep, and the worker as itself."""
    lines: list[tuple[str, dict[str, Any]]] = []

    def keep(function: str, pid: int, line: str) -> None:
        if line.startswith("{"):
            lines.append((function, json.loads(line)))

    stack = dev_stack_factory(on_log=keep)
    gate = Gate(expected=1_000)  # opened by hand
    site.route("/slow", gate)
    with client(stack) as api:
        link = api.post("/links", json={"url": site.url("/slow")}).json()
    boto3.client("sqs").send_message(
        QueueUrl=stack.env["CHECKS_QUEUE_URL"],
        MessageBody=json.dumps({"links": [{"tenant": "dev", "link_id": link["id"]}]}),
        MessageAttributes={
            "correlation_id": {"DataType": "String", "StringValue": "corr-of-the-worker"}
        },
    )
    worker = threading.Thread(target=stack.run_pumps_once)
    worker.start()
    try:
        assert gate.arrived.wait(30)  # the worker is inside its invocation, checking
        (sweep,) = stack.tick()
    finally:
        gate.open()
        worker.join(60)
    stack.stop()  # every environment's last lines are read

    assert sweep["correlation_id"] != "corr-of-the-worker"
    sweep_lines = [line for function, line in lines if function == "SweepFunction"]
    worker_lines = [line for function, line in lines if function == "WorkerFunction"]
    assert any(line.get("message") == "sweep done" for line in sweep_lines)
    assert any(line.get("message") == "checked" for line in worker_lines)
    for line in sweep_lines:
        if "function_name" in line and "_aws" not in line:  # log lines, not metrics (EMF)
            assert line["function_name"] == "SweepFunction"
            assert line.get("correlation_id") == sweep["correlation_id"], line
    checked = [line for line in worker_lines if line.get("message") == "checked"]
    assert checked[0]["function_name"] == "WorkerFunction"
    assert checked[0]["correlation_id"] == "corr-of-the-worker"


# ------------------------------------------------------------------------- failures


def test_a_crash_or_a_timeout_costs_one_environment_not_the_stack(
    dev_stack_factory: DevStackFactory,
) -> None:
    template, _ = _default_template()
    template = copy.deepcopy(template)
    template["Resources"]["ApiFunction"]["Properties"]["Timeout"] = 1
    stack = dev_stack_factory(
        template=template, handlers={"ApiFunction": "tests.integration.dev_handlers.misbehaving"}
    )
    with client(stack) as api:
        first = api.get("/fine").json()["pid"]
        crashed = api.get("/crash")
        assert crashed.status_code == 500
        assert "Runtime exited" in crashed.headers["x-linkcheck-dev-error"]
        raised = api.get("/boom")
        assert raised.status_code == 500
        assert "RuntimeError: handler bug" in raised.headers["x-linkcheck-dev-error"]
        after_error = api.get("/fine").json()["pid"]  # an exception keeps the environment
        hung = api.get("/hang")
        assert hung.status_code == 500
        assert "Task timed out after 1 seconds" in hung.headers["x-linkcheck-dev-error"]
        last = api.get("/fine")
        assert last.status_code == 200
    assert first != after_error  # the crashed one was replaced
    stats = pool(stack, "ApiFunction").stats()
    assert stats.started == 3  # first, after the crash, after the timeout
    hung_pid = stats.pids[1]
    assert last.json()["pid"] == stats.pids[2]
    assert gone(first)
    assert gone(hung_pid)  # killed at its timeout, as Lambda does


def test_stop_leaves_no_process_behind(dev_stack_factory: DevStackFactory) -> None:
    stack = dev_stack_factory()
    with client(stack) as api, ThreadPoolExecutor(3) as executor:
        assert list(executor.map(lambda _: api.get("/me").status_code, range(3))) == [200] * 3
    stack.tick()
    assert stack._zygote is not None
    pids = [pid for stats in stack.environment_stats().values() for pid in stats.pids]
    pids.append(stack._zygote.pid)
    assert len(pids) >= 3 and all(alive(pid) for pid in pids)
    stack.stop()
    assert [pid for pid in pids if alive(pid)] == []


def test_in_process_mode_runs_the_functions_here(dev_stack_factory: DevStackFactory) -> None:
    stack = dev_stack_factory(environments="in-process")
    with client(stack) as api:
        assert api.get("/me").status_code == 200
    assert stack.environment_stats() == {}
    assert stack.describe()["isolation"] == "in-process"


def test_killing_linkcheck_dev_leaves_no_process_behind() -> None:
    """Even without a clean stop: the zygote sees its control socket close, and environments
    die with the zygote."""
    from tests.integration.test_dev_cli import DevProcess

    key = "lck_orphan_test_key_123"
    process = DevProcess(
        "--port", "0", "--sweep-every", "0", env={"LINKCHECK_DEV_API_KEY": key}
    )  # fmt: skip
    try:
        banner = process.wait_for("Ctrl-C")
        base_url = banner.split("API      ", 1)[1].split()[0]
        with httpx.Client(base_url=base_url, trust_env=False, timeout=30) as api:
            assert api.get("/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        below = descendants(process.process.pid)
        assert len(below) >= 3  # the zygote, an authorizer and an api environment
    finally:
        process.process.kill()
        process.process.wait(timeout=10)
    assert [pid for pid in below if not gone(pid)] == []


def descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found: list[int] = []
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found
