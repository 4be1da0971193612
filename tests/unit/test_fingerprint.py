"""The no-op fast path: a recorded build counts as current only while nothing it read has changed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from schemagen import fingerprint
from schemagen.config.paths import locate


def schemagen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemagen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fingerprint") / "shop"
    assert schemagen("init", str(root), cwd=root.parent).returncode == 0
    assert schemagen("build", cwd=root).returncode == 0
    return root


def current(root: Path) -> bool:
    paths = locate(root)
    assert paths is not None
    return fingerprint.unchanged_since_last_build(paths) is not None


def touch(path: Path, text: str = "\n# changed\n") -> bytes:
    old = path.read_bytes()
    path.write_bytes(old + text.encode())
    return old


@pytest.mark.parametrize(
    "relative",
    [
        "schemagen.toml",
        "schemas/task.yaml",
        "generated/backend/shop/models/task.py",
        "generated/.schemagen-manifest.json",
    ],
)
def test_any_input_or_output_change_invalidates_the_record(built: Path, relative: str) -> None:
    assert current(built)
    old = touch(built / relative)
    try:
        assert not current(built)
    finally:
        (built / relative).write_bytes(old)
    assert current(built)


def test_a_new_schema_file_or_a_deleted_output_invalidates_it(built: Path) -> None:
    extra = built / "schemas" / "note.yaml"
    extra.write_text("resource: note\nfields:\n  body: text\n")
    try:
        assert not current(built)
    finally:
        extra.unlink()
    models = built / "generated" / "backend" / "shop" / "models" / "task.py"
    old = models.read_bytes()
    models.unlink()
    try:
        assert not current(built)
    finally:
        models.write_bytes(old)


def test_a_user_template_or_migration_history_invalidates_it(built: Path) -> None:
    assert current(built)
    snapshot = built / "generated" / "migrations" / "snapshot.json"
    snapshot.write_text("{}\n")
    try:
        assert not current(built)
    finally:
        snapshot.unlink()
    assert current(built)


def test_an_interrupted_write_is_never_answered_from_the_record(built: Path) -> None:
    """Even when every file still matches: the full path must recover the output first."""
    assert current(built)
    staging = built / "generated" / ".schemagen-staging"
    staging.mkdir()
    (staging / "0").write_text("a staged file of a killed build\n")
    try:
        assert not current(built)
        result = schemagen("check", cwd=built)
        assert result.returncode == 0 and "undid an interrupted write" in result.stderr
        assert not staging.exists()
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    assert current(built)


def test_check_and_build_answer_from_the_record_and_stay_correct(built: Path) -> None:
    assert "up to date" in schemagen("check", cwd=built).stdout
    old = touch(built / "schemas" / "task.yaml", "  notes: text\n")
    try:
        stale = schemagen("check", cwd=built)
        assert stale.returncode == 1 and "+++ b/" in stale.stdout
    finally:
        (built / "schemas" / "task.yaml").write_bytes(old)
    assert schemagen("check", cwd=built).returncode == 0


def test_a_damaged_record_only_costs_time(built: Path) -> None:
    state = built / fingerprint.STATE_FILE
    old = state.read_bytes()
    state.write_text("{not json")
    try:
        assert not current(built)
        assert schemagen("check", cwd=built).returncode == 0
    finally:
        state.write_bytes(old)


def test_the_entry_point_answers_only_when_that_is_all_there_is_to_say(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(built)
    assert fingerprint.quick_answer("check") == "up to date"
    # No revision yet: `build` also suggests the first migration, so the full CLI must answer.
    assert fingerprint.quick_answer("build") is None
    state_file = built / fingerprint.STATE_FILE
    old = state_file.read_bytes()
    try:
        state = fingerprint.load(locate(built))
        assert state is not None
        state.warnings = [
            {
                "file": "schemas/task.yaml",
                "line": 1,
                "column": 1,
                "path": "",
                "message": "w",
                "level": "warning",
            }
        ]
        fingerprint.record(locate(built), state)
        assert fingerprint.quick_answer("check") is None
    finally:
        state_file.write_bytes(old)
