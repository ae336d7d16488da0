"""The one ``Retry-After`` parser (engine/retry.py), used by the engine and the webhook sender."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from linkcheck.engine.retry import MAX_RETRY_AFTER, retry_after_seconds
from linkcheck.notify.deliveries import MAX_WAIT, retry_wait

NOW = 784111777.0  # Sun, 06 Nov 1994 08:49:37 GMT: RFC 9110's example date


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("007", 7.0),
        # The three HTTP-date forms of RFC 9110, 30 s after NOW.
        ("Sun, 06 Nov 1994 08:50:07 GMT", 30.0),  # IMF-fixdate
        ("Sunday, 06-Nov-94 08:50:07 GMT", 30.0),  # obsolete RFC 850
        ("Sun Nov  6 08:50:07 1994", 30.0),  # obsolete asctime (never carries a zone)
        # Without a zone (or "-0000", "unknown zone"): GMT, like every HTTP date.
        ("Sun, 06 Nov 1994 08:50:07", 30.0),
        ("Sun, 06 Nov 1994 08:50:07 -0000", 30.0),
        ("Sun, 06 Nov 1994 09:50:07 +0100", 30.0),  # a numeric zone is honoured
        ("Sun, 06 Nov 1994 08:00:00 GMT", 0.0),  # already past: go now
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
    ],
)
def test_delta_seconds_and_every_http_date_form(value: str, seconds: float) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "soon",
        "-5",
        "+5",
        "1.5",
        "1e3",
        "²",
        "٣",
        "0x10",
        "5 s",
        "Sun, 06 Nov 1994 25:61:00 GMT",
        "Sun, 32 Foo 1994 08:50:07 GMT",
        "Sun, 06 Nov",
    ],
)
def test_negative_fractional_and_garbage_values_are_unusable(value: str | None) -> None:
    assert retry_after_seconds(value, now=NOW) is None


def test_huge_values_are_capped() -> None:
    assert retry_after_seconds("99999999999", now=NOW) == MAX_RETRY_AFTER
    assert retry_after_seconds("9" * 5000, now=NOW) == MAX_RETRY_AFTER  # no giant int built
    assert retry_after_seconds("Fri, 31 Dec 9999 23:59:59 GMT", now=NOW) == MAX_RETRY_AFTER


def test_the_webhook_schedule_rounds_up_and_caps_what_it_is_asked() -> None:
    now = 1_800_000_000.0
    asked = retry_after_seconds(formatdate(now + 600, usegmt=True), now=now)
    assert retry_wait(1, (5, 300), asked) == 600
    assert retry_wait(1, (5, 300), 0.2) == 5  # the planned delay when it is longer
    assert retry_wait(1, (5, 300), 30.2) == 31  # never earlier than asked
    assert retry_wait(1, (5, 300), retry_after_seconds("9" * 20, now=now)) == MAX_WAIT
