"""`float`: a double-precision number."""

from typing import Any

from schemagen.types._checks import number_bounds
from schemagen.types.base import MISSING, FieldType, TypeDef


def _default(value: Any, f: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"the default of a float must be a number, got {value!r}"
    return number_bounds(value, f)


def _sample(f: Any, k: int, resource: str, name: str) -> Any:
    low = f.minimum if f is not None else None
    high = f.maximum if f is not None else None
    value = (low if low is not None else 0) + 0.25 + k
    return value if high is None or value <= high else MISSING


def _invalid(f: Any) -> list[Any]:
    return ["many", *([f.maximum + 1] if f.maximum is not None else [])]


TYPE = TypeDef(
    type=FieldType.FLOAT,
    summary="a double-precision number",
    family="number",
    sql=lambda shape: {"sqlite": "FLOAT", "postgresql": "DOUBLE PRECISION", "mysql": "DOUBLE"},
    python="float",
    ts="number",
    zod="z.number()",
    json_schema={"type": "number"},
    api_kind="float",
    widget="number",
    sample=_sample,
    invalid=_invalid,
    default_problem=_default,
    options=("min", "max"),
    array_item=True,
)
