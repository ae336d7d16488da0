"""`linkcheck stats --tenant T [--recount]`: a tenant's link counters, or a recount of them.

The counters behind ``GET /stats`` are kept on transitions (docs/links-and-sweeps.md); a
recount rewrites them from a full query of the tenant's links, for links registered before
the counters existed. Same table, endpoint and fail-fast client as ``linkcheck keys``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from .keys import dynamodb_client, unreachable


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "stats",
        help="a tenant's links counted by state (or --recount them)",
        description=(
            "Print a tenant's link counters (what GET /stats answers), and with --recount "
            "rewrite them from a full count of its links (run it while the tenant is quiet)."
        ),
    )
    parser.add_argument("--tenant", required=True, help="the tenant, e.g. acme")
    parser.add_argument(
        "--recount", action="store_true", help="rewrite the counters from a full count"
    )
    parser.add_argument(
        "--table", help="DynamoDB table: the stack output TableName (default: $TABLE_NAME)"
    )
    parser.add_argument("--endpoint-url", help="DynamoDB endpoint, e.g. the local moto server")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=_stats)


def _stats(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError
    from botocore.exceptions import ConnectionError as EndpointUnreachable

    from ..store.stats import StatsStore

    table = args.table or os.environ.get("TABLE_NAME")
    if not table:
        print("linkcheck stats: no table: pass --table NAME or set TABLE_NAME", file=sys.stderr)
        return 2
    try:
        store = StatsStore(dynamodb_client(args), table)
        stored = store.get(args.tenant)
        counted = store.recount(args.tenant) if args.recount else None
    except (EndpointUnreachable, ReadTimeoutError) as exc:
        endpoint = str(exc.kwargs.get("endpoint_url") or args.endpoint_url or "AWS")
        reading = isinstance(exc, ReadTimeoutError)
        message = unreachable(endpoint, bool(args.endpoint_url), timed_out_reading=reading)
        print(f"linkcheck stats: {message}", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as exc:
        print(f"linkcheck stats: {exc}", file=sys.stderr)
        return 1
    shown = counted or stored
    by_state = {state.value: n for state, n in shown.by_state.items()}
    if args.json:
        print(json.dumps({"tenant": args.tenant, "links": shown.links, "by_state": by_state}))
    else:
        print(f"tenant {args.tenant}: {shown.links} links")
        for state, n in by_state.items():
            print(f"  {state:<11} {n}")
    if counted is not None and counted != stored:
        print(f"recounted: the counters said {stored.links} links", file=sys.stderr)
    return 0
