"""`many_to_many(to)`: a junction table; sent as `<singular>_ids`."""

from schemagen.types.base import FieldType, TypeDef
from schemagen.types.relation import _no_sql

TYPE = TypeDef(
    type=FieldType.MANY_TO_MANY,
    summary="a junction table; the API field is `<singular>_ids`",
    family="relation",
    sql=_no_sql,
    python="",
    ts="",
    zod="",
    json_schema={},
    api_kind="many_to_many",
    widget="multiselect",
    sample=None,  # existing rows' ids, chosen by the target
    invalid=lambda f: [["x"]],
    default_problem=None,
    options=("to", "inverse", "through"),
    shorthand=("to",),
    comparable=False,
    indexable=False,
    filterable=False,
)
