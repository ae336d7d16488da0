"""SigV4 signing against AWS's published test suite (aws-sig-v4-test-suite), byte for byte.

Every case of the suite signs with the same credentials, date, region and service; the expected
canonical request, string to sign and Authorization header are copied from the suite.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from linkcheck.awsrequest.sigv4 import (
    Credentials,
    Scope,
    amz_date,
    authorization,
    canonical_request,
    payload_hash,
    sign,
    signature,
    string_to_sign,
)

CREDENTIALS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
NOW = datetime(2015, 8, 30, 12, 36, 0, tzinfo=UTC)
SCOPE = Scope(date="20150830", region="us-east-1", service="service")
EMPTY_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
HOST = "example.amazonaws.com"
CREDENTIAL = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"

# name: (method, query, extra headers, body, canonical request, string-to-sign digest, signature)
SUITE = {
    "get-vanilla": (
        "GET",
        [],
        [],
        b"",
        f"GET\n/\n\nhost:{HOST}\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n{EMPTY_HASH}",
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    "post-vanilla": (
        "POST",
        [],
        [],
        b"",
        f"POST\n/\n\nhost:{HOST}\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n{EMPTY_HASH}",
        "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    ),
    "get-vanilla-query-order-key-case": (
        "GET",
        [("Param2", "value2"), ("Param1", "value1")],
        [],
        b"",
        f"GET\n/\nParam1=value1&Param2=value2\nhost:{HOST}\nx-amz-date:20150830T123600Z\n\n"
        f"host;x-amz-date\n{EMPTY_HASH}",
        "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ),
    "get-header-value-trim": (
        "GET",
        [],
        [("My-Header1", " value1"), ("My-Header2", ' "a   b   c"')],
        b"",
        f'GET\n/\n\nhost:{HOST}\nmy-header1:value1\nmy-header2:"a b c"\n'
        f"x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n{EMPTY_HASH}",
        "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
        "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    ),
    "get-header-key-duplicate": (
        "GET",
        [],
        [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
        b"",
        f"GET\n/\n\nhost:{HOST}\nmy-header1:value2,value2,value1\n"
        f"x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n{EMPTY_HASH}",
        "dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
        "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
    ),
    "post-x-www-form-urlencoded": (
        "POST",
        [],
        [("Content-Type", "application/x-www-form-urlencoded")],
        b"Param1=value1",
        f"POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:{HOST}\n"
        "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
        "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    ),
}


@pytest.mark.parametrize("name", sorted(SUITE))
def test_each_step_matches_the_suite(name: str) -> None:
    method, query, extra, body, creq, sts_digest, expected_signature = SUITE[name]
    headers = [("Host", HOST), *extra, ("X-Amz-Date", "20150830T123600Z")]

    request, signed = canonical_request(method, "/", query, headers, payload_hash(body))
    assert request == creq

    to_sign = string_to_sign(amz_date(NOW), SCOPE, request)
    assert to_sign == (
        f"AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n{sts_digest}"
    )

    sig = signature(CREDENTIALS.secret_access_key, SCOPE, to_sign)
    assert sig == expected_signature
    assert authorization(CREDENTIALS.access_key_id, SCOPE, signed, sig) == (
        f"AWS4-HMAC-SHA256 Credential={CREDENTIAL}, SignedHeaders={signed}, Signature={sig}"
    )


def test_sign_gives_the_suites_authorization_header() -> None:
    headers = sign(
        method="GET",
        host=HOST,
        path="/",
        headers={},
        body=b"",
        credentials=CREDENTIALS,
        region="us-east-1",
        service="service",
        now=NOW,
    )
    assert headers["X-Amz-Date"] == "20150830T123600Z"
    assert headers["Host"] == HOST
    assert headers["Authorization"] == (
        f"AWS4-HMAC-SHA256 Credential={CREDENTIAL}, SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    )


def test_a_session_token_is_sent_and_signed() -> None:
    # The suite's post-sts-header-before case: the token is a signed header.
    token = (
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmx"
        "fpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0"
        "KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lI"
        "ZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
    )
    credentials = Credentials(CREDENTIALS.access_key_id, CREDENTIALS.secret_access_key, token)
    headers = sign(
        method="POST",
        host=HOST,
        path="/",
        headers={},
        body=b"",
        credentials=credentials,
        region="us-east-1",
        service="service",
        now=NOW,
    )
    assert headers["X-Amz-Security-Token"] == token
    assert headers["Authorization"] == (
        f"AWS4-HMAC-SHA256 Credential={CREDENTIAL}, "
        "SignedHeaders=host;x-amz-date;x-amz-security-token, "
        "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
    )


def test_credentials_never_show_the_secret() -> None:
    assert CREDENTIALS.secret_access_key not in repr(CREDENTIALS)
    assert CREDENTIALS.secret_access_key not in str(CREDENTIALS)


def test_a_dynamodb_request_is_signed_as_botocore_signs_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # botocore (installed for the other functions) as a second oracle, on the exact request
    # shape the DynamoDB client sends: JSON body, X-Amz-Target, a session token, a port.
    import botocore.auth
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotocoreCredentials

    body = b'{"TableName":"t","Key":{"pk":{"S":"RATE#k#1"}}}'
    target = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.UpdateItem",
    }
    ours = sign(
        method="POST",
        host="127.0.0.1:5000",
        path="/",
        headers=target,
        body=body,
        credentials=Credentials("AKIDEXAMPLE", CREDENTIALS.secret_access_key, "token/+="),
        region="eu-west-1",
        service="dynamodb",
        now=NOW,
    )
    request = AWSRequest(method="POST", url="http://127.0.0.1:5000/", data=body, headers=target)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: NOW)
    credentials = BotocoreCredentials("AKIDEXAMPLE", CREDENTIALS.secret_access_key, "token/+=")
    SigV4Auth(credentials, "dynamodb", "eu-west-1").add_auth(request)
    assert ours["Authorization"] == request.headers["Authorization"]
