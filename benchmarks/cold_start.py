"""Cold import cost of the api function, next to the floor it cannot avoid and to boto3.

Each figure is the median of several fresh interpreters (``python -c``), timing only the
statement itself (interpreter start-up excluded), so it is what a Lambda cold start pays on top
of the runtime's own boot. Run: ``.venv/bin/python benchmarks/cold_start.py [--runs 7]``.

Goal: importing the api handler costs at most 25% more than the floor (the Powertools resolver
with validation, which loads pydantic, plus httpx, the project's HTTP model; the engine's own
HTTP/1.1 path (``engine/wire.py``) needs only asyncio).

Serving ``/check`` counts the request for the per-key rate limit (a signed DynamoDB
``UpdateItem`` over http.client): the benchmark starts a local moto server with the template's table
for it, so nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

CHECK_EVENT = {
    "version": "2.0",
    "routeKey": "ANY /{proxy+}",
    "rawPath": "/check",
    "rawQueryString": "url=ftp%3A%2F%2Fexample.com%2F",
    "headers": {"host": "localhost"},
    "queryStringParameters": {"url": "ftp://example.com/"},  # answered without any network
    "requestContext": {
        "authorizer": {"lambda": {"tenant": "bench", "key_id": "key_bench"}},
        "http": {"method": "GET", "path": "/check", "protocol": "HTTP/1.1", "sourceIp": "::1"},
        "requestId": "bench",
        "routeKey": "ANY /{proxy+}",
        "stage": "$default",
    },
    "isBase64Encoded": False,
}

FLOOR = (
    "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\n"
    "APIGatewayHttpResolver(enable_validation=True)\n"
    "import httpx"
)

CASES: list[tuple[str, str]] = [
    ("floor: resolver with validation + httpx", FLOOR),
    ("api handler: import linkcheck.handlers.api", "import linkcheck.handlers.api"),
    (
        "api handler: import + serve one /check",
        "import json\nfrom linkcheck.handlers.api import handler\n"
        f"handler(json.loads({json.dumps(json.dumps(CHECK_EVENT))}), None)",
    ),
    ("import boto3", "import boto3"),
    (
        "import boto3 + DynamoDB client",
        "import boto3\nboto3.client('dynamodb', region_name='us-east-1')",
    ),
]

TIMER = """
import time
_wall, _cpu = time.perf_counter(), time.process_time()
exec(compile({statement!r}, "<bench>", "exec"))
print(time.perf_counter() - _wall, time.process_time() - _cpu)
"""


@contextmanager
def local_table() -> Iterator[dict[str, str]]:
    """A moto server with the template's resources; yields the environment that points at it."""
    from linkcheck.local.moto_server import start_moto_server
    from linkcheck.local.resources import create_resources, load_template

    server = start_moto_server()
    fake = {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": server.endpoint,
    }
    saved = {name: os.environ.get(name) for name in fake}
    os.environ.update(fake)
    try:
        template = load_template()
        yield {**fake, **create_resources(template).env(template)}
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()


def run_once(statement: str, env: Mapping[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``statement`` in a fresh interpreter."""
    completed = subprocess.run(
        [sys.executable, "-c", TIMER.format(statement=statement)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    wall, cpu = completed.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def measure(runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) per case; cases take turns so a load change hits them all alike."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in CASES}
    with local_table() as env:
        for _ in range(runs):
            for name, statement in CASES:
                samples[name].append(run_once(statement, env))
    return {
        name: (
            statistics.median(wall for wall, _ in values),
            statistics.median(cpu for _, cpu in values),
        )
        for name, values in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per case")
    args = parser.parse_args()

    results = measure(args.runs)
    floor_wall, floor_cpu = results[CASES[0][0]]
    version = sys.version.split()[0]
    print(f"cold import, median of {args.runs} fresh interpreters (Python {version})")
    print("CPU time is the steadier figure on a busy machine; wall time is what a cold start waits")
    print()
    print(f"{'what':<52} {'CPU ms':>8} {'x floor':>8} {'wall ms':>8} {'x floor':>8}")
    for name, (wall, cpu) in results.items():
        print(
            f"{name:<52} {cpu * 1000:8.0f} {cpu / floor_cpu:8.2f}"
            f" {wall * 1000:8.0f} {wall / floor_wall:8.2f}"
        )
    overhead = results[CASES[1][0]][1] / floor_cpu - 1
    verdict = "met" if overhead <= 0.25 else "NOT met"
    print()
    print(f"our code adds {100 * overhead:.0f}% CPU over the floor (goal: at most 25%): {verdict}")


if __name__ == "__main__":
    main()
