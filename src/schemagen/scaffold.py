"""`schemagen init` and `schemagen new resource`: files that belong to the user from the start."""

from __future__ import annotations

import json
import keyword
import re
from pathlib import Path

from schemagen.config.paths import CONFIG_FILE
from schemagen.config.project import MAX_PACKAGE, SHADOWED_MODULES, ProjectConfig
from schemagen.diagnostics import UsageError
from schemagen.language import parse_shorthand
from schemagen.validate import IDENTIFIER, RESERVED_RESOURCES

SCHEMA_COMMENT = "# yaml-language-server: $schema={url}\n"
TOML_SCHEMA_COMMENT = "#:schema {url}"  # Taplo's (Even Better TOML's) directive
SCHEMA_FILE = ".schemagen/resource.schema.json"  # written by init/new so editors work offline
HOOKS_FILE = ".pre-commit-hooks.yaml"

CONFIG_TEMPLATE = """\
[project]
name = {name}
package = {package}
schemas = "schemas"
output = "generated"
targets = ["all"]

[database]
dialects = ["sqlite", "postgresql", "mysql"]
"""

README_TEMPLATE = """\
# {name}

Resources live in `schemas/`, one file each. After editing one, run:

    schemagen build      # regenerate generated/
    schemagen check      # in CI: fail when generated/ is stale

Add a resource with `schemagen new resource NAME --fields "title:string(200) required"`.
"""

EXAMPLE = {"title": "string(200) required", "done": "boolean", "due_on": "date"}

GITIGNORE = """\
# Dependencies and environments
node_modules/
.venv
venv/
# Local databases: the generated app's default SQLite file (<package>.db) and its journals
*.db
*.db-journal
*.db-shm
*.db-wal
*.sqlite
*.sqlite3
# Caches (schemagen's own in .schemagen/cache; .schemagen/resource.schema.json is for editors)
.schemagen/cache/
__pycache__/
*.py[cod]
.pytest_cache/
.mypy_cache/
.ruff_cache/
.env
"""

PRE_COMMIT_HEADER = """\
# `pre-commit install` runs these on every commit; CI runs `pre-commit run --all-files`.
# The hooks run the schemagen of your environment, the one that builds generated/.
"""

VSCODE_SETTINGS = {
    # YAML files carry a `# yaml-language-server: $schema=` line too; this covers any without it.
    "yaml.schemas": {f"./{SCHEMA_FILE}": ["schemas/*.yaml", "schemas/*.yml"]},
    "files.exclude": {".schemagen/cache": True},
}

CI_WORKFLOW = """\
# schemagen in CI: the schemas are valid and generated/ is what they produce.
name: schemagen
on: [push, pull_request]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      # The schemagen that builds generated/ locally: check compares with what it writes.
      - run: pip install {requirement}
      - run: schemagen validate
      - run: schemagen check
"""


def init_project(directory: Path) -> list[Path]:
    """Create a project in `directory` (made if missing). Refuses a folder that holds one."""
    directory = directory.resolve()
    if (directory / CONFIG_FILE).exists():
        raise UsageError(f"{directory / CONFIG_FILE} exists: this folder already holds a project")
    name = re.sub(r"[^a-z0-9_]", "_", directory.name.lower()).strip("_") or "app"
    if not re.match(r"^[a-z_]", name):
        name = f"app_{name}"
    name = name[:MAX_PACKAGE]
    if name in SHADOWED_MODULES or keyword.iskeyword(name):  # a folder named `json` or `test`
        name = f"{name[: MAX_PACKAGE - 4]}_app"
    readme = directory / "README.md"
    created = [
        directory / CONFIG_FILE,
        directory / "schemas" / "task.yaml",
        directory / SCHEMA_FILE,
    ]
    # The project's own files: kept when the folder has them already (an existing repository).
    extras = {
        readme: README_TEMPLATE.format(name=name),
        directory / ".gitignore": GITIGNORE,
        directory / ".pre-commit-config.yaml": pre_commit_config(),
        directory / ".vscode" / "settings.json": json.dumps(VSCODE_SETTINGS, indent=2) + "\n",
        directory / ".github" / "workflows" / "schemagen.yml": CI_WORKFLOW.format(
            requirement=_requirement()
        ),
    }
    extras = {path: text for path, text in extras.items() if not path.exists()}
    created += extras
    (directory / "schemas").mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_FILE).write_text(
        CONFIG_TEMPLATE.format(name=json.dumps(name), package=json.dumps(name)), encoding="utf-8"
    )
    write_language_schema(directory)
    (directory / "schemas" / "task.yaml").write_text(
        resource_text("task", "yaml", EXAMPLE), encoding="utf-8"
    )
    for path, text in extras.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return [
        p.relative_to(directory.parent) if p.is_relative_to(directory.parent) else p
        for p in created
    ]


def hooks_manifest() -> Path:
    """The pre-commit hooks this repository publishes: in the wheel, or at a checkout's top."""
    packaged = Path(__file__).parent / "pre-commit-hooks.yaml"
    return packaged if packaged.is_file() else Path(__file__).resolve().parents[2] / HOOKS_FILE


def hooks_repository() -> tuple[str, str] | None:
    """Where this schemagen's hooks can be fetched from, and at which commit: the git checkout it
    runs from (a development install), else the repository pip installed it from (its
    direct_url.json). None when neither is known (a wheel from an index)."""
    import subprocess
    from importlib import metadata

    checkout = Path(__file__).resolve().parents[2]
    if (checkout / HOOKS_FILE).is_file():
        try:
            head = subprocess.run(
                ["git", "-C", str(checkout), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
                timeout=30,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            head = ""
        if head:
            return str(checkout), head
    try:
        origin = json.loads(metadata.distribution("schemagen").read_text("direct_url.json") or "")
    except (metadata.PackageNotFoundError, ValueError):
        return None
    vcs = origin.get("vcs_info", {}) if isinstance(origin, dict) else {}
    if vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return str(origin["url"]).removeprefix("git+"), str(vcs["commit_id"])
    return None


def pre_commit_config() -> str:
    """.pre-commit-config.yaml using the published hooks at this schemagen's commit; without a
    repository to name, the same hooks as local ones (copied from the manifest)."""
    import yaml

    hooks = yaml.safe_load(hooks_manifest().read_text(encoding="utf-8"))
    source = hooks_repository()
    if source is None:
        repo: dict[str, object] = {"repo": "local", "hooks": hooks}
    else:
        repo = {"repo": source[0], "rev": source[1], "hooks": [{"id": h["id"]} for h in hooks]}
    return PRE_COMMIT_HEADER + yaml.safe_dump({"repos": [repo]}, sort_keys=False)


def _requirement() -> str:
    """What CI installs: this schemagen's version, from where it came when that is known."""
    from schemagen import __version__

    source = hooks_repository()
    if source is not None and "://" in source[0]:
        return f"'schemagen @ git+{source[0]}@{source[1]}'"
    return f"'schemagen=={__version__}'"


def new_resource_file(config: ProjectConfig, name: str, fmt: str, fields: str) -> Path:
    """Write schemas/<name>.<fmt>. Refuses a name in use or an invalid field list."""
    if not IDENTIFIER.fullmatch(name) or name in RESERVED_RESOURCES:
        raise UsageError(
            f"'{name}' is not a valid resource name: use singular snake_case, e.g. invoice_line",
            exit_code=2,
        )
    existing = [
        p
        for p in (config.schemas_dir / f"{name}{ext}" for ext in (".yaml", ".yml", ".toml"))
        if p.exists()
    ]
    if existing:
        raise UsageError(f"{config.relative(existing[0])} exists; edit it instead")
    parsed = parse_field_list(fields) if fields.strip() else {"name": "string(200) required"}
    path = config.schemas_dir / f"{name}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_language_schema(config.root)
    path.write_text(
        resource_text(name, fmt, parsed, schema_url=_schema_url(config, path)), encoding="utf-8"
    )
    return path


def parse_field_list(text: str) -> dict[str, str]:
    """`"title:string(200) required, due:date"` -> {"title": "string(200) required", "due": "date"}."""
    fields: dict[str, str] = {}
    # Split on commas outside parentheses, so decimal(12,2) stays whole.
    for item in re.split(r",(?![^()]*\))", text):
        if not item.strip():
            continue
        name, sep, spec = item.partition(":")
        name, spec = name.strip(), spec.strip()
        if not sep or not spec:
            raise UsageError(
                f"cannot read field '{item.strip()}': expected name:type, e.g. title:string(200) required",
                exit_code=2,
            )
        if not IDENTIFIER.fullmatch(name):
            raise UsageError(f"'{name}' is not a valid field name: use snake_case", exit_code=2)
        try:
            parse_shorthand(spec)
        except ValueError as exc:
            raise UsageError(f"field '{name}': {exc}", exit_code=2) from None
        fields[name] = spec
    return fields


def resource_text(
    name: str, fmt: str, fields: dict[str, str], schema_url: str = f"../{SCHEMA_FILE}"
) -> str:
    if fmt == "toml":
        lines = [
            TOML_SCHEMA_COMMENT.format(url=schema_url),
            f"resource = {json.dumps(name)}",
            'traits = ["timestamps"]',
            "",
            "[fields]",
        ]
        lines += [f"{field} = {json.dumps(spec)}" for field, spec in fields.items()]
        return "\n".join(lines) + "\n"
    lines = [
        SCHEMA_COMMENT.format(url=schema_url).rstrip("\n"),
        f"resource: {name}",
        "traits: [timestamps]",
        "fields:",
    ]
    lines += [
        f"  {field}: {spec if re.fullmatch(r'[A-Za-z0-9_(), ]+', spec) else json.dumps(spec)}"
        for field, spec in fields.items()
    ]
    return "\n".join(lines) + "\n"


def write_language_schema(root: Path) -> None:
    from schemagen.language import language_json_schema

    path = root / SCHEMA_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(language_json_schema(), indent=2) + "\n", encoding="utf-8")


def _schema_url(config: ProjectConfig, path: Path) -> str:
    import os

    return Path(os.path.relpath(config.root / SCHEMA_FILE, path.parent)).as_posix()
