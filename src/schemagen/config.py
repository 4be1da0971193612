"""Find and read the project configuration: schemagen.toml or [tool.schemagen] in pyproject.toml."""

from __future__ import annotations

import keyword
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from schemagen.diagnostics import Diagnostic, SchemaError, UsageError

CONFIG_FILE = "schemagen.toml"
SCHEMA_SUFFIXES = (".yaml", ".yml", ".toml")
DEFAULT_SCHEMAS = "schemas"
DEFAULT_OUTPUT = "generated"
_PACKAGE = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class ProjectPaths:
    """Where a project keeps its inputs and output, read without validating the configuration."""

    root: Path
    config_file: Path
    schemas_dir: Path
    output_dir: Path
    templates_dir: Path | None


@dataclass(frozen=True)
class ProjectConfig(ProjectPaths):
    """The project's settings with every path made absolute."""

    name: str
    package: str
    targets: tuple[str, ...]
    dialects: tuple[str, ...]

    def relative(self, path: Path) -> str:
        """A path as the user sees it: relative to the project root where possible."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


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
    except (UsageError, OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("schemagen", {})
    project = data.get("project", {})
    if not isinstance(project, dict) or not all(
        isinstance(project.get(k, ""), str) for k in ("schemas", "output", "templates")
    ):
        return None
    root = path.parent
    templates = project.get("templates")
    return ProjectPaths(
        root=root,
        config_file=path,
        schemas_dir=(root / project.get("schemas", DEFAULT_SCHEMAS)).resolve(),
        output_dir=(root / project.get("output", DEFAULT_OUTPUT)).resolve(),
        templates_dir=(root / templates).resolve() if templates else None,
    )


def find_schema_files(folder: Path) -> list[Path]:
    """Every schema file directly in `folder`, sorted by name for a stable order."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix in SCHEMA_SUFFIXES and not p.name.startswith(".")
    )


def load_config(start: Path) -> ProjectConfig:
    """Read the configuration; a mistake in it is a SchemaError located in the config file."""
    from pydantic import ValidationError

    from schemagen.language import ProjectSpec

    path = find_project(start)
    display = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError([Diagnostic(display, message=f"invalid TOML: {exc}")]) from None
    prefix: tuple[str, ...] = ()
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("schemagen", {})
        prefix = ("tool", "schemagen")
    try:
        spec = ProjectSpec.model_validate(data)
    except ValidationError as exc:
        raise SchemaError(
            [
                Diagnostic(display, path=(*prefix, *map(str, e["loc"])), message=e["msg"])
                for e in exc.errors()
            ]
        ) from None

    root = path.parent
    project = spec.project
    package = (
        project.package or re.sub(r"[^a-z0-9_]", "_", project.name.lower()).strip("_") or "app"
    )
    problems = []
    if not _PACKAGE.match(package) or keyword.iskeyword(package):
        problems.append(
            Diagnostic(
                display,
                path=(*prefix, "project", "package"),
                message=f"'{package}' is not a valid Python package name",
            )
        )
    paths = {}
    for key in ("schemas", "output", "templates"):
        value = getattr(project, key)
        if value is None:
            continue
        resolved = (root / value).resolve()
        if key == "output" and (
            resolved == root.resolve() or root.resolve().is_relative_to(resolved)
        ):
            problems.append(
                Diagnostic(
                    display,
                    path=(*prefix, "project", key),
                    message="the output folder must be a subfolder of the project",
                )
            )
        paths[key] = resolved
    if problems:
        raise SchemaError(problems)
    return ProjectConfig(
        root=root,
        config_file=path,
        name=project.name,
        package=package,
        schemas_dir=paths["schemas"],
        output_dir=paths["output"],
        templates_dir=paths.get("templates"),
        targets=tuple(project.targets),
        dialects=tuple(dict.fromkeys(spec.database.dialects)),
    )
