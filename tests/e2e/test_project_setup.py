"""A project from `schemagen init` is ready for git, pre-commit, editors and CI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.e2e.test_cli import env, run

REPO = Path(__file__).resolve().parents[2]


def pre_commit(cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit run --all-files` with this venv's schemagen first on PATH (the hooks run the
    environment's schemagen) and a cache of its own."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env(PATH=path, PRE_COMMIT_HOME=str(home)),
        timeout=180,
        check=False,
    )


def test_a_new_project_passes_its_pre_commit_hooks_in_a_fresh_git_repository(tmp_path):
    result = run("init", "shop", cwd=tmp_path)
    root = tmp_path / "shop"
    for name in (".gitignore", ".pre-commit-config.yaml", ".vscode/settings.json"):
        assert f"shop/{name}" in result.stdout
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())
    published = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in config["repos"][0]["hooks"]] == [h["id"] for h in published]
    assert config["repos"][0]["repo"] == str(REPO)
    config_file = root / "schemagen.toml"  # one quick target: the hooks are under test, not it
    config_file.write_text(config_file.read_text().replace('["all"]', '["jsonschema"]'))
    run("build", cwd=root)
    ignored = ["shop.db", "shop.db-wal", "node_modules/x.js", ".venv/bin/python", "m.pyc"]
    for name in ignored:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    assert ".schemagen/resource.schema.json" in tracked and "generated/openapi.json" not in tracked
    assert "generated/jsonschema/task.json" in tracked
    assert not set(ignored) & set(tracked)
    assert not [f for f in tracked if f.startswith(".schemagen/cache/")]

    passed = pre_commit(root, tmp_path / "pre-commit")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "schemagen validate" in passed.stdout and "schemagen check" in passed.stdout

    # An edit without a build: the check hook says generated/ is stale.
    task = root / "schemas" / "task.yaml"
    task.write_text(task.read_text() + "  notes: text\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    failed = pre_commit(root, tmp_path / "pre-commit")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "stale" in failed.stdout


def test_editor_settings_and_scaffolds_point_at_the_language_schema(tmp_path):
    run("init", "shop", cwd=tmp_path)
    root = tmp_path / "shop"
    settings = json.loads((root / ".vscode" / "settings.json").read_text())
    assert settings["yaml.schemas"] == {
        "./.schemagen/resource.schema.json": ["schemas/*.yaml", "schemas/*.yml"]
    }
    run("new", "resource", "note", "--format", "toml", "--fields", "body:text required", cwd=root)
    toml_text = (root / "schemas" / "note.toml").read_text()
    assert toml_text.startswith("#:schema ../.schemagen/resource.schema.json\n")
    assert 'traits = ["timestamps"]\n' in toml_text
    run("new", "resource", "memo", "--fields", "body:text required", cwd=root)
    yaml_text = (root / "schemas" / "memo.yaml").read_text()
    assert yaml_text.startswith(
        "# yaml-language-server: $schema=../.schemagen/resource.schema.json"
    )
    assert "traits: [timestamps]\n" in yaml_text
    assert "3 resource(s) valid" in run("validate", cwd=root).stdout
    workflow = yaml.safe_load((root / ".github" / "workflows" / "schemagen.yml").read_text())
    steps = [step.get("run") for step in workflow["jobs"]["check"]["steps"]]
    assert "schemagen validate" in steps and "schemagen check" in steps
