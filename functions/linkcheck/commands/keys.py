"""`linkcheck keys create|list|revoke`: manage API keys in the deployment's table.

The table comes from ``--table`` or TABLE_NAME (the stack output ``TableName`` when deployed);
``--endpoint-url`` points at a moto server (``linkcheck dev``) instead of AWS. The DynamoDB
client fails fast (bounded connect and read timeouts, two attempts): an endpoint that cannot
be reached is one line on stderr and exit 1 within seconds, not minutes of silent retries.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb import DynamoDBClient

    from ..store.keys import ApiKey, KeyStore

# A person waits at the terminal: botocore's defaults (60 s to connect, up to 5 attempts with
# back-off) would keep them waiting minutes for an endpoint that is not there.
CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 10.0
RETRIES = 1  # botocore's ``max_attempts`` counts retries: two tries in all
ATTEMPTS = RETRIES + 1


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "keys",
        help="create, list and revoke API keys",
        description=(
            "Manage API keys (stored as SHA-256 hashes; a new key is shown once). "
            "Works on the table named by --table or TABLE_NAME, with your AWS credentials."
        ),
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create a key for a tenant and print it once")
    create.add_argument("--tenant", required=True, help="who the key belongs to, e.g. acme")
    _common(create)
    create.set_defaults(func=_create)

    listing = actions.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("--tenant", help="only this tenant's keys (else every tenant's)")
    _common(listing)
    listing.set_defaults(func=_list)

    revoke = actions.add_parser(
        "revoke",
        help="revoke a key by its id (refused within 5 minutes: the API caches key checks)",
        description=(
            "Revoke a key by its id. The API refuses it within 5 minutes: API Gateway caches "
            "the authorizer's answer per key for 300 s (ReauthorizeEvery in template.yaml)."
        ),
    )
    revoke.add_argument("key_id", metavar="KEY_ID", help="the key id, e.g. key_0123456789abcdef")
    _common(revoke)
    revoke.set_defaults(func=_revoke)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--table", help="DynamoDB table: the stack output TableName (default: $TABLE_NAME)"
    )
    parser.add_argument(
        "--endpoint-url",
        help="DynamoDB endpoint, e.g. the moto server of `linkcheck dev` (http://127.0.0.1:PORT)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _store(args: argparse.Namespace) -> KeyStore:
    from ..store.keys import KeyStore

    table = args.table or os.environ.get("TABLE_NAME")
    if not table:
        raise _Usage("no table: pass --table NAME or set TABLE_NAME (stack output TableName)")
    return KeyStore(dynamodb_client(args), table)


def dynamodb_client(args: argparse.Namespace) -> DynamoDBClient:
    """The DynamoDB client of the command: ``--endpoint-url``, the region, fail-fast config."""
    import boto3  # deferred: `linkcheck --help` stays fast

    if args.endpoint_url:
        # A local moto server accepts any credentials; don't make the user invent them.
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    session = boto3.session.Session()
    region = session.region_name or ("us-east-1" if args.endpoint_url else None)
    if region is None:
        raise _Usage("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION)")
    client: DynamoDBClient = session.client(
        "dynamodb", region_name=region, endpoint_url=args.endpoint_url, config=client_config()
    )
    return client


def client_config() -> Config:
    from botocore.config import Config

    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "max_attempts": RETRIES},
    )


def unreachable(endpoint: str, local: bool, *, timed_out_reading: bool = False) -> str:
    """One line on why DynamoDB could not be reached, and what to check."""
    hint = (
        "is the local stack (`linkcheck dev`) running, and is --endpoint-url its moto server?"
        if local
        else "check your network and AWS_REGION"
    )
    if timed_out_reading:
        return f"DynamoDB at {endpoint} did not answer within {READ_TIMEOUT_SECONDS:g} s; {hint}"
    return (
        f"cannot reach DynamoDB at {endpoint} ({ATTEMPTS} attempts, "
        f"{CONNECT_TIMEOUT_SECONDS:g} s each to connect); {hint}"
    )


class _Usage(Exception):
    """A problem the user fixes with an option or an environment variable."""


def _key_dict(key: ApiKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "tenant": key.tenant,
        "created_at": key.created_at,
        "revoked": key.revoked,
    }


def _create(args: argparse.Namespace) -> int:
    return _run(args, lambda store: _print_created(args, store))


def _print_created(args: argparse.Namespace, store: KeyStore) -> None:
    new = store.create_key(args.tenant)
    if args.json:
        print(json.dumps({"key": new.secret, **_key_dict(new.key)}))
        return
    print(f"API key for tenant {new.key.tenant} (id {new.key.key_id}):")
    print()
    print(f"  {new.secret}")
    print()
    print("Store it now: it is shown only this once (only its hash is kept).", file=sys.stderr)
    print("Use it as:  Authorization: Bearer <key>", file=sys.stderr)


def _list(args: argparse.Namespace) -> int:
    def show(store: KeyStore) -> None:
        keys = store.list_keys(args.tenant)
        if args.json:
            for key in keys:
                print(json.dumps(_key_dict(key)))
            return
        if not keys:
            print("no keys", file=sys.stderr)
            return
        print(f"{'KEY ID':<22} {'TENANT':<24} {'CREATED':<21} STATE")
        for key in keys:
            state = "revoked" if key.revoked else "active"
            print(f"{key.key_id:<22} {key.tenant:<24} {key.created_at:<21} {state}")

    return _run(args, show)


def _revoke(args: argparse.Namespace) -> int:
    def revoke(store: KeyStore) -> None:
        key = store.revoke(args.key_id)
        if args.json:
            print(json.dumps(_key_dict(key)))
        else:
            print(f"revoked {key.key_id} (tenant {key.tenant})")

    return _run(args, revoke)


def _run(args: argparse.Namespace, action: Callable[[KeyStore], None]) -> int:
    """Run ``action(store)``; turn the errors a user can fix into one line and exit code 1/2."""
    from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError
    from botocore.exceptions import ConnectionError as EndpointUnreachable

    from ..errors import LinkcheckError

    try:
        action(_store(args))
    except _Usage as exc:
        print(f"linkcheck keys: {exc}", file=sys.stderr)
        return 2
    except LinkcheckError as exc:
        print(f"linkcheck keys: {exc.message}", file=sys.stderr)
        return 1
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            table = args.table or os.environ.get("TABLE_NAME")
            print(f"linkcheck keys: table {table!r} not found (check --table)", file=sys.stderr)
        else:
            print(f"linkcheck keys: DynamoDB refused: {exc}", file=sys.stderr)
        return 1
    except (EndpointUnreachable, ReadTimeoutError) as exc:
        endpoint = str(exc.kwargs.get("endpoint_url") or args.endpoint_url or "AWS")
        reading = isinstance(exc, ReadTimeoutError)
        message = unreachable(endpoint, bool(args.endpoint_url), timed_out_reading=reading)
        print(f"linkcheck keys: {message}", file=sys.stderr)
        return 1
    except BotoCoreError as exc:  # no credentials, ...
        print(f"linkcheck keys: {exc}", file=sys.stderr)
        return 1
    return 0
