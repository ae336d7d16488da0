"""API keys against moto (aws_env): create, list, revoke, hash-only storage, and the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest

from linkcheck import aws
from linkcheck.cli import main
from linkcheck.errors import Conflict, NotFound
from linkcheck.store.keys import KeyStore, create_key, hash_secret


def all_items(table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in aws.dynamodb().get_paginator("scan").paginate(TableName=table):
        items.extend(page["Items"])
    return items


def test_a_new_key_is_found_by_its_secret_and_only_its_hash_is_stored(
    aws_env: dict[str, str],
) -> None:
    new = KeyStore().create_key("acme")
    assert new.secret.startswith("lck_") and len(new.secret) >= 40
    found = KeyStore().find(new.secret)
    assert found == new.key
    assert found is not None and found.tenant == "acme" and not found.revoked
    assert KeyStore().find("lck_never-issued") is None

    dumped = json.dumps(all_items(aws_env["TABLE_NAME"]))
    assert new.secret not in dumped
    assert new.secret[4:] not in dumped
    assert f"KEY#{hash_secret(new.secret)}" in dumped


def test_keys_are_listed_by_tenant_and_overall(aws_env: dict[str, str]) -> None:
    store = KeyStore()
    a1, a2 = store.create_key("acme"), store.create_key("acme")
    b1 = store.create_key("beta")
    assert {k.key_id for k in store.list_keys("acme")} == {a1.key.key_id, a2.key.key_id}
    assert [k.key_id for k in store.list_keys("beta")] == [b1.key.key_id]
    assert {k.key_id for k in store.list_keys()} == {
        a1.key.key_id,
        a2.key.key_id,
        b1.key.key_id,
    }


def test_a_revoked_key_stops_working_and_is_listed_as_revoked(aws_env: dict[str, str]) -> None:
    store = KeyStore()
    new = store.create_key("acme")
    revoked = store.revoke(new.key.key_id)
    assert revoked.revoked
    assert store.find(new.secret) is None
    assert [k.revoked for k in store.list_keys("acme")] == [True]
    assert store.revoke(new.key.key_id).revoked  # twice is harmless
    with pytest.raises(NotFound):
        store.revoke("key_doesnotexist")


def test_a_fixed_secret_registers_once_per_tenant(aws_env: dict[str, str]) -> None:
    first = create_key("dev", secret="lck_dev-fixed-key")
    again = create_key("dev", secret="lck_dev-fixed-key")
    assert again.key == first.key
    assert KeyStore().find("lck_dev-fixed-key") == first.key
    with pytest.raises(Conflict):
        create_key("someone-else", secret="lck_dev-fixed-key")


class TestCli:
    def cli(
        self, capsys: pytest.CaptureFixture[str], env: dict[str, str], *args: str
    ) -> tuple[int, str, str]:
        import os

        code = main(
            [
                "keys",
                *args,
                "--table",
                env["TABLE_NAME"],
                "--endpoint-url",
                os.environ["AWS_ENDPOINT_URL"],
            ]
        )
        out, err = capsys.readouterr()
        return code, out, err

    def test_create_list_revoke(
        self, aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = self.cli(capsys, aws_env, "create", "--tenant", "acme", "--json")
        assert code == 0
        created = json.loads(out)
        assert created["key"].startswith("lck_") and created["tenant"] == "acme"
        assert KeyStore().find(created["key"]) is not None

        code, out, _ = self.cli(capsys, aws_env, "list", "--tenant", "acme")
        assert code == 0
        assert created["key_id"] in out and "active" in out
        assert created["key"] not in out

        code, out, _ = self.cli(capsys, aws_env, "revoke", created["key_id"])
        assert code == 0 and "revoked" in out
        assert KeyStore().find(created["key"]) is None

        code, out, _ = self.cli(capsys, aws_env, "list", "--json")
        assert [json.loads(line)["revoked"] for line in out.splitlines()] == [True]

    def test_text_output_and_errors(
        self, aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = self.cli(capsys, aws_env, "create", "--tenant", "acme")
        assert code == 0
        (secret,) = [word for word in out.split() if word.startswith("lck_")]
        assert KeyStore().find(secret) is not None
        assert "shown only this once" in err

        code, _, err = self.cli(capsys, aws_env, "revoke", "key_nope")
        assert code == 1 and "no API key" in err
        code, _, err = self.cli(capsys, aws_env, "create", "--tenant", "bad tenant")
        assert code == 1 and "tenant" in err

    def test_a_missing_table_is_named(
        self, aws_env: dict[str, str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        import os

        code = main(
            [
                "keys",
                "list",
                "--table",
                "no-such-table",
                "--endpoint-url",
                os.environ["AWS_ENDPOINT_URL"],
            ]
        )
        assert code == 1
        assert "no-such-table" in capsys.readouterr().err


class TestFailFast:
    """Against an endpoint that is not there: bounded client settings, one line, exit 1."""

    def test_the_client_has_bounded_timeouts_and_attempts(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from linkcheck.cli import build_parser
        from linkcheck.commands import keys

        args = build_parser().parse_args(
            ["keys", "list", "--table", "t", "--endpoint-url", "http://127.0.0.1:9"]
        )
        config = keys.dynamodb_client(args).meta.config
        assert config.connect_timeout == keys.CONNECT_TIMEOUT_SECONDS <= 5
        assert config.read_timeout == keys.READ_TIMEOUT_SECONDS <= 15
        # botocore keeps the total, first try included: two tries in all.
        assert config.retries == {"mode": "standard", "total_max_attempts": keys.ATTEMPTS}
        assert keys.ATTEMPTS == 2

    def test_a_closed_port_is_one_line_and_exit_1(self, capsys: pytest.CaptureFixture[str]) -> None:
        from tests.e2e.servers import free_port

        endpoint = f"http://127.0.0.1:{free_port()}"
        code = main(["keys", "list", "--table", "t", "--endpoint-url", endpoint])
        out, err = capsys.readouterr()
        assert code == 1
        assert out == ""
        assert err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith(f"linkcheck keys: cannot reach DynamoDB at {endpoint}")
        assert "linkcheck dev" in err  # what to check
