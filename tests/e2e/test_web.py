"""The generated web app in a real browser: built with Vite, served by the generated backend,
driven by its own browser suite (`web/e2e/`, Playwright) in headless Chromium.

Per project: the built output is copied, the pinned packages of tests/webapp are linked in as its
node_modules (`npm ci` there only when the lock changed), `npm run build` type-checks the app and
its suite and writes `web/dist/`, the backend (uvicorn, a fresh SQLite database) serves it at `/`,
and `npm run test:e2e` runs the suite against it. The showcase runs in the normal run; the goldens
with SCHEMAGEN_LONG=1. Counts, times and the bundle's gzip size go to the "guards" summary.

The browser is Debian's Chromium at /usr/bin/chromium (.ci/run installs it): without it the test
skips, and fails with SCHEMAGEN_REQUIRE_DBS=1, as a missing database server does.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import REPO, cli_env, free_port, golden_cases

WEB_HARNESS = REPO / "tests" / "webapp"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
PROJECTS = ["showcase"] + (golden_cases() if os.environ.get("SCHEMAGEN_LONG") == "1" else [])
STARTUP_TIMEOUT = 30  # seconds
SUITE_TIMEOUT = 600  # seconds, the whole browser suite of one project


def _unavailable(reason: str) -> None:
    if os.environ.get("SCHEMAGEN_REQUIRE_DBS") == "1":
        pytest.fail(
            f"{reason} (SCHEMAGEN_REQUIRE_DBS=1: the browser suite must run)", pytrace=False
        )
    pytest.skip(reason)


@pytest.fixture(scope="session")
def web_modules() -> Path:
    """tests/webapp/node_modules as its package-lock.json pins it: `npm ci` only when the lock changed."""
    if not CHROMIUM.is_file():
        _unavailable(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        _unavailable("node and npm are needed to build the web app")
    assert npm is not None
    modules = WEB_HARNESS / "node_modules"
    stamp = modules / ".schemagen-lock.sha256"
    digest = hashlib.sha256((WEB_HARNESS / "package-lock.json").read_bytes()).hexdigest()
    if not (stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == digest):
        started = time.monotonic()
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=WEB_HARNESS,
            env={**os.environ, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(
                f"npm ci in {WEB_HARNESS}:\n{result.stdout}\n{result.stderr}", pytrace=False
            )
        stamp.write_text(digest + "\n", encoding="utf-8")
        print(f"tests/webapp: npm ci took {time.monotonic() - started:.1f} s")
    return modules


def npm_run(web: Path, script: str, *args: str, timeout: float, **env: str) -> tuple[float, str]:
    """`npm run <script> -- <args>` in `web`; its seconds and output. A failure fails the test."""
    started = time.monotonic()
    result = subprocess.run(
        ["npm", "run", "--silent", script, *(["--", *args] if args else [])],
        cwd=web,
        env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"npm run {script} failed in {web}:\n{output}", pytrace=False)
    return time.monotonic() - started, output


def bundle_gzip(dist: Path) -> int:
    """What a browser downloads compressed: the gzip size of every script, style and page."""
    return sum(
        len(gzip.compress(path.read_bytes(), compresslevel=9))
        for path in sorted(dist.rglob("*"))
        if path.suffix in (".js", ".css", ".html")
    )


@contextmanager
def serving(output: Path, package: str, database: Path) -> Iterator[str]:
    """The generated backend under uvicorn on a loopback port, its tables made; its base URL."""
    import httpx

    env = cli_env(DATABASE_URL=f"sqlite:///{database}", PYTHONDONTWRITEBYTECODE="1", WEB_DIST=None)
    subprocess.run(
        [sys.executable, "-c", f"from {package} import db; db.create_tables()"],
        cwd=output / "backend",
        env=env,
        check=True,
        timeout=60,
    )
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            f"{package}.app:app",
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
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                text = process.stdout.read().decode(errors="replace") if process.stdout else ""
                pytest.fail(f"uvicorn did not come up on {base}:\n{text}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.parametrize("project", PROJECTS)
def test_the_browser_suite_passes(
    project: str, build_project, web_modules: Path, tmp_path: Path, guard_report
) -> None:
    import httpx

    built = build_project(project)
    output = shutil.copytree(built.output, tmp_path / "generated")
    [package] = [p.parent.name for p in (output / "backend").glob("*/app.py")]
    web = output / "web"
    (web / "node_modules").symlink_to(web_modules, target_is_directory=True)

    build_seconds, _ = npm_run(web, "build", timeout=300)
    index = (web / "dist" / "index.html").read_text(encoding="utf-8")
    size = bundle_gzip(web / "dist")

    with serving(output, package, tmp_path / "web.db") as base:
        # The backend serves the build at / and keeps its own paths.
        assert httpx.get(f"{base}/").text == index
        assert httpx.get(f"{base}/some/page/of/the/app").text == index
        assert httpx.get(f"{base}/api/no_such_thing").json()["error_code"] == "not_found"

        results = tmp_path / "results.json"
        suite_seconds, log = npm_run(
            web,
            "test:e2e",
            "--reporter=list,json",  # the list for the log, JSON for the counts
            timeout=SUITE_TIMEOUT,
            WEB_URL=base,
            CHROMIUM=str(CHROMIUM),
            PLAYWRIGHT_JSON_OUTPUT_NAME=str(results),
        )
    report = json.loads(results.read_text(encoding="utf-8"))
    stats = report["stats"]
    assert stats["unexpected"] == 0 and stats["flaky"] == 0, log
    assert stats["expected"] > 0, log
    timings = "; ".join(annotations(report, "timing"))
    guard_report(
        f"web app, {project}: {stats['expected']} browser tests passed in "
        f"{stats['duration'] / 1000:.1f} s (Chromium; suite run {suite_seconds:.1f} s, "
        f"type-check and Vite build {build_seconds:.1f} s); production bundle {size / 1024:.1f} KiB gzip"
        + (f"; {timings}" if timings else "")
    )


def annotations(report: object, kind: str) -> list[str]:
    """The descriptions of the report's annotations of one type (the suite's measured times)."""
    found: list[str] = []
    if isinstance(report, dict):
        if report.get("type") == kind and isinstance(report.get("description"), str):
            found.append(report["description"])
        for value in report.values():
            found += annotations(value, kind)
    elif isinstance(report, list):
        for value in report:
            found += annotations(value, kind)
    return list(dict.fromkeys(found))
