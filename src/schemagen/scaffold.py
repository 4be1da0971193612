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
SCHEMA_FILE = ".schemagen/resource.schema.json"  # written by init/new so editors work offline

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
    if not readme.exists():
        created.append(readme)
    (directory / "schemas").mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_FILE).write_text(
        CONFIG_TEMPLATE.format(name=json.dumps(name), package=json.dumps(name)), encoding="utf-8"
    )
    write_language_schema(directory)
    (directory / "schemas" / "task.yaml").write_text(
        resource_text("task", "yaml", EXAMPLE), encoding="utf-8"
    )
    if readme in created:
        readme.write_text(README_TEMPLATE.format(name=name), encoding="utf-8")
    return [
        p.relative_to(directory.parent) if p.is_relative_to(directory.parent) else p
        for p in created
    ]


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
        lines = [f"resource = {json.dumps(name)}", "", "[fields]"]
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
