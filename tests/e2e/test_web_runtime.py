"""The web runtime (src/schemagen/runtime_ts/web/) checked where it lives, as any TypeScript source.

It is checked by tsc with its own tsconfig.json (the client runtime's strict options plus JSX),
linted with typescript-eslint's recommendedTypeChecked (tests/ts/eslint.config.js, the client
runtime's config), and unit-tested by tests/web/runtime/*.test.ts(x) under vitest in jsdom with
Testing Library, which finds everything by role and label as the browser suite does. A generated
web app carries these modules as they are, so what passes here is what every app gets.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import REPO, TS_HARNESS, WEB_HARNESS

RUNTIME_TS = REPO / "src" / "schemagen" / "runtime_ts"
TESTS = WEB_HARNESS / "runtime"


def node(root: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", *args], cwd=root, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def root(web_node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runtime (client/ and web/) and the web tests side by side, with the harness's modules."""
    root = tmp_path_factory.mktemp("web_runtime")
    shutil.copytree(RUNTIME_TS, root / "runtime")
    shutil.copytree(TESTS, root / "tests")
    shutil.copy2(TS_HARNESS / "eslint.config.js", root / "eslint.config.js")
    shutil.copy2(WEB_HARNESS / "vitest.config.ts", root / "vitest.config.ts")
    (root / "node_modules").symlink_to(web_node_modules, target_is_directory=True)
    (root / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    config = {"extends": "./runtime/web/tsconfig.json", "include": ["runtime/web", "tests"]}
    (root / "tsconfig.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return root


def test_the_web_runtime_type_checks_strictly_on_its_own(root: Path) -> None:
    flags = json.loads((RUNTIME_TS / "tsconfig.json").read_text(encoding="utf-8"))
    options = flags["compilerOptions"]
    assert options["strict"] and options["noUncheckedIndexedAccess"]
    assert options["exactOptionalPropertyTypes"]
    web = json.loads((RUNTIME_TS / "web" / "tsconfig.json").read_text(encoding="utf-8"))
    assert web["extends"] == "../tsconfig.json"
    tsc = str(root / "node_modules" / "typescript" / "bin" / "tsc")
    result = node(root, tsc, "-p", "runtime/web/tsconfig.json", "--pretty", "false")
    assert result.returncode == 0, f"tsc failed on the web runtime:\n{result.stdout}{result.stderr}"
    # Its tests type-check too, against the runtime as it is.
    result = node(root, tsc, "-p", "tsconfig.json", "--pretty", "false")
    assert result.returncode == 0, f"tsc failed on the web tests:\n{result.stdout}{result.stderr}"


def test_the_web_runtime_is_clean_under_recommended_type_checked_lint(root: Path) -> None:
    eslint = str(root / "node_modules" / "eslint" / "bin" / "eslint.js")
    result = node(root, eslint, "--max-warnings", "0", "runtime/web", "tests")
    assert result.returncode == 0, f"eslint found problems:\n{result.stdout}{result.stderr}"


def test_the_web_runtime_unit_tests_pass(root: Path) -> None:
    vitest = str(root / "node_modules" / "vitest" / "vitest.mjs")
    result = node(root, vitest, "run", "--reporter=verbose", "--coverage.enabled=false")
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"the web runtime's tests failed:\n{output}"
    files = sorted(p.name for p in TESTS.glob("*.test.ts*"))
    assert len(files) >= 5
    for name in files:
        assert f"tests/{name}" in output, f"vitest did not run {name}"
    passed = re.search(r"Tests\s+(\d+) passed", re.sub(r"\x1b\[[0-9;]*m", "", output))
    assert passed is not None and int(passed.group(1)) >= 30, output[-2000:]
    print(f"web runtime: {passed.group(1)} unit tests passed")
