"""Benchmark the generated app's start-up: how long a synthetic project of N resources takes from
`uvicorn` start to its first answer, and what it costs in memory.

The project is the one `bench.py` builds (same generator, same seed), built once with the real
CLI; its tables are made on a fresh SQLite file. Each repeat then starts uvicorn as a user would
(a new process, bytecode cached after the first run) and measures:

- `import`: `import <package>.app` in a fresh interpreter (python -X importtime's total is
  noisier; this is the wall clock of the import alone);
- `first answer`: spawn of `uvicorn` to the first 200 from `GET /api/<first resource>`;
- `server cpu`: the CPU time (user + system) the server process spent up to that answer, from
  `/proc/<pid>/stat`; on a shared machine it varies far less than the wall clock;
- `rss`: the server's resident memory after that answer.

`--breakdown` also splits the server's CPU time by what it is spent on, each part measured in a
fresh interpreter built the way `app.py` builds the served app (`runtime.routing.long_lived`):
the libraries, the `models` and `schemas` packages (their tables of which module defines which
name: a resource's modules are imported by the first request that names them), the routers
(`api/`: the table of `ModuleRouter`s; the modules are imported by the requests that reach them),
SQLAlchemy's mapper configuration (`create_app()` calls it: the models loaded by then), the rest
of `app.py` and the first request (its resource's router module, service, models and schemas,
its mappers configured and its routes built).

Medians are printed; the issue's budget (a 300-resource app answers in under 2 s) is reported,
never enforced: the machine is shared and noisy.

    python benchmarks/app_startup.py                 # 300 resources, 5 repeats
    python benchmarks/app_startup.py --sizes 10,300 --repeat 3
    python benchmarks/app_startup.py --sizes 300 --repeat 3 --breakdown
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import REPO, SCHEMAGEN, generate_project

BUDGET_FIRST_ANSWER = 2.0  # seconds, issue 11: a 300-resource app answers in under 2 s


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def first_list_path(backend: Path, package: str) -> str:
    document = json.loads((backend / package / "openapi.json").read_text(encoding="utf-8"))
    return next(
        path for path, item in document["paths"].items() if "get" in item and "{" not in path
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    # Fields 14 and 15 of /proc/<pid>/stat (utime, stime) in clock ticks; the command name in
    # field 2 may hold spaces, so count from the closing parenthesis.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(backend: Path, package: str, env: dict[str, str], path: str) -> dict[str, float]:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", f"import {package}.app"], cwd=backend, env=env, check=True
    )
    imported = time.perf_counter() - started
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            f"{package}.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=backend,
        env=env,
    )
    try:
        deadline = started + 120
        while True:
            if time.perf_counter() > deadline or server.poll() is not None:
                raise RuntimeError("the app did not answer within 120 s")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.02)
        answered = time.perf_counter() - started
        memory = rss_mb(server.pid)
        cpu = cpu_seconds(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"import": imported, "first_answer": answered, "server_cpu": cpu, "rss_mb": memory}


# Run in the backend folder: the CPU seconds of each part of the start-up, as JSON on stdout.
BREAKDOWN = """
import asyncio, json, sys, time
cpu = {}
def part(name, work):
    started = time.process_time()
    work()
    cpu[name] = time.process_time() - started
part("libraries", lambda: __import__("fastapi") and __import__("sqlalchemy.orm"))
from PACKAGE.runtime.routing import long_lived
def build():
    part("models", lambda: __import__("PACKAGE.models"))
    part("schemas", lambda: __import__("PACKAGE.schemas"))
    part("routers", lambda: __import__("PACKAGE.api"))
    import sqlalchemy.orm
    part("mappers", sqlalchemy.orm.configure_mappers)
    part("app", lambda: __import__("PACKAGE.app"))
long_lived(build)
from PACKAGE.app import app
async def get(path):
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
             "query_string": b"", "headers": [], "scheme": "http", "http_version": "1.1",
             "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": ""}
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    await app(scope, receive, send)
    assert sent[0]["status"] == 200, sent[0]
part("first request", lambda: asyncio.run(get(sys.argv[1])))
print(json.dumps(cpu))
"""


def breakdown(backend: Path, package: str, env: dict[str, str], path: str) -> dict[str, float]:
    script = BREAKDOWN.replace("PACKAGE", package)
    result = subprocess.run(
        [sys.executable, "-c", script, path],
        cwd=backend,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    parts: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return parts


def bench_size(
    root: Path, count: int, repeat: int, with_breakdown: bool = False
) -> dict[str, float]:
    project = root / f"startup{count}"
    generate_project(project, count)
    subprocess.run([str(SCHEMAGEN), "build"], cwd=project, check=True, stdout=subprocess.DEVNULL)
    backend = project / "generated" / "backend"
    database = project / "startup.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(backend)}
    subprocess.run(
        [sys.executable, "-c", "from bench import db; db.create_tables()"],
        cwd=backend,
        env=env,
        check=True,
    )
    path = first_list_path(backend, "bench")
    measure(backend, "bench", env, path)  # warm: bytecode written, files in the page cache
    runs = [measure(backend, "bench", env, path) for _ in range(repeat)]
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in backend.rglob("*.py"))
    parts: dict[str, float] = {}
    if with_breakdown:
        splits = [breakdown(backend, "bench", env, path) for _ in range(repeat)]
        parts = {f"cpu {key}": statistics.median(s[key] for s in splits) for key in splits[0]}
    return {
        **parts,
        "resources": count,
        "python_lines": lines,
        **{key: statistics.median(run[key] for run in runs) for key in runs[0]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300", help="comma-separated resource counts")
    parser.add_argument("--repeat", type=int, default=5, help="runs per size (default: 5)")
    parser.add_argument(
        "--breakdown", action="store_true", help="also split the server CPU time by part"
    )
    parser.add_argument("--dir", type=Path, default=REPO / ".bench", help="scratch folder")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    print(
        f"{'resources':>9} {'py lines':>9} {'import s':>9} {'first answer s':>15} "
        f"{'server cpu s':>13} {'rss MB':>7}"
    )
    for count in (int(s) for s in args.sizes.split(",") if s.strip()):
        r = bench_size(args.dir.resolve(), count, args.repeat, args.breakdown)
        over = " (over the 2 s budget)" if r["first_answer"] > BUDGET_FIRST_ANSWER else ""
        print(
            f"{r['resources']:>9} {r['python_lines']:>9} {r['import']:>9.2f} "
            f"{r['first_answer']:>15.2f} {r['server_cpu']:>13.2f} {r['rss_mb']:>7.0f}{over}"
        )
        parts = {key[4:]: value for key, value in r.items() if key.startswith("cpu ")}
        if parts:
            print("  server CPU s by part: " + ", ".join(f"{k} {v:.2f}" for k, v in parts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
