"""The generated backend under ruff (default rules plus FAST, B, ANN401) and `mypy --strict`.

The whole package is held to zero: the HTTP layer the fastapi target writes, the copied runtime,
the Pydantic and SQLAlchemy models and the generated tests (`<package>/tests`). The guards
summary shows the counts per part, and pyright's in strict mode beside them (reported, not
asserted). The showcase runs in the normal run; the goldens with SCHEMAGEN_LONG=1.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import golden_cases

PACKAGES = {
    "showcase": "showcase",
    "minimal": "minimal",
    "relations": "library",
    "kitchen_sink": "kitchen_sink",
}
PROJECTS = ["showcase"] + (golden_cases() if os.environ.get("SCHEMAGEN_LONG") == "1" else [])
RUFF = (
    "check",
    "--isolated",
    "--no-cache",
    "--select",
    "E4,E7,E9,F,FAST,B,ANN401",  # ruff's defaults, and the FastAPI, bugbear and Any rules
    "--target-version",
    "py311",
    "--line-length",
    "100",
    "--output-format",
    "concise",
)
# What the fastapi target writes, counted as one part in the report.
HTTP_LAYER = re.compile(r"^[^/]+/(api/|services/|app\.py|auth\.py|db\.py|errors\.py|__init__\.py)")


def _part(path: str) -> str:
    """What a file of the package is: the HTTP layer, the runtime, models, tests."""
    if HTTP_LAYER.match(path):
        return "http"
    return path.split("/")[1].removesuffix(".py") if "/" in path else path


def _findings(lines: list[str], pattern: str) -> list[str]:
    """The package-relative paths of the findings in a tool's output, one per finding."""
    found = []
    for line in lines:
        match = re.match(pattern, line)
        if match:
            found.append(match.group(1).replace("\\", "/"))
    return found


def _by_part(paths: list[str]) -> dict[str, int]:
    return dict(sorted(Counter(_part(path) for path in paths).items()))


def _pyright(backend: Path, package: str, tmp_path: Path) -> str:
    """pyright's strict count for the package, by part; or why it could not run."""
    bin_dir = Path(sys.executable).parent
    pyright = bin_dir / "pyright"
    if not pyright.exists():
        return "not run: pyright is not installed (pip install -e '.[dev]')"
    relative = os.path.relpath(backend, tmp_path)  # pyright takes only relative paths
    config = tmp_path / "pyrightconfig.json"
    config.write_text(
        json.dumps(
            {
                "include": [f"{relative}/{package}"],
                "typeCheckingMode": "strict",
                "executionEnvironments": [{"root": relative}],
                "pythonVersion": "3.11",
            }
        ),
        encoding="utf-8",
    )
    try:
        result = subprocess.run(
            [str(pyright), "-p", str(config), "--pythonpath", sys.executable, "--outputjson"],
            check=False,  # it exits 1 when it finds errors: they are the count reported
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"not run: {error}"
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:  # it could not start (its node package not fetched, ...)
        reason = (result.stderr or result.stdout).strip().splitlines()
        return f"not run (exit {result.returncode}): {reason[-1] if reason else 'no output'}"
    errors = [
        Path(d["file"]).resolve().relative_to(backend.resolve()).as_posix()
        for d in report.get("generalDiagnostics", [])
        if d.get("severity") == "error"
    ]
    return f"{len(errors)} ({_by_part(errors)})"


@pytest.fixture(scope="module")
def built(build_project):
    build_project.many(PROJECTS)
    return build_project


@pytest.mark.parametrize("project", PROJECTS)
def test_the_generated_backend_is_ruff_and_mypy_strict_clean(
    project: str, built, guard_report, tmp_path: Path
) -> None:
    backend = built(project).output / "backend"
    package = PACKAGES[project]
    assert (backend / package / "tests" / "conftest.py").is_file(), "the tests are checked too"
    bin_dir = Path(sys.executable).parent
    ruff = subprocess.run(
        [str(bin_dir / "ruff"), *RUFF, package],
        cwd=backend,
        check=False,  # their findings are the subject: counted below
        capture_output=True,
        text=True,
        timeout=300,
    )
    mypy = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            package,
        ],
        cwd=backend,
        check=False,  # their findings are the subject: counted below
        capture_output=True,
        text=True,
        timeout=900,
    )
    ruff_lines = ruff.stdout.splitlines()
    mypy_lines = mypy.stdout.splitlines()
    ruff_found = _findings(ruff_lines, r"^([^:]+):\d+:\d+: ")
    mypy_found = _findings(mypy_lines, r"^([^:]+):\d+: error: ")
    guard_report(
        f"generated backend lint, {project}: ruff {len(ruff_found)} ({_by_part(ruff_found)}), "
        f"mypy --strict {len(mypy_found)} ({_by_part(mypy_found)}), "
        f"pyright strict {_pyright(backend, package, tmp_path)}"
    )
    assert ruff.returncode in (0, 1) and mypy.returncode in (0, 1), ruff.stderr + mypy.stderr
    assert "error:" not in mypy.stderr, mypy.stderr
    assert not mypy_found, "\n".join(mypy_lines)
    assert not ruff_found, "\n".join(ruff_lines)
