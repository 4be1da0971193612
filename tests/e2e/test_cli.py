"""The real `schemagen` console script, run as a subprocess in projects under tmp_path.

Exit codes (DESIGN §3): 0 ok; 1 user error, invalid schemas or stale output; 2 usage error;
3 internal error with a one-line hint. No command ever prints a Python traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import schemagen

SCHEMAGEN = Path(sys.executable).with_name("schemagen")
TIMEOUT = 120

BOOK = """\
resource: book
traits: [timestamps]
fields:
  title: string(200) required
  author: {type: relation, to: author, required: true}
  status: {type: enum, values: [draft, published], default: draft}
"""
AUTHOR = "resource: author\nfields:\n  name: string(100) required\n"


def env(**extra: str) -> dict[str, str]:
    values = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SCHEMAGEN_DEBUG", "FORCE_COLOR", "CLICOLOR_FORCE")
    }
    values.update(NO_COLOR="1", COLUMNS="200", **extra)
    return values


def run(
    *args: str, cwd: Path, code: int | None = 0, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """Run `schemagen *args` in `cwd`; check the exit code and that no traceback was printed."""
    result = subprocess.run(
        [str(SCHEMAGEN), *args],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env(**extra_env),
        timeout=TIMEOUT,
    )
    output = f"$ schemagen {' '.join(args)}\n--- exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    if "SCHEMAGEN_DEBUG" not in extra_env:
        assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, output
    if code is not None:
        assert result.returncode == code, output
    return result


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, except schemagen's own cache (not output)."""
    files = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}
    return {
        name: p.read_bytes()
        for name, p in files.items()
        if not name.startswith(".schemagen/cache/")
    }


def write_schema(project: Path, name: str, text: str) -> Path:
    path = project / "schemas" / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project made by `init`, with book and author added, built once for the module."""
    root = tmp_path_factory.mktemp("cli") / "acme"
    run("init", str(root), cwd=root.parent)
    write_schema(root, "book.yaml", BOOK)
    write_schema(root, "author.yaml", AUTHOR)
    run("build", cwd=root)
    return root


@pytest.fixture
def project(built_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built project."""
    root = tmp_path / "acme"
    shutil.copytree(built_template, root)
    return root


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli-fresh") / "shop"
    run("init", str(root), cwd=root.parent)
    return root


@pytest.fixture
def fresh(fresh_template: Path, tmp_path: Path) -> Path:
    """A copy of a project made by `init`, not built."""
    root = tmp_path / "shop"
    shutil.copytree(fresh_template, root)
    return root


# --- basics ---------------------------------------------------------------------------------------


def test_version(tmp_path):
    result = run("--version", cwd=tmp_path)
    assert result.stdout.strip() == f"schemagen {schemagen.__version__}"


def test_help_lists_every_command(tmp_path):
    result = run("--help", cwd=tmp_path)
    for command in (
        "init",
        "new",
        "validate",
        "build",
        "check",
        "diff",
        "erd",
        "schema",
        "targets",
    ):
        assert command in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["init"],
        ["new"],
        ["new", "resource"],
        ["validate"],
        ["build"],
        ["check"],
        ["diff"],
        ["erd"],
        ["schema"],
        ["targets"],
    ],
)
def test_every_command_has_help(tmp_path, command):
    result = run(*command, "--help", cwd=tmp_path)
    assert "Usage:" in result.stdout


def test_no_arguments_shows_usage(tmp_path):
    result = run(cwd=tmp_path, code=2)
    assert "Usage:" in result.stdout + result.stderr


def test_unknown_command_is_a_usage_error(tmp_path):
    result = run("bogus", cwd=tmp_path, code=2)
    assert "No such command 'bogus'" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("args", [["build", "--bogus"], ["--bogus"]])
def test_unknown_option_is_a_usage_error(tmp_path, args):
    result = run(*args, cwd=tmp_path, code=2)
    assert "No such option" in result.stderr
    assert "internal error" not in result.stderr


def test_bad_option_value_is_a_usage_error(fresh):
    result = run("new", "resource", "book", "--format", "json", cwd=fresh, code=2)
    assert "--format" in result.stderr
    assert not (fresh / "schemas" / "book.json").exists()


@pytest.mark.parametrize("command", ["validate", "build", "new resource book"])
def test_missing_project_exits_2_with_a_hint(tmp_path, command):
    result = run(*command.split(), cwd=tmp_path, code=2)
    assert "no schemagen.toml found" in result.stderr
    assert "schemagen init" in result.stderr


def test_project_option_from_another_folder(project, tmp_path):
    result = run("validate", "--project", str(project), cwd=tmp_path)
    assert "3 resource(s) valid" in result.stdout
    run("check", "-C", str(project / "schemas"), cwd=tmp_path)  # finds the project above


def test_targets_lists_the_built_in_targets(tmp_path):
    result = run("targets", cwd=tmp_path)
    assert "jsonschema" in result.stdout and "sqlalchemy" in result.stdout


# --- init -----------------------------------------------------------------------------------------


def test_init_creates_a_project_that_builds_and_checks_clean(tmp_path):
    result = run("init", "shop", cwd=tmp_path)
    root = tmp_path / "shop"
    for name in (
        "schemagen.toml",
        "schemas/task.yaml",
        "README.md",
        ".schemagen/resource.schema.json",
    ):
        assert (root / name).is_file(), name
        assert name in result.stdout
    assert (
        (root / "schemas" / "task.yaml")
        .read_text()
        .startswith("# yaml-language-server: $schema=../.schemagen/resource.schema.json\n")
    )
    run("validate", cwd=root)
    built = run("build", cwd=root)
    assert "create" in built.stdout
    assert (root / "generated" / ".schemagen-manifest.json").is_file()
    assert (root / "generated" / "backend" / "shop" / "models" / "task.py").is_file()
    assert (root / "generated" / "jsonschema" / "task.json").is_file()
    assert "up to date" in run("check", cwd=root).stdout


@pytest.mark.parametrize("folder", ["json", "typing", "class"])
def test_init_in_a_folder_named_like_a_module_or_keyword_gives_a_valid_package(tmp_path, folder):
    run("init", folder, cwd=tmp_path)
    config = (tmp_path / folder / "schemagen.toml").read_text()
    assert f'package = "{folder}_app"' in config
    run("validate", cwd=tmp_path / folder)


def test_init_in_the_current_folder(tmp_path):
    run("init", cwd=tmp_path)
    assert (tmp_path / "schemagen.toml").is_file()


def test_init_keeps_an_existing_readme(tmp_path):
    (tmp_path / "README.md").write_text("mine\n")
    run("init", ".", cwd=tmp_path)
    assert (tmp_path / "README.md").read_text() == "mine\n"


def test_init_into_a_project_exits_1(fresh):
    before = tree(fresh)
    result = run("init", str(fresh), cwd=fresh.parent, code=1)
    assert "already holds a project" in result.stderr
    assert tree(fresh) == before


# --- new resource ---------------------------------------------------------------------------------


def test_new_resource_with_fields_validates(fresh):
    result = run(
        "new",
        "resource",
        "book",
        "--fields",
        "title:string(200) required, price:decimal(10,2)",
        cwd=fresh,
    )
    assert "created schemas/book.yaml" in result.stdout
    text = (fresh / "schemas" / "book.yaml").read_text()
    assert "resource: book\n" in text
    assert "title: string(200) required\n" in text
    assert "price: decimal(10,2)\n" in text
    assert "2 resource(s) valid" in run("validate", cwd=fresh).stdout


def test_new_resource_toml_validates(fresh):
    result = run(
        "new",
        "resource",
        "invoice_line",
        "--format",
        "toml",
        "--fields",
        "qty:integer required, amount:decimal(12,2), note:text",
        cwd=fresh,
    )
    assert "created schemas/invoice_line.toml" in result.stdout
    text = (fresh / "schemas" / "invoice_line.toml").read_text()
    assert 'resource = "invoice_line"' in text
    assert 'amount = "decimal(12,2)"' in text
    assert "2 resource(s) valid" in run("validate", cwd=fresh).stdout


def test_new_resource_without_fields_gets_a_name(fresh):
    run("new", "resource", "tag", cwd=fresh)
    assert "name: string(200) required" in (fresh / "schemas" / "tag.yaml").read_text()
    run("validate", cwd=fresh)


def test_new_resource_that_exists_exits_1(fresh):
    before = (fresh / "schemas" / "task.yaml").read_bytes()
    result = run("new", "resource", "task", cwd=fresh, code=1)
    assert "schemas/task.yaml exists" in result.stderr
    assert (fresh / "schemas" / "task.yaml").read_bytes() == before
    # Also when the existing file has another format.
    run("new", "resource", "task", "--format", "toml", cwd=fresh, code=1)
    assert not (fresh / "schemas" / "task.toml").exists()


@pytest.mark.parametrize("name", ["Book", "a__b", "actions"])
def test_new_resource_invalid_name_exits_2(fresh, name):
    result = run("new", "resource", name, cwd=fresh, code=2)
    assert f"'{name}' is not a valid resource name" in result.stderr
    assert sorted(p.name for p in (fresh / "schemas").iterdir()) == ["task.yaml"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("title", "cannot read field 'title'"),
        ("title:strng", "did you mean 'string'?"),
        ("t:string(200) requird", "unknown flag 'requird'"),
    ],
)
def test_new_resource_bad_fields_exit_2(fresh, fields, message):
    result = run("new", "resource", "book", "--fields", fields, cwd=fresh, code=2)
    assert message in result.stderr
    assert not (fresh / "schemas" / "book.yaml").exists()


# --- validate -------------------------------------------------------------------------------------

BROKEN = {
    "book.yaml": """\
        resource: book
        fields:
          title: strng(200)
          author: {type: relation, to: autor}
        """,
    "author.yaml": """\
        resource: author
        fields:
          name: {type: string, min_length: 5, max_length: 2}
        """,
    "shelf.yaml": "resource: shelf\nfields: [\n",
}


def break_schemas(project: Path) -> None:
    for name, text in BROKEN.items():
        write_schema(project, name, text)


def test_validate_ok(project):
    result = run("validate", cwd=project)
    assert "ok: 3 resource(s) valid" in result.stdout


def test_validate_prints_every_error_with_file_line_and_column(project):
    break_schemas(project)
    before = tree(project / "generated")
    result = run("validate", cwd=project, code=1)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert lines == [
        "error schemas/author.yaml:3:24: fields.name.min_length: min_length 5 is above max_length 2",
        (
            "error schemas/book.yaml:3:3: fields.title: unknown field type 'strng' in 'strng(200)'; did you mean 'string'? "
            "(expected one of: string, text, integer, bigint, float, decimal, boolean, date, datetime, time, uuid, email, url, json, enum, array, relation, many_to_many, slug, phone)"
        ),
        "error schemas/shelf.yaml:3:1: invalid YAML: did not find expected node content",
    ]
    assert "3 error(s); nothing was written." in result.stderr
    assert tree(project / "generated") == before


def test_validate_reports_meaning_errors_across_files(project):
    write_schema(
        project, "book.yaml", "resource: book\nfields:\n  author: {type: relation, to: autor}\n"
    )
    result = run("validate", cwd=project, code=1)
    assert (
        "error schemas/book.yaml:3:28: fields.author.to: unknown resource 'autor'; did you mean 'author'?"
        in result.stderr
    )


def test_validate_json_with_errors(project):
    break_schemas(project)
    result = run("validate", "--json", cwd=project, code=1)
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["warnings"] == []
    assert [(e["file"], e["line"], e["column"], e["path"], e["level"]) for e in data["errors"]] == [
        ("schemas/author.yaml", 3, 24, "fields.name.min_length", "error"),
        ("schemas/book.yaml", 3, 3, "fields.title", "error"),
        ("schemas/shelf.yaml", 3, 1, "", "error"),
    ]
    assert set(data["errors"][0]) == {"file", "line", "column", "path", "message", "level"}
    assert data["errors"][0]["message"] == "min_length 5 is above max_length 2"
    assert result.stderr == ""


def test_validate_json_ok_with_a_warning(project):
    (project / "schemas" / "author.yaml").rename(project / "schemas" / "writer.yaml")
    result = run("validate", "--json", cwd=project)
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["errors"] == []
    [warning] = data["warnings"]
    assert (warning["file"], warning["line"], warning["path"], warning["level"]) == (
        "schemas/writer.yaml",
        1,
        "resource",
        "warning",
    )
    assert "name it author.yaml" in warning["message"]


def test_warnings_do_not_fail(project):
    (project / "schemas" / "author.yaml").rename(project / "schemas" / "writer.yaml")
    result = run("validate", cwd=project)
    assert "warning schemas/writer.yaml:1:1: resource: file is named 'writer'" in result.stderr
    assert "ok: 3 resource(s) valid" in result.stdout


def test_empty_schemas_folder(fresh):
    (fresh / "schemas" / "task.yaml").unlink()
    result = run("validate", cwd=fresh, code=1)
    assert "no resource schemas in schemas/" in result.stderr


def test_invalid_config_exits_1(fresh):
    (fresh / "schemagen.toml").write_text('[project]\nname = "shop"\nschemaz = "x"\n')
    result = run("validate", cwd=fresh, code=1)
    assert (
        "error schemagen.toml:3:1: project.schemaz: unknown key 'schemaz'; did you mean 'schemas'?\n"
        in result.stderr
    )


def test_invalid_config_toml_exits_1(fresh):
    (fresh / "schemagen.toml").write_text("[project\n")
    result = run("build", cwd=fresh, code=1)
    assert "invalid TOML" in result.stderr
    assert not (fresh / "generated").exists()


# --- build ----------------------------------------------------------------------------------------


def test_build_writes_files_then_is_up_to_date(fresh):
    first = run("build", cwd=fresh)
    output = fresh / "generated"
    files = tree(output)
    assert {
        "backend/shop/models/task.py",
        "backend/shop/__init__.py",
        "jsonschema/task.json",
        ".schemagen-manifest.json",
    } <= set(files)
    assert f"{len(files) - 1} file(s) changed, 0 unchanged" in first.stdout
    assert files["backend/shop/models/task.py"].startswith(b"# Generated by schemagen")
    manifest = json.loads(files[".schemagen-manifest.json"])
    assert set(manifest["files"]) == set(files) - {".schemagen-manifest.json"}
    stamps = {p: (output / p).stat().st_mtime_ns for p in files}
    second = run("build", cwd=fresh)
    assert "everything up to date" in second.stdout
    assert tree(output) == files
    assert {p: (output / p).stat().st_mtime_ns for p in files} == stamps


def test_build_with_invalid_schemas_writes_nothing(project):
    before = tree(project / "generated")
    break_schemas(project)
    result = run("build", cwd=project, code=1)
    assert "nothing was written" in result.stderr
    assert tree(project / "generated") == before


def test_build_updates_only_what_changed(project):
    before = tree(project / "generated")
    write_schema(project, "author.yaml", AUTHOR + "  born: date\n")
    result = run("build", cwd=project)
    after = tree(project / "generated")
    changed = {p for p in after if before.get(p) != after[p]}
    assert {
        "backend/acme/models/author.py",
        "jsonschema/author.json",
        ".schemagen-manifest.json",
    } <= changed
    assert not changed & {
        "jsonschema/book.json",
        "jsonschema/task.json",
        "backend/acme/__init__.py",
    }
    assert set(after) == set(before)
    printed = " ".join(result.stdout.split())
    assert (
        "update backend/acme/models/author.py" in printed
        and "update jsonschema/author.json" in printed
    )
    assert "jsonschema/book.json" not in printed


def test_hand_edited_file_stops_build_and_force_overwrites(project):
    target = project / "generated" / "jsonschema" / "book.json"
    target.write_text(target.read_text() + "\n// my edit\n")
    edited = target.read_bytes()
    write_schema(project, "author.yaml", AUTHOR + "  born: date\n")
    before = tree(project / "generated")
    result = run("build", cwd=project, code=1)
    assert "jsonschema/book.json was edited by hand" in result.stderr
    assert "--force" in result.stderr
    assert tree(project / "generated") == before  # nothing at all was written, not even other files
    forced = run("build", "--force", cwd=project)
    assert "overwriting jsonschema/book.json" in forced.stderr
    assert target.read_bytes() != edited
    assert b"// my edit" not in target.read_bytes()


def test_stray_unowned_files_are_never_touched(project):
    output = project / "generated"
    stray = {
        output / "notes.txt": b"mine\n",
        output / "backend" / "acme" / "extra.py": b"x = 1\n",
        output / "jsonschema" / "custom.json": b"{}",
    }
    for path, data in stray.items():
        path.write_bytes(data)
    (project / "schemas" / "book.yaml").unlink()  # the build deletes files, but only its own
    run("build", "--force", cwd=project)
    for path, data in stray.items():
        assert path.read_bytes() == data
    assert "notes.txt" not in json.loads((output / ".schemagen-manifest.json").read_text())["files"]
    run("check", cwd=project)  # stray files do not make the output stale


def test_unowned_file_at_a_generated_path_is_not_overwritten_even_with_force(project):
    target = project / "generated" / "jsonschema" / "shelf.json"
    target.write_text("mine\n")
    write_schema(project, "shelf.yaml", "resource: shelf\n")
    result = run("build", "--force", cwd=project, code=1)
    assert "jsonschema/shelf.json exists and was not written by schemagen" in result.stderr
    assert target.read_text() == "mine\n"


def test_stale_files_removed_when_a_resource_is_deleted(project):
    output = project / "generated"
    assert (output / "jsonschema" / "book.json").exists()
    (project / "schemas" / "book.yaml").unlink()
    result = run("build", cwd=project)
    assert "delete jsonschema/book.json" in " ".join(result.stdout.split())
    assert not (output / "jsonschema" / "book.json").exists()
    assert (output / "jsonschema" / "author.json").exists()
    assert (
        "jsonschema/book.json"
        not in json.loads((output / ".schemagen-manifest.json").read_text())["files"]
    )
    run("check", cwd=project)


def test_build_single_target_keeps_other_targets_files(project):
    output = project / "generated"
    models = (output / "backend" / "acme" / "models" / "author.py").read_bytes()
    write_schema(project, "author.yaml", AUTHOR + "  born: date\n")
    result = run("build", "--target", "jsonschema", cwd=project)
    assert "jsonschema/author.json" in result.stdout
    assert "models/author.py" not in result.stdout
    assert (output / "backend" / "acme" / "models" / "author.py").read_bytes() == models
    assert b"born" in (output / "jsonschema" / "author.json").read_bytes()
    assert (
        "backend/acme/models/author.py"
        in json.loads((output / ".schemagen-manifest.json").read_text())["files"]
    )
    stale = run("check", cwd=project, code=1)  # the sqlalchemy output is still behind
    assert "backend/acme/models/author.py" in stale.stdout


def test_corrupt_manifest_is_a_user_error(project):
    manifest = project / "generated" / ".schemagen-manifest.json"
    manifest.write_text("{bad")
    before = tree(project / "generated")
    result = run("build", cwd=project, code=1)
    assert "error: " in result.stderr and ".schemagen-manifest.json is corrupt" in result.stderr
    assert tree(project / "generated") == before


def test_build_unknown_target(project):
    result = run("build", "--target", "nope", cwd=project, code=None)
    assert result.returncode in (1, 2)
    assert "unknown target 'nope'" in result.stderr


def test_a_rate_limit_of_an_action_the_app_lacks_is_an_error(project):
    config = project / "schemagen.toml"
    config.write_text(
        config.read_text()
        + '\n[app.rate_limits]\n"author.craete" = "5/minute"\n"*.nope" = "1/day"\n'
    )
    before = tree(project / "generated")
    result = run("build", cwd=project, code=1)
    assert (
        "app.rate_limits.author.craete: 'author.craete': this app has no such action; did you mean 'author.create'?"
        in result.stderr
    )
    assert "app.rate_limits.*.nope: '*.nope': no action of this app is a 'nope'" in result.stderr
    assert tree(project / "generated") == before
    config.write_text(
        config.read_text()
        .replace("author.craete", "author.create")
        .replace('"*.nope" = "1/day"\n', "")
    )
    run("build", cwd=project)
    assert (
        'rate_limits=(("author.create", "5/minute"),)'
        in (project / "generated" / "backend" / "acme" / "app.py").read_text()
    )


# --- check and diff -------------------------------------------------------------------------------


def test_check_clean(project):
    assert "up to date" in run("check", cwd=project).stdout


def test_check_after_editing_a_schema_exits_1_with_a_diff_and_writes_nothing(project):
    write_schema(project, "author.yaml", AUTHOR + "  born: date\n")
    before = tree(project)
    result = run("check", cwd=project, code=1)
    assert "diff --git a/jsonschema/author.json b/jsonschema/author.json" in result.stdout
    assert (
        "--- a/backend/acme/models/author.py\n+++ b/backend/acme/models/author.py\n"
        in result.stdout
    )
    assert any(line.startswith("+") and "born" in line for line in result.stdout.splitlines())
    assert re.search(r"stale: \d+ file\(s\) differ; run `schemagen build`\.", result.stderr)
    assert tree(project) == before


def test_check_json(project):
    clean = json.loads(run("check", "--json", cwd=project).stdout)
    assert {k: clean[k] for k in ("ok", "changes", "conflicts", "diff", "warnings")} == {
        "ok": True,
        "changes": [],
        "conflicts": [],
        "diff": "",
        "warnings": [],
    }
    write_schema(project, "author.yaml", AUTHOR + "  born: date\n")
    target = project / "generated" / "jsonschema" / "book.json"
    target.write_text(target.read_text() + "\n")
    before = tree(project)
    data = json.loads(run("check", "--json", cwd=project, code=1).stdout)
    assert data["ok"] is False
    assert {(c["path"], c["kind"]) for c in data["changes"]} >= {
        ("backend/acme/models/author.py", "update"),
        ("jsonschema/author.json", "update"),
        ("jsonschema/book.json", "update"),
    }
    assert "jsonschema/task.json" not in {c["path"] for c in data["changes"]}
    assert [(c["path"], c["reason"]) for c in data["conflicts"]] == [
        ("jsonschema/book.json", "edited")
    ]
    assert "+++ b/jsonschema/author.json" in data["diff"]
    assert tree(project) == before


def test_check_json_with_invalid_schemas(project):
    break_schemas(project)
    data = json.loads(run("check", "--json", cwd=project, code=1).stdout)
    assert data["ok"] is False and len(data["errors"]) == 3


def test_check_reports_a_hand_edit(project):
    target = project / "generated" / "backend" / "acme" / "models" / "author.py"
    target.write_text(target.read_text() + "# mine\n")
    result = run("check", cwd=project, code=1)
    assert "-# mine" in result.stdout
    assert "backend/acme/models/author.py was edited by hand" in result.stderr


def test_check_reports_a_deleted_generated_file(project):
    (project / "generated" / "jsonschema" / "author.json").unlink()
    result = run("check", cwd=project, code=1)
    assert "+++ b/jsonschema/author.json" in result.stdout


def test_diff_prints_a_diff_and_writes_nothing(project):
    assert run("diff", cwd=project).stdout == ""
    write_schema(project, "author.yaml", AUTHOR + "  born: date\n")
    before = tree(project)
    result = run("diff", cwd=project)
    assert result.stdout.startswith("diff --git a/")
    assert (
        "diff --git a/backend/acme/models/author.py b/backend/acme/models/author.py\n"
        in result.stdout
    )
    assert "+++ b/jsonschema/author.json" in result.stdout
    assert tree(project) == before


# --- schema ---------------------------------------------------------------------------------------


def test_schema_prints_the_language_json_schema(fresh):
    result = run("schema", cwd=fresh.parent)
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "schemagen resource"
    assert "resource" in schema["required"]
    assert schema["additionalProperties"] is False
    assert {"resource", "fields", "traits", "actions", "indexes", "checks", "ui"} <= set(
        schema["properties"]
    )
    shorthand = schema["properties"]["fields"]["additionalProperties"]["anyOf"]
    assert {"$ref": "#/$defs/FieldSpec"} in shorthand and any(
        s.get("type") == "string" for s in shorthand
    )
    # The copy init writes for editors is the same document.
    assert json.loads((fresh / ".schemagen" / "resource.schema.json").read_text()) == schema


def test_schema_validates_real_resource_files(fresh):
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads(run("schema", cwd=fresh).stdout)
    validator = jsonschema.Draft202012Validator(schema)
    for text in (BOOK, AUTHOR, (fresh / "schemas" / "task.yaml").read_text()):
        assert list(validator.iter_errors(yaml.safe_load(text))) == []
    assert list(validator.iter_errors({"resource": "x", "feilds": {}}))


# --- internal errors ------------------------------------------------------------------------------


def with_template_override(project: Path, text: str) -> Path:
    config = project / "schemagen.toml"
    config.write_text(
        config.read_text().replace(
            'output = "generated"\n', 'output = "generated"\ntemplates = "templates"\n'
        )
    )
    template = project / "templates" / "sqlalchemy" / "models_init.py.j2"
    template.parent.mkdir(parents=True)
    template.write_text(text)
    return template


def internal_error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("internal error: "), result.stderr
    assert lines[-1].startswith("This is a bug in schemagen") and "SCHEMAGEN_DEBUG=1" in lines[-1]
    return lines


def test_template_producing_invalid_python_exits_3(project):
    with_template_override(project, "def (\n")
    write_schema(project, "author.yaml", AUTHOR + "  born: date\n")
    before = tree(project / "generated")
    result = run("build", cwd=project, code=3)
    lines = internal_error_lines(result)
    assert lines[0].startswith("internal error: a template produced invalid Python")
    # The message names the generated file (and where in it), not the template it came from.
    assert "backend/acme/models/__init__.py" in lines[0]
    assert any(line.startswith("backend/acme/models/__init__.py:2:5:") for line in lines)
    assert tree(project / "generated") == before
    run("check", cwd=project, code=3)


def test_template_with_an_undefined_variable_exits_3_naming_the_template(project):
    template = with_template_override(project, "x = 1\ny = {{ no_such_variable }}\n")
    result = run("build", cwd=project, code=3)
    lines = internal_error_lines(result)
    assert len(lines) == 2
    assert (
        lines[0]
        == f"internal error: UndefinedError: 'no_such_variable' is undefined (in {template}:2)"
    )


def test_template_syntax_error_exits_3_naming_the_template(project):
    template = with_template_override(project, "x = 1\n{% if %}\n")
    result = run("build", cwd=project, code=3)
    lines = internal_error_lines(result)
    assert lines[0].startswith("internal error: TemplateSyntaxError: ")
    assert lines[0].endswith(f"(in {template}:2)")


def test_debug_env_shows_the_traceback(project):
    with_template_override(project, "{{ no_such_variable }}\n")
    result = run("build", cwd=project, code=None, SCHEMAGEN_DEBUG="1")
    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert "UndefinedError" in result.stderr


@pytest.mark.parametrize("command", ["build", "check", "validate"])
@pytest.mark.parametrize(
    "config",
    [
        b'[project]\nname = "shop"\nschemas = "sch\\u0000emas"\n',  # a NUL in a path
        b'[project]\nname = "caf\xe9"\n',  # not UTF-8
        b"[project]\nname = " + b"[" * 3000 + b"]" * 3000 + b"\n",  # deeper than tomllib recurses
    ],
    ids=["nul-path", "latin-1", "nested"],
)
def test_an_unreadable_configuration_exits_1_from_every_entry(fresh, command, config):
    # `build` and `check` with no other argument first try the fast path of the console script,
    # which reads the configuration on its own.
    (fresh / "schemagen.toml").write_bytes(config)
    result = run(command, cwd=fresh, code=1)
    assert "schemagen.toml" in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("command", ["build", "validate"])
def test_a_pyproject_whose_tool_table_is_not_a_table_exits_1(fresh, command):
    (fresh / "schemagen.toml").unlink()
    (fresh / "pyproject.toml").write_text("# [tool.schemagen] lives here one day\ntool = 1\n")
    result = run(command, cwd=fresh, code=1)
    assert "error pyproject.toml:2:1: tool.schemagen: expected a table, got 1\n" in result.stderr
