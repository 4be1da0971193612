"""`integer`: a 32-bit whole number."""

from schemagen.runtime.contract import INT_BOUNDS
from schemagen.types import _integers
from schemagen.types.base import FieldType, TypeDef, same_sql

# What an INTEGER holds on every dialect (SQLite's is 64-bit; the others' 32-bit): the runtime's.
BOUNDS = INT_BOUNDS["integer"]

TYPE = TypeDef(
    type=FieldType.INTEGER,
    summary="a 32-bit whole number",
    family="number",
    sql=same_sql("INTEGER"),
    python="int",
    ts="number",
    zod="z.number().int()",
    json_schema={"type": "integer"},
    api_kind="integer",
    widget="number",
    sample=_integers.sample(0),
    invalid=_integers.invalid,
    default_problem=_integers.default_check("integer", BOUNDS),
    options=("min", "max"),
    bounds=BOUNDS,
    array_item=True,
)
