"""Engine throughput: `linkcheck check` against lychee on a latency-injected loopback server.

    .venv/bin/python benchmarks/engine_throughput.py [--urls 5000] [--latency-ms 50]
        [--concurrency 128] [--per-host N] [--hosts 8] [--redirect-latency]
        [--skip-lychee] [--server auto|nginx|python]

What it does:
1. starts a latency-injected HTTP server on 127.0.0.2 .. 127.0.0.(1+hosts), one port: nginx with
   the echo module (``echo_sleep``) when installed (``apt-get install -y nginx
   libnginx-mod-http-echo``), otherwise ``benchmarks/latency_server.py`` (uvloop + a raw asyncio
   Protocol). Every 200 and 404 waits ``--latency-ms``; the 301s answer at once (nginx's
   ``return 301``), as in the reference figures (lychee at 97% of the ceiling would be
   impossible if the 250 redirects waited too); ``--redirect-latency`` delays them as well.
2. writes N URLs spread round-robin over the hosts: 80% answer 200, 15% 404, 5% a 301 to a 200.
3. runs ``linkcheck check --file F --json --concurrency C --per-host C
   --allow-private-networks`` and lychee with the same limits (host limits lifted to the same
   concurrency, host request interval and retries lifted), each as a child process.
4. prints wall time, URLs/s, % of the ceiling (concurrency / latency), CPU seconds per 1000
   URLs (the child's rusage, user + sys), the requests the server answered, the status counts
   (which must match the mix exactly) and linkcheck/lychee ratios; then PASS/FAIL per goal.

Only loopback addresses are used. The exit code is 0 when every goal passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ECHO_MODULE = Path("/usr/lib/nginx/modules/ngx_http_echo_module.so")

# The throughput goals (docs/engine.md).
GOAL_CEILING_SHARE = 0.90  # of concurrency / latency
GOAL_WALL_RATIO = 1.10  # linkcheck wall time / lychee's
GOAL_CPU_RATIO = 2.50  # linkcheck CPU per URL / lychee's

OK, BROKEN, REDIRECTED = "ok", "broken (404)", "ok after 301"
KINDS = (OK, BROKEN, REDIRECTED)


# -- the URL mix ------------------------------------------------------------------------------


def url_mix(count: int, hosts: list[str], port: int) -> tuple[list[str], Counter[str]]:
    """``count`` unique URLs, exactly 80/15/5 (rounded down, the rest ok), spread over hosts."""
    broken = count * 15 // 100
    redirected = count * 5 // 100
    kinds = [BROKEN] * broken + [REDIRECTED] * redirected
    kinds += [OK] * (count - len(kinds))
    random.Random(3).shuffle(kinds)  # fixed seed: every run checks the same list
    paths = {OK: "ok", BROKEN: "missing", REDIRECTED: "moved"}
    urls = [
        f"http://{hosts[i % len(hosts)]}:{port}/{paths[kind]}/{i}" for i, kind in enumerate(kinds)
    ]
    return urls, Counter(kinds)


# -- the latency server -----------------------------------------------------------------------


def free_port(hosts: list[str]) -> int:
    """A port free on every host address (checked by binding each)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((hosts[0], 0))
            port = int(probe.getsockname()[1])
        try:
            for host in hosts[1:]:
                with socket.socket() as other:
                    other.bind((host, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no port free on every benchmark address")


NGINX_CONF = """\
load_module {module};
worker_processes 1;  # one core is plenty at ~2.5k req/s; the other is left to the client
daemon off;
{user}
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  default_type text/plain;
  server {{
{listens}
    location /ok/ {{ echo_sleep {latency}; echo "ok"; }}
    location /missing/ {{ echo_sleep {latency}; echo_status 404; echo "missing"; }}
    location ~ ^/moved/(.*)$ {{
      {redirect_sleep}
      add_header Location /ok/$1 always;
      echo_status 301;
      echo "moved";
    }}
  }}
  server {{
    listen {status_host}:{status_port};
    location /status {{ stub_status; }}
  }}
}}
"""


@dataclass
class LatencyServer:
    kind: str
    process: subprocess.Popen[bytes]
    status_host: str
    status_port: int
    status_calls: int = 0

    def served(self) -> tuple[int, int]:
        """(requests answered, connections accepted) so far, the status request excluded."""
        connection = http.client.HTTPConnection(self.status_host, self.status_port, timeout=5)
        try:
            connection.request("GET", "/status")
            text = connection.getresponse().read().decode()
        finally:
            connection.close()
        if self.kind == "python":
            answered, accepted = text.split()
            return int(answered), int(accepted)
        # nginx stub_status: "server accepts handled requests\n A H R"; its counters include
        # every status request made so far (one connection each), this one too.
        self.status_calls += 1
        lines = text.splitlines()
        index = next(i for i, line in enumerate(lines) if line.startswith("server accepts"))
        accepts, _, requests = (int(v) for v in lines[index + 1].split())
        return requests - self.status_calls, accepts - self.status_calls


def nginx_available() -> bool:
    return shutil.which("nginx") is not None and ECHO_MODULE.exists()


def start_nginx(
    workdir: Path, hosts: list[str], port: int, latency_s: float, redirect_latency: bool
) -> LatencyServer:
    status_port = free_port(["127.0.0.1"])
    # As root, nginx would switch workers to a user that may not exist: name one that does.
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    conf = workdir / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            module=ECHO_MODULE,
            user=user,
            dir=workdir,
            listens="\n".join(f"    listen {host}:{port} backlog=4096;" for host in hosts),
            latency=f"{latency_s:.3f}",
            redirect_sleep=f"echo_sleep {latency_s:.3f};" if redirect_latency else "",
            status_host="127.0.0.1",
            status_port=status_port,
        )
    )
    nginx = shutil.which("nginx") or "nginx"
    process = subprocess.Popen(
        [nginx, "-e", str(workdir / "error.log"), "-p", str(workdir), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = LatencyServer("nginx", process, "127.0.0.1", status_port)
    _wait_until_up(server, workdir / "error.log")
    return server


def start_python_server(
    hosts: list[str], port: int, latency_s: float, redirect_latency: bool
) -> LatencyServer:
    process = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("latency_server.py")),
            "--hosts",
            ",".join(hosts),
            "--port",
            str(port),
            "--latency-ms",
            str(latency_s * 1000),
            *(["--redirect-latency"] if redirect_latency else []),
        ],
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != b"ready":
        process.kill()
        process.wait()
        raise RuntimeError("the Python latency server did not start")
    return LatencyServer("python", process, hosts[0], port)


def _wait_until_up(server: LatencyServer, log: Path) -> None:
    for _ in range(100):  # up to ~5 s
        if server.process.poll() is not None:
            errors = log.read_text() if log.exists() else ""
            raise RuntimeError(f"nginx exited at start:\n{errors}")
        try:
            server.served()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not answer on its status port")


@contextmanager
def latency_server(
    choice: str, hosts: list[str], port: int, latency_s: float, redirect_latency: bool = False
) -> Iterator[LatencyServer]:
    with tempfile.TemporaryDirectory(prefix="linkcheck-bench-") as tmp:
        use_nginx = choice == "nginx" or (choice == "auto" and nginx_available())
        if choice == "nginx" and not nginx_available():
            raise SystemExit(
                "nginx with the echo module is missing: apt-get install -y nginx "
                "libnginx-mod-http-echo (or use --server python)"
            )
        server = (
            start_nginx(Path(tmp), hosts, port, latency_s, redirect_latency)
            if use_nginx
            else start_python_server(hosts, port, latency_s, redirect_latency)
        )
        try:
            yield server
        finally:
            server.process.terminate()  # only the process this script started
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


# -- running a checker ------------------------------------------------------------------------


@dataclass
class Run:
    tool: str
    wall_s: float
    cpu_s: float
    requests: int
    connections: int
    counts: Counter[str] = field(default_factory=Counter)
    exit_code: int = 0
    note: str = ""


def run_child(
    command: list[str], output: Path, errors: Path | None = None
) -> tuple[float, float, int]:
    """Run a command to completion: (wall seconds, CPU seconds user+sys, exit code).

    Its stdout goes to ``output``, its stderr to ``errors`` (dropped when None).
    """
    with output.open("wb") as sink, open(errors or os.devnull, "wb") as devnull:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=devnull, cwd=output.parent)
        _, status, usage = os.wait4(process.pid, 0)  # the child's own rusage, threads included
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, process.returncode


def linkcheck_command(
    url_file: Path, concurrency: int, per_host: int, extra: list[str] | None = None
) -> list[str]:
    return [
        str(BIN / "linkcheck"),
        "check",
        "--file",
        str(url_file),
        "--json",
        "--concurrency",
        str(concurrency),
        "--per-host",
        str(per_host),
        "--allow-private-networks",
        *(extra or []),
    ]


def count_linkcheck(output: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in output.read_text().splitlines():
        if not line.strip().startswith("{"):
            continue
        result = json.loads(line)
        status, redirects = result.get("status"), result.get("redirects") or []
        if status == "ok" and not redirects:
            counts[OK] += 1
        elif status == "ok" and [hop["status"] for hop in redirects] == [301]:
            counts[REDIRECTED] += 1
        elif status == "broken" and result.get("http_status") == 404 and not redirects:
            counts[BROKEN] += 1
        else:
            counts[f"other: {status}/{result.get('reason')}"] += 1
    return counts


def lychee_command(url_file: Path, concurrency: int, per_host: int) -> list[str]:
    return [
        str(BIN / "lychee"),
        "--no-progress",
        "--format",
        "json",
        "--max-concurrency",
        str(concurrency),
        "--host-concurrency",
        str(per_host),
        "--host-request-interval",
        "0",  # default 50 ms between requests to one host would cap it far below the ceiling
        "--max-retries",
        "0",  # nothing here is transient; keeps the request count comparable
        "--timeout",
        "30",
        "--accept",
        "200..=299",
        str(url_file),
    ]


def count_lychee(output: Path) -> Counter[str]:
    report = json.loads(output.read_text())
    counts: Counter[str] = Counter()
    redirected = int(report.get("redirects", 0))
    counts[OK] = int(report.get("successful", 0)) - redirected
    counts[REDIRECTED] = redirected
    for entries in (report.get("error_map") or {}).values():
        for entry in entries:
            code = (entry.get("status") or {}).get("code")
            counts[BROKEN if code == 404 else f"other: {code}"] += 1
    for key in ("timeouts", "unknown", "unsupported", "excludes"):
        if report.get(key):
            counts[f"other: {key}"] += int(report[key])
    return +counts


def measure(
    tool: str,
    command: list[str],
    output: Path,
    server: LatencyServer,
    parse: Callable[[Path], Counter[str]],
) -> Run:
    requests_before, connections_before = server.served()
    wall, cpu, code = run_child(command, output)
    requests_after, connections_after = server.served()
    counts: Counter[str] = Counter()
    note = ""
    try:
        counts = parse(output)
    except (ValueError, KeyError) as exc:
        note = f"output not understood: {exc}"
    return Run(
        tool,
        wall,
        cpu,
        requests_after - requests_before,
        connections_after - connections_before,
        counts,
        code,
        note,
    )


def best(runs: list[Run]) -> Run:
    """The fastest run, with the lowest CPU seen (both least disturbed by other load)."""
    fastest = min(runs, key=lambda run: run.wall_s)
    cpu = min(run.cpu_s for run in runs)
    wrong = [run for run in runs if +run.counts != +fastest.counts]
    note = fastest.note or (f"{len(wrong)} other round(s) counted differently" if wrong else "")
    return Run(
        fastest.tool,
        fastest.wall_s,
        cpu,
        fastest.requests,
        fastest.connections,
        fastest.counts,
        fastest.exit_code,
        note,
    )


# -- report -----------------------------------------------------------------------------------


def print_report(
    runs: list[Run], expected: Counter[str], n: int, ceiling: float, args: argparse.Namespace
) -> bool:
    print()
    print(
        f"{n} URLs over {args.hosts} hosts, concurrency {args.concurrency} "
        f"(per host {args.per_host}), latency {args.latency_ms:g} ms, "
        f"ceiling {ceiling:.0f} URL/s; expected " + ", ".join(f"{expected[k]} {k}" for k in KINDS)
    )
    header = f"{'':<11}{'wall s':>8}{'URL/s':>8}{'ceiling':>9}{'CPU s/1k':>10}{'1-core':>8}"
    header += f"{'requests':>9}{'conns':>7}  "
    header += "  ".join(f"{k:>12}" for k in KINDS) + "  other"
    print(header)
    print("-" * len(header))
    for run in runs:
        other = sum(v for k, v in run.counts.items() if k not in KINDS)
        print(
            f"{run.tool:<11}{run.wall_s:>8.2f}{n / run.wall_s:>8.0f}"
            f"{n / run.wall_s / ceiling:>9.1%}{run.cpu_s / n * 1000:>10.3f}"
            f"{n / max(run.cpu_s, 1e-9):>8.0f}{run.requests:>9}{run.connections:>7}  "
            + "  ".join(f"{run.counts[k]:>12}" for k in KINDS)
            + f"  {other}"
        )
        if run.note:
            print(f"{'':<11}{run.note}")
    print(
        "(CPU s/1k: child user+sys seconds per 1000 URLs, start-up included; 1-core: URL/s one "
        "fully busy core would allow at that CPU cost; conns: TCP connections the server accepted)"
    )
    by_tool = {run.tool: run for run in runs}
    ours, theirs = by_tool.get("linkcheck"), by_tool.get("lychee")
    if ours and theirs:
        print(
            f"\nlinkcheck / lychee: wall {ours.wall_s / theirs.wall_s:.2f}x, "
            f"URL/s {theirs.wall_s / ours.wall_s:.2f}x, "
            f"CPU per URL {ours.cpu_s / theirs.cpu_s:.2f}x"
        )
    print()
    verdicts: list[tuple[str, bool]] = []
    for run in runs:
        exact = +run.counts == +expected
        verdicts.append((f"{run.tool}: status counts match the mix exactly", exact))
    if ours:
        share = n / ours.wall_s / ceiling
        verdicts.append(
            (
                f"linkcheck at least {GOAL_CEILING_SHARE:.0%} of the ceiling ({share:.1%})",
                share >= GOAL_CEILING_SHARE,
            )
        )
    if ours and theirs:
        wall = ours.wall_s / theirs.wall_s
        cpu = ours.cpu_s / theirs.cpu_s
        verdicts.append(
            (
                f"linkcheck wall time at most {GOAL_WALL_RATIO:g}x lychee's ({wall:.2f}x)",
                wall <= GOAL_WALL_RATIO,
            )
        )
        verdicts.append(
            (
                f"linkcheck CPU per URL at most {GOAL_CPU_RATIO:g}x lychee's ({cpu:.2f}x)",
                cpu <= GOAL_CPU_RATIO,
            )
        )
    for text, passed in verdicts:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    return all(passed for _, passed in verdicts)


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Engine throughput: linkcheck check vs lychee on a latency-injected server."
    )
    parser.add_argument("--urls", type=int, default=5000, help="URLs to check (default 5000)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="per response (50)")
    parser.add_argument("--concurrency", type=int, default=128, help="total in flight (128)")
    parser.add_argument(
        "--per-host",
        type=int,
        default=0,
        help="per-host limit for both tools (default: the concurrency, i.e. lifted)",
    )
    parser.add_argument("--hosts", type=int, default=8, help="loopback addresses, 1..8 (8)")
    parser.add_argument(
        "--redirect-latency",
        action="store_true",
        help="the 301s wait the latency too (default: they answer at once)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="interleaved rounds; the best is reported (3)"
    )
    parser.add_argument(
        "--linkcheck-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for linkcheck check, repeatable (e.g. --linkcheck-arg=--workers=2)",
    )
    parser.add_argument("--skip-lychee", action="store_true", help="run linkcheck only")
    parser.add_argument("--skip-linkcheck", action="store_true", help="run lychee only")
    parser.add_argument(
        "--server",
        choices=("auto", "nginx", "python"),
        default="auto",
        help="latency server: nginx+echo when installed (auto), or the Python one",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.hosts <= 8:
        parser.error("--hosts must be between 1 and 8 (127.0.0.2 .. 127.0.0.9)")
    if args.urls < 20 or args.concurrency < 1 or args.latency_ms <= 0 or args.repeat < 1:
        parser.error("need --urls >= 20, --concurrency >= 1, --latency-ms > 0, --repeat >= 1")
    if args.per_host < 0:
        parser.error("--per-host must be >= 1 (or 0 for the concurrency)")
    # The reference setup: host limits lifted to the same concurrency for both tools.
    args.per_host = args.per_host or args.concurrency
    return args


def busy_machine_warning() -> str | None:
    """Wall times mean little when other work competes for the cores: say so."""
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0]
    if load < 0.5 * cores:
        return None
    return (
        f"WARNING: load average {load:.1f} on {cores} cores before the run: other processes "
        "compete for CPU, so wall times (and the ceiling share) are pessimistic; CPU per URL "
        "is the figure to trust."
    )


def compile_linkcheck() -> None:
    """Byte-compile the package once, as ``pip install`` does for an installed tool.

    The dev install is editable, and with ``PYTHONDONTWRITEBYTECODE`` set (as on CI machines)
    every run would otherwise compile linkcheck's sources again, which a user never pays.
    """
    import linkcheck

    package = Path(linkcheck.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warning = busy_machine_warning()
    if not args.skip_linkcheck:
        compile_linkcheck()
    hosts = [f"127.0.0.{2 + i}" for i in range(args.hosts)]
    latency_s = args.latency_ms / 1000
    ceiling = args.concurrency / latency_s
    port = free_port(hosts)
    urls, expected = url_mix(args.urls, hosts, port)
    with tempfile.TemporaryDirectory(prefix="linkcheck-bench-run-") as tmp:
        work = Path(tmp)
        url_file = work / "urls.txt"
        url_file.write_text("\n".join(urls) + "\n")
        with latency_server(args.server, hosts, port, latency_s, args.redirect_latency) as server:
            print(f"latency server: {server.kind} on {hosts[0]}..{hosts[-1]}:{port}")
            tools: list[tuple[str, list[str], str, Callable[[Path], Counter[str]]]] = []
            if not args.skip_linkcheck:
                command = linkcheck_command(
                    url_file, args.concurrency, args.per_host, args.linkcheck_arg
                )
                tools.append(("linkcheck", command, "linkcheck.jsonl", count_linkcheck))
            if not args.skip_lychee:
                command = lychee_command(url_file, args.concurrency, args.per_host)
                tools.append(("lychee", command, "lychee.json", count_lychee))
            rounds: list[list[Run]] = []
            for index in range(args.repeat):  # interleaved, so background noise hits both
                print(f"round {index + 1}/{args.repeat}: ", end="", flush=True)
                rounds.append([])
                for tool, command, name, parse in tools:
                    run = measure(tool, command, work / name, server, parse)
                    print(f"{tool} {run.wall_s:.2f} s  ", end="", flush=True)
                    rounds[-1].append(run)
                print()
    runs = [best(list(same)) for same in zip(*rounds, strict=True)]
    passed = print_report(runs, expected, args.urls, ceiling, args)
    warning = warning or busy_machine_warning()
    if warning:
        print(f"\n{warning}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
