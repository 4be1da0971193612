"""`decimal(p, s)`: an exact number, NUMERIC(p, s); sent as a JSON number."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from schemagen.types._checks import number_bounds
from schemagen.types.base import MISSING, FieldType, SqlShape, TypeDef

DEFAULT_PRECISION = 18
DEFAULT_SCALE = 2
MAX_PRECISION = 65  # MySQL's limit, the lowest of the three


def precision_and_scale(precision: int | None, scale: int | None) -> tuple[int, int]:
    """The (precision, scale) a decimal field has when the schema leaves either out."""
    return precision or DEFAULT_PRECISION, scale if scale is not None else DEFAULT_SCALE


def _sql(shape: SqlShape) -> dict[str, str]:
    text = f"NUMERIC({shape.precision}, {shape.scale})"
    return {"sqlite": text, "postgresql": text, "mysql": text}


def _default(value: Any, f: Any) -> str | None:
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        return f"the default of a decimal must be a number, got {value!r}"
    precision, scale = precision_and_scale(f.precision, f.scale)
    if -number.as_tuple().exponent > scale:  # type: ignore[operator]
        return f"default {value} has more than {scale} decimal places"
    if number != 0 and number.adjusted() >= precision - scale:
        return f"default {value} has more than {precision - scale} digits before the point (precision {precision}, scale {scale})"
    return number_bounds(value, f)


def _sample(f: Any, k: int, resource: str, name: str) -> Any:
    assert f is not None and f.scale is not None and f.precision is not None
    low, high = f.minimum, f.maximum
    step = Decimal(1).scaleb(-f.scale)
    start = Decimal(str(low if low is not None else 0))
    value = start + k + 5 * step if f.scale else start + k
    limit = Decimal(10) ** (f.precision - f.scale)
    if abs(value) >= limit or (high is not None and value > Decimal(str(high))):
        return MISSING
    return float(value) if len(value.as_tuple().digits) <= 15 else str(value)


def _invalid(f: Any) -> list[Any]:
    assert f.scale is not None and f.precision is not None
    values: list[Any] = [
        str(Decimal(1) + Decimal(1).scaleb(-(f.scale + 1))),  # one digit too many
        str(Decimal(10) ** (f.precision - f.scale)),  # too large for the column
    ]
    if f.minimum is not None:
        values.append(float(Decimal(str(f.minimum)) - 1))
    return values


TYPE = TypeDef(
    type=FieldType.DECIMAL,
    summary="an exact number; precision and scale default to (18, 2)",
    family="number",
    sql=_sql,
    python="decimal.Decimal",
    ts="number",  # the API sends decimals as JSON numbers
    zod="z.number()",
    json_schema={"type": "number", "format": "decimal"},
    api_kind="decimal",
    widget="number",
    sample=_sample,
    invalid=_invalid,
    default_problem=_default,
    options=("min", "max", "precision", "scale"),
    shorthand=("precision", "scale"),
)
