"""`linkcheck webhooks verify|replay`: check a delivery's signature; re-send parked deliveries.

    linkcheck webhooks verify --secret whsec_... --id MSG_ID --timestamp TS \
        --signature "v1,..." < body.json

Exit 0 when the signature is valid (and the timestamp fresh), 1 when not, 2 on bad usage.
The secret can also come from LINKCHECK_WEBHOOK_SECRET, so it stays out of shell history.

    linkcheck webhooks replay --dlq URL_OR_NAME --deliveries URL_OR_NAME [--endpoint-url URL]

moves the deliveries parked in the dead-letter queue back to the deliveries queue, each as a
first attempt with its original ``webhook-id`` (``notify/replay.py``); exit 0 when every
message was replayed, 1 when some could not be read (they stay in the dead-letter queue).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "webhooks",
        help="Webhook tools: verify a delivery's signature; replay the dead-letter queue.",
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

    replay = actions.add_parser(
        "replay",
        help="Send the deliveries parked in the dead-letter queue again (same webhook-id).",
        description=(
            "Move every delivery parked in the deliveries dead-letter queue back to the "
            "deliveries queue, as a first attempt (the whole retry schedule again), with its "
            "original webhook-id so receivers can deduplicate. Safe to run again: a message "
            "leaves the dead-letter queue only once its copy is queued. Queues are given by URL "
            "(the stack outputs DeliveriesDeadLetterQueueUrl and DeliveriesQueueUrl) or by name "
            "(linkcheck dev: linkcheck-dev-DeliveriesDeadLetterQueue, "
            "linkcheck-dev-DeliveriesQueue)."
        ),
    )
    replay.add_argument(
        "--dlq",
        default=os.environ.get("DELIVERIES_DLQ_URL"),
        metavar="URL_OR_NAME",
        help="the deliveries dead-letter queue (default: $DELIVERIES_DLQ_URL)",
    )
    replay.add_argument(
        "--deliveries",
        default=os.environ.get("DELIVERIES_QUEUE_URL"),
        metavar="URL_OR_NAME",
        help="the deliveries queue (default: $DELIVERIES_QUEUE_URL)",
    )
    replay.add_argument(
        "--endpoint-url",
        help="SQS endpoint, e.g. the moto server of `linkcheck dev` (http://127.0.0.1:PORT)",
    )
    replay.add_argument("--limit", type=int, default=None, help="replay at most N deliveries")
    replay.add_argument(
        "--dry-run", action="store_true", help="list what would be replayed; change nothing"
    )
    replay.add_argument("--json", action="store_true", help="print JSON instead of text")
    replay.set_defaults(func=run_replay)


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


def run_replay(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from ..notify.replay import replay_dead_letters

    if not args.dlq or not args.deliveries:
        print(
            "error: give --dlq and --deliveries (queue URLs or names; the stack outputs "
            "DeliveriesDeadLetterQueueUrl and DeliveriesQueueUrl)",
            file=sys.stderr,
        )
        return 2
    if args.limit is not None and args.limit < 1:
        print("error: --limit must be 1 or more", file=sys.stderr)
        return 2
    try:
        sqs = _sqs(args.endpoint_url)
        dlq, deliveries = _queue_url(sqs, args.dlq), _queue_url(sqs, args.deliveries)
        report = replay_dead_letters(
            sqs,
            dead_letter_url=dlq,
            deliveries_url=deliveries,
            limit=args.limit,
            dry_run=args.dry_run,
        )
    except (BotoCoreError, ClientError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({**report.as_json(), "dry_run": args.dry_run}, sort_keys=True))
    else:
        verb = "would replay" if args.dry_run else "replayed"
        for delivery in report.replayed:
            print(
                f"{verb} {delivery.event_type} webhook-id {delivery.msg_id} to {delivery.hook_id}"
            )
        print(f"{verb} {len(report.replayed)} deliveries; {len(report.unreadable)} unreadable")
    if report.unreadable:
        print(
            f"warning: {len(report.unreadable)} message(s) are not deliveries and stay in the "
            "dead-letter queue: " + ", ".join(report.unreadable),
            file=sys.stderr,
        )
        return 1
    return 0


def _sqs(endpoint_url: str | None) -> Any:
    import boto3

    from ..aws import client_config

    return boto3.client("sqs", endpoint_url=endpoint_url, config=client_config())


def _queue_url(sqs: Any, given: str) -> str:
    """A queue URL as given, or the URL of the queue of that name."""
    if given.startswith(("https://", "http://")):
        return given
    return str(sqs.get_queue_url(QueueName=given)["QueueUrl"])
