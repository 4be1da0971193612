"""`bigint`: a 64-bit whole number."""

from schemagen.runtime.contract import INT_BOUNDS
from schemagen.types import _integers
from schemagen.types.base import FieldType, TypeDef, same_sql

BOUNDS = INT_BOUNDS["bigint"]  # the runtime's

TYPE = TypeDef(
    type=FieldType.BIGINT,
    summary="a 64-bit whole number",
    family="number",
    sql=same_sql("BIGINT"),
    python="int",
    ts="number",
    zod="z.number().int()",  # safe integers: what a JSON number holds exactly
    json_schema={"type": "integer"},
    api_kind="bigint",
    widget="number",
    sample=_integers.sample(2**40),
    invalid=_integers.invalid,
    default_problem=_integers.default_check("bigint", BOUNDS),
    options=("min", "max"),
    bounds=BOUNDS,
    array_item=True,
)
