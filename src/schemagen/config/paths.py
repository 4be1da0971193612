"""Where a project's configuration, schemas and output are: found and read with the standard
library alone, so anything may import it (the schema language takes its defaults from here).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemagen.diagnostics import UsageError

CONFIG_FILE = "schemagen.toml"
SCHEMA_SUFFIXES = (".yaml", ".yml", ".toml")
DEFAULT_SCHEMAS = "schemas"
DEFAULT_OUTPUT = "generated"


@dataclass(frozen=True)
class ProjectPaths:
    """Where a project keeps its inputs and output, read without validating the configuration."""

    root: Path
    config_file: Path
    schemas_dir: Path
    output_dir: Path
    templates_dir: Path | None


def section(data: dict, *keys: str) -> Any:
    """`data[k1][k2]...`, or {} where a level is missing; a level that is no table is returned
    as it is, for the model to refuse (`tool.schemagen = 1`)."""
    for key in keys:
        if not isinstance(data, dict):
            return data
        data = data.get(key, {})
    return data


def find_project(start: Path) -> Path:
    """The nearest folder at or above `start` holding a project configuration."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder / CONFIG_FILE
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and b"[tool.schemagen" in pyproject.read_bytes():
            return pyproject
    raise UsageError(
        f"no {CONFIG_FILE} found in {start} or above; run `schemagen init` to start a project",
        exit_code=2,
    )


def locate(start: Path) -> ProjectPaths | None:
    """The project's folders, cheaply (no Pydantic): enough to tell whether anything changed.

    None when the configuration cannot be read; `load_config` then reports why.
    """
    try:
        path = find_project(start)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (
        UsageError,
        OSError,
        UnicodeDecodeError,
        tomllib.TOMLDecodeError,
        ValueError,  # an integer too long for int()
        RecursionError,  # nesting tomllib cannot follow
    ):
        return None
    if path.name == "pyproject.toml":
        data = section(data, "tool", "schemagen")
    project = data.get("project", {}) if isinstance(data, dict) else None
    if not isinstance(project, dict) or not all(
        isinstance(project.get(k, ""), str) for k in ("schemas", "output", "templates")
    ):
        return None
    root = path.parent
    templates = project.get("templates")
    try:
        return ProjectPaths(
            root=root,
            config_file=path,
            schemas_dir=(root / project.get("schemas", DEFAULT_SCHEMAS)).resolve(),
            output_dir=(root / project.get("output", DEFAULT_OUTPUT)).resolve(),
            templates_dir=(root / templates).resolve() if templates else None,
        )
    except (OSError, ValueError):  # a path with a NUL in it: load_config says so
        return None


def find_schema_files(folder: Path) -> list[Path]:
    """Every schema file directly in `folder`, sorted by name for a stable order."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix in SCHEMA_SUFFIXES and not p.name.startswith(".")
    )
