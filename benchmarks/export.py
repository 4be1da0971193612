"""Benchmark an export: `GET /api/matrx_actions/export` of the showcase app on PostgreSQL, served
by uvicorn as a user runs it, for 10,000 and 100,000 rows, as CSV and as XLSX.

The rows go into a fresh database (made and dropped here) by plain INSERTs; each run then
downloads the export while a thread samples the server's resident memory every 10 ms. Per
format and size, the medians of `--repeat` runs (default 3) of:

- `seconds`: the request's wall clock, first byte of the request to the last of the answer;
- `rows/s`: the rows exported per second of that;
- `first byte`: the seconds until the answer's first byte (XLSX: only once the file is whole);
- `MB`: the size of the file;
- the rows are those whose name holds `Action 000` (the first 10,000) or `Action 00` (all of
  100,000): both sizes go through the same search (`q`);
- `idle RSS`: the server's resident memory after a warm-up export of one row (each format is
  served by a fresh process), and `peak RSS growth`: its highest resident memory during an
  export (sampled every 10 ms), less that. The smaller size runs first, so the larger one's
  growth shows what more rows add: constant memory is the same growth for both.

    python benchmarks/export.py                       # 10,000 and 100,000 rows, 3 repeats
    python benchmarks/export.py --rows 100000 --repeat 5
    python benchmarks/export.py --url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
BACKEND = REPO / "generated" / "backend"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_startup import free_port, rss_mb

OWNER = "bench"
INSERT_BATCH = 5_000


def make_database(admin_url: str) -> tuple[str, str]:
    """A fresh database beside `admin_url`'s: (its URL, its name)."""
    name = f"sg_bench_export_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(admin_url).set(database=name).render_as_string(False), name


def drop_database(admin_url: str, name: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def fill(url: str, rows: int) -> None:
    """The showcase's tables, and `rows` actions of one owner, named `Action 0000000` on."""
    sys.path.insert(0, str(BACKEND))
    from showcase.models import complete_metadata
    from showcase.models.matrx_action import MatrxAction
    from showcase.runtime.db import make_engine

    engine = make_engine(url)
    complete_metadata().create_all(engine)
    kinds = ["prompt", "api_call", "function", "workflow", "navigation"]
    with engine.begin() as connection:
        for start in range(0, rows, INSERT_BATCH):
            connection.execute(
                sa.insert(MatrxAction),
                [
                    {
                        "id": uuid.uuid4(),
                        "name": f"Action {n:07d}: summarise the meeting notes",
                        "description": "Turns the notes of a meeting into a summary, " * 3,
                        "action_type": kinds[n % len(kinds)],
                        "scope": "user",
                        "variable_context_map": {"notes": "context.notes", "n": n},
                        "execution_settings": {"model": "small", "temperature": 0.2},
                        "tags": ["notes", f"t{n % 17}"],
                        "use_count": n % 100,
                        "owner_id": OWNER,
                        "is_system": False,
                    }
                    for n in range(start, min(rows, start + INSERT_BATCH))
                ],
            )
    engine.dispose()


def download(port: int, query: str, pid: int) -> dict[str, float]:
    """One export: its timings, size and the server's peak resident memory during it."""
    peak = [rss_mb(pid)]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/matrx_actions/export?{query}", headers={"X-User-ID": OWNER}
    )
    started = time.perf_counter()
    size = 0
    first = None
    try:
        with urllib.request.urlopen(request, timeout=600) as answer:
            while chunk := answer.read(256 * 1024):
                first = first if first is not None else time.perf_counter() - started
                size += len(chunk)
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{query}: {error.code} {error.read().decode()}") from None
    finally:
        done.set()
        sampler.join()
    elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "first_byte": first or elapsed,
        "mb": size / 1e6,
        "peak_mb": max(peak[0], rss_mb(pid)),
    }


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """A fresh app process on a free port, once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "showcase.app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=BACKEND,
        env=env,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return server, port
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", default="10000,100000", help="sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    sizes = sorted(int(n) for n in options.rows.split(","))
    url, name = make_database(options.url)
    try:
        fill(url, max(sizes))
        env = {**os.environ, "DATABASE_URL": url, "BULK_WORKER": "off", "ACCESS_LOG": "off"}
        print(f"PostgreSQL, {os.cpu_count()} cores, medians of {options.repeat} runs")
        print(
            f"{'format':<6} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'first byte':>10} "
            f"{'MB':>7} {'idle RSS MB':>11} {'peak RSS growth MB':>19}"
        )
        for fmt in ("csv", "xlsx"):
            server, port = serve(env)  # a process of its own for each format
            try:
                download(port, f"format={fmt}&q=Action%200000000", server.pid)  # warm-up: 1 row
                idle = rss_mb(server.pid)
                for rows in sizes:
                    # "Action 000" is in the names of the first 10,000 rows, "Action 00" of all.
                    prefix = "Action%20" + "0" * (7 - len(str(rows - 1)))
                    query = f"format={fmt}&q={prefix}"
                    runs = [download(port, query, server.pid) for _ in range(options.repeat)]

                    def median(key: str, runs: list[dict[str, float]] = runs) -> float:
                        return statistics.median(run[key] for run in runs)

                    print(
                        f"{fmt:<6} {rows:>8,} {median('seconds'):>8.2f} "
                        f"{rows / median('seconds'):>8,.0f} {median('first_byte'):>10.2f} "
                        f"{median('mb'):>7.1f} {idle:>11.1f} {median('peak_mb') - idle:>19.1f}"
                    )
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        drop_database(options.url, name)


if __name__ == "__main__":
    main()
