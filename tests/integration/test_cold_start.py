"""The on-demand /check path never loads boto3: checked in a fresh interpreter.

A cold start pays for every module imported; boto3 and botocore alone cost more than the HTTP
stack (see benchmarks/cold_start.py). The api handler imports them only inside functions of
routes that store something. The per-key rate limit is counted on this path too, through the
boto3-free DynamoDB client (linkcheck.awsrequest): here against the moto server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linkcheck import aws
from tests.e2e.servers import Reply, ScriptedServer

EVENTS = Path(__file__).resolve().parents[2] / "events"

SERVE_ONE_CHECK = """
import json, sys
from linkcheck.handlers.api import handler
response = handler(json.loads(sys.argv[1]), None)
# Powertools itself imports the bare ``botocore`` package (about 1 ms, to register a user agent
# hook); the SDK proper (boto3, botocore's sessions, clients, endpoints) must stay unloaded.
heavy = ("boto3", "botocore.session", "botocore.client", "botocore.endpoint", "aws_xray_sdk")
print(json.dumps({
    "status": response["statusCode"],
    "body": json.loads(response["body"]),
    "loaded": sorted(name for name in heavy if name in sys.modules),
}))
"""


@pytest.mark.slow
def test_serving_check_imports_no_boto3(aws_env: dict[str, str]) -> None:
    event = json.loads((EVENTS / "api-check-get.json").read_text())
    env = {**os.environ, "LINKCHECK_ALLOW_PRIVATE_NETWORKS": "1", "RATE_LIMIT_PER_MINUTE": "5"}
    with ScriptedServer() as server:
        server.route("/page", Reply(200, body=b"<html><body>A page.</body></html>"))
        event["queryStringParameters"] = {"url": server.url("/page")}
        completed = subprocess.run(
            [sys.executable, "-c", SERVE_ONE_CHECK, json.dumps(event)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 200
    assert outcome["body"]["status"] == "ok"
    assert outcome["loaded"] == []
    # The request was counted (signed UpdateItem over http.client), without boto3 in that process.
    key_id = event["requestContext"]["authorizer"]["lambda"]["key_id"]
    counters = aws.dynamodb().scan(
        TableName=aws_env["TABLE_NAME"],
        FilterExpression="begins_with(pk, :rate)",
        ExpressionAttributeValues={":rate": {"S": f"RATE#{key_id}#"}},
    )["Items"]
    assert [item["hits"] for item in counters] == [{"N": "1"}]
