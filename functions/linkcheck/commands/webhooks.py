"""`linkcheck webhooks verify`: check a received delivery's Standard Webhooks signature.

    linkcheck webhooks verify --secret whsec_... --id MSG_ID --timestamp TS \
        --signature "v1,..." < body.json

Exit 0 when the signature is valid (and the timestamp fresh), 1 when not, 2 on bad usage.
The secret can also come from LINKCHECK_WEBHOOK_SECRET, so it stays out of shell history.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "webhooks", help="Tools for webhook consumers (verify a delivery's signature)."
    )
    actions = parser.add_subparsers(dest="webhooks_command", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify",
        help="Verify a delivery: body on stdin, headers as options; exit 0 if valid, 1 if not.",
        description=(
            "Verify a webhook delivery's signature (Standard Webhooks v1). Give the values of "
            "the webhook-id, webhook-timestamp and webhook-signature headers and pipe the raw "
            "request body, byte for byte, on stdin."
        ),
    )
    verify.add_argument(
        "--secret",
        default=os.environ.get("LINKCHECK_WEBHOOK_SECRET"),
        help="the hook's signing secret (whsec_...); default: $LINKCHECK_WEBHOOK_SECRET",
    )
    verify.add_argument("--id", required=True, dest="msg_id", help="the webhook-id header")
    verify.add_argument("--timestamp", required=True, help="the webhook-timestamp header")
    verify.add_argument("--signature", required=True, help="the webhook-signature header")
    verify.add_argument(
        "--tolerance",
        type=int,
        default=300,
        help="max age of the timestamp in seconds (default 300; 0 to skip the check)",
    )
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from ..notify.signing import InvalidSecret, sign, verify

    if not args.secret:
        print("error: give --secret whsec_... (or set LINKCHECK_WEBHOOK_SECRET)", file=sys.stderr)
        return 2
    try:
        sign(args.secret, "probe", 0, b"")  # refuses a malformed secret with a clear message
    except InvalidSecret as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    body = sys.stdin.buffer.read()
    tolerance = args.tolerance if args.tolerance > 0 else None
    if verify(args.secret, args.msg_id, args.timestamp, body, args.signature, tolerance=tolerance):
        print("valid signature")
        return 0
    print(
        "INVALID: the signature does not match this secret, id, timestamp and body "
        "(or the timestamp is outside the tolerance)",
        file=sys.stderr,
    )
    return 1
