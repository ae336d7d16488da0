"""The registration rule: IP-literal hosts the SSRF rules forbid are refused, names pass."""

from __future__ import annotations

import pytest

from linkcheck.engine.urls import normalize_url
from linkcheck.registration import refused_address


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://10.0.0.1/", "private"),
        ("http://2130706433/", "loopback"),  # 127.0.0.1 as one decimal number
        ("http://0x7f.1/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://169.254.169.254/latest", "metadata"),
        ("http://[::ffff:192.168.0.1]/", "private"),
    ],
)
def test_forbidden_ip_literals_are_refused_with_a_reason(url: str, says: str) -> None:
    reason = refused_address(normalize_url(url), allow_private=False)
    assert reason is not None
    assert says in reason.lower()


@pytest.mark.parametrize(
    "url", ["https://93.184.215.14/", "https://example.com/", "http://intranet.corp/"]
)
def test_public_literals_and_names_pass_without_dns(url: str) -> None:
    assert refused_address(normalize_url(url), allow_private=False) is None


def test_private_literals_pass_when_the_deployment_allows_them() -> None:
    assert refused_address(normalize_url("http://127.0.0.1:8080/"), allow_private=True) is None
