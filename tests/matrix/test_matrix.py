"""The feature matrix: every pair of language features, built and run with its own suite.

`features.all_pairs()` gives the rows (see features.py); each row is a schema project that the
real CLI builds and migrates (`schemagen migrate -m initial`, so the suite runs on the
migrations, not on create_all), that `schemagen check` then finds up to date, and whose generated
pytest suite must pass on a fresh database. The normal run uses SQLite; SCHEMAGEN_LONG=1 (set by
.ci/run) runs every project on all three databases; SCHEMAGEN_MATRIX_DIALECTS=a,b chooses.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from features import (
    FACTORS,
    REFUSALS,
    Project,
    Refusal,
    all_pairs,
    covered_pairs,
    project_files,
    refused_pairs,
    row_name,
)
from helpers import DIALECTS, GUARD_COUNTS, pytest_generated, run_cli

ROWS = all_pairs()
PROJECTS = [project_files(row_name(i, row), row) for i, row in enumerate(ROWS)]
SUITE_TIMEOUT = 600  # seconds; a matrix project's suite takes a few on SQLite

# What the run did, for the terminal summary (conftest.py prints it).
TESTS_RUN: Counter[str] = Counter()
PROJECTS_RUN: Counter[str] = Counter()


def matrix_dialects() -> tuple[str, ...]:
    default = ",".join(DIALECTS) if os.environ.get("SCHEMAGEN_LONG") == "1" else "sqlite"
    value = os.environ.get("SCHEMAGEN_MATRIX_DIALECTS", default)
    dialects = tuple(d.strip() for d in value.split(",") if d.strip())
    unknown = set(dialects) - set(DIALECTS)
    if unknown:
        raise pytest.UsageError(f"SCHEMAGEN_MATRIX_DIALECTS: unknown {sorted(unknown)}")
    return dialects


def write_project(project: Project, root: Path) -> Path:
    folder = root / project.name
    for relative, text in project.files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def build_and_migrate(folder: Path) -> Path:
    run_cli("build", cwd=folder)
    run_cli("migrate", "-m", "initial", cwd=folder)
    run_cli("check", cwd=folder)
    return folder


@pytest.fixture(scope="session")
def matrix_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every matrix project written, built and migrated once, two at a time."""
    root = tmp_path_factory.mktemp("matrix")
    folders = [write_project(p, root) for p in PROJECTS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        built = list(pool.map(build_and_migrate, folders))
    return {p.name: folder for p, folder in zip(PROJECTS, built, strict=True)}


def test_the_rows_cover_every_allowed_pair() -> None:
    """The generator's promise, checked independently of how it searches."""
    names = list(FACTORS)
    wanted = {
        (a, x, b, y)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        for x in FACTORS[a]
        for y in FACTORS[b]
    }
    refused = refused_pairs()
    assert covered_pairs(ROWS) == wanted - refused
    assert not any(refusal.matches(row) for row in ROWS for refusal in REFUSALS)
    assert len(ROWS) < 60, "the matrix grew: check the generator before paying for it in CI"


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
def test_a_refused_combination_is_a_clean_error(refusal: Refusal, tmp_path: Path) -> None:
    project = project_files("refused", refusal.example(ROWS[0]))
    folder = write_project(project, tmp_path)
    result = run_cli("validate", cwd=folder, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert refusal.reason in output
    assert "schemas/" in output  # names the file
    assert "Traceback" not in output


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_generated_suite_passes(
    project: Project, matrix_builds: dict[str, Path], database_url, tmp_path: Path
) -> None:
    """The project's own suite on each dialect, the dialects side by side (each its own database)."""
    dialects = matrix_dialects()
    urls = {dialect: database_url(dialect) for dialect in dialects}

    def run(dialect: str) -> subprocess.CompletedProcess[str]:
        copy = shutil.copytree(
            matrix_builds[project.name] / "generated", tmp_path / dialect / "generated"
        )
        return pytest_generated(copy, urls[dialect], SUITE_TIMEOUT)

    with ThreadPoolExecutor(max_workers=len(dialects)) as pool:
        results = dict(zip(dialects, pool.map(run, dialects), strict=True))
    failures = []
    for dialect, result in results.items():
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        passed = re.search(r"(\d+) passed", summary)
        if result.returncode != 0 or not passed:
            failures.append(
                f"--- {dialect}: {summary}\n{result.stdout[-5000:]}\n{result.stderr[-1500:]}"
            )
            continue
        TESTS_RUN[dialect] += int(passed.group(1))
        PROJECTS_RUN[dialect] += 1
    GUARD_COUNTS["feature matrix"] = (
        f"{len(PROJECTS)} projects cover every pair of {len(FACTORS)} features; "
        + ", ".join(
            f"{d}: {PROJECTS_RUN[d]} projects, {TESTS_RUN[d]} generated tests passed"
            for d in sorted(PROJECTS_RUN)
        )
    )
    assert not failures, f"{project.name}\nrow: {project.row}\n" + "\n".join(failures)
