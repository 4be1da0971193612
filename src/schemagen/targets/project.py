"""`project` target: the generated project's `pyproject.toml` and `README.md`."""

from __future__ import annotations

from schemagen import ir
from schemagen.files import RenderedFile
from schemagen.runtime import __version__ as runtime_version
from schemagen.runtime_files import FEATURE_NAMES, feature_modules
from schemagen.targets.base import RenderContext, Target


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    api = context.api_for(project)
    packages = [project.package, *api.handler_packages()]
    example = next(
        (f"{r.name}.create" for r in project.resources if r.actions.create), "resource.create"
    )
    values = {
        "project": project,
        "package": project.package,
        "packages": packages,
        "routes": lambda resource: api.resource(resource).routes,
        "example": example,
        "schemas": context.schemas_label,
        "runtime_version": runtime_version,
        "runtime_features": [FEATURE_NAMES[name] for name in feature_modules(api)],
        "exports": api.has_export,
        "bulk": api.has_bulk,
        "web": context.enabled is None or "web" in context.enabled,
    }
    return [
        context.render("project/pyproject.toml.j2", "pyproject.toml", **values),
        context.render("project/README.md.j2", "README.md", **values),
    ]


TARGET = Target(
    "project", render, "The generated project's pyproject.toml and README.md", requires=("fastapi",)
)
