"""The generator's layers hold: the import-linter contracts of pyproject.toml are kept, and a
breach of the kind they forbid is caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(tmp_path: Path) -> None:
    # The API model reads the IR: a contract putting the IR above the API model must fail, which
    # proves the linter sees the package's imports at all.
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "schemagen"\n\n'
        '[[tool.importlinter.contracts]]\nname = "upside down"\ntype = "layers"\n'
        'layers = ["schemagen.ir", "schemagen.api"]\n',
        encoding="utf-8",
    )
    result = lint_imports(str(config))
    assert result.returncode == 1
    assert "schemagen.api is not allowed to import schemagen.ir" in result.stdout


def test_importing_the_migrations_loads_no_target() -> None:
    code = (
        "import sys, schemagen.migrations.migrate, schemagen.migrations.autodetect;"
        "print(sorted(m for m in sys.modules if m.startswith(('schemagen.targets', 'schemagen.registry'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
