"""Reading one secret without boto3: SSM Parameter Store ``GetParameter`` (decrypted) and
Secrets Manager ``GetSecretValue``, signed calls through ``jsonapi.call``.

Neither the value nor the request body ever appears in an error message.
"""

from __future__ import annotations

from . import jsonapi
from .config import MissingConfiguration, ServiceEndpoint, service_endpoint

CONTENT_TYPE = "application/x-amz-json-1.1"


class SecretReadError(jsonapi.AwsError):
    """Reading a secret failed: ``code`` is the service's error type, or network/config."""


def _endpoint(service: str, env_suffix: str, given: ServiceEndpoint | None) -> ServiceEndpoint:
    if given is not None:
        return given
    try:
        return service_endpoint(service, env_suffix)
    except MissingConfiguration as exc:
        raise SecretReadError("config", str(exc)) from exc


def get_parameter(name: str, endpoint: ServiceEndpoint | None = None) -> str:
    """The decrypted value of SSM parameter ``name`` (a name such as ``/linkcheck/secrets``)."""
    answer = jsonapi.call(
        _endpoint("ssm", "SSM", endpoint),
        service="ssm",
        target="AmazonSSM.GetParameter",
        content_type=CONTENT_TYPE,
        params={"Name": name, "WithDecryption": True},
        error=SecretReadError,
    )
    parameter = answer.get("Parameter")
    value = parameter.get("Value") if isinstance(parameter, dict) else None
    if not isinstance(value, str):
        raise SecretReadError("bad_response", "the answer holds no parameter value", status=200)
    return value


def get_secret_string(secret_id: str, endpoint: ServiceEndpoint | None = None) -> str:
    """The ``SecretString`` of Secrets Manager secret ``secret_id`` (its ARN or name)."""
    answer = jsonapi.call(
        _endpoint("secretsmanager", "SECRETS_MANAGER", endpoint),
        service="secretsmanager",
        target="secretsmanager.GetSecretValue",
        content_type=CONTENT_TYPE,
        params={"SecretId": secret_id},
        error=SecretReadError,
    )
    value = answer.get("SecretString")
    if not isinstance(value, str):
        raise SecretReadError("bad_response", "the secret has no SecretString", status=200)
    return value
