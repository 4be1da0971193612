"""The runtime as source: typed, formatted as generated code is, and copied as it is."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import GOLDEN, REPO

from schemagen import runtime_files
from schemagen.files import RenderedFile
from schemagen.format import format_python

SOURCE = Path(runtime_files.__file__).parent / "runtime"
MODULES = sorted(path.stem for path in SOURCE.glob("*.py"))


def test_mypy_strict_finds_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(SOURCE)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_generated_formatting_leaves_every_module_as_it_is() -> None:
    """Copied modules go through the build's one ruff pass: they must come out unchanged."""
    files = [RenderedFile(f"runtime/{name}.py", runtime_files.source(name)) for name in MODULES]
    for before, after in zip(files, format_python(files), strict=True):
        assert after.content == before.content, f"{before.path}: the generated ruff pass changes it"


def test_modules_import_only_each_other_and_third_parties() -> None:
    for name in MODULES:
        tree = ast.parse(runtime_files.source(name))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert not node.module.startswith("schemagen"), f"{name}: {node.module}"
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                pytest.fail(f"{name}: imports from outside the runtime ({node.module})")
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("schemagen") for a in node.names), name


def test_the_tests_support_needs_nothing_the_backend_lacks() -> None:
    """`testing` is copied by the tests target alone: every module it needs is always there."""
    backend = set(runtime_files.closure(runtime_files.CORE + runtime_files.SEED))
    assert set(runtime_files.closure(("testing",))) - {"testing"} <= backend


def test_the_closure_follows_relative_imports() -> None:
    assert runtime_files.imports("trail") == {"context", "resources"}
    assert "softdelete" in runtime_files.closure(("writes",))
    assert "audit" not in runtime_files.closure(runtime_files.CORE)
    assert "bulk" not in runtime_files.closure(runtime_files.CORE)
    assert "bulk_runs" not in runtime_files.closure(runtime_files.CORE)
    assert "branches" not in runtime_files.closure(runtime_files.CORE)
    assert "exports" not in runtime_files.closure(runtime_files.CORE)  # nor xlsxwriter, then


@pytest.mark.parametrize(
    ("case", "package", "features"),
    [
        ("minimal", "minimal", set()),
        ("relations", "library", {"audit", "bulk", "bulk_runs"}),
        ("kitchen_sink", "kitchen_sink", {"audit", "bulk", "bulk_runs", "branches", "exports"}),
    ],
)
def test_projects_carry_exactly_the_modules_their_features_use(
    case: str, package: str, features: set[str]
) -> None:
    folder = GOLDEN / case / "expected" / "backend" / package / "runtime"
    copied = {path.stem for path in folder.glob("*.py")}
    roots = runtime_files.CORE + runtime_files.SEED + tuple(sorted(features))
    wanted = set(runtime_files.closure(roots))
    assert copied == wanted | {"__init__", "testing"}
    for name in copied:
        text = (folder / f"{name}.py").read_text(encoding="utf-8")
        header, _, body = text.partition("\n")
        assert header == runtime_files.HEADER.format(
            version=runtime_files.__version__, name=f"{name}.py"
        ).rstrip("\n")
        assert body == runtime_files.source(name), f"{case}: runtime/{name}.py is not the source"


def test_the_showcase_records_its_runtime_version() -> None:
    readme = (REPO / "generated" / "README.md").read_text(encoding="utf-8")
    assert f"runtime `{runtime_files.__version__}`" in readme
