"""`project` target: the generated project's `pyproject.toml` and `README.md`."""

from __future__ import annotations

from schemagen import ir
from schemagen.files import RenderedFile
from schemagen.render import RenderContext, Target
from schemagen.targets.fastapi import handler_packages, routes


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    packages = [project.package, *handler_packages(project)]
    example = next(
        (f"{r.name}.create" for r in project.resources if r.actions.create), "resource.create"
    )
    values = {
        "project": project,
        "package": project.package,
        "packages": packages,
        "routes": routes,
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
