"""The served contract: schemathesis against the showcase app over HTTP, every check, 0 failures.

The app (the committed showcase in generated/) runs under uvicorn on a loopback port with a
fresh database; schemathesis reads its /openapi.json and runs every phase it has (examples,
coverage, fuzzing, and stateful sequences along the document's links from a create to the
routes of the new row) with `--checks all` plus the hook in contract/schemathesis_hooks.py.
Requests carry X-Tenant-ID and X-User-ID as a client would.

Normal run: SQLite, SCHEMATHESIS_MAX_EXAMPLES cases per operation (default 10, about 6,800 cases over
every operation, the action router included).
Long mode (CI: SCHEMAGEN_LONG=1 in .ci/run): PostgreSQL as well. The counts are printed in the "guards" section of pytest's summary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import SHOWCASE, cli_env, free_port

HERE = Path(__file__).parent / "contract"
LONG = os.environ.get("SCHEMAGEN_LONG") == "1"
DIALECTS = ["sqlite", "postgresql"] if LONG else ["sqlite"]
EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
MIN_CASES = 1000
STARTUP_TIMEOUT = 30  # seconds
RUN_TIMEOUT = 1800  # seconds; the normal run takes about two minutes


def _serve(output: Path, url: str) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    # A change stream lasts a second: schemathesis reads each answer to its end.
    env = cli_env(DATABASE_URL=url, PYTHONDONTWRITEBYTECODE="1", CHANGE_STREAM_SECONDS="1")
    subprocess.run(
        [sys.executable, "-c", "from showcase import db; db.create_tables()"],
        cwd=output / "backend",
        env=env,
        check=True,
        timeout=120,
    )
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "showcase.app:app",
            "--app-dir",
            str(output / "backend"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"uvicorn did not come up on {base}")
        time.sleep(0.1)


@pytest.mark.db
@pytest.mark.parametrize("dialect", DIALECTS)
def test_schemathesis_finds_no_failure(
    dialect: str, database_url, guard_report, tmp_path: Path
) -> None:
    output = shutil.copytree(SHOWCASE / "generated", tmp_path / "generated")
    process, base = _serve(output, database_url(dialect))
    try:
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "--no-color",
                "--config-file",
                str(HERE / "schemathesis.toml"),
                "run",
                f"{base}/openapi.json",
                "--checks",
                "all",
                "-H",
                "X-Tenant-ID: acme",
                "-H",
                "X-User-ID: alice",
                "--max-examples",
                str(EXAMPLES),
                "--workers",
                "1",
                "--seed",
                os.environ.get("SCHEMATHESIS_SEED", "1"),
                "--output-truncate",
                "true",
            ],
            env=cli_env(SCHEMATHESIS_HOOKS="schemathesis_hooks", PYTHONPATH=str(HERE)),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    report = result.stdout + result.stderr
    cases = re.search(r"(\d+) generated", report)
    failures = re.search(r"(\d+) found (\d+) unique failures?", report)
    found = int(failures.group(2)) if failures else 0
    guard_report(
        f"schemathesis on {dialect}: {cases.group(1) if cases else '?'} cases, {found} failures"
        f" ({EXAMPLES} examples per operation)"
    )
    assert cases, report[-3000:]
    assert int(cases.group(1)) >= MIN_CASES, report[-3000:]
    assert result.returncode == 0 and found == 0, report[-12000:]
