"""Per-language literal escaping: the only way a schema string reaches generated code.

Templates never paste a schema string raw; they pass it through one of these filters, so a label
like `Author "x" */ ${y} </script>` stays data in every language.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from json.encoder import encode_basestring as _encode_string
from typing import Any


def py_literal(value: Any) -> str:
    """A Python expression that evaluates to `value` (str, numbers, bools, None, lists, dicts, Decimal)."""
    if isinstance(value, Decimal):
        return f"Decimal({str(value)!r})"
    if isinstance(value, list | tuple):
        inner = ", ".join(py_literal(v) for v in value)
        return (
            f"[{inner}]"
            if isinstance(value, list)
            else f"({inner}{',' if len(value) == 1 else ''})"
        )
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot render non-finite float {value!r}")
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    raise TypeError(f"no Python literal for {type(value).__name__}")


def py_docstring(value: str) -> str:
    """A triple-quoted docstring when the text allows one, else a plain string literal."""
    text = value.strip()
    readable = not any(c in text for c in ('"""', "\\", "\r", "\0")) and not text.endswith('"')
    readable = readable and all(c == "\n" or c.isprintable() for c in text)
    return f'"""{text}"""' if readable else py_literal(text)


def ts_literal(value: Any) -> str:
    """A TypeScript/JavaScript expression for `value`; safe inside a <script> block too."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    # JSON is valid JS except that these two line terminators end a JS string in older engines,
    # and "</" could close an inline <script> element.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("</", "<\\/")


def json_text(value: Any, indent: int | None = 2) -> str:
    """Canonical JSON for generated .json files: stable key order is the caller's dict order."""
    if isinstance(indent, int):
        try:
            return _indented_json(value, " " * indent) + "\n"
        except (_NotPlain, RecursionError):
            pass  # json.dumps decides (and raises what it raises) for anything else
    return json.dumps(value, ensure_ascii=False, indent=indent) + "\n"


class _NotPlain(Exception):
    pass


def _indented_json(value: Any, indent: str) -> str:
    """Exactly `json.dumps(value, ensure_ascii=False, indent=...)` for plain data: dicts with str
    keys, lists, tuples, str, int, finite float, bool and None; raises _NotPlain on anything else.

    With `indent`, the standard library falls back to its pure-Python encoder, several times slower
    than this; every generated .json file goes through here, one JSON Schema per resource.
    """
    parts: list[str] = []
    append = parts.append

    def encode(item: Any, prefix: str) -> None:
        kind = type(item)
        if kind is str:
            append(_encode_string(item))
        elif kind is dict or kind is list or kind is tuple:
            if not item:
                append("{}" if kind is dict else "[]")
                return
            inner = prefix + indent
            separator = ("{\n" if kind is dict else "[\n") + inner
            if kind is dict:
                for key, member in item.items():
                    if type(key) is not str:
                        raise _NotPlain
                    append(separator)
                    append(_encode_string(key))
                    append(": ")
                    encode(member, inner)
                    separator = ",\n" + inner
            else:
                for member in item:
                    append(separator)
                    encode(member, inner)
                    separator = ",\n" + inner
            append("\n" + prefix + ("}" if kind is dict else "]"))
        elif item is None or item is True or item is False:
            append("null" if item is None else "true" if item else "false")
        elif kind is int:
            append(int.__repr__(item))
        elif kind is float and math.isfinite(item):
            append(float.__repr__(item))
        else:
            raise _NotPlain

    encode(value, "")
    return "".join(parts)


def comment_text(value: str | None) -> str:
    """Text safe for a single-line comment in any of our languages (no newlines, no comment closers)."""
    if not value:
        return ""
    flat = " ".join(str(value).replace("\0", " ").split())  # Python refuses NUL anywhere in source
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
