"""template.yaml is production grade: runtime, logs, alarms, queues, limits, parameters, outputs.

Pure checks on the template as written (short-form intrinsics expanded by cfn-lint's decoder);
IAM is checked on SAM's own translation (policy templates expanded), offline.
"""

from __future__ import annotations

import json
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from linkcheck.local.resources import REPO_ROOT, load_template

Template = dict[str, Any]


@cache
def _template() -> Template:
    return load_template()


@pytest.fixture()
def template() -> Template:
    return _template()


def _of_type(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v.get("Type") == kind}


def _functions(template: Template) -> dict[str, dict[str, Any]]:
    return _of_type(template, "AWS::Serverless::Function")


def _function_setting(template: Template, function: dict[str, Any], name: str) -> Any:
    props = function.get("Properties", {})
    return props.get(name, template["Globals"]["Function"].get(name))


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def _alarms(template: Template) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in _of_type(template, "AWS::CloudWatch::Alarm").items()}


def _alarmed(template: Template, namespace: str, metric: str) -> set[str]:
    """Logical ids of the resources that have an alarm on ``namespace/metric``."""
    found: set[str] = set()
    for alarm in _alarms(template).values():
        if alarm.get("Namespace") == namespace and alarm.get("MetricName") == metric:
            for dimension in alarm.get("Dimensions", []):
                target = _ref(dimension["Value"])
                if target:
                    found.add(target)
    return found


# ---------------------------------------------------------------- runtime and logging


def test_one_runtime_for_every_function_and_tracing_on(template: Template) -> None:
    # scripts/sam_build.sh builds for the first Runtime in the template: no function may differ.
    function_globals = template["Globals"]["Function"]
    assert function_globals["Runtime"].startswith("python3.")
    assert function_globals["Architectures"]
    assert function_globals["Tracing"] == "Active"
    for name, function in _functions(template).items():
        props = function["Properties"]
        assert "Runtime" not in props and "Architectures" not in props, name


def test_every_function_has_explicit_memory_and_timeout_within_limits(template: Template) -> None:
    for name, function in _functions(template).items():
        memory = _function_setting(template, function, "MemorySize")
        timeout = _function_setting(template, function, "Timeout")
        assert 128 <= int(memory) <= 10240, name
        assert 1 <= int(timeout) <= 900, name


def test_logs_are_json_in_a_log_group_with_retention(template: Template) -> None:
    logging = template["Globals"]["Function"]["LoggingConfig"]
    assert logging["LogFormat"] == "JSON"
    assert logging["ApplicationLogLevel"] == {"Ref": "LogLevel"}
    log_groups = _of_type(template, "AWS::Logs::LogGroup")
    used: set[str] = set()
    for name, function in _functions(template).items():
        group = _ref(function["Properties"].get("LoggingConfig", {}).get("LogGroup"))
        assert group in log_groups, f"{name} must log to its own AWS::Logs::LogGroup"
        assert group not in used, f"{name} shares a log group"
        used.add(group)
        retention = log_groups[group]["Properties"]["RetentionInDays"]
        assert retention == {"Ref": "LogRetentionDays"}, name


def test_powertools_environment_is_global_and_follows_the_log_level(template: Template) -> None:
    from linkcheck.observability import SERVICE

    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_SERVICE_NAME"] == SERVICE  # the alarms' service dimension
    assert variables["POWERTOOLS_METRICS_NAMESPACE"]  # the alarms read it from here
    assert variables["POWERTOOLS_LOG_LEVEL"] == {"Ref": "LogLevel"}


def test_private_networks_are_never_allowed_in_aws(template: Template) -> None:
    # The SSRF escape hatch exists for tests and `linkcheck dev` only.
    functions = [f["Properties"] for f in _functions(template).values()]
    for function in [template["Globals"]["Function"], *functions]:
        variables = function.get("Environment", {}).get("Variables", {})
        assert "LINKCHECK_ALLOW_PRIVATE_NETWORKS" not in variables


# ---------------------------------------------------------------- async paths


def _sqs_event_sources(template: Template) -> list[tuple[str, str, dict[str, Any]]]:
    """(function, queue logical id, event properties) for every SQS event source."""
    sources = []
    for name, function in _functions(template).items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                queue = _ref(event["Properties"]["Queue"])
                assert queue is not None
                sources.append((name, queue, event["Properties"]))
    return sources


def test_queue_visibility_timeout_is_six_times_the_consumer_timeout(template: Template) -> None:
    sources = _sqs_event_sources(template)
    assert sources, "the template has SQS consumers"
    for name, queue, _ in sources:
        timeout = int(_function_setting(template, _functions(template)[name], "Timeout"))
        visibility = int(template["Resources"][queue]["Properties"]["VisibilityTimeout"])
        assert visibility >= 6 * timeout, f"{queue} {visibility}s < 6 x {name} {timeout}s"


def test_every_sqs_consumer_reports_partial_failures_and_has_bounded_concurrency(
    template: Template,
) -> None:
    for name, _, props in _sqs_event_sources(template):
        assert props.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], name
        assert "MaximumConcurrency" in props.get("ScalingConfig", {}), name


def _dead_letter_queues(template: Template) -> set[str]:
    queues: set[str] = set()
    for _, queue, _ in _sqs_event_sources(template):
        redrive = template["Resources"][queue]["Properties"].get("RedrivePolicy")
        assert redrive, f"{queue} has consumers but no dead-letter queue"
        target = _ref(redrive["deadLetterTargetArn"])
        assert target is not None
        queues.add(target)
    for function in _functions(template).values():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] in {"DynamoDB", "Kinesis"}:
                props = event["Properties"]
                assert props.get("MaximumRetryAttempts") is not None
                target = _ref(props["DestinationConfig"]["OnFailure"]["Destination"])
                assert target is not None
                queues.add(target)
    return queues


def test_every_dead_letter_queue_has_an_alarm(template: Template) -> None:
    dead_letters = _dead_letter_queues(template)
    assert {"ChecksDeadLetterQueue", "DeliveriesDeadLetterQueue"} <= dead_letters
    alarmed = _alarmed(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert dead_letters <= alarmed


def test_backlogs_are_alarmed(template: Template) -> None:
    ages = _alarmed(template, "AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert {queue for _, queue, _ in _sqs_event_sources(template)} <= ages
    stream_consumers = {
        name
        for name, function in _functions(template).items()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] == "DynamoDB"
    }
    assert stream_consumers <= _alarmed(template, "AWS/Lambda", "IteratorAge")


def test_every_function_has_error_and_throttle_alarms(template: Template) -> None:
    functions = set(_functions(template))
    assert functions <= _alarmed(template, "AWS/Lambda", "Errors")
    assert functions <= _alarmed(template, "AWS/Lambda", "Throttles")


def test_api_5xx_rate_is_alarmed(template: Template) -> None:
    rate_alarms = [
        alarm
        for alarm in _alarms(template).values()
        if any(
            m.get("MetricStat", {}).get("Metric", {}).get("MetricName") == "5xx"
            for m in alarm.get("Metrics", [])
        )
    ]
    assert len(rate_alarms) == 1
    expressions = [m["Expression"] for m in rate_alarms[0]["Metrics"] if "Expression" in m]
    assert expressions and "requests" in expressions[0]


def test_platform_walls_are_alarmed_per_platform_on_the_refused_share(
    template: Template,
) -> None:
    # One Metrics Insights alarm grouped by platform covers every platform without listing
    # them; PlatformBlocked's average is the share of a platform's judged checks refused.
    alarm = _alarms(template)["PlatformBlockedRateAlarm"]
    (query,) = alarm["Metrics"]
    assert query["ReturnData"] is True and int(query["Period"]) >= 60
    namespace = template["Globals"]["Function"]["Environment"]["Variables"][
        "POWERTOOLS_METRICS_NAMESPACE"
    ]
    assert query["Expression"] == (
        f"SELECT AVG(PlatformBlocked) FROM SCHEMA({namespace}, platform, service) GROUP BY platform"
    )
    assert alarm["Threshold"] == {"Ref": "PlatformBlockedAlarmShare"}
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["DatapointsToAlarm"] == alarm["EvaluationPeriods"] >= 2  # held, not a blip
    share = template["Parameters"]["PlatformBlockedAlarmShare"]
    assert 0 < float(share["MinValue"]) <= float(share["Default"]) <= float(share["MaxValue"]) <= 1


def test_the_alarmed_metric_is_the_one_the_code_emits(template: Template) -> None:
    from linkcheck.observability import MetricName

    query = _alarms(template)["PlatformBlockedRateAlarm"]["Metrics"][0]["Expression"]
    assert f"AVG({MetricName.PLATFORM_BLOCKED.value})" in query


def test_every_alarm_notifies_the_ops_topic_when_firing_and_clearing(template: Template) -> None:
    assert template["Resources"]["OpsTopic"]["Type"] == "AWS::SNS::Topic"
    subscription = template["Resources"]["OpsEmailSubscription"]
    assert subscription["Condition"] == "HasOpsEmail"
    for name, alarm in _alarms(template).items():
        assert alarm["AlarmActions"] == [{"Ref": "OpsTopic"}], name
        assert alarm["OKActions"] == [{"Ref": "OpsTopic"}], name
        assert alarm["TreatMissingData"] == "notBreaching", name
        assert alarm["AlarmDescription"], name


# ---------------------------------------------------------------- least privilege

# What each function's code calls (store, queue and topic modules), as IAM actions. Keep in
# step with the handlers: a missing action is an AccessDenied in AWS only.
TABLE_ACTIONS = {
    "ApiFunction": {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "BatchWriteItem",
        "BatchGetItem",
    },
    "RedirectFunction": {"GetItem", "UpdateItem"},  # on SLUG# and CLICK# items only
    "AuthorizerFunction": {"GetItem"},
    "SweepFunction": {"GetItem", "UpdateItem", "Query"},  # Query on the due index only
    "WorkerFunction": {"GetItem", "BatchGetItem", "UpdateItem", "PutItem", "BatchWriteItem"},
    "NotifierFunction": {"GetItem", "UpdateItem", "Query"},
    "WebhookFunction": {"GetItem", "UpdateItem", "DeleteItem"},
}
SENDS_TO = {
    "ApiFunction": {"ChecksQueue"},
    "SweepFunction": {"ChecksQueue"},
    "WorkerFunction": {"ChecksQueue"},
    "NotifierFunction": {"DeliveriesQueue", "NotifierFailureQueue"},
    "WebhookFunction": {"DeliveriesQueue", "DeliveriesDeadLetterQueue"},
}
PUBLISHES_TO = {"NotifierFunction": {"NotificationsTopic"}}
# Publishing to an encrypted topic needs its key (data keys through SNS only).
ENCRYPTS_WITH = {"NotifierFunction": {"NotificationsKey"}}
# AWS-managed policies SAM attaches: logs, X-Ray, and reading the function's event source.
MANAGED = {
    "AWSLambdaBasicExecutionRole",
    "AWSXrayWriteOnlyAccess",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
}


@cache
def _translated() -> Template:
    """The template as CloudFormation, translated by SAM offline (policy templates expanded)."""
    import copy
    import os

    from samtranslator.translator.transform import transform

    class _NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    template = copy.deepcopy(_template())
    template["Globals"]["Function"]["CodeUri"] = "s3://bucket/key"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    translated: Template = transform(template, {}, _NoManagedPolicies())
    return translated


def _policies(role: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """(condition or None, policy) for every inline policy; ``Fn::If`` ones unwrapped."""
    found: list[tuple[str | None, dict[str, Any]]] = []
    for policy in role["Properties"].get("Policies", []):
        if "Fn::If" in policy:
            condition, when_true, when_false = policy["Fn::If"]
            assert when_false == {"Ref": "AWS::NoValue"}, policy
            found.append((condition, when_true))
        else:
            found.append((None, policy))
    return found


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for _, policy in _policies(role)
        for statement in policy["PolicyDocument"]["Statement"]
    ]


# The check secret: each permission exists only when its parameter names something.
SECRET_READS = {
    "ssm:GetParameter": "HasCheckSecretsParameter",
    "secretsmanager:GetSecretValue": "HasCheckSecretsArn",
    "kms:Decrypt": "HasCheckSecretsKmsKey",
}
READS_CHECK_SECRET = {"ApiFunction", "WorkerFunction"}


def _resource_refs(resource: Any) -> set[str]:
    """Logical ids a policy resource points at (Ref, GetAtt, or inside a Sub)."""
    found: set[str] = set()
    if isinstance(resource, list):
        for item in resource:
            found |= _resource_refs(item)
    elif isinstance(resource, dict):
        ref = _ref(resource)
        if ref:
            found.add(ref)
        for value in resource.values():
            found |= _resource_refs(value)
    elif isinstance(resource, str) and "${" in resource:
        found |= {part.split("}")[0].split(".")[0] for part in resource.split("${")[1:]}
    return found


@pytest.mark.parametrize("function", sorted(TABLE_ACTIONS))
def test_each_function_gets_only_the_actions_its_code_needs(function: str) -> None:
    resources = _translated()["Resources"]
    role = resources[f"{function}Role"]
    managed = {str(arn).rsplit("/", 1)[-1] for arn in role["Properties"]["ManagedPolicyArns"]}
    assert managed <= MANAGED
    table: set[str] = set()
    queues: set[str] = set()
    topics: set[str] = set()
    keys: set[str] = set()
    for statement in _statements(role):
        assert statement["Effect"] == "Allow"
        resource = statement["Resource"]
        assert resource != "*" and "*" not in (resource if isinstance(resource, list) else [])
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        targets = _resource_refs(resource) & set(resources)  # pseudo parameters left out
        for action in actions:
            service, _, name = action.partition(":")
            if service == "dynamodb":
                assert targets == {"Table"}, statement
                table.add(name)
            elif service == "sqs":
                assert name.startswith("SendMessage"), statement
                queues |= targets
            elif service == "sns":
                assert name == "Publish", statement
                topics |= targets
            elif action in SECRET_READS and function in READS_CHECK_SECRET:
                continue  # test_check_secret_permissions_are_exact_and_conditional
            elif service == "kms":
                assert name in {"GenerateDataKey*", "Decrypt"}, statement
                keys |= targets  # test_notifications_topic_is_encrypted_with_a_rotating_cmk
            else:
                raise AssertionError(f"{function}: unexpected {action}")
    assert table == TABLE_ACTIONS[function]
    assert queues == SENDS_TO.get(function, set())
    assert topics == PUBLISHES_TO.get(function, set())
    assert keys == ENCRYPTS_WITH.get(function, set())


@pytest.mark.parametrize("function", sorted(READS_CHECK_SECRET))
def test_check_secret_permissions_are_exact_and_conditional(function: str) -> None:
    role = _translated()["Resources"][f"{function}Role"]
    granted: dict[str, tuple[str | None, Any]] = {}
    for condition, policy in _policies(role):
        for statement in policy["PolicyDocument"]["Statement"]:
            action = statement["Action"]
            if isinstance(action, str) and action in SECRET_READS:
                granted[action] = (condition, statement["Resource"])
    assert granted == {
        "ssm:GetParameter": (
            "HasCheckSecretsParameter",
            {
                "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                ":parameter${CheckSecretsParameter}"
            },
        ),
        "secretsmanager:GetSecretValue": ("HasCheckSecretsArn", {"Ref": "CheckSecretsArn"}),
        "kms:Decrypt": ("HasCheckSecretsKmsKey", {"Ref": "CheckSecretsKmsKeyArn"}),
    }


def test_the_check_secret_and_proxy_reach_only_the_checking_functions(template: Template) -> None:
    names = {"CHECK_PROXY_URL", "CHECK_PROXY_HOSTS", "CHECK_SECRETS_PARAMETER", "CHECK_SECRETS_ARN"}
    assert not names & set(template["Globals"]["Function"]["Environment"]["Variables"])
    for name, function in _functions(template).items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        assert (names <= set(variables)) == (name in READS_CHECK_SECRET), name
    # No secret in it (the pattern refuses credentials), and NoEcho would make `sam deploy
    # --guided` insist on a value: its hidden prompt has no default, so empty is refused.
    assert "NoEcho" not in template["Parameters"]["CheckProxyUrl"]
    assert "@" not in template["Parameters"]["CheckProxyUrl"]["AllowedPattern"]


def test_dev_only_settings_can_never_be_set_in_aws(template: Template) -> None:
    # linkcheck dev's corpus mapping bypasses the SSRF guard: no function may carry it (and
    # the code ignores it anyway unless the process switched linkcheck.devmode on itself).
    from linkcheck import devmode

    assert all(name.startswith("LINKCHECK_DEV_") for name in devmode.DEV_ONLY_VARIABLES)
    functions = [f["Properties"] for f in _functions(template).values()]
    for function in [template["Globals"]["Function"], *functions]:
        variables = function.get("Environment", {}).get("Variables", {})
        assert not [name for name in variables if name.startswith("LINKCHECK_DEV")]


def test_only_the_sweep_reads_an_index_and_nothing_scans() -> None:
    resources = _translated()["Resources"]
    for function in TABLE_ACTIONS:
        for statement in _statements(resources[f"{function}Role"]):
            actions = statement["Action"]
            assert "dynamodb:Scan" not in actions
            if "dynamodb:Query" in actions and function == "SweepFunction":
                assert statement["Resource"] == {"Fn::Sub": "${Table.Arn}/index/due"}


# ---------------------------------------------------------------- limits


def test_http_api_is_throttled(template: Template) -> None:
    settings = template["Resources"]["HttpApi"]["Properties"]["DefaultRouteSettings"]
    assert settings["ThrottlingBurstLimit"]
    assert settings["ThrottlingRateLimit"]


def test_api_concurrency_can_be_reserved_and_is_not_by_default(template: Template) -> None:
    # At the stage throttle the api could hold rate x timeout executions, more than an
    # account's default 1,000: a reservation caps it, but low quotas cannot reserve (default 0).
    reserved = template["Resources"]["ApiFunction"]["Properties"]["ReservedConcurrentExecutions"]
    condition, when_true, when_false = reserved["Fn::If"]
    assert when_false == {"Ref": "AWS::NoValue"}
    parameter_name = _ref(when_true)
    assert parameter_name is not None
    parameter = template["Parameters"][parameter_name]
    assert parameter["Type"] == "Number" and int(parameter["Default"]) == 0
    # The condition is "the parameter is not 0": at the default nothing is reserved.
    ((left, right),) = [c["Fn::Equals"] for c in template["Conditions"][condition]["Fn::Not"]]
    assert left == {"Ref": parameter_name} and right == "0"  # Ref gives a Number as a string
    assert int(parameter["MinValue"]) == 0
    stage = template["Resources"]["HttpApi"]["Properties"]["DefaultRouteSettings"]
    timeout = int(_function_setting(template, template["Resources"]["ApiFunction"], "Timeout"))
    assert int(stage["ThrottlingRateLimit"]) * timeout <= int(parameter["MaxValue"])
    assert int(stage["ThrottlingRateLimit"]) * (timeout - 1) > 1000  # why the cap exists
    others = [
        name
        for name, function in _functions(template).items()
        if name not in {"ApiFunction", "RedirectFunction"}
        and "ReservedConcurrentExecutions" in function["Properties"]
    ]
    assert others == []  # the SQS consumers are capped by MaximumConcurrency instead


def test_the_redirect_has_its_own_route_throttle_and_concurrency(template: Template) -> None:
    # A viral short link must take neither the API's throttle nor its concurrency: the
    # redirect's route has its own limits, and its function its own (optional) reservation.
    from linkcheck.handlers.routes.table import PUBLIC_ELSEWHERE

    (path,) = [p for p, f in PUBLIC_ELSEWHERE.items() if f == "RedirectFunction"]
    settings = template["Resources"]["HttpApi"]["Properties"]["RouteSettings"][f"GET {path}"]
    for name in ("ThrottlingBurstLimit", "ThrottlingRateLimit"):
        parameter = template["Parameters"][_ref(settings[name]) or ""]
        assert parameter["Type"] == "Number" and int(parameter["MinValue"]) >= 1
    reserved = template["Resources"]["RedirectFunction"]["Properties"][
        "ReservedConcurrentExecutions"
    ]
    condition, when_true, when_false = reserved["Fn::If"]
    assert when_false == {"Ref": "AWS::NoValue"}
    assert _ref(when_true) == "RedirectReservedConcurrency"
    assert template["Parameters"]["RedirectReservedConcurrency"]["Default"] == 0
    assert condition == "HasRedirectReservedConcurrency"


def test_the_redirect_reads_slug_items_and_writes_click_counters_only() -> None:
    # The one function reachable without a key touches no item of any tenant.
    role = _translated()["Resources"]["RedirectFunctionRole"]
    scoped = {
        action: statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        for statement in _statements(role)
        for action in statement["Action"]
    }
    assert scoped == {"dynamodb:GetItem": ["SLUG#*"], "dynamodb:UpdateItem": ["CLICK#*"]}


def test_only_a_function_feeding_its_own_queue_unboundedly_allows_recursive_loops(
    template: Template,
) -> None:
    # Lambda stops an SQS chain after ~16 hops. The worker re-enqueues onto the queue it reads
    # (confirmations, deferred links) and bounds the chain itself, so it opts out; the webhook
    # function re-queues its retries too, but its attempts end well before 16 hops.
    loop_limit = 16
    consumes: dict[str, set[str]] = {name: set() for name in _functions(template)}
    for name, queue, _ in _sqs_event_sources(template):
        consumes[name].add(queue)
    delays = template["Resources"]["WebhookFunction"]["Properties"]["Environment"]["Variables"][
        "WEBHOOK_RETRY_DELAYS"
    ]
    hops_at_most = {"WebhookFunction": len(delays.split(",")) + 1}  # every attempt, one hop each
    for name, function in _functions(template).items():
        feeds_itself = bool(consumes[name] & SENDS_TO.get(name, set()))
        unbounded = feeds_itself and hops_at_most.get(name, loop_limit) >= loop_limit
        setting = function["Properties"].get("RecursiveLoop", "Terminate")
        assert setting == ("Allow" if unbounded else "Terminate"), name
    assert template["Resources"]["WorkerFunction"]["Properties"]["RecursiveLoop"] == "Allow"


def test_http_api_access_logs_are_json_without_query_strings_or_credentials(
    template: Template,
) -> None:
    settings = template["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]
    group = _ref(settings["DestinationArn"])
    assert group is not None
    log_group = template["Resources"][group]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    fields = json.loads(settings["Format"])  # one JSON object per request
    assert fields["requestId"] == "$context.requestId"
    variables = [v for value in fields.values() for v in re.findall(r"\$context\.[\w.]+", value)]
    assert variables and all(fields.values())
    assert len(variables) == len(fields)  # every field is one context variable, nothing else
    for variable in variables:
        lowered = variable.lower()
        for leak in ("querystring", "header", "authorization", "apikey", "body", "principal"):
            assert leak not in lowered, variable
    assert fields["path"] == "$context.path"  # the path only: query strings carry checked URLs


def _cmk(template: Template, topic: str) -> dict[str, Any] | None:
    key_id = template["Resources"][topic]["Properties"].get("KmsMasterKeyId")
    if key_id is None:
        return None
    name = _ref(key_id)
    assert name is not None, f"{topic} must use a key of this stack, not {key_id}"
    key: dict[str, Any] = template["Resources"][name]
    assert key["Type"] == "AWS::KMS::Key"
    return key


def test_notifications_topic_is_encrypted_with_a_rotating_cmk(template: Template) -> None:
    key = _cmk(template, "NotificationsTopic")
    assert key is not None
    props = key["Properties"]
    assert props["EnableKeyRotation"] is True
    # The key policy only delegates to the account's IAM (no other principal, no service
    # wildcard); the notifier's role then gets data keys through SNS only.
    (statement,) = props["KeyPolicy"]["Statement"]
    assert statement["Principal"] == {
        "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    }
    key_name = _ref(template["Resources"]["NotificationsTopic"]["Properties"]["KmsMasterKeyId"])
    aliases = _of_type(template, "AWS::KMS::Alias").values()
    assert [a["Properties"]["TargetKeyId"] for a in aliases] == [{"Ref": key_name}]
    resources = _translated()["Resources"]
    for publisher, topics in PUBLISHES_TO.items():
        assert "NotificationsTopic" in topics
        granted = [
            s
            for s in _statements(resources[f"{publisher}Role"])
            if key_name in _resource_refs(s["Resource"])
        ]
        (grant,) = granted
        assert set(grant["Action"]) == {"kms:GenerateDataKey*", "kms:Decrypt"}
        assert grant["Condition"] == {
            "StringEquals": {"kms:ViaService": {"Fn::Sub": "sns.${AWS::Region}.amazonaws.com"}}
        }


def test_the_ops_topic_stays_unencrypted_so_alarms_can_publish(template: Template) -> None:
    # CloudWatch cannot use the AWS managed SNS key, and no key policy here grants it a CMK.
    assert _cmk(template, "OpsTopic") is None


def test_rate_limiter_failing_open_is_alarmed_on_the_metric_the_api_emits(
    template: Template,
) -> None:
    from linkcheck.observability import SERVICE, MetricName

    namespace = template["Globals"]["Function"]["Environment"]["Variables"][
        "POWERTOOLS_METRICS_NAMESPACE"
    ]
    (alarm,) = [
        a
        for a in _alarms(template).values()
        if a.get("MetricName") == MetricName.RATE_LIMITER_FAIL_OPEN.value
    ]
    assert alarm["Namespace"] == namespace
    # EMF dimensions must match exactly, or the alarm watches a metric nobody writes.
    assert alarm["Dimensions"] == [{"Name": "service", "Value": SERVICE}]
    assert alarm["Statistic"] == "Sum"
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_worker_duration_near_its_timeout_is_alarmed(template: Template) -> None:
    from linkcheck.handlers.worker import DEADLINE_MARGIN_SECONDS

    (alarm,) = [
        a
        for a in _alarms(template).values()
        if a.get("MetricName") == "Duration"
        and [_ref(d["Value"]) for d in a["Dimensions"]] == ["WorkerFunction"]
    ]
    timeout_ms = 1000 * int(
        _function_setting(template, template["Resources"]["WorkerFunction"], "Timeout")
    )
    ratio = int(alarm["Threshold"]) / timeout_ms
    assert 0.8 <= ratio <= 0.95, f"threshold {alarm['Threshold']} ms is {ratio:.0%} of the timeout"
    # Above the point where the worker stops checking, so stopping there on time is quiet.
    assert int(alarm["Threshold"]) > timeout_ms - 1000 * DEADLINE_MARGIN_SECONDS
    assert alarm["Statistic"] in {"Maximum", "p99"} or alarm.get("ExtendedStatistic") == "p99"


# ---------------------------------------------------------------- parameters and outputs


def test_every_parameter_is_constrained_and_described(template: Template) -> None:
    for name, parameter in template["Parameters"].items():
        constrained = (
            "AllowedValues" in parameter
            or "AllowedPattern" in parameter
            or ("MinValue" in parameter and "MaxValue" in parameter)
        )
        assert constrained, f"parameter {name} accepts anything"
        assert parameter.get("Description"), name


def test_outputs_name_what_an_operator_needs(template: Template) -> None:
    assert {
        "ApiUrl",
        "TopicArn",
        "OpsTopicArn",
        "TableName",
        "ChecksQueueUrl",
        "DeliveriesQueueUrl",
    } <= set(template["Outputs"])


def test_stored_data_survives_stack_removal(template: Template) -> None:
    table = template["Resources"]["Table"]
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]


# ---------------------------------------------------------------- samconfig.toml


def test_samconfig_deploys_with_iam_capability_and_a_confirmed_changeset(
    template: Template,
) -> None:
    config = tomllib.loads(Path(REPO_ROOT / "samconfig.toml").read_text())
    for env in ("default", "prod"):
        deploy = config[env]["deploy"]["parameters"]
        assert deploy["capabilities"] == "CAPABILITY_IAM"
        assert deploy["confirm_changeset"] is True
        assert deploy["resolve_s3"] is True
        assert config[env]["global"]["parameters"]["stack_name"].startswith("linkcheck-")
        for pair in deploy["parameter_overrides"].split('" '):
            key, _, value = pair.partition("=")
            value = value.strip('"')
            parameter = template["Parameters"][key]
            if "AllowedValues" in parameter:
                assert value in [str(v) for v in parameter["AllowedValues"]], (env, key, value)


def test_the_public_routes_are_the_ones_the_api_serves_without_a_key(template: Template) -> None:
    # One list in the code (handlers/routes/table.py PUBLIC for the api, PUBLIC_ELSEWHERE for
    # functions of their own), held equal to the template's.
    from linkcheck.handlers.routes.table import PUBLIC, PUBLIC_ELSEWHERE

    unauthorized: dict[str, set[str]] = {}
    for name, function in _functions(template).items():
        for event in function["Properties"].get("Events", {}).values():
            props = event["Properties"]
            if event["Type"] == "HttpApi" and props.get("Auth", {}).get("Authorizer") == "NONE":
                unauthorized.setdefault(name, set()).add(props["Path"])
    served_by_api = {
        re.sub(r"\{(\w+)\}", r"<\1>", path) for path in unauthorized.pop("ApiFunction")
    }
    assert served_by_api == PUBLIC  # the table's patterns name parameters <name>
    assert unauthorized == {function: {path} for path, function in PUBLIC_ELSEWHERE.items()}
    for function in PUBLIC_ELSEWHERE.values():  # such a function serves nothing else
        events = template["Resources"][function]["Properties"]["Events"].values()
        assert all(e["Properties"].get("Auth") == {"Authorizer": "NONE"} for e in events)


def test_requeues_cut_at_the_hop_limit_are_alarmed_on_the_metric_the_worker_emits(
    template: Template,
) -> None:
    from linkcheck.observability import MetricName

    namespace = template["Globals"]["Function"]["Environment"]["Variables"][
        "POWERTOOLS_METRICS_NAMESPACE"
    ]
    query = _alarms(template)["RequeuesRefusedAlarm"]["Metrics"][0]["Expression"]
    # The worker emits it with the dimensions service and kind: the schema must name both.
    assert f"SUM({MetricName.REQUEUES_REFUSED.value})" in query
    assert f"SCHEMA({namespace}, kind, service)" in query
