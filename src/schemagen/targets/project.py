"""`project` target: the generated project's `pyproject.toml` and `README.md`."""

from __future__ import annotations

from schemagen import ir
from schemagen.files import RenderedFile
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
    }
    return [
        context.render("project/pyproject.toml.j2", "pyproject.toml", **values),
        context.render("project/README.md.j2", "README.md", **values),
    ]


TARGET = Target(
    "project", render, "The generated project's pyproject.toml and README.md", requires=("fastapi",)
)
