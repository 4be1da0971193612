"""The generated backend under ruff (default rules plus FAST, B, ANN401) and `mypy --strict`.

The HTTP layer the fastapi target writes (routers, services, app, auth, db, errors) must be clean;
the counts of every other part (the copied runtime, the Pydantic and SQLAlchemy models, the
generated tests) are reported in the guards summary, so CI shows where the backend stands. The
showcase runs in the normal run; the goldens with SCHEMAGEN_LONG=1.
"""

from __future__ import annotations

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
# What the fastapi target writes: held to zero.
HTTP_LAYER = re.compile(r"^[^/]+/(api/|services/|app\.py|auth\.py|db\.py|errors\.py|__init__\.py)")


def _part(path: str) -> str:
    """What a file of the package is: the HTTP layer, the runtime, models, tests."""
    if HTTP_LAYER.match(path):
        return "http"
    return path.split("/")[1].removesuffix(".py") if "/" in path else path


def _count(lines: list[str], pattern: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in lines:
        match = re.match(pattern, line)
        if match:
            found[_part(match.group(1).replace("\\", "/"))] += 1
    return found


@pytest.fixture(scope="module")
def built(build_project):
    build_project.many(PROJECTS)
    return build_project


@pytest.mark.parametrize("project", PROJECTS)
def test_the_http_layer_is_ruff_and_mypy_strict_clean(project: str, built, guard_report) -> None:
    backend = built(project).output / "backend"
    package = PACKAGES[project]
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
    ruff_counts = _count(ruff_lines, r"^([^:]+):\d+:\d+: ")
    mypy_counts = _count(mypy_lines, r"^([^:]+):\d+: error: ")
    guard_report(
        f"generated backend lint, {project}: ruff {sum(ruff_counts.values())} "
        f"({dict(sorted(ruff_counts.items()))}), mypy --strict {sum(mypy_counts.values())} "
        f"({dict(sorted(mypy_counts.items()))}); the HTTP layer: 0 and 0"
    )
    http_ruff = [line for line in ruff_lines if HTTP_LAYER.match(line.replace("\\", "/"))]
    http_mypy = [line for line in mypy_lines if HTTP_LAYER.match(line.replace("\\", "/"))]
    assert not http_ruff, "\n".join(http_ruff)
    assert not http_mypy, "\n".join(http_mypy)
