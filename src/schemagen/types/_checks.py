"""Default checks and test values shared by the types of one family."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from schemagen.patterns import PatternError, matcher, pattern_value
from schemagen.types.base import HOSTILE, MISSING


def text_default(value: Any, f: Any) -> str | None:
    """A text default: a string within the field's lengths that matches its pattern."""
    if not isinstance(value, str):
        return f"the default of a {f.type} must be a string, got {value!r}"
    if f.max_length is not None and len(value) > f.max_length:
        return f"default is {len(value)} characters, above max_length {f.max_length}"
    if f.min_length is not None and len(value) < f.min_length:
        return f"default is {len(value)} characters, below min_length {f.min_length}"
    if f.pattern is not None:
        try:
            if not matcher(f.pattern)(value):
                return f"default {value!r} does not match pattern {f.pattern!r}"
        except PatternError:
            return None  # reported on the pattern itself
    return None


def builtin_pattern_default(pattern: str, example: str) -> Any:
    """The default check of a type whose values all match `pattern` (slug, phone)."""

    def check(value: Any, f: Any) -> str | None:
        problem = text_default(value, f)
        if problem is None and not matcher(pattern)(value):
            return f"default {value!r} is not a valid {f.type} (e.g. {example})"
        return problem

    return check


def number_bounds(value: Any, f: Any) -> str | None:
    """A number default within the field's min and max."""
    number = Decimal(str(value))
    if f.min is not None and number < Decimal(str(f.min)):
        return f"default {value} is below min {f.min}"
    if f.max is not None and number > Decimal(str(f.max)):
        return f"default {value} is above max {f.max}"
    return None


def free_text(f: Any, k: int, name: str) -> Any:
    """A string for a text field: hostile characters, within its lengths, or drawn from its pattern."""
    if f is not None and f.pattern:
        drawn = pattern_value(f.pattern, k, f.min_length, f.max_length)
        return MISSING if drawn is None else drawn
    text = f"{name} {k} {HOSTILE}"
    limit = f.max_length if f is not None and f.max_length else None
    if limit is not None:
        text = text[:limit].rstrip()
    minimum = f.min_length if f is not None and f.min_length else 0
    return text + "x" * max(0, minimum - len(text))


def text_invalid(f: Any) -> list[Any]:
    """Too long, too short, off the pattern, not a string."""
    values: list[Any] = []
    if f.max_length:
        values.append("x" * (f.max_length + 1))
    if f.min_length:
        values.append("x" * (f.min_length - 1))
    if f.pattern:
        for candidate in ("", "!", "0", "x" * max(1, f.min_length or 1)):
            if (
                not matcher(f.pattern)(candidate)
                and (f.max_length is None or len(candidate) <= f.max_length)
                and len(candidate) >= (f.min_length or 0)
            ):
                values.append(candidate)
                break
    values.append(12)  # not a string
    return values


def parsed_default(kind: str, parse: Any, expected: str) -> Any:
    """The default check of a type written as an ISO or UUID string."""

    def check(value: Any, f: Any) -> str | None:
        if not isinstance(value, str):
            return f"the default of a {kind} must be a string, got {value!r}"
        try:
            parsed = parse(value)
        except ValueError:
            return f"default {value!r} is not a valid {kind} ({expected})"
        if getattr(parsed, "tzinfo", False) is None and kind == "datetime":
            return f"default {value!r} needs a UTC offset, e.g. {value}Z or {value}+02:00 (datetimes are timezone-aware)"
        return None

    return check
