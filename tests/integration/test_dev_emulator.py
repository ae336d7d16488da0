"""The local HTTP API emulator and the pumps, driven through real HTTP and moto, with fake
handlers (so these tests describe API Gateway's and Lambda's behaviour, not ours)."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from linkcheck.local.stack import DevStack, _default_template
from tests.integration.devstack import DevStackFactory, stack_options

GOOD = "Bearer good-key"


class Recorder:
    """Fake functions that remember their events."""

    def __init__(self) -> None:
        self.api_events: list[dict[str, Any]] = []
        self.authorizer_events: list[dict[str, Any]] = []
        self.worker_events: list[dict[str, Any]] = []
        self.notifier_events: list[dict[str, Any]] = []
        self.sweeps = 0
        self.fail_messages: set[str] = set()  # worker bodies to report as failed
        self.failures_left = 0  # notifier: how many more times to fail records marked "fail"

    def api(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.api_events.append(event)
        path = event["rawPath"]
        if path == "/boom":
            raise RuntimeError("handler bug")
        if path == "/binary":
            return {
                "statusCode": 201,
                "headers": {"content-type": "application/octet-stream"},
                "cookies": ["a=1", "b=2; Path=/"],
                "body": base64.b64encode(b"\x00\xff").decode(),
                "isBase64Encoded": True,
            }
        if path == "/plain":
            return {"hello": "world"}  # no statusCode: API Gateway wraps it as JSON 200
        assert context.get_remaining_time_in_millis() > 0
        return {
            "statusCode": 200,
            "headers": {"content-type": "application/json"},
            "body": json.dumps({"route": event["routeKey"], "function": context.function_name}),
        }

    def authorizer(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.authorizer_events.append(event)
        allowed = event["identitySource"] == [GOOD]
        return {"isAuthorized": allowed, "context": {"tenant": "t1", "key_id": "k1"}}

    def worker(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.worker_events.append(event)
        failed = [r for r in event["Records"] if r["body"] in self.fail_messages]
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in failed]}

    def notifier(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.notifier_events.append(event)
        import os

        for record in event["Records"]:
            image = record["dynamodb"]["NewImage"]
            if image.get("fail", {}).get("BOOL") and self.failures_left > 0:
                self.failures_left -= 1
                return {
                    "batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]
                }
            boto3.client("sns").publish(
                TopicArn=os.environ["TOPIC_ARN"],
                Subject="Link broken",
                Message=json.dumps({"type": "link.broken", "link": {"url": image["url"]["S"]}}),
                MessageAttributes={
                    "event_type": {"DataType": "String", "StringValue": "link.broken"}
                },
            )
        return {"batchItemFailures": []}

    def sweep(self, event: dict[str, Any], context: Any) -> dict[str, int]:
        self.sweeps += 1
        assert event["detail-type"] == "Scheduled Event"
        return {"swept": self.sweeps}


@pytest.fixture(scope="module")
def shared_recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="module")
def shared_stack(moto_endpoint: str, shared_recorder: Recorder) -> Iterator[DevStack]:
    """One stack with fake handlers for the module (starting one per test is slower)."""
    recorder = shared_recorder
    printed: list[str] = []
    handlers = {
        "ApiFunction": recorder.api,
        "AuthorizerFunction": recorder.authorizer,
        "WorkerFunction": recorder.worker,
        "NotifierFunction": recorder.notifier,
        "SweepFunction": recorder.sweep,
    }
    options = {**stack_options(moto_endpoint), "handlers": handlers}
    stack = DevStack(**options, on_notification=printed.append).start()
    stack.printed = printed  # type: ignore[attr-defined]
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture()
def recorder(shared_recorder: Recorder) -> Recorder:
    shared_recorder.__init__()  # type: ignore[misc]  # fresh state, same bound handlers
    return shared_recorder


@pytest.fixture()
def stack(shared_stack: DevStack, recorder: Recorder) -> DevStack:
    shared_stack.notifications.clear()
    shared_stack.printed.clear()  # type: ignore[attr-defined]
    return shared_stack


@pytest.fixture()
def client(stack: DevStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, trust_env=False, timeout=10) as client:
        yield client


# ------------------------------------------------------------------------- HTTP API


def test_public_routes_skip_the_authorizer(client: httpx.Client, recorder: Recorder) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.json() == {"route": "GET /docs", "function": "ApiFunction"}
    assert client.get("/openapi.json").json()["route"] == "GET /openapi.json"
    assert recorder.authorizer_events == []
    assert "authorizer" not in recorder.api_events[0]["requestContext"]


def test_missing_identity_is_401_without_calling_the_authorizer(
    client: httpx.Client, recorder: Recorder
) -> None:
    response = client.get("/links")
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
    assert client.get("/links", headers={"Authorization": ""}).status_code == 401
    assert recorder.authorizer_events == []
    assert recorder.api_events == []


def test_denied_identity_is_403(client: httpx.Client, recorder: Recorder) -> None:
    response = client.get("/links", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}
    assert recorder.api_events == []
    auth_event = recorder.authorizer_events[0]
    assert auth_event["type"] == "REQUEST"
    assert auth_event["version"] == "2.0"
    assert auth_event["routeArn"].endswith("/$default/GET/links")
    assert auth_event["headers"]["authorization"] == "Bearer nope"


def test_allowed_request_reaches_the_handler_as_a_v2_event(
    client: httpx.Client, recorder: Recorder
) -> None:
    response = client.post(
        "/links/abc?tag=a&tag=b&x=",
        headers={"Authorization": GOOD, "Cookie": "c1=v1; c2=v2", "X-Custom": "yes"},
        json={"url": "https://example.com"},
    )
    assert response.status_code == 200
    assert response.json()["route"] == "ANY /{proxy+}"
    assert response.headers["apigw-requestid"]
    event = recorder.api_events[-1]
    assert event["version"] == "2.0"
    assert event["rawPath"] == "/links/abc"
    assert event["rawQueryString"] == "tag=a&tag=b&x="
    assert event["queryStringParameters"] == {"tag": "a,b", "x": ""}
    assert event["pathParameters"] == {"proxy": "links/abc"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-custom"] == "yes"
    assert json.loads(event["body"]) == {"url": "https://example.com"}
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["http"]["method"] == "POST"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["stage"] == "$default"
    assert context["routeKey"] == "ANY /{proxy+}"
    assert context["authorizer"] == {"lambda": {"tenant": "t1", "key_id": "k1"}}


def test_binary_bodies_travel_base64_both_ways(client: httpx.Client, recorder: Recorder) -> None:
    response = client.put(
        "/binary",
        headers={"Authorization": GOOD, "Content-Type": "application/octet-stream"},
        content=b"\x00\x01\xfe",
    )
    event = recorder.api_events[-1]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\x01\xfe"
    assert response.status_code == 201
    assert response.content == b"\x00\xff"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2; Path=/"]


def test_result_without_status_code_is_json_200(client: httpx.Client) -> None:
    response = client.get("/plain", headers={"Authorization": GOOD})
    assert response.status_code == 200
    assert response.json() == {"hello": "world"}


def test_handler_error_is_500_and_the_stack_keeps_serving(client: httpx.Client) -> None:
    response = client.get("/boom", headers={"Authorization": GOOD})
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert client.get("/fine", headers={"Authorization": GOOD}).status_code == 200


def test_unrouted_path_is_404(client: httpx.Client, recorder: Recorder) -> None:
    # Only GET / is routed (to the dashboard), and a greedy {proxy+} never matches "/".
    response = client.post("/", headers={"Authorization": GOOD})
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}
    assert recorder.api_events == []


def test_body_over_10_mb_is_413(client: httpx.Client, recorder: Recorder) -> None:
    response = client.post(
        "/links", headers={"Authorization": GOOD}, content=b"x" * (10 * 1024 * 1024 + 1)
    )
    assert response.status_code == 413
    assert recorder.api_events == []


def test_not_built_function_is_500_not_a_crash(dev_stack_factory: DevStackFactory) -> None:
    def not_built(event: Any, context: Any) -> Any:
        raise NotImplementedError("api handler is not built yet")

    stack = dev_stack_factory(handlers={"ApiFunction": not_built})
    with httpx.Client(base_url=stack.base_url, trust_env=False) as client:
        for _ in range(2):
            response = client.get("/docs")
            assert response.status_code == 500
            assert "not built" in response.headers["x-linkcheck-dev-error"]
    assert not stack.function("ApiFunction").ready


# ------------------------------------------------------------------------- pumps


def test_queue_messages_reach_the_worker_as_a_lambda_sqs_event(
    stack: DevStack, recorder: Recorder
) -> None:
    sqs = boto3.client("sqs")
    queue_url = stack.env["CHECKS_QUEUE_URL"]
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="one",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "check"}},
    )
    assert stack.run_pumps_once() >= 1
    record = recorder.worker_events[0]["Records"][0]
    assert record["body"] == "one"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith("-ChecksQueue")
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"]["stringValue"] == "check"
    assert _visible(queue_url) == 0  # deleted after success


def test_failed_items_are_redelivered_then_dead_lettered(
    stack: DevStack, recorder: Recorder
) -> None:
    sqs = boto3.client("sqs")
    queue_url = stack.env["CHECKS_QUEUE_URL"]
    recorder.fail_messages.add("bad")
    sqs.send_message(QueueUrl=queue_url, MessageBody="good")
    sqs.send_message(QueueUrl=queue_url, MessageBody="bad")
    stack.run_pumps_once()
    bodies = [r["body"] for e in recorder.worker_events for r in e["Records"]]
    assert bodies.count("good") == 1
    assert bodies.count("bad") == 5  # the template's maxReceiveCount, then the DLQ
    dlq_url = stack.resources.queue_urls["ChecksDeadLetterQueue"]
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in dead] == ["bad"]


def test_stream_events_pass_the_filter_and_notifications_print(
    stack: DevStack, recorder: Recorder
) -> None:
    dynamodb = boto3.client("dynamodb")
    table = stack.env["TABLE_NAME"]
    dynamodb.put_item(
        TableName=table,
        Item={"pk": {"S": "T#a"}, "sk": {"S": "LINK#1"}, "kind": {"S": "link"}},
    )
    dynamodb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "T#a"},
            "sk": {"S": "EVT#1"},
            "kind": {"S": "event"},
            "url": {"S": "https://example.com/gone"},
        },
    )
    stack.run_pumps_once()
    records = [r for e in recorder.notifier_events for r in e["Records"]]
    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in records] == ["EVT#1"]
    assert records[0]["eventName"] == "INSERT"
    assert records[0]["eventSource"] == "aws:dynamodb"
    assert len(stack.notifications) == 1
    assert stack.printed == [  # type: ignore[attr-defined]
        "[notify] link.broken https://example.com/gone (Link broken)"
    ]


def test_a_failing_stream_record_blocks_and_is_retried_until_it_succeeds(
    stack: DevStack, recorder: Recorder
) -> None:
    recorder.failures_left = 2
    _put_event(stack, "EVT#2", fail=True)
    stack.run_pumps_once()
    records = [
        r["dynamodb"]["Keys"]["sk"]["S"] for e in recorder.notifier_events for r in e["Records"]
    ]
    assert records == ["EVT#2"] * 3  # two failures, then delivered
    assert len(stack.notifications) == 1


@pytest.mark.slow
def test_stream_failures_go_to_the_failure_queue_after_the_retries(
    dev_stack_factory: DevStackFactory, recorder: Recorder
) -> None:
    template, _ = _default_template()
    template = copy.deepcopy(template)
    stream = template["Resources"]["NotifierFunction"]["Properties"]["Events"]["Stream"]
    stream["Properties"]["MaximumRetryAttempts"] = 2
    stack = dev_stack_factory(handlers={"NotifierFunction": recorder.notifier}, template=template)
    recorder.failures_left = 100
    _put_event(stack, "EVT#3", fail=True)
    stack.run_pumps_once()
    assert len(recorder.notifier_events) == 3  # first try + MaximumRetryAttempts
    failure_url = stack.resources.queue_urls["NotifierFailureQueue"]
    messages = boto3.client("sqs").receive_message(QueueUrl=failure_url).get("Messages", [])
    info = json.loads(messages[0]["Body"])
    assert info["DDBStreamBatchInfo"]["batchSize"] == 1
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"


def _put_event(stack: DevStack, sk: str, *, fail: bool = False) -> None:
    boto3.client("dynamodb").put_item(
        TableName=stack.env["TABLE_NAME"],
        Item={
            "pk": {"S": "T#a"},
            "sk": {"S": sk},
            "kind": {"S": "event"},
            "url": {"S": "https://example.com/x"},
            "fail": {"BOOL": fail},
        },
    )


def test_tick_invokes_the_schedule(stack: DevStack, recorder: Recorder) -> None:
    assert stack.tick() == [{"swept": 1}]
    assert recorder.sweeps == 1


def test_stop_restores_the_environment(dev_stack_factory: DevStackFactory) -> None:
    import os

    before = os.environ.get("TABLE_NAME")
    stack = dev_stack_factory()
    assert os.environ["TABLE_NAME"] == stack.env["TABLE_NAME"]
    assert os.environ["LINKCHECK_ALLOW_PRIVATE_NETWORKS"] == "1"
    stack.stop()
    assert os.environ.get("TABLE_NAME") == before


def _visible(queue_url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])
