"""The whole system on 127.0.0.1: moto, resources, functions, HTTP API and pumps.

``DevStack`` is what ``linkcheck dev`` runs and what tests start (see
``tests/integration/devstack.py``)::

    stack = DevStack(port=0, api_key="lc_dev_secret", allow_private_networks=True)
    stack.start()
    httpx.get(f"{stack.base_url}/me", headers={"Authorization": f"Bearer {stack.api_key}"})
    stack.run_pumps_once()   # drain queues, the stream and notifications synchronously
    stack.tick()             # invoke the scheduled function(s) now
    stack.notifications      # SNS messages seen so far (envelopes)
    stack.stop()

Functions run as in Lambda (``environments="process"``, the default): each execution
environment is a process forked on demand from a zygote that imported the handlers, up to
``max_environments`` per function, and gets only its own function's environment (template
variables with Refs resolved to local resources, plus the moto endpoint and fake credentials);
see ``environments.py``. ``environments="in-process"`` runs every function in this process
instead, one invocation of a function at a time (a debugger works there); handlers given as
Python callables (test doubles) always run in-process.

This process's own ``os.environ`` gets the union of the functions' variables (in-process
functions, the pumps and tests read it); ``stop()`` restores what was there.

Why one long module: ``DevStack`` is the one place where the local parts meet (moto, the
resources, the functions' environments, the HTTP API, the pumps), and each part lives in its
own module; what stays here is their wiring and its start/stop order, read top to bottom.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .. import devmode
from . import faults as fault_injection
from .api_gateway import AuthorizerGate, HttpApi, RouteTable
from .environments import LogSink, PoolStats, ProcessFunction, Zygote, print_log
from .functions import Function, Handler, LocalFunction
from .http_front import HttpFront
from .pumps import (
    NotificationPump,
    Pump,
    QueueAlarmPump,
    QueuePump,
    Runner,
    SchedulePump,
    StreamPump,
)
from .pumps.alarms import queue_alarms
from .wiring import Wiring, read_wiring

if TYPE_CHECKING:
    from .resources import LocalResources

log = logging.getLogger("linkcheck.dev")

REGION = "us-east-1"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
# Set by the stack or by AWS in a function's environment, never taken from the shell.
_MANAGED_PREFIXES = ("AWS_", "POWERTOOLS_", "LAMBDA_", "_HANDLER")
Isolation = Literal["process", "in-process"]
PRELOADED_MODULES = ("boto3",)
# Under --faults, what makes redeliveries and retries happen within minutes, not hours: the
# notification lease, the webhook retry schedule and timeout, the worker's re-enqueue delay and
# the queues' visibility timeout (what brings back the messages of a killed environment).
FAULT_SETTINGS = {
    "NOTIFY_LEASE_SECONDS": "5",
    "WEBHOOK_RETRY_DELAYS": "1,2,4,8",
    "WEBHOOK_TIMEOUT_SECONDS": "3",
    "LINKCHECK_DEV_REQUEUE_DELAY_SECONDS": "3",
}
SQS_POLLERS = 5  # batches of one queue in flight at once, as Lambda's SQS pollers start with
# Under faults, the batch of a killed environment is made visible again after this many
# seconds (the queues keep their timeouts: a shorter one than an invocation can take would
# hand a batch still being worked on to a second poller, and dead-letter it after 5 receives).
FAULT_DEAD_BATCH_RETRY_SECONDS = 10
# Under faults, the queues' visibility timeout: what a message whose delete failed waits before
# it is handed out again. Shorter than the template's (minutes) so a run sees it, longer than a
# local invocation takes (a batch still being worked on must not go to a second poller).
FAULT_VISIBILITY_TIMEOUT = 60
FAULT_STREAM_BACKOFF = 4.0  # the longest wait before a failed stream batch is retried


@dataclass(frozen=True)
class FirstKey:
    tenant: str
    key_id: str
    secret: str


class DevStack:
    """The local stack; see the module docstring. All arguments are keyword-only."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        moto_endpoint: str | None = None,
        moto_port: int = 0,
        api_key: str | None = None,
        tenant: str = "dev",
        allow_private_networks: bool = False,
        sweep_every: float | None = 60.0,
        confirm_delay: int | None = None,
        retry_after_seconds: int | None = 1,
        background_pumps: bool = True,
        prefix: str | None = None,
        env: Mapping[str, str] | None = None,
        handlers: Mapping[str, Handler | str] | None = None,
        on_notification: Callable[[str], None] | None = None,
        template: dict[str, Any] | None = None,
        connect_to: tuple[str, ...] = (),
        ca_bundle: str | None = None,
        only_connect_to: bool = False,
        environments: Isolation = "process",
        max_environments: int = 20,
        on_log: LogSink | None = None,
        faults: str | None = None,
        visibility_timeout: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.moto_endpoint = moto_endpoint
        self.moto_port = moto_port
        self.requested_api_key = api_key
        self.tenant = tenant
        self.allow_private_networks = allow_private_networks
        self.sweep_every = sweep_every
        self.confirm_delay = confirm_delay
        self.retry_after_seconds = retry_after_seconds
        self.background_pumps = background_pumps
        self.prefix = prefix or f"lc-{uuid.uuid4().hex[:8]}"
        self.extra_env = dict(env or {})
        self.handler_overrides = dict(handlers or {})
        self.on_notification = on_notification
        self._template = template
        # Dev-only: the api and worker reach a local corpus like ``linkcheck check
        # --connect-to`` (``linkcheck.devmode``; never honoured in AWS).
        self.connect_to = tuple(connect_to)
        self.ca_bundle = ca_bundle
        self.only_connect_to = only_connect_to
        if environments not in ("process", "in-process"):
            raise ValueError(
                f"environments must be 'process' or 'in-process', not {environments!r}"
            )
        if max_environments < 1:
            raise ValueError("max_environments must be at least 1")
        self.isolation: Isolation = environments
        self.max_environments = max_environments
        self.on_log: LogSink = on_log or print_log
        # Fault injection (``local/faults.py``): parsed now, so a bad spec fails before start.
        self.fault_spec = fault_injection.FaultSpec.parse(faults) if faults else None
        self.fault_counts: Counter[str] = Counter()  # injected faults, by kind
        self._fault_lock = threading.Lock()
        self.visibility_timeout = visibility_timeout or (
            FAULT_VISIBILITY_TIMEOUT if self.fault_spec else None
        )
        self.alarms: QueueAlarmPump | None = None

        self.notifications: list[dict[str, Any]] = []  # SNS envelopes, in arrival order
        self.first_key: FirstKey | None = None
        self.env: dict[str, str] = {}
        self.wiring: Wiring | None = None
        self.functions: dict[str, Function] = {}
        self.authorizers: dict[str, AuthorizerGate] = {}
        self.pumps: list[Pump] = []
        self.schedules: list[SchedulePump] = []
        self._resources: LocalResources | None = None
        self._moto: Any = None
        self._front: HttpFront | None = None
        self._runner: Runner | None = None
        self._saved_env: dict[str, str | None] = {}
        self._shell_env: dict[str, str] = {}  # what every environment keeps from the shell
        self._template_data: dict[str, Any] = {}
        self._zygote: Zygote | None = None
        self._started = False

    # -------------------------------------------------------------- public surface

    @property
    def base_url(self) -> str:
        if self._front is None:
            raise RuntimeError("the stack is not started")
        return self._front.base_url

    @property
    def resources(self) -> LocalResources:
        """The created table, queues and topics (names, URLs, ARNs by logical id)."""
        if self._resources is None:
            raise RuntimeError("the stack is not started")
        return self._resources

    @property
    def api_key(self) -> str | None:
        """The first API key's secret (None when the key store is not available yet)."""
        return self.first_key.secret if self.first_key else None

    def start(self) -> DevStack:
        from . import resources as local_resources

        if self._started or self.functions:
            raise RuntimeError("a stack starts once: make a new DevStack")
        try:
            if self._template is None:
                template, self.wiring = _default_template()
            else:
                template, self.wiring = self._template, read_wiring(self._template)
            if self.moto_endpoint is None:
                from .moto_server import start_moto_server

                self._moto = start_moto_server(self.host, self.moto_port)
                self.moto_endpoint = self._moto.endpoint
            # This process is the local stack: honour the dev-only settings (devmode).
            devmode.enable()
            self._template_data = template
            if self.fault_spec is not None:
                self.on_log = self._counting_faults(self.on_log)
            self._shell_env = self._environment_from_shell()
            self._start_zygote()  # imports the handlers while the resources are created
            self._set_env({"AWS_ENDPOINT_URL": self.moto_endpoint, **self._aws_env()})
            created = local_resources.create_resources(template, prefix=self.prefix)
            self._resources = created
            if self.visibility_timeout is not None:
                self._shorten_visibility(created, self.visibility_timeout)
            self._set_env(self._union_env())
            self._build_functions()
            self._build_pumps(created)
            self._front = HttpFront(self._http_api(), host=self.host, port=self.port)
            self.first_key = self._create_first_key()
            if self.fault_spec is not None and self.isolation == "in-process":
                # Functions share this process: its clients fail (no kills, no clock skew).
                from .. import aws

                injector = fault_injection.Injector(
                    self.fault_spec, "in-process", emit=self._count_fault
                )
                aws.add_client_hook(injector.install)
            self._front.start()
            self._runner = Runner(self.pumps)
            if self.background_pumps:
                self._runner.start()
            self._started = True
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the pumps, the HTTP API, every environment and an own moto server; restore the
        environment. No process started by the stack outlives this call."""
        if self._runner is not None:
            self._runner.request_stop()
        if self._front is not None:
            self._front.stop()
        pools = [f for f in self.functions.values() if isinstance(f, ProcessFunction)]
        for pool in pools:
            pool.stop()  # invocations in progress fail now instead of holding up the pumps
        if self._runner is not None:
            self._runner.stop()
            self._runner = None
        if self._zygote is not None:
            self._zygote.stop()  # kills and reaps what is left, then exits
            self._zygote = None
            for pool in pools:
                pool.join_logs()
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
        if self.fault_spec is not None:
            from .. import aws

            aws.clear_client_hooks()
        self._reset_cached_clients()
        devmode.disable()
        self._started = False

    def run_pumps_once(self, *, max_rounds: int = 50) -> int:
        """Drain queues, the stream and notifications now; how many records were handled."""
        if self._runner is None:
            raise RuntimeError("the stack is not started")
        return self._runner.drain(max_rounds=max_rounds)

    def tick(self) -> list[Any]:
        """Invoke every scheduled function now (the results, None where one failed)."""
        return [schedule.tick() for schedule in self.schedules]

    def function(self, logical_id: str) -> Function:
        return self.functions[logical_id]

    def environment_stats(self) -> dict[str, PoolStats]:
        """Process environments per function (started, busy, pids); in-process ones are absent."""
        return {
            name: function.stats()
            for name, function in self.functions.items()
            if isinstance(function, ProcessFunction)
        }

    def __enter__(self) -> DevStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -------------------------------------------------------------- environment

    def _aws_env(self) -> dict[str, str]:
        # Fake credentials always: nothing started here may ever reach a real AWS account.
        return {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}

    def _stack_settings(self) -> dict[str, str]:
        """What the stack sets in every function's environment, on top of the template."""
        env = {
            "LINKCHECK_DEV": "1",
            "MIN_INTERVAL_MINUTES": "1",
            "LINKCHECK_ALLOW_PRIVATE_NETWORKS": "1" if self.allow_private_networks else "0",
            # No X-Ray daemon locally.
            "POWERTOOLS_TRACE_DISABLED": "1",
        }
        if self.confirm_delay is not None:
            env["CONFIRM_DELAY_SECONDS"] = str(self.confirm_delay)
        for name in devmode.DEV_ONLY_VARIABLES:
            env[name] = ""  # never inherited from the shell: only the options below set them
        env[fault_injection.FAULTS_ENV] = ""
        if self.fault_spec is not None:
            env[fault_injection.FAULTS_ENV] = self.fault_spec.render()
            env.update(FAULT_SETTINGS)
        env.update(
            devmode.environment(
                self.connect_to, self.ca_bundle, only_connect_to=self.only_connect_to
            )
        )
        env.update(self.extra_env)
        return env

    def function_env(self, logical_id: str) -> dict[str, str]:
        """The whole environment of one function's execution environments."""
        assert self.wiring is not None and self._resources is not None
        template, created = self._template_data, self._resources
        spec = self.wiring.functions[logical_id]
        env = dict(self._shell_env)
        env.update(created.env(template))
        env.update(created.resolve_variables(spec.environment, template))
        env.update(self._stack_settings())
        env.update({"AWS_ENDPOINT_URL": str(self.moto_endpoint), **self._aws_env()})
        # What Lambda itself sets in every environment.
        env.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": logical_id,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{logical_id}",
                "_HANDLER": spec.handler,
            }
        )
        return env

    def _union_env(self) -> dict[str, str]:
        """Every function's variables together: this process's view (in-process functions)."""
        assert self.wiring is not None and self._resources is not None
        template, created = self._template_data, self._resources
        env = dict(created.env(template))
        for spec in self.wiring.functions.values():
            for name, value in created.resolve_variables(spec.environment, template).items():
                if name in env and env[name] != value and self.isolation == "in-process":
                    log.warning(
                        "%s sets %s differently: one process, one env", spec.logical_id, name
                    )
                env[name] = value
        env.update(self._stack_settings())
        return env

    def _managed_names(self) -> set[str]:
        """Variables the template or the stack set: a function never takes them from the shell."""
        from .resources import LocalResources

        assert self.wiring is not None
        template = self._template_data
        names = set(LocalResources().env(template)) | set(self._stack_settings())
        function_globals = template.get("Globals", {}).get("Function", {})
        names |= set(function_globals.get("Environment", {}).get("Variables", {}))
        for spec in self.wiring.functions.values():
            names |= set(spec.environment)
        return names

    def _environment_from_shell(self) -> dict[str, str]:
        """What environments inherit (PATH, HOME, platform credentials...): no stack variable."""
        managed = self._managed_names()
        return {
            name: value
            for name, value in os.environ.items()
            if name not in managed and not name.startswith(_MANAGED_PREFIXES)
        }

    def _start_zygote(self) -> None:
        """Start the fork server (process isolation): it imports the handlers right away."""
        from .resources import LocalResources

        assert self.wiring is not None
        modules = [handler.rpartition(".")[0] for handler in self._process_handlers().values()]
        if self.isolation != "process" or not modules:
            return
        # Handlers import boto3 on first use (a faster cold start for /check in AWS); locally,
        # where every environment shares two cores, importing it once in the zygote saves each
        # new environment a third of a second of CPU.
        modules.extend(PRELOADED_MODULES)
        # The handlers are imported before a function's own variables exist: Globals that need
        # no resource (service name, log level, metrics namespace) are there, Refs are not.
        env = dict(self._shell_env)
        env.update(LocalResources().env(self._template_data))
        env.update(self._stack_settings())
        env.update(self._aws_env())
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)  # this code, not another
        self._zygote = Zygote(modules, env)

    def _process_handlers(self) -> dict[str, str]:
        """Handler path of every function that runs in process environments."""
        assert self.wiring is not None
        if self.isolation != "process":
            return {}
        handlers: dict[str, str] = {}
        for logical_id, spec in self.wiring.functions.items():
            override = self.handler_overrides.get(logical_id)
            if override is None or isinstance(override, str):
                handlers[logical_id] = override or spec.handler
        return handlers

    def _set_env(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            if name not in self._saved_env:
                self._saved_env[name] = os.environ.get(name)
            os.environ[name] = value
            self.env[name] = value
        self._reset_cached_clients()

    def _reset_cached_clients(self) -> None:
        from .. import aws, check_secrets
        from ..settings import get_settings

        get_settings.cache_clear()
        check_secrets.reset()
        aws.reset_clients()

    # -------------------------------------------------------------- wiring

    def _build_functions(self) -> None:
        assert self.wiring is not None
        in_processes = self._process_handlers()
        for logical_id, spec in self.wiring.functions.items():
            override = self.handler_overrides.get(logical_id)
            if logical_id in in_processes and self._zygote is not None:
                self.functions[logical_id] = ProcessFunction(
                    spec,
                    zygote=self._zygote,
                    env=self.function_env(logical_id),
                    handler=in_processes[logical_id],
                    max_environments=self.max_environments,
                    region=REGION,
                    on_log=self.on_log,
                )
            elif isinstance(override, str):
                self.functions[logical_id] = LocalFunction(
                    dataclasses.replace(spec, handler=override), region=REGION
                )
            else:
                self.functions[logical_id] = LocalFunction(spec, region=REGION, handler=override)
        for function in self.functions.values():
            function.load()  # import now: errors show at start-up, first requests are fast

    def _http_api(self) -> HttpApi:
        assert self.wiring is not None
        for name, spec in self.wiring.authorizers.items():
            self.authorizers[name] = AuthorizerGate(
                spec, self.functions[spec.function], region=REGION
            )
        return HttpApi(RouteTable(self.wiring.routes), self.functions, self.authorizers)

    def _build_pumps(self, created: LocalResources) -> None:
        import boto3

        assert self.wiring is not None
        sqs = boto3.client("sqs")
        # What Lambda's event source mapping does (receive, delete) fails like any SQS call.
        source_sqs = boto3.client("sqs")
        if self.fault_spec is not None:
            injector = fault_injection.Injector(
                self.fault_spec, "event-sources", emit=self._count_fault
            )
            injector.install("sqs", source_sqs)
        for source in self.wiring.queue_sources:
            self.pumps.append(
                QueuePump(
                    sqs=source_sqs,
                    queue_url=created.queue_urls[source.queue],
                    queue_arn=created.arns[source.queue],
                    function=self.functions[source.function],
                    batch_size=source.batch_size,
                    report_item_failures=source.report_item_failures,
                    retry_after_seconds=self.retry_after_seconds,
                    region=REGION,
                    pollers=min(SQS_POLLERS, self.max_environments),
                    died_retry_after_seconds=FAULT_DEAD_BATCH_RETRY_SECONDS
                    if self.fault_spec
                    else None,
                )
            )
        streams = boto3.client("dynamodbstreams")
        for stream in self.wiring.stream_sources:
            failure_queue = stream.on_failure_queue
            self.pumps.append(
                StreamPump(
                    streams=streams,
                    sqs=sqs,
                    stream_arn=created.stream_arns[stream.table],
                    function=self.functions[stream.function],
                    batch_size=stream.batch_size,
                    starting_position=stream.starting_position,
                    filter_patterns=stream.filter_patterns,
                    maximum_retry_attempts=stream.maximum_retry_attempts,
                    maximum_record_age_seconds=stream.maximum_record_age_seconds,
                    retry_after_seconds=self.retry_after_seconds,
                    bisect_on_error=stream.bisect_on_error,
                    report_item_failures=stream.report_item_failures,
                    on_failure_queue_url=created.queue_urls.get(failure_queue)
                    if failure_queue
                    else None,
                    region=REGION,
                    max_backoff_seconds=FAULT_STREAM_BACKOFF if self.fault_spec else 60.0,
                )
            )
        for schedule in self.wiring.schedules:
            pump = SchedulePump(
                name=f"{self.prefix}-{schedule.logical_id}",
                function=self.functions[schedule.function],
                every=self.sweep_every,
                payload=schedule.input,
                region=REGION,
            )
            self.schedules.append(pump)
            self.pumps.append(pump)
        sns = boto3.client("sns")
        for logical_id, topic_arn in created.topic_arns.items():
            url = sqs.create_queue(QueueName=f"{self.prefix}-console-{logical_id}")["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
            sns.subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=queue_arn,
                Attributes={"RawMessageDelivery": "false"},
            )
            self.pumps.append(
                NotificationPump(
                    sqs=sqs, queue_url=url, topic_arn=topic_arn, on_notification=self._notified
                )
            )

        alarms = queue_alarms(self._template_data)
        if alarms:
            self.alarms = QueueAlarmPump(
                sqs=sqs, alarms=alarms, queue_urls=created.queue_urls, on_change=self._paged
            )
            self.pumps.append(self.alarms)

    def _paged(self, line: str) -> None:
        log.warning("%s", line)
        if self.on_notification is not None:
            self.on_notification(line)

    # -------------------------------------------------------------- faults

    def _counting_faults(self, sink: LogSink) -> LogSink:
        def counting(function: str, pid: int, line: str) -> None:
            fault = fault_injection.parse_line(line)
            if fault is not None:
                self._count_fault(fault)
            sink(function, pid, line)

        return counting

    def _count_fault(self, fault: dict[str, Any]) -> None:
        with self._fault_lock:
            self.fault_counts[fault_injection.counter_key(fault)] += 1

    @staticmethod
    def _shorten_visibility(created: LocalResources, seconds: int) -> None:
        """Queues whose messages a function consumes give them back after ``seconds``."""
        import boto3

        sqs = boto3.client("sqs")
        for url in created.queue_urls.values():
            sqs.set_queue_attributes(
                QueueUrl=url, Attributes={"VisibilityTimeout": str(int(seconds))}
            )

    def _notified(self, envelope: dict[str, Any], line: str) -> None:
        self.notifications.append(envelope)
        if self.on_notification is not None:
            self.on_notification(line)

    # -------------------------------------------------------------- the first key

    def _create_first_key(self) -> FirstKey | None:
        try:
            from ..store import keys
        except ImportError:
            log.warning("API keys are not available yet (linkcheck.store.keys is missing)")
            return None
        create_key: Any = getattr(keys, "create_key", None)
        if create_key is None:
            log.warning("API keys are not available yet (no create_key)")
            return None
        created = create_key(self.tenant, secret=self.requested_api_key)
        return _first_key(self.tenant, created)

    def describe(self) -> dict[str, Any]:
        """What is running (the banner prints it; tests may read it)."""
        return {
            "base_url": self.base_url,
            "moto_endpoint": self.moto_endpoint,
            "functions": {n: f.ready for n, f in self.functions.items()},
            "isolation": self.isolation,
            "environments": {
                name: dataclasses.asdict(stats) for name, stats in self.environment_stats().items()
            },
            "pumps": [p.name for p in self.pumps],
            "env": {k: v for k, v in self.env.items() if k not in FAKE_CREDENTIALS},
        }


@functools.cache
def _default_template() -> tuple[dict[str, Any], Wiring]:
    """template.yaml and its wiring, read once per process (decoding it takes a second)."""
    from .resources import load_template

    template = load_template()
    return template, read_wiring(template)


def _first_key(tenant: str, created: Any) -> FirstKey:
    """Read what ``store.keys.create_key`` returned (``NewKey``: ``secret`` and ``key``)."""
    key = getattr(created, "key", None)
    return FirstKey(
        tenant=tenant, key_id=str(getattr(key, "key_id", "")), secret=str(created.secret)
    )
