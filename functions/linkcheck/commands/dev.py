"""``linkcheck dev``: the whole system on 127.0.0.1, no Docker and no AWS account.

Starts moto in-process with the resources of template.yaml, the HTTP API (API Gateway v2
emulation with the authorizer) on ``--port``, and the pumps that feed the queues, the table
stream and the schedule to the same handlers that run in AWS. As in Lambda, each function runs
in execution environments that are processes, started on demand (up to --max-environments per
function) and reused while warm. Runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import errno
import gc
import logging
import os
import signal
import socket
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import InvalidInput

if TYPE_CHECKING:
    from ..local.stack import DevStack

API_KEY_ENV = "LINKCHECK_DEV_API_KEY"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "dev",
        help="run the whole system locally (moto, HTTP API, sweeps, notifications)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=_port, default=3000, help="HTTP API port (default 3000)")
    parser.add_argument(
        "--api-key",
        default=os.environ.get(API_KEY_ENV) or None,
        metavar="KEY",
        help=f"use this secret as the first API key instead of a generated one "
        f"(default: ${API_KEY_ENV})",
    )
    parser.add_argument("--tenant", default="dev", help="tenant of the first key (default dev)")
    parser.add_argument(
        "--allow-private-networks",
        action="store_true",
        help="let this local stack check, and deliver webhooks to, addresses on your own "
        "machine or network (localhost, 10.x, 192.168.x...); off by default, as in AWS",
    )
    parser.add_argument(
        "--sweep-every",
        type=_non_negative,
        default=60.0,
        metavar="SECONDS",
        help="run the scheduled sweep this often instead of the template's rate "
        "(default 60; 0 turns the automatic sweep off)",
    )
    parser.add_argument(
        "--confirm-delay",
        type=int,
        default=None,
        metavar="SECONDS",
        help="delay before a new broken/restricted verdict is re-checked "
        "(CONFIRM_DELAY_SECONDS; default: the template's)",
    )
    parser.add_argument(
        "--moto-port", type=_port, default=0, help="port of the moto server (default: a free one)"
    )
    parser.add_argument(
        "--connect-to",
        action="append",
        default=[],
        metavar="HOST:PORT:ADDR:PORT",
        help="dev only: the api and worker dial ADDR:PORT for HOST:PORT, like "
        "'linkcheck check --connect-to' (e.g. the fixture corpus); repeatable",
    )
    parser.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="dev only: extra trusted CA certificates (PEM) for the api and worker's checks",
    )
    parser.add_argument(
        "--only-connect-to",
        action="store_true",
        help="dev only: refuse every host no --connect-to rule maps (no DNS lookup)",
    )
    parser.add_argument(
        "--max-environments",
        type=_positive,
        default=20,
        metavar="N",
        help="at most N execution environments (processes) per function serve requests at the "
        "same time; more wait for a free one (default 20)",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run every function inside the linkcheck dev process instead (one invocation per "
        "function at a time; lets a debugger stop in a handler)",
    )
    parser.add_argument(
        "--faults",
        metavar="SPEC",
        help="dev only: inject faults, e.g. 'seed=7,dynamodb=0.05,sqs=0.05,sns=0.05,kill=0.02,"
        "skew=2' (AWS calls failing, environments killed mid-batch, skewed clocks; shorter "
        "leases, retries and visibility timeouts so redeliveries happen within the run); "
        "see docs/chaos.md",
    )
    parser.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
    _configure_logging()
    code = run(args)
    # Everything is stopped: skip the interpreter's final garbage collection of moto's
    # in-memory backends, which otherwise delays the exit by seconds.
    gc.freeze()
    return code


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535)")
    return port


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return number


def _non_negative(value: str) -> float:
    number = float(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value} must be 0 or more")
    return number


def run(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    if args.port and not _port_is_free(args.port):
        print(
            f"error: port {args.port} is already in use; pick another with --port", file=sys.stderr
        )
        return 1
    problem = _corpus_problem(args) or _faults_problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    def notify(line: str) -> None:
        print(line, file=out, flush=True)

    # Imported here: the local stack (moto, samtranslator) is for `linkcheck dev` only.
    from ..local.stack import DevStack

    stack = DevStack(
        port=args.port,
        moto_port=args.moto_port,
        api_key=args.api_key,
        tenant=args.tenant,
        allow_private_networks=args.allow_private_networks,
        sweep_every=args.sweep_every or None,
        confirm_delay=args.confirm_delay,
        on_notification=notify,
        prefix="linkcheck-dev",
        connect_to=tuple(args.connect_to),
        ca_bundle=args.ca_bundle,
        only_connect_to=args.only_connect_to,
        environments="in-process" if args.in_process else "process",
        max_environments=args.max_environments,
        faults=args.faults,
    )
    try:
        print("linkcheck dev: starting moto and the local stack...", file=out, flush=True)
        try:
            stack.start()
        except InvalidInput as exc:
            print(f"error: --api-key: {exc.message}", file=sys.stderr)
            return 2
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                print(
                    f"error: port {args.port} is already in use; pick another with --port",
                    file=sys.stderr,
                )
                return 1
            raise
        print(banner(stack, sweep_every=args.sweep_every), file=out, flush=True)
        while not stopping.wait(0.5):
            pass
        print("linkcheck dev: shutting down...", file=out, flush=True)
        return 0
    finally:
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _corpus_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the dev-only --connect-to/--ca-bundle/--only-connect-to, if anything."""
    from ..engine.options import ConnectTo

    for spec in args.connect_to:
        try:
            ConnectTo.parse(spec)
        except ValueError as exc:
            return str(exc)
    if args.only_connect_to and not args.connect_to:
        return "--only-connect-to needs at least one --connect-to rule"
    if args.ca_bundle and not os.path.isfile(args.ca_bundle):
        return f"--ca-bundle: no such file: {args.ca_bundle}"
    return None


def _faults_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with --faults, if anything."""
    if not getattr(args, "faults", None):
        return None
    from ..local.faults import FaultSpec, FaultSpecError

    try:
        FaultSpec.parse(args.faults)
    except FaultSpecError as exc:
        return str(exc)
    return None


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def banner(stack: DevStack, *, sweep_every: float | None) -> str:
    url = stack.base_url
    key = stack.api_key
    lines = [
        "",
        f"linkcheck dev is running (moto at {stack.moto_endpoint}; no AWS, no Docker)",
        "",
        f"  API      {url}",
        f"  Docs     {url}/docs   (OpenAPI: {url}/openapi.json)",
    ]
    if key:
        lines.append(f'  API key  {key}   (tenant "{stack.tenant}"; fix it with --api-key)')
        lines += [
            "",
            "  Try it:",
            f'    curl -H "Authorization: Bearer {key}" "{url}/check?url=https://example.com"',
        ]
    else:
        lines.append("  API key  (not available: the key store is not built yet)")
    lines += ["", "  Running:"]
    lines.append("    HTTP API -> " + ", ".join(_routes(stack)))
    for pump in stack.pumps:
        if pump in stack.schedules:
            every = f"every {sweep_every:g} s" if sweep_every else "only on demand"
            lines.append(f"    {pump.name} ({every}; the template's rate is not used locally)")
        else:
            lines.append(f"    {pump.name}")
    if stack.isolation == "process":
        lines.append(
            f"  Functions run in processes, up to {stack.max_environments} per function at once"
        )
    else:
        lines.append("  Functions run inside this process, one invocation per function at a time")
    not_ready = [name for name, function in stack.functions.items() if not function.ready]
    if not_ready:
        lines.append(f"  Not loadable yet: {', '.join(not_ready)} (see the log above)")
    if stack.connect_to:
        lines += [
            "",
            f"  Dev only: checks dial {len(stack.connect_to)} --connect-to rule(s)"
            + (", every other host refused" if stack.only_connect_to else ""),
        ]
    if stack.fault_spec is not None:
        lines += [
            "",
            f"  Dev only: injecting faults ({stack.fault_spec.render()}); a dead-letter queue",
            "  that fills prints [ops] ALARM. Replay the seed to replay a run (docs/chaos.md).",
        ]
    if stack.allow_private_networks:
        lines += [
            "",
            "  !!! --allow-private-networks is ON: this stack will check, and deliver webhooks",
            "  !!! to, addresses on your own machine and network. Dev only; AWS never does.",
        ]
    lines += ["", "Press Ctrl-C to stop.", ""]
    return "\n".join(lines)


def _routes(stack: DevStack) -> list[str]:
    wiring = stack.wiring
    if wiring is None:
        return []
    described = []
    for route in wiring.routes:
        auth = "public" if route.authorizer is None else f"auth {route.authorizer}"
        described.append(f"{route.route_key} [{auth}]")
    return described


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[dev] %(message)s"))
    dev_log = logging.getLogger("linkcheck.dev")
    if not dev_log.handlers:
        dev_log.addHandler(handler)
    dev_log.setLevel(logging.INFO)
    dev_log.propagate = False
