"""The check secret (platform credentials, proxy URL) read without boto3 from SSM Parameter Store
and Secrets Manager in the moto server, once per process, and never shown in logs or reprs."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator

import boto3
import pytest

from linkcheck import check_secrets
from linkcheck.awsrequest.secrets import SecretReadError, get_parameter, get_secret_string
from linkcheck.engine import CheckOptions
from linkcheck.handlers.check_options import check_options
from linkcheck.settings import get_settings

META = "meta-token-7f3a9c"
YOUTUBE = "yt-key-41be02"
PROXY_PASSWORD = "proxy-pw-d81c"
SECRET = json.dumps(
    {
        "meta_app_token": META,
        "youtube_api_key": YOUTUBE,
        "proxy_url": f"http://egress:{PROXY_PASSWORD}@10.0.0.5:3128",
    }
)


@pytest.fixture()
def fresh(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (
        "CHECK_SECRETS_PARAMETER",
        "CHECK_SECRETS_ARN",
        "LINKCHECK_META_APP_TOKEN",
        "LINKCHECK_YOUTUBE_API_KEY",
        "CHECK_PROXY_URL",
        "CHECK_PROXY_HOSTS",
    ):
        monkeypatch.delenv(name, raising=False)
    check_secrets.reset()
    yield
    check_secrets.reset()
    get_settings.cache_clear()


def options_now() -> CheckOptions:
    """The functions' options from the environment as it is now (settings read afresh)."""
    get_settings.cache_clear()
    return check_options()


def ssm_parameter(value: str) -> str:
    name = f"/linkcheck-test/{uuid.uuid4().hex[:8]}/secrets"
    boto3.client("ssm").put_parameter(Name=name, Value=value, Type="SecureString")
    return name


def secretsmanager_secret(value: str) -> str:
    created = boto3.client("secretsmanager").create_secret(
        Name=f"linkcheck-test-{uuid.uuid4().hex[:8]}", SecretString=value
    )
    return str(created["ARN"])


@pytest.mark.usefixtures("fresh")
def test_the_boto3_free_client_reads_a_securestring_and_a_secret() -> None:
    assert get_parameter(ssm_parameter(SECRET)) == SECRET
    assert get_secret_string(secretsmanager_secret(SECRET)) == SECRET


@pytest.mark.usefixtures("fresh")
def test_a_missing_parameter_is_named_without_any_value() -> None:
    with pytest.raises(SecretReadError) as caught:
        get_parameter("/linkcheck-test/none/such")
    assert caught.value.code == "ParameterNotFound"


@pytest.mark.parametrize("store", ["ssm", "secretsmanager"])
@pytest.mark.usefixtures("fresh")
def test_the_named_secret_is_read_once_per_process(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store == "ssm":
        monkeypatch.setenv("CHECK_SECRETS_PARAMETER", ssm_parameter(SECRET))
    else:
        monkeypatch.setenv("CHECK_SECRETS_ARN", secretsmanager_secret(SECRET))
    monkeypatch.setenv("CHECK_PROXY_HOSTS", "tiktok.com, instagram.com")
    options = options_now()
    assert options.credentials.meta_app_token == META
    assert options.credentials.youtube_api_key == YOUTUBE
    assert options.proxy is not None
    assert (options.proxy.host, options.proxy.port) == ("10.0.0.5", 3128)
    assert options.proxy.only == ("tiktok.com", "instagram.com")
    # Once per process: the store is not asked again (a broken endpoint now changes nothing).
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    assert options_now().credentials == options.credentials


@pytest.mark.usefixtures("fresh")
def test_an_unreadable_secret_is_logged_by_name_and_checks_go_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CHECK_SECRETS_PARAMETER", "/linkcheck-test/none/such")
    with caplog.at_level(logging.WARNING, logger="linkcheck.check_secrets"):
        options = options_now()
    assert options.credentials.meta_app_token is None and options.proxy is None
    [record] = [r for r in caplog.records if r.name == "linkcheck.check_secrets"]
    assert "ParameterNotFound" in getattr(record, "error", "")


@pytest.mark.usefixtures("fresh")
def test_local_variables_give_the_credentials_when_no_secret_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LINKCHECK_META_APP_TOKEN", META)
    monkeypatch.setenv("LINKCHECK_YOUTUBE_API_KEY", YOUTUBE)
    credentials = options_now().credentials
    assert (credentials.meta_app_token, credentials.youtube_api_key) == (META, YOUTUBE)


@pytest.mark.usefixtures("fresh")
def test_secret_values_never_appear_in_logs_or_reprs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with_unknown_key = json.dumps(json.loads(SECRET) | {"surprise": "unknown-value-5e1"})
    monkeypatch.setenv("CHECK_SECRETS_ARN", secretsmanager_secret(with_unknown_key))
    with caplog.at_level(logging.DEBUG):
        options = options_now()
        logging.getLogger("linkcheck.test").info("options %r", options)
    assert options.credentials.meta_app_token == META
    shown = "\n".join(
        [
            caplog.text,
            repr(options),
            str(options),
            repr(check_secrets.current(get_settings().checks)),
            repr(get_settings()),
        ]
        + [repr(vars(record)) for record in caplog.records]
    )
    for value in (META, YOUTUBE, PROXY_PASSWORD, "unknown-value-5e1"):
        assert value not in shown
    [warning] = [r for r in caplog.records if r.name == "linkcheck.check_secrets"]
    assert getattr(warning, "keys", None) == ["surprise"]  # named, never its value
