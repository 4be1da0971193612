"""The pipeline, end to end: load → validate → resolve → render → format → plan (→ write).

Everything happens in memory; `write.apply` is the only step that touches the output folder, and
only after every other step succeeded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from schemagen import ir
from schemagen.api import Api, build_api
from schemagen.config.project import ProjectConfig, load_config
from schemagen.diagnostics import Diagnostic, Diagnostics, SchemaError, did_you_mean
from schemagen.files import RenderedFile
from schemagen.format import format_python, source_hash
from schemagen.load import LoadError, ParsedFiles, find_schema_files, load_file
from schemagen.registry import available_targets, render_all, select_targets
from schemagen.render import RenderContext
from schemagen.resolve import resolve
from schemagen.runtime.contract import action_problem
from schemagen.validate import validate
from schemagen.write import OutputFolder, Plan, plan


@dataclass
class Compiled:
    """A project that passed validation: its config, IR, API model and any warnings."""

    config: ProjectConfig
    project: ir.Project
    warnings: list[Diagnostic]
    api: Api


def compile_project(start: Path, parsed: ParsedFiles | None = None) -> Compiled:
    """Load, validate and resolve the project at or above `start`. Raises SchemaError with every
    error. `parsed` keeps the schema files parsed between builds of one process (`watch`)."""
    config = load_config(start)
    diagnostics = Diagnostics()
    documents = []
    files = find_schema_files(config.schemas_dir)
    if not files:
        where = config.relative(config.schemas_dir)
        raise SchemaError(
            [
                Diagnostic(
                    config.relative(config.config_file),
                    message=f"no resource schemas in {where}/ (expected *.yaml, *.yml or *.toml files); try `schemagen new resource NAME`",
                )
            ]
        )
    diagnostics.extend(target_problems(config))
    unreadable = []
    for path in files:
        try:
            display = config.relative(path)
            documents.append(
                parsed.load(path, display) if parsed is not None else load_file(path, display)
            )
        except LoadError as exc:
            diagnostics.add(exc.diagnostic)
            unreadable.append(declared_resource(path))
    try:
        validated, warnings = validate(config, documents, unreadable)
    except SchemaError as exc:
        diagnostics.extend(exc.diagnostics)
        raise SchemaError(diagnostics.sorted()) from None
    if diagnostics:
        raise SchemaError(diagnostics.sorted())
    project = resolve(config, validated)
    api = build_api(project)
    problems = rate_limit_problems(config, api)
    if problems:
        raise SchemaError(problems)
    return Compiled(config, project, warnings, api)


def rate_limit_problems(config: ProjectConfig, api: Api) -> list[Diagnostic]:
    """`[app] rate_limits` naming an action the app does not have (a typo limits nothing)."""
    prefix = _config_prefix(config)
    known = api.limited_actions
    found = []
    for action in config.app.rate_limits:
        problem = action_problem(action, known)
        if problem is not None:
            hint = did_you_mean(action, known) if not action.startswith("*") else ""
            found.append(
                config.config_diagnostic((*prefix, "app", "rate_limits", action), problem + hint)
            )
    return found


def declared_resource(path: Path) -> str:
    """The resource a file that failed to parse most likely declares: its `resource:` line as
    written, else the file's name (which a warning asks to match the resource)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    match = re.search(r"""^resource\s*[:=]\s*["']?([a-z][a-z0-9_]*)""", text, re.MULTILINE)
    return match[1] if match else path.stem


def _config_prefix(config: ProjectConfig) -> tuple[str, ...]:
    """Where the settings' keys start: `[tool.schemagen]` in pyproject.toml."""
    return ("tool", "schemagen") if config.config_file.name == "pyproject.toml" else ()


def target_problems(config: ProjectConfig) -> list[Diagnostic]:
    """`targets` names that no built-in target or plugin provides."""
    available = available_targets()
    prefix = _config_prefix(config)
    return [
        config.config_diagnostic(
            (*prefix, "project", "targets", i),
            f"unknown target '{name}'{did_you_mean(name, available)} (targets: all, {', '.join(sorted(available))})",
        )
        for i, name in enumerate(config.targets)
        if name != "all" and name not in available
    ]


def render_project(
    compiled: Compiled, folder: OutputFolder, targets: list[str] | None = None
) -> tuple[list[RenderedFile], dict[str, str]]:
    """Render the selected targets and format their Python in one ruff pass.

    Files whose render is unchanged since the last build are taken from disk as they are, so a
    no-op build or check does not start ruff at all.
    """
    config = compiled.config
    available = available_targets()
    selected = select_targets(targets or list(config.targets), available)
    context = RenderContext(
        templates=config.templates_dir,
        schemas_label=config.relative(config.schemas_dir) + "/",
        cache_dir=config.root / ".schemagen" / "cache",
        enabled=frozenset(t.name for t in select_targets(list(config.targets), available)),
        api=compiled.api,
    )
    rendered = render_all(compiled.project, selected, context)
    sources: dict[str, str] = {}
    reused: dict[str, str] = {}
    for file in rendered:
        if file.is_python and not file.once:
            sources[file.path] = source_hash(file.content)
            text = folder.reusable(file.path, sources[file.path])
            if text is not None:
                reused[file.path] = text
    pending = [f for f in rendered if f.path not in reused]
    formatted = {f.path: f for f in format_python(pending)}
    files = [
        replace(f, content=reused[f.path]) if f.path in reused else formatted[f.path]
        for f in rendered
    ]
    return files, sources


def plan_build(
    compiled: Compiled, *, force: bool = False, targets: list[str] | None = None
) -> Plan:
    """What `build` would do. Never writes."""
    folder = OutputFolder(compiled.config.output_dir)
    files, sources = render_project(compiled, folder, targets)
    return plan(folder, files, force=force, sources=sources, prune=not targets)
