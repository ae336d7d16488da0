"""`linkcheck keys create|list|revoke`: manage API keys in the deployment's table.

The table comes from ``--table`` or TABLE_NAME (the stack output ``TableName`` when deployed);
``--endpoint-url`` points at a moto server (``linkcheck dev``) instead of AWS.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store.keys import ApiKey, KeyStore


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
    import boto3  # deferred: `linkcheck --help` stays fast

    from ..store.keys import KeyStore

    table = args.table or os.environ.get("TABLE_NAME")
    if not table:
        raise _Usage("no table: pass --table NAME or set TABLE_NAME (stack output TableName)")
    if args.endpoint_url:
        # A local moto server accepts any credentials; don't make the user invent them.
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    session = boto3.session.Session()
    region = session.region_name or ("us-east-1" if args.endpoint_url else None)
    if region is None:
        raise _Usage("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION)")
    client = session.client("dynamodb", region_name=region, endpoint_url=args.endpoint_url)
    return KeyStore(client, table)


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
    from botocore.exceptions import BotoCoreError, ClientError

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
    except BotoCoreError as exc:  # no credentials, endpoint unreachable, ...
        print(f"linkcheck keys: {exc}", file=sys.stderr)
        return 1
    return 0
