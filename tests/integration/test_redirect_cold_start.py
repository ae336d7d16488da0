"""The redirect function's cold start stays small: checked in a fresh interpreter.

``GET /r/{slug}`` is the one path a viral link multiplies, so its function loads only the
standard library and the boto3-free DynamoDB client: serving a hit (the slug read and the
click counted, against the moto server) loads no boto3, Powertools, pydantic, engine, store
or settings. benchmarks/redirects.py measures what that buys.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_smartlinks_api import create, request

EVENTS = Path(__file__).resolve().parents[2] / "events"
HEAVY = (
    "boto3",
    "botocore",
    "aws_lambda_powertools",
    "pydantic",
    "aws_xray_sdk",
    "linkcheck.engine",
    "linkcheck.store",
    "linkcheck.settings",
    "linkcheck.observability",
)

SERVE_ONE_HIT = f"""
import json, sys
from linkcheck.handlers.redirect import handler
response = handler(json.loads(sys.argv[1]), None)
print(json.dumps({{
    "status": response["statusCode"],
    "location": response["headers"].get("Location"),
    "loaded": sorted(name for name in {HEAVY!r} if name in sys.modules),
}}))
"""


@pytest.mark.slow
def test_serving_a_redirect_loads_nothing_heavy(aws_env: dict[str, str]) -> None:
    status, created = create()
    assert status == 201, created
    event = json.loads((EVENTS / "redirect-hit.json").read_text())
    completed = subprocess.run(
        [sys.executable, "-c", SERVE_ONE_HIT, json.dumps(event)],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    assert outcome == {"status": 302, "location": created["target_url"], "loaded": []}
    # ... and the click was counted by that process
    _, detail = request("api-smartlinks-get", path="/smartlinks/spring-sale")
    assert detail["clicks_today"] == 1
