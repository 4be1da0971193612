"""Per-language literal escaping: the only way a schema string reaches generated code.

Templates never paste a schema string raw; they pass it through one of these filters, so a label
like `Author "x" */ ${y} </script>` stays data in every language.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any


def py_literal(value: Any) -> str:
    """A Python expression that evaluates to `value` (str, numbers, bools, None, lists, dicts, Decimal)."""
    if isinstance(value, Decimal):
        return f"Decimal({str(value)!r})"
    if isinstance(value, list | tuple):
        inner = ", ".join(py_literal(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot render non-finite float {value!r}")
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    raise TypeError(f"no Python literal for {type(value).__name__}")


def ts_literal(value: Any) -> str:
    """A TypeScript/JavaScript expression for `value`; safe inside a <script> block too."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    # JSON is valid JS except that these two line terminators end a JS string in older engines,
    # and "</" could close an inline <script> element.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("</", "<\\/")


def json_text(value: Any, indent: int | None = 2) -> str:
    """Canonical JSON for generated .json files: stable key order is the caller's dict order."""
    return json.dumps(value, ensure_ascii=False, indent=indent) + "\n"


def comment_text(value: str | None) -> str:
    """Text safe for a single-line comment in any of our languages (no newlines, no comment closers)."""
    if not value:
        return ""
    flat = " ".join(str(value).split())
    return flat.replace("*/", "* /").replace("-->", "-- >")


def sql_literal(value: Any) -> str:
    """A SQL literal for a default or a comment: strings single-quoted with quotes doubled."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"
