"""The targets a build can run: the built-in ones, plugins, their order, and rendering them all."""

from __future__ import annotations

from importlib import metadata

from schemagen import ir
from schemagen.diagnostics import UsageError, did_you_mean
from schemagen.files import RenderedFile
from schemagen.render import RenderContext
from schemagen.targets import BUILTIN
from schemagen.targets.base import Target


def builtin_targets() -> dict[str, Target]:
    return dict(BUILTIN)


def available_targets() -> dict[str, Target]:
    """Built-in targets plus those registered under the `schemagen.targets` entry-point group."""
    targets = builtin_targets()
    for entry in metadata.entry_points(group="schemagen.targets"):
        try:
            plugin = entry.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not look like our bug
            raise UsageError(
                f"target plugin '{entry.name}' ({entry.value}) failed to load: {exc}"
            ) from None
        target = plugin() if callable(plugin) and not isinstance(plugin, Target) else plugin
        if not isinstance(target, Target):
            raise UsageError(
                f"target plugin '{entry.name}' must be a schemagen.targets.base.Target"
            )
        targets[target.name] = target
    return targets


def select_targets(
    requested: tuple[str, ...] | list[str], available: dict[str, Target]
) -> list[Target]:
    """The requested targets and what they require, in a stable dependency order."""
    names = list(available) if "all" in requested else list(requested)
    unknown = [n for n in names if n not in available]
    if unknown:
        hint = did_you_mean(unknown[0], available)
        raise UsageError(
            f"unknown target '{unknown[0]}'{hint} (targets: {', '.join(sorted(available))})",
            exit_code=2,
        )
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        for dependency in available[name].requires:
            visit(dependency)
        ordered.append(name)

    for name in names:
        visit(name)
    return [available[n] for n in ordered]


def render_all(
    project: ir.Project, targets: list[Target], context: RenderContext
) -> list[RenderedFile]:
    """Every target's files, in memory. Two targets claiming one path is a bug, reported as such."""
    files: dict[str, tuple[str, RenderedFile]] = {}
    for target in targets:
        produced = target.render(project, context)
        context.outputs[target.name] = produced
        for rendered in produced:
            if rendered.path in files:
                raise RuntimeError(
                    f"targets '{files[rendered.path][0]}' and '{target.name}' both write {rendered.path}"
                )
            files[rendered.path] = (target.name, rendered)
    return [files[path][1] for path in sorted(files)]
