"""Powertools Logger, Metrics and Tracer: one instance each per execution environment.

Service name, log level and metrics namespace come from the template's environment
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE).

The Tracer is created lazily: importing the X-Ray SDK costs about a second of cold start, which
the on-demand ``/check`` path must not pay (Lambda's active tracing still records its segments).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

logger = Logger(service="linkcheck")
metrics = Metrics(namespace="linkcheck", service="linkcheck")


@cache
def tracer() -> Tracer:
    from aws_lambda_powertools import Tracer

    return Tracer(service="linkcheck")
