"""`alembic` target: the Alembic environment in migrations/ (alembic.ini, env.py, script.py.mako).

The revisions themselves and snapshot.json are history, written by `schemagen migrate` only
(see `schemagen.migrations`); this target renders what reads them.
"""

from __future__ import annotations

from schemagen import ir
from schemagen.files import RenderedFile
from schemagen.targets.base import RenderContext, Target

FOLDER = "migrations"


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    values = {"project": project}
    return [
        context.render("alembic/alembic.ini.j2", f"{FOLDER}/alembic.ini", **values),
        context.render("alembic/env.py.j2", f"{FOLDER}/env.py", **values),
        context.render("alembic/script.py.mako.j2", f"{FOLDER}/script.py.mako", **values),
        context.render("alembic/README.md.j2", f"{FOLDER}/versions/README.md", **values),
    ]


TARGET = Target(
    "alembic",
    render,
    "Alembic environment for the revisions `schemagen migrate` writes",
    requires=("sqlalchemy",),
)
