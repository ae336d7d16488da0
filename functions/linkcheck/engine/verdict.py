"""The verdict vocabulary: the one place that defines statuses, reasons and the result shape.

See docs/verdicts.md. Every check, whatever path it took (CLI, API, sweep), ends in a
``CheckResult`` built from these names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    OK = "ok"  # the content is there
    BROKEN = "broken"  # the content is gone for everyone
    RESTRICTED = "restricted"  # exists, but the audience cannot see it
    ERROR = "error"  # the server or network failed (unknown)
    BLOCKED = "blocked"  # the checker itself was refused (unknown)
    INVALID = "invalid"  # cannot be checked as given


class Reason(StrEnum):
    # ok
    HTTP_2XX = "http_2xx"
    # broken
    HTTP_404 = "http_404"
    HTTP_410 = "http_410"
    SOFT_404 = "soft_404"
    PARKED_DOMAIN = "parked_domain"
    PLATFORM_DELETED = "platform_deleted"
    REDIRECT_TO_HOME = "redirect_to_home"
    DNS_NXDOMAIN = "dns_nxdomain"
    # The page is there but the #fragment the link names is not (audits and the CLI only:
    # sweeps and notifications never judge fragments; docs/fragments.md).
    MISSING_FRAGMENT = "missing_fragment"
    # restricted
    PLATFORM_PRIVATE = "platform_private"
    LOGIN_REQUIRED = "login_required"
    GEO_BLOCKED = "geo_blocked"
    AGE_RESTRICTED = "age_restricted"
    HTTP_401 = "http_401"
    HTTP_451 = "http_451"
    # error
    HTTP_5XX = "http_5xx"
    HTTP_4XX = "http_4xx"
    TIMEOUT = "timeout"
    CONNECT_ERROR = "connect_error"
    TLS_ERROR = "tls_error"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    REDIRECT_LOOP = "redirect_loop"
    PROTOCOL_ERROR = "protocol_error"
    NOT_CHECKED = "not_checked"  # not judged: the check could not start (or end) in time
    # blocked
    BOT_CHALLENGE = "bot_challenge"
    HTTP_999 = "http_999"
    RATE_LIMITED = "rate_limited"
    HTTP_403 = "http_403"
    # invalid
    BAD_URL = "bad_url"
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    FORBIDDEN_TARGET = "forbidden_target"


# Statuses that say nothing about the link itself: they never count as dead on their own.
UNKNOWN_STATUSES = frozenset({Status.ERROR, Status.BLOCKED})
# Reasons of results that judged nothing: never a transition, never a failure count; a sweep
# checks the link again soon.
NOT_JUDGED_REASONS = frozenset({Reason.NOT_CHECKED})
# Statuses that fail a CLI run (exit code 1).
FAILING_STATUSES = frozenset({Status.BROKEN, Status.RESTRICTED, Status.ERROR, Status.INVALID})


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a classifier or a platform detector decided, before timing and URLs are attached."""

    status: Status
    reason: Reason
    detail: str


@dataclass(frozen=True, slots=True)
class Hop:
    """One redirect hop: the URL that answered and the status it answered with."""

    url: str
    status: int


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of checking one URL (docs/verdicts.md, every field)."""

    url: str
    status: Status
    reason: Reason
    detail: str
    final_url: str | None = None
    http_status: int | None = None
    redirects: tuple[Hop, ...] = ()
    platform: str | None = None
    elapsed_ms: int = 0
    checked_at: str = field(default_factory=utc_now_iso)

    @property
    def is_unknown(self) -> bool:
        return self.status in UNKNOWN_STATUSES

    @property
    def judged(self) -> bool:
        """False for a result that says nothing at all (``not_checked``): keep no trace of it."""
        return self.reason not in NOT_JUDGED_REASONS

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["reason"] = self.reason.value
        data["redirects"] = [{"url": hop.url, "status": hop.status} for hop in self.redirects]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(
            url=str(data["url"]),
            status=Status(data["status"]),
            reason=Reason(data["reason"]),
            detail=str(data.get("detail") or ""),
            final_url=data.get("final_url"),
            http_status=int(data["http_status"]) if data.get("http_status") is not None else None,
            redirects=tuple(
                Hop(url=str(h["url"]), status=int(h["status"])) for h in data.get("redirects") or ()
            ),
            platform=data.get("platform"),
            elapsed_ms=int(data.get("elapsed_ms") or 0),
            checked_at=str(data.get("checked_at") or utc_now_iso()),
        )

    @classmethod
    def invalid(cls, url: str, reason: Reason, detail: str) -> CheckResult:
        return cls(url=url, status=Status.INVALID, reason=reason, detail=detail)

    @classmethod
    def not_checked(cls, url: str, detail: str) -> CheckResult:
        """The one "not judged" outcome: the check could not start, or failed unexpectedly."""
        return cls(url=url, status=Status.ERROR, reason=Reason.NOT_CHECKED, detail=detail)
