"""Route: ``GET /check`` and ``POST /check``, on-demand checks (nothing is stored).

The whole request must end inside API Gateway's 30 s integration limit, so the request gets a
time budget (also bounded by the Lambda's remaining time); each check's own deadline is at most
that budget, and whatever has not finished when it runs out is answered as ``error``/``timeout``
instead of letting the gateway time out.

The engine is async; its checkers (one per set of options, each with its pooled HTTP client)
live on one event loop in a background thread for the life of the execution environment, so
connections are reused across invocations and the handler works from any calling thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from ... import runner
from ...engine import MAX_URL_LENGTH, Checker, CheckOptions, CheckResult
from ...errors import InvalidInput, TooLarge
from ...observability import count_results
from ..check_options import check_options
from .presenters import Verdict
from .table import endpoint

router = APIGatewayHttpRouter()

MAX_URLS = 100
MAX_TIMEOUT_SECONDS = 25.0
GATEWAY_LIMIT_SECONDS = 30.0
# Time kept back to cancel, serialize and answer before the gateway or Lambda gives up.
ANSWER_MARGIN_SECONDS = 2.0
BACKSTOP_SECONDS = 1.0  # inside the margin: unfinished checks still get an answer

T = TypeVar("T")

UrlText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_URL_LENGTH, examples=["https://example.com/page"]),
]
TimeoutSeconds = Annotated[
    float,
    Field(gt=0, le=MAX_TIMEOUT_SECONDS, description="Deadline of each check, in seconds."),
]


class CheckRequest(BaseModel):
    """Give either ``url`` (one check, one result) or ``urls`` (a batch, results in order)."""

    model_config = ConfigDict(
        extra="forbid",
        defer_build=True,
        # Documents the either/or that check_urls enforces (a null counts as absent).
        json_schema_extra={
            "oneOf": [
                {"required": ["url"], "properties": {"url": {"type": "string"}}},
                {"required": ["urls"], "properties": {"urls": {"type": "array"}}},
            ]
        },
    )

    url: UrlText | None = Field(default=None, description="One URL to check.")
    urls: list[UrlText] | None = Field(
        default=None,
        description=f"Up to {MAX_URLS} URLs to check; results come back in the same order.",
        json_schema_extra={"minItems": 1, "maxItems": MAX_URLS},
    )
    timeout: TimeoutSeconds | None = None


class Verdicts(BaseModel):
    model_config = ConfigDict(defer_build=True)

    results: list[Verdict]


@router.route(
    *endpoint("/check", "GET"),
    summary="Check one URL now",
    tags=["checks"],
    responses={200: {"description": "The verdict (a refused or unreadable URL is a verdict too)."}},
)
def check_url(
    url: Annotated[str, Query(min_length=1, max_length=MAX_URL_LENGTH, description="The URL.")],
    timeout: Annotated[
        float | None,
        Query(gt=0, le=MAX_TIMEOUT_SECONDS, description="Deadline of the check, in seconds."),
    ] = None,
) -> Verdict:
    (result,) = run_checks([url], timeout=timeout, budget=time_budget(router.lambda_context))
    return Verdict.of(result)


@router.route(
    *endpoint("/check", "POST"),
    summary="Check one URL or a batch now",
    tags=["checks"],
    responses={200: {"description": "One verdict for `url`; `{results: [...]}` for `urls`."}},
)
def check_urls(request: CheckRequest) -> Verdict | Verdicts:
    if (request.url is None) == (request.urls is None):
        raise InvalidInput("give either 'url' or 'urls' (a list), not both or neither", field="url")
    urls = [request.url] if request.url is not None else list(request.urls or [])
    if not urls:
        raise InvalidInput("'urls' needs at least one URL", field="urls")
    if len(urls) > MAX_URLS:
        raise TooLarge(f"at most {MAX_URLS} URLs per request, got {len(urls)}", field="urls")
    results = run_checks(urls, timeout=request.timeout, budget=time_budget(router.lambda_context))
    if request.url is not None:
        return Verdict.of(results[0])
    return Verdicts(results=[Verdict.of(result) for result in results])


def time_budget(lambda_context: Any) -> float:
    """Seconds this request may spend checking: inside the gateway limit and the Lambda's time."""
    budget = GATEWAY_LIMIT_SECONDS - ANSWER_MARGIN_SECONDS
    remaining_ms = getattr(lambda_context, "get_remaining_time_in_millis", None)
    if callable(remaining_ms):
        budget = min(budget, remaining_ms() / 1000 - ANSWER_MARGIN_SECONDS)
    return max(budget, 0.0)


def run_checks(urls: Sequence[str], *, timeout: float | None, budget: float) -> list[CheckResult]:
    """Check ``urls`` within ``budget`` seconds; results in input order, one per URL."""
    # From the deployment's settings only: no request can switch the SSRF guard off.
    options = check_options()
    per_check = min(timeout or options.timeout, budget)
    results = runner.run(_check_all(options, list(urls), per_check, budget), budget + 5.0)
    count_results(results)
    return results


async def _check_all(
    options: CheckOptions, urls: list[str], per_check: float, budget: float
) -> list[CheckResult]:
    checker = _checkers.get(options)
    if checker is None:
        checker = _checkers[options] = Checker(options)
    found: dict[int, CheckResult] = {}

    def keep(index: int, result: CheckResult) -> None:
        found[index] = result

    # The engine ends every check by the budget (unstarted ones as not_checked); the outer
    # limit is a backstop only. An exception from the engine is a bug: it surfaces (500).
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(budget + BACKSTOP_SECONDS):
            await checker.run_checks(urls, keep, timeout=per_check, budget=budget)
    return [found.get(index) or _unfinished(url, budget) for index, url in enumerate(urls)]


def _unfinished(url: str, budget: float) -> CheckResult:
    return CheckResult.not_checked(
        url, f"The check did not finish within this request's time budget ({budget:.1f} s)."
    )


# One checker (and so one pooled HTTP session) per set of options, for the process lifetime.
_checkers: dict[CheckOptions, Checker] = {}
