"""Built-in targets: one module per target, each exposing `TARGET`."""

from __future__ import annotations

from schemagen.targets import (
    alembic,
    cache_keys,
    erd,
    fastapi,
    forms,
    indexeddb,
    jsonschema,
    openapi,
    project,
    pydantic_models,
    sqlalchemy,
    tables,
    tanstack,
    tests,
    typescript,
    web,
    zod,
)
from schemagen.targets.base import Target

BUILTIN: dict[str, Target] = {
    t.name: t
    for t in (
        jsonschema.TARGET,
        sqlalchemy.TARGET,
        pydantic_models.TARGET,
        fastapi.TARGET,
        openapi.TARGET,
        alembic.TARGET,
        tests.TARGET,
        project.TARGET,
        erd.TARGET,
        typescript.TARGET,
        cache_keys.TARGET,
        zod.TARGET,
        tanstack.TARGET,
        forms.TARGET,
        tables.TARGET,
        indexeddb.TARGET,
        web.TARGET,
    )
}
