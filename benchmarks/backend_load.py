"""Load benchmark of the backend on loopback with PostgreSQL: prints numbers, asserts nothing.

Measures requests/s and latency percentiles of
  GET /api/{user_id}/tasks   (the user has 100 tasks: a database round trip + 100-row JSON)
  GET /api/health            (no database: the floor of the stack)
and their ratios: the list's req/s as a share of health's, and p99 over p99.
The app runs as the image runs it (`python -m app`, one uvicorn process) from
the backend's venv, against a throwaway database made on the test PostgreSQL
(tests/env/postgres.sh) and dropped afterwards. Load comes from worker
processes, each a keep-alive HTTP/1.1 client sending one request at a time;
every phase is bounded by time and request count.

    benchmarks/backend_load.py [--duration 10] [--concurrency 4] [--json]

On a 2-core machine client and server share the CPUs: compare runs made on the
same machine, not absolute numbers. The 1-minute load average before and after
the run is printed with the set-up: other work on the machine skews them all.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / "apps" / "backend"
CACHE = Path(
    os.environ.get("LOCALDEV_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "localdev-kube"
)
USER = "bench-user"
MAX_REQUESTS_PER_WORKER = 200_000


def fail(message: str) -> None:
    sys.exit(f"backend_load: {message}")


def admin_dsn(cli_value: str | None) -> str:
    if cli_value:
        return cli_value
    dsn_file = CACHE / "postgres" / "dsn"
    if not dsn_file.is_file():
        fail(f"no PostgreSQL DSN ({dsn_file} missing): run tests/env/postgres.sh or pass --database-url")
    return dsn_file.read_text().strip()


def with_database(dsn: str, name: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


def psql(dsn: str, statement: str) -> None:
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", dsn, "-c", statement]
    subprocess.run(command, check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def backend_python() -> str:
    script = str(BACKEND / "scripts" / "test-venv.sh")
    result = subprocess.run([script], check=True, capture_output=True, text=True)
    return str(Path(result.stdout.strip()) / "bin" / "python")


def request(conn: http.client.HTTPConnection, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
    payload = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if payload else {}
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def worker(port: int, path: str, start_at: float, stop_at: float, queue: multiprocessing.Queue) -> None:
    """One client: sequential keep-alive requests until stop_at; sends (latencies, errors)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies: list[float] = []
    errors = 0
    while time.monotonic() < start_at:  # warm-up: same loop, not recorded
        request(conn, "GET", path)
    while len(latencies) < MAX_REQUESTS_PER_WORKER:
        begin = time.perf_counter()
        if time.monotonic() >= stop_at:
            break
        try:
            status = request(conn, "GET", path)[0]
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        latencies.append(time.perf_counter() - begin)
        if status != 200:
            errors += 1
    conn.close()
    queue.put((latencies, errors))


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (Linux /proc); nan elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    port: int, path: str, duration: float, concurrency: int, warmup: float, server_pid: int
) -> dict[str, float]:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    now = time.monotonic()
    start_at, stop_at = now + warmup, now + warmup + duration
    procs = [
        multiprocessing.Process(target=worker, args=(port, path, start_at, stop_at, queue))
        for _worker in range(concurrency)
    ]
    for proc in procs:
        proc.start()
    time.sleep(max(0.0, start_at - time.monotonic()))
    cpu_at_start = cpu_seconds(server_pid)
    results = [queue.get(timeout=warmup + duration + 60) for _proc in procs]
    server_cpu = cpu_seconds(server_pid) - cpu_at_start
    for proc in procs:
        proc.join(10)
    latencies = sorted(value for result in results for value in result[0])
    elapsed = time.monotonic() - start_at if time.monotonic() < stop_at else duration
    return {
        "requests": len(latencies),
        "errors": sum(result[1] for result in results),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p90_ms": percentile(latencies, 90) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "mean_ms": (statistics.fmean(latencies) if latencies else float("nan")) * 1000,
        # The server's CPU time per request: less swayed by other load than req/s (client and server share CPUs).
        "server_cpu_us": server_cpu / len(latencies) * 1e6 if latencies else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per endpoint (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unrecorded load first (default 2)")
    parser.add_argument("--concurrency", type=int, default=4, help="client processes (default 4)")
    parser.add_argument("--tasks", type=int, default=100, help="tasks of the benchmark user (default 100)")
    parser.add_argument("--database-url", help="admin DSN (default: the one tests/env/postgres.sh wrote)")
    parser.add_argument("--log-level", default="warning", help="app LOG_LEVEL (default warning: no access log)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    if not (0 < args.duration <= 300 and 1 <= args.concurrency <= 64 and 0 <= args.tasks <= 10_000):
        fail("keep --duration in (0, 300], --concurrency in [1, 64], --tasks in [0, 10000]")

    load_before = os.getloadavg()[0]
    dsn = admin_dsn(args.database_url)
    database = f"bench_{secrets.token_hex(6)}"
    psql(dsn, f"CREATE DATABASE {database}")
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": with_database(dsn, database),
        "LOG_LEVEL": args.log_level,
    }
    server = subprocess.Popen(
        [backend_python(), "-m", "app"], cwd=BACKEND, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                if request(conn, "GET", "/api/ready")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                fail("the app did not start:\n" + (server.stderr.read().decode() if server.stderr else ""))
            time.sleep(0.2)
        for i in range(args.tasks):
            status = request(conn, "POST", f"/api/{USER}/tasks", {"title": f"task {i}", "description": "x" * 40})[0]
            if status != 201:
                fail(f"seeding failed with HTTP {status}")
        status, body = request(conn, "GET", f"/api/{USER}/tasks")
        if status != 200 or len(json.loads(body)) != args.tasks:
            fail("the task list does not hold the seeded tasks")
        conn.close()

        results = {
            "tasks": measure(port, f"/api/{USER}/tasks", args.duration, args.concurrency, args.warmup, server.pid),
            "health": measure(port, "/api/health", args.duration, args.concurrency, args.warmup, server.pid),
        }
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        psql(dsn, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")

    tasks, health = results["tasks"], results["health"]
    ratios = {
        # The task list's share of the health endpoint's throughput (1.0: as fast as the floor of the stack).
        "rps_tasks_over_health": tasks["rps"] / health["rps"] if health["rps"] else float("nan"),
        "p99_tasks_over_health": tasks["p99_ms"] / health["p99_ms"] if health["p99_ms"] else float("nan"),
        "cpu_tasks_over_health": tasks["server_cpu_us"] / health["server_cpu_us"]
        if health["server_cpu_us"]
        else float("nan"),
    }
    setup = {
        "duration_s": args.duration,
        "concurrency": args.concurrency,
        "tasks": args.tasks,
        "cpus": os.cpu_count(),
        # Other work on the machine skews every figure; the 1-minute load average before and after says how much.
        "loadavg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    if args.json:
        print(json.dumps({"setup": setup, **results, "ratio": ratios}, indent=2))
        return
    print(f"backend load, loopback, PostgreSQL; {setup}")
    columns = ("requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "server CPU µs/req")
    widths = (10, 8, 10, 9, 9, 9, 9, 19)
    print(f"{'endpoint':<28}" + "".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
    for label, row in ((f"GET /api/{{user}}/tasks ({args.tasks})", tasks), ("GET /api/health", health)):
        print(
            f"{label:<28}{row['requests']:>10}{row['errors']:>8}{row['rps']:>10.1f}"
            f"{row['p50_ms']:>9.2f}{row['p90_ms']:>9.2f}{row['p99_ms']:>9.2f}{row['max_ms']:>9.2f}"
            f"{row['server_cpu_us']:>19.0f}"
        )
    print(
        f"tasks/health req/s: {ratios['rps_tasks_over_health']:.3f}"
        f" (the list serves {ratios['rps_tasks_over_health']:.1%} of the health endpoint's rate)"
    )
    print(
        f"p99: tasks {tasks['p99_ms']:.1f} ms, health {health['p99_ms']:.1f} ms"
        f" (tasks/health {ratios['p99_tasks_over_health']:.1f}) at concurrency {args.concurrency}"
    )
    print(
        f"server CPU per request: tasks {tasks['server_cpu_us']:.0f} µs, health {health['server_cpu_us']:.0f} µs"
        f" (tasks/health {ratios['cpu_tasks_over_health']:.1f})"
    )


if __name__ == "__main__":
    main()
