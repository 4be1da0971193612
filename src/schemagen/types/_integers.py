"""What `integer` and `bigint` share: whole numbers within their column's bounds."""

from __future__ import annotations

from typing import Any

from schemagen.types._checks import number_bounds


def default_check(kind: str, bounds: tuple[int, int]) -> Any:
    def check(value: Any, f: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"the default of an {kind} must be a whole number, got {value!r}"
        low, high = bounds
        if not low <= value <= high:
            return f"default {value} does not fit an {kind} column ({low} to {high})"
        return number_bounds(value, f)

    return check


def sample(start: int) -> Any:
    """Row k's value from the field's min (or `start`), MISSING above its max."""
    from schemagen.types.base import MISSING

    def draw(f: Any, k: int, resource: str, name: str) -> Any:
        low = f.minimum if f is not None else None
        high = f.maximum if f is not None else None
        value = (int(low) if low is not None else start) + k
        if low is not None and value < low:
            value = int(low) + k
        return value if high is None or value <= high else MISSING

    return draw


def invalid(f: Any) -> list[Any]:
    values: list[Any] = ["many"]
    if f.maximum is not None:
        values.append(int(f.maximum) + 1)
    if f.minimum is not None:
        values.append(int(f.minimum) - 1)
    return values
