"""The functions' configuration: read only by ``linkcheck.settings``, once, into typed values.

A bad value fails with the variable named and what it may hold (never a secret's value); the
engine takes options and reads no environment; the documentation lists every variable.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkcheck import check_secrets, devmode
from linkcheck.handlers.check_options import check_options
from linkcheck.settings import DEFAULT_RETRY_DELAYS, SettingsError, get_settings, load_settings

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "functions" / "linkcheck"
# The one reader, and the edges that never run in Lambda (they may read their own flags).
ALLOWED = {"settings.py", "cli.py"}
DEV_EDGES = ("local", "commands")
# The boto3-free AWS client reads the standard AWS_* variables per call, as boto3 does.
SDK_READERS = {"awsrequest/config.py": {"AWS_REGION", "AWS_DEFAULT_REGION"}}
# The public smart link redirect reads its own two variables: the settings module loads the
# engine, which that cold start must not pay (tests/integration/test_redirect_cold_start.py).
LIGHT_READERS = {"handlers/redirect.py": {"TABLE_NAME", "REDIRECT_CACHE_SECONDS"}}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in ALLOWED or relative.startswith(DEV_EDGES):
            continue
        yield relative, ast.parse(path.read_text(), filename=str(path))


def _environment_reads(tree: ast.Module) -> list[str]:
    """``os.environ``, ``os.getenv``, ``os.environb`` and ``from os import environ/getenv``."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"environ", "environb", "getenv"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            found.append(f"os.{node.attr} (line {node.lineno})")
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [
                f"from os import {a.name} (line {node.lineno})"
                for a in node.names
                if a.name in {"environ", "environb", "getenv"}
            ]
    return found


def test_only_the_settings_module_reads_the_environment() -> None:
    # Given every module of the functions but the settings and the dev/CLI edges
    readers = {name: reads for name, tree in _modules() if (reads := _environment_reads(tree))}
    # Then none reads the environment, but the AWS client's own standard variables (and the
    # redirect its two)
    assert set(readers) == set(SDK_READERS) | set(LIGHT_READERS), readers


def test_the_redirect_reads_only_its_own_two_variables() -> None:
    source = (PACKAGE / "handlers" / "redirect.py").read_text()
    names = set(re.findall(r"""os\.environ(?:\.get\(|\[)["']([A-Z_]+)""", source))
    assert names == LIGHT_READERS["handlers/redirect.py"]


def test_the_sdk_reader_reads_only_aws_variables() -> None:
    source = (PACKAGE / "awsrequest" / "config.py").read_text()
    names = set(re.findall(r"""_env\(f?["']([A-Z_]+)""", source))
    assert names >= SDK_READERS["awsrequest/config.py"]
    assert all(name.startswith("AWS_") for name in names), names


def test_the_engine_never_imports_the_settings() -> None:
    for path in sorted((PACKAGE / "engine").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert "settings" not in module, f"{path.name} imports {module}"
                assert "handlers" not in module, f"{path.name} imports {module}"


def test_the_ssrf_switch_is_named_once_in_the_package() -> None:
    # Given the switch's name, When every module (the edges too) is searched for it as code
    users = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if any(
            isinstance(node, ast.Constant) and node.value == "LINKCHECK_ALLOW_PRIVATE_NETWORKS"
            for node in ast.walk(ast.parse(path.read_text()))
        )
    ]
    # Then only the settings read it (the local stack may set it for its functions)
    assert [user for user in users if not user.startswith("local/")] == ["settings.py"]


# ---------------------------------------------------------------- parsing


def test_defaults_without_any_variable() -> None:
    settings = load_settings({})
    assert (settings.table_name, settings.stage) == ("linkcheck", "dev")
    assert settings.confirm_delay_seconds == 120
    assert settings.down_after_failures == 3
    assert settings.default_interval_minutes == 1440
    assert settings.min_interval_minutes == 5
    assert settings.history_retention_days == 90
    assert settings.rate_limit_per_minute == 120
    assert not settings.history_every_check
    assert not settings.allow_private_networks
    assert not settings.local_dev
    checks = settings.checks
    assert checks.deep and checks.timeout_seconds is None and checks.proxy is None
    assert (checks.secrets_parameter, checks.secrets_arn, checks.local_credentials) == (
        None,
        None,
        None,
    )
    assert checks.dev_corpus is None
    notify = settings.notify
    assert notify.retry_delays == DEFAULT_RETRY_DELAYS
    assert (notify.timeout_seconds, notify.lease_seconds, notify.dead_letter_url) == (10.0, 60, "")


def test_every_variable_is_parsed_into_its_typed_value() -> None:
    settings = load_settings(
        {
            "TABLE_NAME": "links-prod",
            "CHECKS_QUEUE_URL": "http://q/checks",
            "DELIVERIES_QUEUE_URL": "http://q/deliveries",
            "TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:topic",
            "STAGE": "prod",
            "CONFIRM_DELAY_SECONDS": "0",
            "DOWN_AFTER_FAILURES": "5",
            "DEFAULT_INTERVAL_MINUTES": "60",
            "MIN_INTERVAL_MINUTES": "1",
            "HISTORY_RETENTION_DAYS": "30",
            "HISTORY_EVERY_CHECK": "true",
            "RATE_LIMIT_PER_MINUTE": "0",
            "LINKCHECK_ALLOW_PRIVATE_NETWORKS": "1",
            "LINKCHECK_DEV": "yes",
            "DEEP_CHECKS": "false",
            "CHECK_TIMEOUT_SECONDS": "2.5",
            "CHECK_PROXY_URL": "http://10.0.0.5:3128",
            "CHECK_PROXY_HOSTS": "TikTok.com, instagram.com",
            "CHECK_SECRETS_PARAMETER": "/linkcheck/check-secrets",
            "LINKCHECK_META_APP_TOKEN": "meta-1",
            "LINKCHECK_DEV_CONNECT_TO": "corpus.example:443:127.0.0.1:8443",
            "LINKCHECK_DEV_CA_BUNDLE": "/tmp/ca.pem",
            "LINKCHECK_DEV_ONLY_CONNECT_TO": "1",
            "WEBHOOK_RETRY_DELAYS": "0,1,1",
            "WEBHOOK_TIMEOUT_SECONDS": "0.5",
            "NOTIFY_LEASE_SECONDS": "30",
            "DELIVERIES_DLQ_URL": "http://q/dlq",
        }
    )
    assert (settings.table_name, settings.stage, settings.topic_arn[-5:]) == (
        "links-prod",
        "prod",
        "topic",
    )
    assert (settings.checks_queue_url, settings.deliveries_queue_url) == (
        "http://q/checks",
        "http://q/deliveries",
    )
    assert (settings.confirm_delay_seconds, settings.down_after_failures) == (0, 5)
    assert (settings.default_interval_minutes, settings.min_interval_minutes) == (60, 1)
    assert (settings.history_retention_days, settings.rate_limit_per_minute) == (30, 0)
    assert settings.history_every_check and settings.allow_private_networks and settings.local_dev
    checks = settings.checks
    assert (checks.deep, checks.timeout_seconds) == (False, 2.5)
    assert checks.proxy is not None and (checks.proxy.host, checks.proxy.port) == ("10.0.0.5", 3128)
    assert checks.proxy_hosts == checks.proxy.only == ("tiktok.com", "instagram.com")
    assert checks.secrets_parameter == "/linkcheck/check-secrets"
    assert checks.local_credentials is not None
    assert checks.local_credentials.meta_app_token == "meta-1"
    assert checks.dev_corpus is not None
    assert checks.dev_corpus.connect_to[0].to_port == 8443
    assert (checks.dev_corpus.ca_bundle, checks.dev_corpus.only_connect_to) == ("/tmp/ca.pem", True)
    notify = settings.notify
    assert (notify.retry_delays, notify.timeout_seconds) == ((0, 1, 1), 0.5)
    assert (notify.lease_seconds, notify.dead_letter_url, notify.max_attempts) == (
        30,
        "http://q/dlq",
        4,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CONFIRM_DELAY_SECONDS", "soon", "CONFIRM_DELAY_SECONDS must be a whole number"),
        ("CONFIRM_DELAY_SECONDS", "-1", "CONFIRM_DELAY_SECONDS must be at least 0"),
        ("DOWN_AFTER_FAILURES", "0", "DOWN_AFTER_FAILURES must be at least 1"),
        ("DEFAULT_INTERVAL_MINUTES", "1.5", "DEFAULT_INTERVAL_MINUTES must be a whole number"),
        ("MIN_INTERVAL_MINUTES", "0", "MIN_INTERVAL_MINUTES must be at least 1"),
        ("HISTORY_RETENTION_DAYS", "0", "HISTORY_RETENTION_DAYS must be at least 1"),
        ("RATE_LIMIT_PER_MINUTE", "-5", "RATE_LIMIT_PER_MINUTE must be at least 0"),
        ("NOTIFY_LEASE_SECONDS", "0", "NOTIFY_LEASE_SECONDS must be at least 1"),
        ("HISTORY_EVERY_CHECK", "ture", "HISTORY_EVERY_CHECK must be true or false"),
        ("DEEP_CHECKS", "maybe", "DEEP_CHECKS must be true or false"),
        ("LINKCHECK_ALLOW_PRIVATE_NETWORKS", "2", "LINKCHECK_ALLOW_PRIVATE_NETWORKS must be"),
        ("LINKCHECK_DEV", "dev", "LINKCHECK_DEV must be true or false"),
        ("CHECK_TIMEOUT_SECONDS", "0", "CHECK_TIMEOUT_SECONDS must be a positive number"),
        ("CHECK_TIMEOUT_SECONDS", "fast", "CHECK_TIMEOUT_SECONDS must be a positive number"),
        ("CHECK_TIMEOUT_SECONDS", "inf", "CHECK_TIMEOUT_SECONDS must be a positive number"),
        ("WEBHOOK_TIMEOUT_SECONDS", "-1", "WEBHOOK_TIMEOUT_SECONDS must be a positive number"),
        ("WEBHOOK_RETRY_DELAYS", "5,later", "WEBHOOK_RETRY_DELAYS must be comma-separated"),
        ("WEBHOOK_RETRY_DELAYS", "5,-1", "WEBHOOK_RETRY_DELAYS cannot be negative"),
        ("CHECK_PROXY_URL", "socks5://10.0.0.5:1080", "CHECK_PROXY_URL: "),
        ("CHECK_PROXY_URL", "http://10.0.0.5", "CHECK_PROXY_URL: the proxy URL has no port"),
        ("LINKCHECK_DEV_CONNECT_TO", "nonsense", "LINKCHECK_DEV_CONNECT_TO: "),
        ("LINKCHECK_DEV_ONLY_CONNECT_TO", "x", "LINKCHECK_DEV_ONLY_CONNECT_TO must be"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_is_allowed(
    variable: str, value: str, message: str
) -> None:
    environ = {variable: value}
    if variable == "LINKCHECK_DEV_ONLY_CONNECT_TO":
        environ["LINKCHECK_DEV_CONNECT_TO"] = "a.example:443:127.0.0.1:8443"
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings(environ)


def test_both_secret_names_are_refused() -> None:
    with pytest.raises(SettingsError, match="CHECK_SECRETS_PARAMETER or CHECK_SECRETS_ARN"):
        load_settings(
            {
                "CHECK_SECRETS_PARAMETER": "/linkcheck/s",
                "CHECK_SECRETS_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s",
            }
        )


def test_secret_values_never_appear_in_the_settings_or_their_errors() -> None:
    password, token = "pw-93ac1e", "meta-5d0e2"
    settings = load_settings(
        {
            "LINKCHECK_META_APP_TOKEN": token,
            "LINKCHECK_YOUTUBE_API_KEY": "yt-0c1d",
            "CHECK_PROXY_URL": f"http://user:{password}@10.0.0.5:3128",
        }
    )
    shown = repr(settings) + str(settings)
    for secret in (password, token, "yt-0c1d"):
        assert secret not in shown
    with pytest.raises(SettingsError) as caught:
        load_settings({"CHECK_PROXY_URL": f"ftp://user:{password}@10.0.0.5:21"})
    assert password not in str(caught.value)


def test_blank_values_mean_the_default() -> None:
    settings = load_settings({"DEEP_CHECKS": " ", "RATE_LIMIT_PER_MINUTE": "", "TABLE_NAME": ""})
    assert settings.checks.deep and settings.rate_limit_per_minute == 120
    assert settings.table_name == "linkcheck"


def test_settings_are_read_once_until_the_cache_is_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given settings read once
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "7")
    first = get_settings()
    # When the environment changes, the execution environment keeps its first read
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "8")
    assert get_settings() is first and first.rate_limit_per_minute == 7
    # Then a new execution environment (cache cleared) reads the new value
    get_settings.cache_clear()
    assert get_settings().rate_limit_per_minute == 8


def test_a_bad_value_fails_the_first_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOWN_AFTER_FAILURES", "three")
    with pytest.raises(SettingsError, match="DOWN_AFTER_FAILURES must be a whole number"):
        get_settings()


# ---------------------------------------------------------------- CheckOptions from settings


@pytest.fixture()
def no_secret() -> Iterator[None]:
    check_secrets.reset()
    yield
    check_secrets.reset()


@pytest.mark.usefixtures("no_secret")
def test_check_options_come_from_the_settings() -> None:
    options = check_options(
        load_settings(
            {
                "LINKCHECK_ALLOW_PRIVATE_NETWORKS": "1",
                "DEEP_CHECKS": "0",
                "CHECK_TIMEOUT_SECONDS": "3",
                "CHECK_PROXY_URL": "http://10.0.0.5:3128",
                "LINKCHECK_YOUTUBE_API_KEY": "yt-1",
            }
        )
    )
    assert options.allow_private_networks and not options.always_get
    # the connect and read limits never exceed the whole check's deadline
    assert (options.timeout, options.connect_timeout, options.read_timeout) == (3.0, 3.0, 3.0)
    assert options.proxy is not None and options.proxy.port == 3128
    assert options.credentials.youtube_api_key == "yt-1"


@pytest.mark.usefixtures("no_secret")
def test_default_check_options_are_deep_and_guarded() -> None:
    options = check_options(load_settings({}))
    assert options.always_get and not options.allow_private_networks
    assert (options.timeout, options.proxy, options.connect_to) == (15.0, None, ())


@pytest.mark.usefixtures("no_secret")
def test_the_dev_corpus_applies_only_in_a_process_that_enabled_it() -> None:
    settings = load_settings({"LINKCHECK_DEV_CONNECT_TO": "meta.example:80:169.254.169.254:80"})
    devmode.disable()
    assert check_options(settings).connect_to == ()
    devmode.enable()
    try:
        assert check_options(settings).connect_to[0].to_host == "169.254.169.254"
    finally:
        devmode.disable()


# ---------------------------------------------------------------- documentation


def _settings_variables() -> set[str]:
    tree = ast.parse((PACKAGE / "settings.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("_")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and node.args[0].value.isupper()
    }


def test_every_variable_is_documented() -> None:
    variables = _settings_variables()
    assert {"TABLE_NAME", "CHECK_PROXY_URL", "WEBHOOK_RETRY_DELAYS"} <= variables
    text = (REPO / "docs" / "operations.md").read_text()
    section = text.split("## Configuration (environment of the functions)", 1)[1].split("\n## ")[0]
    missing = sorted(v for v in variables if f"`{v}`" not in section)
    assert not missing, f"docs/operations.md, Configuration: document {missing}"


def test_every_entry_point_checks_the_settings_on_its_first_invocation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a function whose path never needs the bad setting
    from linkcheck.observability import lambda_handler

    @lambda_handler()
    def handler(event: dict[str, object], context: object) -> str:
        return "ran"

    monkeypatch.setenv("WEBHOOK_TIMEOUT_SECONDS", "ten")
    # When it is invoked, Then it fails at once, naming the variable
    with pytest.raises(SettingsError, match="WEBHOOK_TIMEOUT_SECONDS must be a positive number"):
        handler({}, None)
    monkeypatch.setenv("WEBHOOK_TIMEOUT_SECONDS", "10")
    get_settings.cache_clear()
    assert handler({}, None) == "ran"
