"""`schemagen db upgrade|downgrade|current|history`, `--help` and shell completion, through the
real CLI.

The project's migrations run from another folder (`-C`), on the database the generated app uses:
`DATABASE_URL` (PostgreSQL and MariaDB through the `database_url` fixture), else the app's
default SQLite file beside its backend/ folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, cli_env, run_cli

LIBRARY = REPO / "tests" / "migrations" / "golden" / "library"  # v1, v2, v3 of a small project


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The library project with two revisions, 0001_v1 and 0002_v2."""
    root = tmp_path_factory.mktemp("dx") / "library"
    root.mkdir()
    shutil.copy2(LIBRARY / "schemagen.toml", root / "schemagen.toml")
    for version in ("v1", "v2"):
        shutil.rmtree(root / "schemas", ignore_errors=True)
        shutil.copytree(LIBRARY / version, root / "schemas")
        run_cli("build", cwd=root)
        run_cli("migrate", "-m", version, cwd=root)
    return root


def _db(root: Path, where: Path, *args: str, url: str | None = None, code: int = 0):
    result = run_cli(
        "db", *args, "-C", str(root), cwd=where, env=cli_env(DATABASE_URL=url), check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output
    return result


def test_revision_files_are_named_by_their_ids(migrated: Path) -> None:
    versions = migrated / "generated" / "migrations" / "versions"
    for path in versions.glob("0*.py"):
        assert f'revision = "{path.name[:4]}"' in path.read_text("utf-8")


@pytest.mark.db
@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_upgrade_downgrade_current_history_from_another_folder(
    migrated: Path, tmp_path: Path, dialect: str, database_url
) -> None:
    url = None if dialect == "sqlite" else database_url(dialect)
    default_file = migrated / "generated" / "library.db"
    default_file.unlink(missing_ok=True)
    upgrade = _db(migrated, tmp_path, "upgrade", url=url)
    assert "Running upgrade 0001 -> 0002" in upgrade.stderr
    history = _db(migrated, tmp_path, "history", url=url).stdout
    assert "0001 -> 0002 (head) (current), v2" in history and "<base> -> 0001, v1" in history
    _db(migrated, tmp_path, "downgrade", "0001", url=url)
    assert _db(migrated, tmp_path, "current", url=url).stdout.strip() == "0001"
    # Without DATABASE_URL: the app's default file, beside backend/, never the current folder.
    assert default_file.is_file() == (url is None)
    assert not list(tmp_path.glob("*.db"))


def test_an_unknown_revision_is_a_usage_error(migrated: Path, tmp_path: Path) -> None:
    unknown = _db(migrated, tmp_path, "downgrade", "0009", code=2)
    expected = "Can't locate revision identified by '0009' (revisions: base, 0001, 0002, head)"
    assert expected in unknown.stderr


def test_an_unreachable_database_is_one_line(migrated: Path, tmp_path: Path) -> None:
    result = _db(
        migrated, tmp_path, "upgrade", url="postgresql://someone:secret@127.0.0.1:9/x", code=1
    )
    assert "error: cannot use the database postgresql+psycopg://someone:***@127.0.0.1:9/x" in (
        result.stderr
    )
    assert "secret" not in result.stderr


def test_no_migrations_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    shutil.copy2(LIBRARY / "schemagen.toml", root / "schemagen.toml")
    shutil.copytree(LIBRARY / "v1", root / "schemas")
    result = _db(root, tmp_path, "upgrade", code=1)
    assert "error: no migrations: generated/migrations/alembic.ini does not exist" in result.stderr
    run_cli("build", cwd=root)
    result = _db(root, tmp_path, "current", code=1)
    assert "no migrations yet in generated/migrations/versions/" in result.stderr
    assert "schemagen migrate -m initial" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["init"],
        ["new", "resource"],
        ["validate"],
        ["build"],
        ["check"],
        ["migrate"],
        ["diff"],
        ["erd"],
        ["schema"],
        ["targets"],
        ["db", "upgrade"],
        ["db", "downgrade"],
        ["db", "current"],
        ["db", "history"],
    ],
)
def test_help_shows_flags_as_flags_and_an_example(tmp_path: Path, command: list[str]) -> None:
    env = {**cli_env(), "COLUMNS": "200"}
    env.pop("TERM", None)
    help_text = run_cli(*command, "--help", cwd=tmp_path, env=env).stdout
    assert f"Example: schemagen {' '.join(command)}" in help_text or (
        "Example: DATABASE_URL=" in help_text and command == ["db", "upgrade"]
    )
    assert "<bool>" not in help_text and "<list[" not in help_text, help_text
    if "--project" in help_text:
        assert "-C, --project DIR" in help_text


def _complete(words: str, cwd: Path, shell: str = "bash") -> list[str]:
    """What the installed `schemagen` offers after `words` (as bash or zsh ask it, one word being
    completed at the end), through its console script: the command a shell's completion runs."""
    script = Path(sys.executable).parent / "schemagen"
    env = {**cli_env(), "_SCHEMAGEN_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env |= {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
    result = subprocess.run(
        [str(script)], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0 and not result.stderr, result.stderr
    return result.stdout.split()


def test_shell_completion_offers_commands_targets_resources_and_revisions(
    migrated: Path, tmp_path: Path
) -> None:
    assert os.access(Path(sys.executable).parent / "schemagen", os.X_OK)
    assert _complete("schemagen bu", tmp_path) == ["build"]
    assert _complete("schemagen db ", tmp_path) == ["upgrade", "downgrade", "current", "history"]
    assert _complete("schemagen build -t ty", tmp_path) == ["typescript"]
    assert _complete("schemagen erd --format ", tmp_path) == ["mermaid", "dot", "svg"]
    # From the project's own files: its resources, its migrations' ids, with -C or from inside.
    resources = _complete(f"schemagen seed -C {migrated} --only ", tmp_path)
    assert resources and resources == sorted(resources), resources
    assert _complete("schemagen seed --only ", migrated) == resources
    assert _complete(f"schemagen db downgrade -C {migrated} ", tmp_path) == [
        "0001",
        "0002",
        "base",
        "head",
    ]
    assert _complete("schemagen db upgrade 00", migrated) == ["0001", "0002"]
    # Outside any project there is nothing to offer, and nothing is printed to the shell.
    assert _complete("schemagen seed --only ", tmp_path) == []
    assert "build" in " ".join(_complete("schemagen b", tmp_path, shell="zsh"))


def test_completion_installs_for_a_shell(tmp_path: Path) -> None:
    result = run_cli("--show-completion", "bash", cwd=tmp_path)
    assert "_SCHEMAGEN_COMPLETE=complete_bash" in result.stdout
    env = {**cli_env(), "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    installed = run_cli("--install-completion", "bash", cwd=tmp_path, env=env)
    assert "completion installed" in installed.stdout
    assert "schemagen" in (tmp_path / ".bashrc").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in tmp_path.rglob("*schemagen*") if p.is_file()
    )
