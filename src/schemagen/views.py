"""Named list views: what a view's filters mean as the API's list parameters.

A view is a saved list query, not an endpoint: each condition of its `filters` becomes one list
parameter (`next_action_at: {lte: now}` is `next_action_at__lte=now`), read with the resource's
own filters. `ne` and `not_in`, which the API does not have, are the `in` of the other enum values
(`stage: {not_in: [won, lost]}` is `stage__in=lead,qualified,...`), or on a boolean the `eq` of
the other value. `validate` checks a view first; what reaches `parameters` is valid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from schemagen import language as lang
from schemagen.ir import ParamValue
from schemagen.types import FieldType


def conditions(filters: dict[str, Any]) -> Iterator[tuple[str, str, Any, tuple[str, ...]]]:
    """Each condition of a view's `filters`: (field, operator, value, key path below `filters`).
    A bare value is `eq`; a mapping holds one value per operator."""
    for field, condition in filters.items():
        if isinstance(condition, dict):
            for op, value in condition.items():
                yield field, str(op), value, (field, str(op))
        else:
            yield field, "eq", condition, (field,)


def plain(value: Any) -> Any:
    """A YAML or TOML date or datetime as the ISO text the API reads."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


def parameters(
    f: lang.FieldSpec, api_name: str, op: str, value: Any
) -> list[tuple[str, ParamValue]]:
    """The list parameters of one valid condition on field `f` (API name `api_name`); none when
    the condition leaves every row in (`ne` of a value no row can hold is refused before)."""
    if op in ("ne", "not_in"):
        excluded = {plain(v) for v in (value if op == "not_in" else [value])}
        if f.type == FieldType.BOOLEAN:
            kept_bools = [b for b in (True, False) if b not in excluded]
            return [(api_name, kept_bools[0])] if len(kept_bools) == 1 else []
        kept = tuple(o.value for o in f.enum_values if o.value not in excluded)
        return [(f"{api_name}__in", kept)]
    if op == "in":
        return [(f"{api_name}__in", tuple(plain(v) for v in value))]
    name = api_name if op == "eq" else f"{api_name}__{op}"
    result: ParamValue = plain(value)
    return [(name, result)]
