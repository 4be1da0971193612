"""The client runtime (src/schemagen/runtime_ts/) checked where it lives, as any TypeScript source.

It is checked by tsc with its own tsconfig.json (strict, noUncheckedIndexedAccess,
exactOptionalPropertyTypes), linted with typescript-eslint's recommendedTypeChecked
(tests/ts/eslint.config.js), and unit-tested by tests/ts/runtime/*.test.ts, compiled with it and
run by Node's test runner, which prints each runtime module's line coverage. The generated clients
carry these modules as they are (tests/unit/test_client_targets.py), so what passes here is what
every project gets.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import REPO, TS_HARNESS

RUNTIME_TS = REPO / "src" / "schemagen" / "runtime_ts"
TESTS = TS_HARNESS / "runtime"


def node(root: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", *args], cwd=root, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def root(node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runtime and its tests side by side, with the harness's node_modules."""
    root = tmp_path_factory.mktemp("runtime")
    shutil.copytree(RUNTIME_TS, root / "runtime")
    shutil.copytree(TESTS, root / "tests")
    shutil.copy2(TS_HARNESS / "eslint.config.js", root / "eslint.config.js")
    (root / "node_modules").symlink_to(node_modules, target_is_directory=True)
    (root / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    config = {
        "extends": "./runtime/tsconfig.json",
        "compilerOptions": {"noEmit": False, "rootDir": ".", "outDir": "dist", "types": ["node"]},
        "include": ["runtime/client", "tests"],
    }
    (root / "tsconfig.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return root


def test_the_runtime_type_checks_strictly_on_its_own(root: Path) -> None:
    options = json.loads((RUNTIME_TS / "tsconfig.json").read_text(encoding="utf-8"))
    flags = options["compilerOptions"]
    assert flags["strict"] and flags["noUncheckedIndexedAccess"]
    assert flags["exactOptionalPropertyTypes"]
    tsc = str(root / "node_modules" / "typescript" / "bin" / "tsc")
    result = node(root, tsc, "-p", "runtime/tsconfig.json", "--pretty", "false")
    assert result.returncode == 0, f"tsc failed on the runtime:\n{result.stdout}{result.stderr}"


def test_the_runtime_is_clean_under_recommended_type_checked_lint(root: Path) -> None:
    eslint = str(root / "node_modules" / "eslint" / "bin" / "eslint.js")
    result = node(root, eslint, "--max-warnings", "0", "runtime/client")
    assert result.returncode == 0, (
        f"eslint found problems in the runtime:\n{result.stdout}{result.stderr}"
    )


def test_the_runtime_unit_tests_pass(root: Path) -> None:
    tsc = str(root / "node_modules" / "typescript" / "bin" / "tsc")
    compiled = node(root, tsc, "-p", "tsconfig.json", "--pretty", "false")
    assert compiled.returncode == 0, f"tsc failed on the runtime's tests:\n{compiled.stdout}"
    tests = sorted(str(p.relative_to(root)) for p in (root / "dist" / "tests").glob("*.test.js"))
    assert len(tests) == len(list(TESTS.glob("*.test.ts"))) >= 5
    result = node(root, "--test", "--experimental-test-coverage", *tests)
    assert result.returncode == 0, f"the runtime's tests failed:\n{result.stdout}{result.stderr}"
    # Every runtime module with code is exercised by them (the coverage table names each file
    # it saw); forms.ts holds types only.
    for source in sorted((RUNTIME_TS / "client").glob("*.ts")):
        module = source.stem
        if re.search(
            r"^export (const|function|class|async function) ", source.read_text(), re.MULTILINE
        ):
            assert f"{module}.js" in result.stdout, f"no test loads runtime/client/{module}.ts"
    print(coverage_table(result.stdout))


def coverage_table(output: str) -> str:
    """The runtime's rows of Node's coverage report, for the test log."""
    lines = [line for line in output.splitlines() if "runtime/client" in line or "file " in line]
    return "\n".join(lines)
