"""Powertools Logger, Metrics and Tracer, correlation ids and the product's metric vocabulary.

One instance of each per execution environment. Service name, log level and metrics namespace
come from the template's environment (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL,
POWERTOOLS_METRICS_NAMESPACE).

The Tracer is created lazily: importing the X-Ray SDK costs about a second of cold start, which
the on-demand ``/check`` path must not pay (Lambda's active tracing still records its segments).
Nothing here imports boto3.

Correlation ids follow one request through the system: the API sets it from the API Gateway
request id (``logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)``
or :func:`set_correlation_id`), producers copy it into SQS message attributes
(:func:`correlation_message_attributes`) and into event items (field
:data:`CORRELATION_ID_FIELD`), and consumers restore it per record
(:func:`correlation_id_from_sqs_record`, then :func:`set_correlation_id`). A sweep, which has
no request, starts one with :func:`new_correlation_id`.

Every Lambda entry point is wrapped in :func:`lambda_handler`: the settings read (and checked)
on the first invocation, Logger context (function, request id, cold start) and a fresh
correlation id per invocation, ``metrics.log_metrics`` with the ``ColdStart`` metric (once per
execution environment, dimensions ``function_name`` and ``service``), plus an X-Ray subsegment
for the async functions (``traced=True``; never the API, whose cold start must stay free of the
SDK).

Metrics are emitted with ``single_metric`` (one EMF line per call, flushed at once; ColdStart
too), so the flush at the end of an invocation finds nothing left; the helpers aggregate first,
so a batch of a thousand checks costs one line per status, not a thousand. ``PlatformBlocked``
is the exception: one sample per check (1 refused, 0 not), packed up to 100 samples a line, so
its Average is the exact share of a platform's checks that were refused (what the wall alarm
watches).
"""

from __future__ import annotations

import functools
import json
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, single_metric
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

from .settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

    from .engine.verdict import CheckResult

SERVICE = "linkcheck"

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE)  # Powertools reads POWERTOOLS_METRICS_NAMESPACE itself
if not metrics.namespace:
    metrics.namespace = SERVICE


# Every metric but ColdStart is written as it is counted (single_metric), so log_metrics' flush
# usually finds nothing left to publish: that is expected, not worth a warning per environment.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


@cache
def tracer() -> Tracer:
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


Handler = TypeVar("Handler", bound=Callable[[dict[str, Any], Any], Any])


def lambda_handler(
    *, correlation_id_path: str | None = None, traced: bool = False
) -> Callable[[Handler], Handler]:
    """Decorate a Lambda entry point: Logger context, correlation id, optionally the Tracer.

    ``correlation_id_path``: where the event carries the id (a Powertools ``correlation_paths``
    value); otherwise the invocation starts with none and the handler sets it. Contexts that
    are not Lambda's (tests pass ``None``) get the correlation id but no Logger context fields.
    """

    def decorate(handler: Handler) -> Handler:
        with_context = metrics.log_metrics(
            logger.inject_lambda_context(handler, correlation_id_path=correlation_id_path),
            capture_cold_start_metric=True,
        )

        @functools.wraps(handler)
        def run(event: dict[str, Any], context: Any) -> Any:
            # Every setting is checked on the first invocation (a SettingsError names the bad
            # variable), whichever path the handler takes; later calls hit the cache.
            get_settings()
            set_correlation_id(None)  # never carry the previous invocation's id
            if not hasattr(context, "aws_request_id"):
                if correlation_id_path:
                    from aws_lambda_powertools.utilities import jmespath_utils

                    found = jmespath_utils.query(envelope=correlation_id_path, data=event)
                    set_correlation_id(found if isinstance(found, str) else None)
                return handler(event, context)
            if traced:
                return _traced(with_context)(event, context)
            return with_context(event, context)

        return run  # type: ignore[return-value]

    return decorate


@cache
def _traced(handler: Callable[[dict[str, Any], Any], Any]) -> Callable[[dict[str, Any], Any], Any]:
    # Wrapped on first invocation, so importing a handler never loads the X-Ray SDK.
    wrapped: Callable[[dict[str, Any], Any], Any] = tracer().capture_lambda_handler(handler)
    return wrapped


# ---------------------------------------------------------------- correlation ids

# Name of the SQS message attribute and of the event item / stream image field.
CORRELATION_ID_FIELD = "correlation_id"


def correlation_id() -> str | None:
    """The correlation id of the work in progress (None when none was set)."""
    value = logger.get_correlation_id()
    return value if isinstance(value, str) and value else None


def set_correlation_id(value: str | None) -> None:
    """Set (or clear, with None) the id every following log line carries."""
    logger.set_correlation_id(value or None)


def new_correlation_id() -> str:
    """Start a fresh correlation id (work with no incoming request, e.g. a sweep)."""
    value = uuid.uuid4().hex
    set_correlation_id(value)
    return value


def correlation_message_attributes() -> dict[str, Any]:
    """SQS ``MessageAttributes`` carrying the current correlation id ({} when there is none)."""
    value = correlation_id()
    if value is None:
        return {}
    return {CORRELATION_ID_FIELD: {"DataType": "String", "StringValue": value}}


def correlation_id_from_sqs_record(record: Mapping[str, Any]) -> str | None:
    """The correlation id an SQS record carries (Lambda's event shape: ``stringValue``)."""
    attributes = record.get("messageAttributes") or {}
    attribute = attributes.get(CORRELATION_ID_FIELD) or {}
    value = attribute.get("stringValue") or attribute.get("StringValue")
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------- metrics


class MetricName(StrEnum):
    """Custom metrics (namespace ``linkcheck``); dashboards and alarms use these names."""

    CHECKS = "Checks"  # dimension: status (ok, broken, restricted, error, blocked, invalid)
    CONFIRMED_TRANSITIONS = "ConfirmedTransitions"  # dimension: event_type (link.broken, ...)
    NOTIFICATIONS_SENT = "NotificationsSent"  # dimension: channel (sns, webhook)
    WEBHOOK_FAILURES = "WebhookFailures"  # dimension: outcome (retry, dead_letter, gone)
    # Judged checks of a known platform (dimension: platform, bounded by the registry):
    PLATFORM_CHECKS = "PlatformChecks"  # how many
    PLATFORM_BLOCKED = "PlatformBlocked"  # one sample each: 1 blocked, 0 otherwise
    # Requests the api served without counting them for the per-key limit (store unavailable):
    RATE_LIMITER_FAIL_OPEN = "RateLimiterFailOpen"  # no dimension of its own (alarmed)
    # Links the worker did not put back on its queue because the chain of re-enqueues reached
    # its hop limit (dimension: kind = confirm, deferred, write_failed); left to the next sweep.
    REQUEUES_REFUSED = "RequeuesRefused"


def _emit(name: MetricName, dimension: str, counts: Mapping[str, int]) -> None:
    for value, count in sorted(counts.items()):
        if count <= 0:
            continue
        with single_metric(
            name=name.value,
            unit=MetricUnit.Count,
            value=count,
            namespace=metrics.namespace,
            # Always the same dimension set, in AWS and locally, so alarms and graphs match.
            default_dimensions={"service": SERVICE},
        ) as metric:
            metric.add_dimension(name=dimension, value=value)


def _emit_samples(name: MetricName, dimension: str, value: str, samples: list[float]) -> None:
    """One metric with many samples: Powertools packs 100 values a line (EMF's maximum)."""
    if not samples:
        return
    emf = AmazonCloudWatchEMFProvider(namespace=metrics.namespace, service=SERVICE)
    emf.add_dimension(name="service", value=SERVICE)
    emf.add_dimension(name=dimension, value=value)
    for sample in samples:
        emf.add_metric(name=name.value, unit=MetricUnit.Count, value=sample)
    if emf.metric_set:  # what the last full line left over
        print(json.dumps(emf.serialize_metric_set(), separators=(",", ":")))


def count_checks(statuses: Iterable[str]) -> None:
    """Count finished checks by verdict status (pass every status of a batch at once)."""
    _emit(MetricName.CHECKS, "status", Counter(str(s) for s in statuses))


def count_platform_checks(outcomes: Iterable[tuple[str, bool]]) -> None:
    """Count judged checks per platform, and which were refused: ``(platform, blocked)`` pairs."""
    checks: Counter[str] = Counter()
    blocked: Counter[str] = Counter()
    for platform, refused in outcomes:
        checks[platform] += 1
        blocked[platform] += refused
    _emit(MetricName.PLATFORM_CHECKS, "platform", checks)
    for platform, count in sorted(checks.items()):
        refusals = blocked[platform]
        samples = [1.0] * refusals + [0.0] * (count - refusals)
        _emit_samples(MetricName.PLATFORM_BLOCKED, "platform", platform, samples)


def count_results(results: Iterable[CheckResult]) -> None:
    """Count a batch of finished checks: by status, and per platform for results that have one.

    Results that judged nothing (``not_checked``) never reached the platform, so they are left
    out of the platform metrics (they would only dilute the refusal share).
    """
    done = list(results)
    count_checks(r.status.value for r in done)
    count_platform_checks(
        (r.platform, r.status.value == "blocked") for r in done if r.platform and r.judged
    )


def count_rate_limiter_fail_open() -> None:
    """Count one request served without being counted for the rate limit (the api fails open)."""
    with single_metric(
        name=MetricName.RATE_LIMITER_FAIL_OPEN.value,
        unit=MetricUnit.Count,
        value=1,
        namespace=metrics.namespace,
        default_dimensions={"service": SERVICE},
    ):
        pass


def count_transitions(event_types: Iterable[str]) -> None:
    """Count confirmed state transitions by event type (``link.broken``, ``link.recovered``...)."""
    _emit(MetricName.CONFIRMED_TRANSITIONS, "event_type", Counter(event_types))


def count_notifications(channel: str, sent: int = 1) -> None:
    """Count notifications delivered on a channel: ``sns`` or ``webhook``."""
    _emit(MetricName.NOTIFICATIONS_SENT, "channel", {channel: sent})


def count_webhook_failures(outcome: str, failed: int = 1) -> None:
    """Count failed webhook deliveries: ``retry``, ``dead_letter`` or ``gone`` (410)."""
    _emit(MetricName.WEBHOOK_FAILURES, "outcome", {outcome: failed})


def count_requeues_refused(kinds: Mapping[str, int]) -> None:
    """Count links not re-enqueued past the hop limit, by kind of re-enqueue."""
    _emit(MetricName.REQUEUES_REFUSED, "kind", kinds)
