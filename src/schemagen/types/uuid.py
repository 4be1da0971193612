"""`uuid`: a UUID; UUID on PostgreSQL, 32 hex digits elsewhere."""

import uuid

from schemagen.types import _checks
from schemagen.types.base import FieldType, TypeDef

# Test values are stable across runs: uuid5 of the resource, field and row.
NAMESPACE = uuid.UUID("6f1c1d2e-0b7a-4c5e-9a58-3f2d1e0c9b8a")

TYPE = TypeDef(
    type=FieldType.UUID,
    summary="a UUID",
    family="uuid",
    sql=lambda shape: {"sqlite": "CHAR(32)", "postgresql": "UUID", "mysql": "CHAR(32)"},
    python="uuid.UUID",
    ts="string",
    zod="z.guid()",  # any 8-4-4-4-12 hex id, as the server's UUID parsing accepts
    json_schema={"type": "string", "format": "uuid"},
    api_kind="uuid",
    widget="text",
    sample=lambda f, k, resource, name: str(uuid.uuid5(NAMESPACE, f"{resource}.{name}.{k}")),
    invalid=lambda f: ["not-a-uuid"],
    default_problem=_checks.parsed_default(
        "uuid", uuid.UUID, "e.g. 123e4567-e89b-12d3-a456-426614174000"
    ),
    array_item=True,
)
