"""`relation(to)`: many-to-one; a `<name>_id` column and a foreign key."""

from schemagen.types.base import FieldType, TypeDef


def _no_sql(shape: object) -> dict[str, str]:
    raise AssertionError("a relation's column has its target's key type")


TYPE = TypeDef(
    type=FieldType.RELATION,
    summary="many-to-one: a `<name>_id` column and a foreign key",
    family="relation",
    sql=_no_sql,
    python="",
    ts="",
    zod="",
    json_schema={},
    api_kind="",  # its target's key kind: integer or uuid
    widget="select",
    sample=None,  # an existing row's id, chosen by the target
    invalid=lambda f: ["x"],
    default_problem=None,
    options=("to", "inverse", "on_delete"),
    shorthand=("to",),
)
