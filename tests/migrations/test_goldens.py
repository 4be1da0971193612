"""Golden revisions: what `schemagen migrate` writes for a small evolution, byte for byte.

`tests/migrations/golden/<case>/` holds `schemagen.toml`, one folder of schemas per version
(`v1/`, `v2/`, ...) and `expected/`: the revisions and snapshot.json that the real CLI writes
when the versions are migrated in order (with --accept-data-loss where the version's first
schema comment says "accepted"). `make goldens` (SCHEMAGEN_UPDATE_GOLDENS=1) rewrites expected/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import REPO, read_tree, tree_difference, write_tree
from typer.testing import CliRunner

from schemagen.cli import app

GOLDEN = REPO / "tests" / "migrations" / "golden"
CASES = sorted(p.parent.name for p in GOLDEN.glob("*/schemagen.toml"))


def migrate_versions(case: Path, root: Path) -> dict[str, bytes]:
    """Migrate every version of `case` in a copy at `root`; the files migrate wrote."""
    root.mkdir(parents=True)
    shutil.copy2(case / "schemagen.toml", root / "schemagen.toml")
    for version in sorted(p for p in case.glob("v*") if p.is_dir()):
        shutil.rmtree(root / "schemas", ignore_errors=True)
        shutil.copytree(version, root / "schemas")
        accept = any(
            "accepted" in p.read_text(encoding="utf-8").split("\n", 1)[0]
            for p in version.glob("*.yaml")
        )
        # The real command, in this process: the e2e tests run it as a program.
        result = CliRunner().invoke(
            app,
            [
                "migrate",
                "-C",
                str(root),
                "-m",
                version.name,
                *(["--accept-data-loss"] if accept else []),
            ],
        )
        assert result.exit_code == 0, f"{case.name} {version.name}: {result.output}"
    tree = read_tree(root / "generated" / "migrations")
    return {
        path: data
        for path, data in tree.items()
        if path == "snapshot.json" or path.startswith("versions/")
    }


def test_there_are_cases() -> None:
    assert CASES


@pytest.mark.parametrize("name", CASES)
def test_revisions_match_expected(name: str, tmp_path: Path) -> None:
    case = GOLDEN / name
    actual = migrate_versions(case, tmp_path / name)
    if os.environ.get("SCHEMAGEN_UPDATE_GOLDENS") == "1":
        write_tree(case / "expected", actual)
    difference = tree_difference(read_tree(case / "expected"), actual)
    assert not difference, (
        f"{name}: the revisions differ from tests/migrations/golden/{name}/expected (run `make goldens` after an intended change)\n{difference}"
    )
