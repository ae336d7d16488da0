"""Shared test configuration: tests never reach real AWS or the internet."""

from __future__ import annotations

import os

# Fake credentials and region so boto3 never looks for real ones; moto-backed fixtures set
# AWS_ENDPOINT_URL to their own server.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "linkcheck-test")
os.environ.setdefault("SAM_CLI_TELEMETRY", "0")
