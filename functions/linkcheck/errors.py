"""Domain errors.

The API maps them to HTTP statuses in exactly one place: ``handlers/routes/errors.py``.
"""

from __future__ import annotations


class LinkcheckError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(LinkcheckError):  # 422
    code = "invalid_input"


class NotFound(LinkcheckError):  # 404
    code = "not_found"


class Conflict(LinkcheckError):  # 409
    code = "conflict"


class TooLarge(LinkcheckError):  # 413
    code = "too_large"


class Unauthorized(LinkcheckError):  # 401
    code = "unauthorized"


class RateLimited(LinkcheckError):  # 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
