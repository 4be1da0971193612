"""Redocly CLI's `recommended` ruleset on the generated OpenAPI documents: 0 errors, 0 warnings.

The pinned CLI (tests/redocly/package-lock.json, installed by `npm ci` once per lock) lints the
committed documents, the showcase's and every golden case's (`schemagen check` and the golden
tests prove them current), each copied as openapi.json beside tests/redocly/redocly.yaml and
its ignore file, which names the few places a rule does not fit and why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import GOLDEN, REDOCLY_HARNESS, SHOWCASE, golden_cases

DOCUMENTS = {
    "showcase": SHOWCASE / "generated" / "openapi.json",
    **{case: GOLDEN / case / "expected" / "openapi.json" for case in golden_cases()},
}


@pytest.mark.parametrize("project", sorted(DOCUMENTS))
def test_redocly_recommended_finds_nothing(
    project: str, redocly_modules: Path, guard_report, tmp_path: Path
) -> None:
    for name in ("redocly.yaml", ".redocly.lint-ignore.yaml"):
        shutil.copy(REDOCLY_HARNESS / name, tmp_path / name)
    shutil.copy(DOCUMENTS[project], tmp_path / "openapi.json")
    result = subprocess.run(
        [str(redocly_modules / ".bin" / "redocly"), "lint", "openapi.json", "--format", "json"],
        cwd=tmp_path,
        # No telemetry, no update check: the run asks nothing of the network.
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(result.stdout)
    totals = report["totals"]
    guard_report(
        f"redocly recommended on {project}: {totals['errors']} errors, {totals['warnings']}"
        f" warnings, {totals['ignored']} ignored"
    )
    problems = [
        f"{p['severity']} {p['ruleId']}: {p['message']} at {p['location'][0]['pointer']}"
        for p in report["problems"]
        if p["severity"] in ("error", "warn")
    ]
    assert totals["errors"] == 0 and totals["warnings"] == 0, "\n".join(problems)
    assert result.returncode == 0, result.stderr[-3000:]
