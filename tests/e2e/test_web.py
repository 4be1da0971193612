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
import re
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
# The README's pictures of the showcase, taken by its browser suite (e2e/screenshots.spec.ts) and
# written here only when asked, as goldens are: SCHEMAGEN_UPDATE_SCREENSHOTS=1.
SCREENSHOTS = REPO / "docs" / "screenshots"
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

    env = cli_env(
        # The app's request log would fill the pipe below, which nobody reads while it runs.
        ACCESS_LOG="off",
        DATABASE_URL=f"sqlite:///{database}",
        PYTHONDONTWRITEBYTECODE="1",
        WEB_DIST=None,
    )
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
    handlers = {}
    if project == "showcase":
        # The showcase's custom actions as written by hand (the build scaffolds them unwritten):
        # the suite runs them (the due-actions view completes an action).
        shutil.copytree(
            REPO / "generated" / "backend" / "showcase_ext",
            output / "backend" / "showcase_ext",
            dirs_exist_ok=True,
        )
        handlers = {"E2E_HANDLERS": "1"}
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
        pictures = tmp_path / "screenshots"
        suite_seconds, log = npm_run(
            web,
            "test:e2e",
            "--reporter=list,json",  # the list for the log, JSON for the counts
            timeout=SUITE_TIMEOUT,
            WEB_URL=base,
            CHROMIUM=str(CHROMIUM),
            PLAYWRIGHT_JSON_OUTPUT_NAME=str(results),
            SCREENSHOTS_DIR=str(pictures),
            **handlers,
        )
    report = json.loads(results.read_text(encoding="utf-8"))
    stats = report["stats"]
    assert stats["unexpected"] == 0 and stats["flaky"] == 0, log
    assert stats["expected"] > 0, log
    if project == "showcase":
        screenshots(pictures, guard_report)
    timings = "; ".join(annotations(report, "timing"))
    guard_report(
        f"web app, {project}: {stats['expected']} browser tests passed in "
        f"{stats['duration'] / 1000:.1f} s (Chromium; suite run {suite_seconds:.1f} s, "
        f"type-check and Vite build {build_seconds:.1f} s); production bundle {size / 1024:.1f} KiB gzip"
        + (f"; {timings}" if timings else "")
    )


def screenshots(taken: Path, guard_report) -> None:
    """The suite took its pictures (PNGs of its 1280x800 viewport); with
    SCHEMAGEN_UPDATE_SCREENSHOTS=1 they replace docs/screenshots/. The README shows each picture
    there, and every picture it shows is there."""
    pictures = sorted(taken.glob("*.png"))
    assert [p.name for p in pictures][:1] == ["home.png"], "the suite took no screenshots"
    for picture in pictures:
        head = picture.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n", picture
        assert (int.from_bytes(head[16:20]), int.from_bytes(head[20:24])) == (1280, 800), picture
    if os.environ.get("SCHEMAGEN_UPDATE_SCREENSHOTS") == "1":
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
        SCREENSHOTS.mkdir(parents=True)
        for picture in pictures:
            shutil.copy2(picture, SCREENSHOTS / picture.name)
    stale = [
        p.name
        for p in pictures
        if not (SCREENSHOTS / p.name).is_file()
        or (SCREENSHOTS / p.name).read_bytes() != p.read_bytes()
    ]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\(docs/screenshots/([\w.-]+\.png)\)", readme))
    assert shown == {p.name for p in SCREENSHOTS.glob("*.png")}, (
        "README.md shows exactly the pictures in docs/screenshots/"
    )
    guard_report(
        f"README screenshots: {len(pictures)} taken, "
        + (
            f"{len(stale)} differ from docs/screenshots/ ({', '.join(stale)}): SCHEMAGEN_UPDATE_SCREENSHOTS=1 rewrites them"
            if stale
            else "all as in docs/screenshots/"
        )
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


@pytest.mark.parametrize("project", PROJECTS)
def test_the_web_app_is_clean_under_recommended_type_checked_lint(
    project: str, build_project, web_modules: Path, web_node_modules: Path, tmp_path: Path
) -> None:
    """typescript-eslint's recommendedTypeChecked over the whole generated app, as the client and
    the web runtime are linted: its sources, the copied runtime, the browser suite and the build
    and test configuration, each with the type information of the tsconfig that holds it
    (tests/web/eslint.webapp.config.js, run with the web runtime harness's eslint)."""
    built = build_project(project)
    web = shutil.copytree(built.output, tmp_path / "generated") / "web"
    (web / "node_modules").symlink_to(web_modules, target_is_directory=True)
    result = subprocess.run(
        [
            "node",
            str(web_node_modules / "eslint" / "bin" / "eslint.js"),
            "--config",
            str(REPO / "tests" / "web" / "eslint.webapp.config.js"),
            "--max-warnings",
            "0",
            "--format",
            "json",
            ".",
        ],
        cwd=web,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"eslint did not run:\n{result.stdout}{result.stderr}", pytrace=False)
    findings = [
        f"{entry['filePath']}:{message.get('line')}: {message.get('ruleId')}: {message['message']}"
        for entry in report
        for message in entry["messages"]
    ]
    assert result.returncode == 0 and findings == [], "\n".join(findings) or result.stderr
    # Every TypeScript file of the app was read: none is outside both tsconfig files.
    linted = {Path(entry["filePath"]).relative_to(web).as_posix() for entry in report}
    written = {
        path.relative_to(web).as_posix()
        for path in web.rglob("*.ts*")
        if "node_modules" not in path.parts and path.suffix in (".ts", ".tsx")
    }
    assert linted == written
    assert {"src/main.tsx", "src/resources.ts", "e2e/cases.ts", "vite.config.ts"} <= linted
