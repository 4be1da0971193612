"""Benchmark `schemagen watch`: how long after a save one resource of a warm project is rebuilt.

Starts the real `schemagen watch` on bench.py's synthetic project, waits for its first build, then
edits one resource `--repeat` times (a new label and one more field, as bench.py's `edit_build`)
and times each save to the `rebuilt in` line (the wall clock, the watcher's quiet period
included), beside the time the watcher itself reports and its CPU time (Linux: /proc). Medians are printed; the budget (100
resources: 0.5 s once warm) is reported, never enforced.

    python benchmarks/watch.py                          # 100 resources, every target, 7 edits
    python benchmarks/watch.py --targets jsonschema,sqlalchemy --repeat 9
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import bench

BUDGET_MS = 500.0
QUIET_MS = 50
REPORTED = re.compile(r"rebuilt in (\d+\.\d+) s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100, help="resources (default 100)")
    parser.add_argument("--repeat", type=int, default=7, help="edits to time (default 7)")
    parser.add_argument("--targets", default="all", help="comma-separated (default: all)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    bench.TARGETS[:] = [t.strip() for t in args.targets.split(",") if t.strip()]

    scratch = bench.REPO / ".bench"
    root = scratch / f"watch-{args.size}"
    specs = bench.generate_project(root, args.size)
    variant = bench.Variant("current", scratch)
    # SIGINT handled while the watch starts, so it gets the default (Ctrl-C stops it) even when
    # this runs in the background of a non-interactive shell, which ignores SIGINT.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [str(bench.SCHEMAGEN), "watch", "--quiet-ms", str(QUIET_MS)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**variant.env, "NO_COLOR": "1"},
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()

    def until(text: str) -> str:
        while True:
            try:
                line = lines.get(timeout=600)
            except queue.Empty:
                sys.exit(f"schemagen watch printed no {text!r} within 600 s")
            if "build failed" in line or line.startswith(("error ", "internal error")):
                sys.exit(f"schemagen watch: {line}")
            if text in line:
                return line

    def cpu_ms() -> float:
        """The watcher's CPU time so far, user + system, its finished children (ruff) included:
        on a shared machine it varies far less than the wall clock."""
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) * 1000 / os.sysconf("SC_CLK_TCK")

    wall: list[float] = []
    cpu: list[float] = []
    reported: list[float] = []
    try:
        started = time.perf_counter()
        until("watching for changes")
        first_ms = (time.perf_counter() - started) * 1000
        for round_ in range(args.repeat):
            before = cpu_ms()
            bench.edit_resource(root, specs, round_)
            saved = time.perf_counter()
            line = until("rebuilt in")
            wall.append((time.perf_counter() - saved) * 1000)
            cpu.append(cpu_ms() - before)
            match = REPORTED.search(line)
            assert match is not None, line
            reported.append(float(match[1]) * 1000)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        shutil.rmtree(root, ignore_errors=True)

    result = {
        "size": args.size,
        "targets": bench.TARGETS,
        "start_and_first_build_ms": round(first_ms, 1),
        "save_to_rebuilt_median_ms": round(statistics.median(wall), 1),
        "reported_median_ms": round(statistics.median(reported), 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "quiet_ms": QUIET_MS,
        "runs_ms": [round(ms, 1) for ms in wall],
        "budget_ms": BUDGET_MS,
        "within_budget": statistics.median(wall) <= BUDGET_MS,
        "cpu_within_budget": statistics.median(cpu) <= BUDGET_MS,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
