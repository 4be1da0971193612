"""Read and check the project configuration: schemagen.toml or [tool.schemagen] in pyproject.toml."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from schemagen.config.paths import (
    ProjectPaths,
    find_project,
    section,
)
from schemagen.diagnostics import Diagnostic, Diagnostics, Path_, SchemaError, did_you_mean
from schemagen.language import DEFAULT_LICENSE, AppSection, ProjectSpec
from schemagen.load import Document, LoadError, load_file

MAX_PROJECT_NAME = 100
MAX_PACKAGE = 50  # `<package>_ext` and module paths stay far within filesystem name limits
# Top-level modules the generated backend imports: a package or handler module of that name
# would shadow them. The standard library, and the generated project's dependencies.
SHADOWED_MODULES = frozenset(sys.stdlib_module_names) | frozenset(
    {
        "alembic",
        "anyio",
        "email_validator",
        "fastapi",
        "httpx",
        "psycopg",
        "pydantic",
        "prometheus_client",
        "pydantic_core",
        "pymysql",
        "pytest",
        "redis",
        "sqlalchemy",
        "starlette",
        "typing_extensions",
        "uvicorn",
    }
)
_PACKAGE = re.compile(r"[a-z_][a-z0-9_]*")  # with fullmatch: `$` lets a trailing newline in


@dataclass(frozen=True)
class ProjectConfig(ProjectPaths):
    """The project's settings with every path made absolute."""

    name: str
    package: str
    targets: tuple[str, ...]
    dialects: tuple[str, ...]
    license: str = DEFAULT_LICENSE
    app: AppSection = field(default_factory=AppSection)  # the generated app's edges
    # The configuration file as read, to place a later diagnostic about it (unknown targets).
    document: Document | None = field(default=None, compare=False, repr=False)

    def config_diagnostic(self, path: Path_, message: str) -> Diagnostic:
        """A problem with the configuration at key `path`, located in its file when it was read."""
        if self.document is not None:
            return self.document.diagnostic(path, message)
        return Diagnostic(self.config_file.name, path=path, message=message)

    def relative(self, path: Path) -> str:
        """A path as the user sees it: relative to the project root where possible."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def unprintable(text: str) -> str | None:
    """The first character of `text` no name or path may hold, described; None when there is none.

    Control characters (NUL, tabs, line breaks, U+007F), Unicode line and paragraph separators,
    and format characters (invisible, bidirectional overrides) end or disguise a name in every file
    it reaches.
    """
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            return (
                f"the character U+{ord(char):04X} ({unicodedata.name(char, 'a control character')})"
            )
    return None


def load_config(start: Path) -> ProjectConfig:
    """Read the configuration; a mistake in it is a SchemaError located in the config file."""
    path = find_project(start)
    display = path.name
    try:
        document = load_file(path, display)
    except LoadError as exc:
        raise SchemaError([exc.diagnostic]) from None
    data = document.data
    prefix: tuple[str, ...] = ()
    if path.name == "pyproject.toml":
        data = section(data, "tool", "schemagen")
        prefix = ("tool", "schemagen")
    try:
        spec = ProjectSpec.model_validate(data)
    except ValidationError as exc:
        diagnostics = Diagnostics()
        for error in exc.errors(include_url=False):
            # A table's key that is wrong itself: Pydantic adds "[key]" after it.
            loc = tuple(part for part in error["loc"] if part != "[key]")
            diagnostics.add(document.diagnostic((*prefix, *loc), config_message(error, loc)))
        raise SchemaError(diagnostics.sorted()) from None

    root = path.parent
    project = spec.project
    package = (
        project.package or re.sub(r"[^a-z0-9_]", "_", project.name.lower()).strip("_") or "app"
    )
    problems = []

    def problem(key: str, message: str) -> None:
        problems.append(document.diagnostic((*prefix, "project", key), message))

    if bad := unprintable(project.name):
        problem("name", f"the project name cannot hold {bad}")
    elif len(project.name) > MAX_PROJECT_NAME:
        problem(
            "name",
            f"the project name is {len(project.name)} characters; the limit is {MAX_PROJECT_NAME}",
        )
    if not _PACKAGE.fullmatch(package) or keyword.iskeyword(package):
        problem("package", f"{package!r} is not a valid Python package name")
    elif len(package) > MAX_PACKAGE:
        problem(
            "package",
            f"package '{package}' is {len(package)} characters; the limit is {MAX_PACKAGE}",
        )
    elif package in SHADOWED_MODULES:
        problem(
            "package",
            f"package '{package}' would shadow the module of that name the generated project "
            "imports (the standard library's or a dependency's); choose another",
        )
    paths = {}
    for key in ("schemas", "output", "templates"):
        value = getattr(project, key)
        if value is None:
            continue
        if bad := unprintable(value):
            problem(key, f"the path cannot hold {bad}")
            continue
        paths[key] = (root / value).resolve()
    output = paths.get("output")
    if output is not None:
        # The build replaces the whole output folder and prunes what it owns there: it must be a
        # folder of its own inside the project, away from the inputs and schemagen's cache.
        inputs = {
            "the schemas folder": paths.get("schemas"),
            "the templates folder": paths.get("templates"),
            "schemagen's cache (.schemagen)": root.resolve() / ".schemagen",
        }
        if (
            Path(project.output).is_absolute()
            or not output.is_relative_to(root.resolve())
            or output == root.resolve()
        ):
            problem("output", "the output folder must be a subfolder of the project")
        else:
            for what, folder in inputs.items():
                if folder is not None and (
                    output.is_relative_to(folder) or folder.is_relative_to(output)
                ):
                    problem("output", f"the output folder cannot hold or be inside {what}")
                    break
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
        license=project.license,
        app=spec.app,
        document=document,
    )


def config_message(error: Any, loc: tuple[str | int, ...]) -> str:
    """Pydantic's error about the configuration, in the words schema errors use."""
    kind, message, given = error["type"], error["msg"], error.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _config_keys(loc[:-1])
        hint = did_you_mean(key, allowed)
        return f"unknown key '{key}'" + (hint or f" (keys: {', '.join(allowed)})")
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    shown = (
        repr(given)
        if isinstance(given, str | int | float | bool) or given is None
        else type(given).__name__
    )
    if kind in ("model_type", "dict_type"):  # Pydantic names the model, which users never wrote
        return f"expected a table, got {shown}"
    return f"{message[:1].lower()}{message[1:]}, got {shown}"


def _config_keys(loc: tuple[str | int, ...]) -> list[str]:
    """The keys the table at `loc` of the configuration may hold."""
    model: type[BaseModel] = ProjectSpec
    for part in loc:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)
