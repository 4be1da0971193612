"""The fuzzing guard: mutated and hostile schema projects through `validate` and `build`.

Each project from `language.mutated_project()` is written to a folder and run through the CLI's
own entry point (`schemagen.entry.main`, the console script, so exit codes are the real ones) in a forked child of this
process, which has everything imported already: a case costs a fork, not a start-up, and a child
that runs past its time bound is killed and counted as a hang.

Properties: no exit 3 (an internal error) and no traceback; no hang; every build that succeeds
wrote Python that compiles without a warning and JSON and TOML that parse (no NaN or Infinity),
and holds each schema string (the fuzzer's labels, help and descriptions, marked at both ends)
only inside a literal or a comment, as Python's tokenizer and the JSON and TOML readers see it; in
long mode, the TypeScript clients of the successful builds type-check with the pinned tsc in
tests/ts and hold the marked strings only in literals and comments as TypeScript parses them.

`make test` validates FAST_EXAMPLES projects and builds the first FAST_BUILDS valid ones, the same
every run. SCHEMAGEN_FUZZ_EXAMPLES=N fuzzes N (SCHEMAGEN_LONG=1, set by .ci/run: 400), builds every valid one
(or SCHEMAGEN_FUZZ_BUILDS of them) and type-checks their clients. The counts go to the run's
"guards" summary (tests/conftest.py), with the first findings when there are any.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import GUARD_COUNTS, TS_HARNESS, markers_in_python, structured_strings
from hypothesis import HealthCheck, Phase, given, settings
from language import MARKER, mutated_project, write_project

MARKED = re.compile(MARKER)

FAST_EXAMPLES = 100
FAST_BUILDS = 10  # a validate costs a fraction of a second, a build seconds
LONG_EXAMPLES, LONG_BUILDS = 400, 80  # CI's long mode (SCHEMAGEN_LONG=1, set by .ci/run)
_long_run = os.environ.get("SCHEMAGEN_LONG") == "1"
EXAMPLES = int(
    os.environ.get("SCHEMAGEN_FUZZ_EXAMPLES") or (LONG_EXAMPLES if _long_run else FAST_EXAMPLES)
)
LONG = EXAMPLES > FAST_EXAMPLES
BUILDS = int(
    os.environ.get(
        "SCHEMAGEN_FUZZ_BUILDS", LONG_BUILDS if _long_run else EXAMPLES if LONG else FAST_BUILDS
    )
)
# Seconds a command may take before the case counts as a hang: a validate answers in well under a
# second and a build in a few; the bounds leave room for a machine shared by other work.
VALIDATE_BOUND = 30
BUILD_BOUND = 180
MAX_CLIENTS = 60  # clients type-checked in long mode, in one tsc run


@dataclass
class Tally:
    projects: int = 0
    valid: int = 0
    built: int = 0
    python_files: int = 0
    json_files: int = 0
    markers: int = 0  # marked schema strings found in literals or comments
    internal_errors: int = 0
    hangs: int = 0
    failures: list[str] = field(default_factory=list)
    clients: list[Path] = field(default_factory=list)
    tsc: str = "not run (long mode only)"


TALLY = Tally()


@dataclass
class Outcome:
    code: int | None  # None: killed at the time bound
    output: str


def run_bounded(args: list[str], cwd: Path, bound: float) -> Outcome:
    """`schemagen ARGS` in `cwd` through the console script's main() in a forked child, killed
    after `bound` seconds."""
    with tempfile.TemporaryFile() as out:
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            code = 99
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(out.fileno(), 2)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                os.environ.update(NO_COLOR="1", COLUMNS="200", TERM="dumb")
                os.environ.pop("SCHEMAGEN_DEBUG", None)
                os.chdir(cwd)
                sys.argv = ["schemagen", *args]
                from schemagen.entry import main  # the console script, fast paths included

                try:
                    main()
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # noqa: BLE001 - anything main() let through is a finding
                import traceback

                traceback.print_exc()
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)
        deadline = time.monotonic() + bound
        status = None
        while status is None:
            done, raw = os.waitpid(pid, os.WNOHANG)
            if done:
                status = raw
            elif time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            else:
                time.sleep(0.01)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Outcome(os.waitstatus_to_exitcode(status) if status is not None else None, text)


def check(outcome: Outcome, what: str, files: dict) -> bool:
    """Record a finding; True when the command ended with 0 or 1 and printed no traceback."""
    problem = None
    if outcome.code is None:
        TALLY.hangs += 1
        problem = "hang"
    elif outcome.code not in (0, 1) or "Traceback" in outcome.output:
        TALLY.internal_errors += 1
        problem = f"exit {outcome.code}"
    if problem is None:
        return True
    shown = {k: (v if isinstance(v, dict) else repr(v[:300])) for k, v in files.items()}
    TALLY.failures.append(f"{what}: {problem}\n{outcome.output[-3000:]}\n{shown!r:.3000}")
    return False


def check_output(output: Path) -> list[str]:
    """Python that does not compile, JSON that does not parse, and a schema string (the fuzzer's
    marked labels, help and descriptions) outside a literal or a comment, among the built files."""
    problems = []
    for path in sorted(output.rglob("*")):
        name = path.relative_to(output)
        if path.suffix == ".py":
            TALLY.python_files += 1
            try:
                # Warnings too: an invalid escape sequence (`"\\ "`) is a SyntaxWarning today
                # and an error in a later Python. ValueError: a NUL byte, on Python 3.11.
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    compile(path.read_bytes(), str(path), "exec", flags=ast.PyCF_ONLY_AST)
            except (SyntaxError, ValueError, Warning) as exc:
                problems.append(f"{name}: {exc!r}")
                continue
            found, outside = markers_in_python(path.read_text("utf-8"), MARKED)
            TALLY.markers += found
            if outside:
                problems.append(f"{name}: a schema string outside a literal at lines {outside}")
        elif path.suffix in (".json", ".toml"):
            TALLY.json_files += path.suffix == ".json"
            text = path.read_text("utf-8")
            try:
                data = (
                    json.loads(text, parse_constant=_refuse)
                    if path.suffix == ".json"
                    else tomllib.loads(text)
                )
            except ValueError as exc:
                problems.append(f"{name}: {exc}")
                continue
            inside = sum(len(MARKED.findall(s)) for s in structured_strings(data))
            comments = "".join(line for line in text.splitlines() if line.startswith("#"))
            TALLY.markers += inside
            if inside + len(MARKED.findall(comments)) != len(MARKED.findall(text)):
                problems.append(f"{name}: a schema string outside a string value")
    return problems


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    # The same projects every run, CI's included, so a red run can be repeated;
    # SCHEMAGEN_FUZZ_EXPLORE=1 draws new ones.
    derandomize=os.environ.get("SCHEMAGEN_FUZZ_EXPLORE") != "1",
    suppress_health_check=list(HealthCheck),
    # No shrinking: each step is a build, and the failure message shows the whole project.
    phases=[Phase.explicit, Phase.generate],
)
@given(files=mutated_project())
def test_no_schema_project_breaks_validate_or_build(workdir: Path, files: dict) -> None:
    TALLY.projects += 1
    root = Path(tempfile.mkdtemp(dir=workdir))
    try:
        write_project(root, files)
        validated = run_bounded(["validate"], root, VALIDATE_BOUND)
        assert check(validated, "validate", files), TALLY.failures[-1]
        if validated.code != 0:
            return
        TALLY.valid += 1
        if TALLY.valid > BUILDS:
            return
        built = run_bounded(["build"], root, BUILD_BOUND)
        assert check(built, "build", files), TALLY.failures[-1]
        if built.code != 0:
            return
        TALLY.built += 1
        problems = check_output(root / "generated")
        if problems:
            TALLY.failures.append("build wrote broken files:\n" + "\n".join(problems))
        assert not problems, TALLY.failures[-1]
        client = root / "generated" / "client"
        if LONG and client.is_dir() and len(TALLY.clients) < MAX_CLIENTS:
            kept = workdir / "clients" / f"p{len(TALLY.clients)}"
            shutil.copytree(client, kept)
            TALLY.clients.append(kept)
    finally:
        report()
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.skipif(not LONG, reason="long mode only (SCHEMAGEN_FUZZ_EXAMPLES)")
def test_fuzzed_clients_type_check(workdir: Path, node_modules: Path) -> None:
    if not TALLY.clients:
        pytest.skip("no fuzzed project built a client")
    root = workdir / "clients"
    (root / "node_modules").symlink_to(node_modules, target_is_directory=True)
    config = {
        "extends": f"./{TALLY.clients[0].name}/tsconfig.json",
        "compilerOptions": {"noEmit": True, "rootDir": "."},
        "include": [f"{c.name}/src" for c in TALLY.clients],
    }
    (root / "tsconfig.json").write_text(json.dumps(config), encoding="utf-8")
    result = subprocess.run(
        ["node", str(node_modules / "typescript" / "bin" / "tsc"), "-p", "tsconfig.json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if "error TS" in line]
    # Where each marked schema string sits, as the pinned TypeScript parses the file.
    sources = sorted(str(p) for c in TALLY.clients for p in (c / "src").rglob("*.ts"))
    positions = subprocess.run(
        ["node", str(TS_HARNESS / "string_positions.cjs"), MARKER, *sources],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=True,
    )
    found = json.loads(positions.stdout)
    markers = [m for file in found.values() for m in file["markers"]]
    in_code = [
        f"{Path(file).relative_to(root)}:{m['line']}"
        for file, seen in found.items()
        for m in seen["markers"]
        if m["kind"] == "code"
    ]
    TALLY.tsc = (
        f"{len(TALLY.clients)} clients, {len(errors)} tsc errors, {len(markers)} schema strings "
        f"each in a literal or a comment ({len(in_code)} in code)"
    )
    report()
    assert result.returncode == 0, f"tsc on the fuzzed clients:\n{result.stdout[-6000:]}"
    assert not in_code, f"schema strings outside a literal: {in_code[:20]}"


def report() -> None:
    """The counts so far, in the run's "guards" summary; the first findings below them."""
    t = TALLY
    line = (
        f"{t.projects} projects ({t.valid} valid, {t.built} built; {t.python_files} Python and "
        f"{t.json_files} JSON files checked, {t.markers} schema strings in them each inside a "
        f"literal or a comment); internal errors (exit 3 or traceback): "
        f"{t.internal_errors}; hangs: {t.hangs}; TypeScript: {t.tsc}"
    )
    GUARD_COUNTS["schema fuzzing"] = "\n".join([line, *t.failures[:3]])
