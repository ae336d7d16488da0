"""Pytest fixtures that start the whole local stack (``linkcheck dev``) in-process.

Registered for every test by ``tests/conftest.py`` (``pytest_plugins``), so just ask for them:

``dev_stack`` -> ``DevStack``, started, for one test:
    - ``dev_stack.base_url``: ``http://127.0.0.1:<free port>``, the HTTP API (API Gateway v2
      emulation with the authorizer, in front of the real handlers of template.yaml);
    - ``dev_stack.api_key``: the secret of a key of tenant ``dev`` (``Authorization: Bearer``);
    - ``dev_stack.run_pumps_once()``: drain the SQS queues (worker, webhooks), the table stream
      (notifier) and SNS synchronously; call it instead of sleeping. Returns records handled;
    - ``dev_stack.tick()``: run the scheduled function(s) (the sweep) now;
    - ``dev_stack.notifications``: SNS envelopes published so far (``Message``, ``Subject``,
      ``MessageAttributes``); ``dev_stack.env``: the functions' environment (TABLE_NAME, ...);
    - ``dev_stack.function("WorkerFunction")``, ``dev_stack.authorizers["LambdaAuth"].calls``;
    - ``dev_stack.environment_stats()``: per function, the process environments started, the
      most that served at once, and their pids.
  Options: private networks allowed (tests serve on 127.0.0.1), no background pumps, no
  automatic sweep, ``CONFIRM_DELAY_SECONDS=0``, failed SQS messages visible again at once.
  Functions run in process environments, as ``linkcheck dev`` runs them: a handler given as a
  callable (``handlers={"ApiFunction": fake}``) runs in the test's process instead, one given
  by name (``"tests.integration.dev_handlers.environment"``) in environments;
  ``on_log=callback(function, pid, line)`` receives the environments' log lines.

``dev_stack_factory(**options)`` -> a started ``DevStack`` with your options on top of those
  (for example ``env={"RATE_LIMIT_PER_MINUTE": "3"}`` or ``handlers={"ApiFunction": fake}``);
  every stack it made is stopped after the test.

``stack_options(moto_endpoint)``: those options, for a ``DevStack`` of your own (for example a
  module-scoped one shared by read-only tests; stop it yourself).

Every stack shares the session's moto server (``moto_endpoint``) with its own resources
(unique names), and restores ``os.environ`` when stopped; its processes end with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from linkcheck.local.stack import DevStack

DevStackFactory = Callable[..., "DevStack"]


def stack_options(moto_endpoint: str) -> dict[str, Any]:
    """The ``DevStack`` options these fixtures use (for a stack of your own, e.g. module-scoped)."""
    return {
        "port": 0,
        "moto_endpoint": moto_endpoint,
        "api_key": f"lck_test_{uuid.uuid4().hex}",
        "allow_private_networks": True,
        "sweep_every": None,
        "confirm_delay": 0,
        "retry_after_seconds": 0,
        "background_pumps": False,
    }


@pytest.fixture()
def dev_stack_factory(moto_endpoint: str) -> Iterator[DevStackFactory]:
    from linkcheck.local.stack import DevStack

    stacks: list[DevStack] = []

    def start(**options: Any) -> DevStack:
        stack = DevStack(**{**stack_options(moto_endpoint), **options})
        stacks.append(stack)
        return stack.start()

    try:
        yield start
    finally:
        for stack in reversed(stacks):
            stack.stop()


@pytest.fixture()
def dev_stack(dev_stack_factory: DevStackFactory) -> DevStack:
    return dev_stack_factory()
