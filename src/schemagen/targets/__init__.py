"""Built-in targets: one module per target, each exposing `TARGET`."""

from __future__ import annotations

from schemagen.render import Target
from schemagen.targets import jsonschema, sqlalchemy

BUILTIN: dict[str, Target] = {t.name: t for t in (jsonschema.TARGET, sqlalchemy.TARGET)}
