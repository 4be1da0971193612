"""The regular expressions of `pattern:`, matched the way the generated API matches them.

The generated backend checks a pattern with Pydantic, whose default engine is Rust's `regex`
crate: it runs in time linear in the input (no catastrophic backtracking, so `(x+x+)+y` cannot
hang anything), and it refuses look-around and backreferences. schemagen matches with that same
engine (through pydantic-core, already a dependency) wherever it needs to know whether a string
fits a pattern (a `default`, the test values it draws), so that it agrees with the API and never
hangs on a pattern a user wrote. Python's `re` only parses the pattern for the test-value drawer.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pydantic_core import SchemaError, SchemaValidator, ValidationError, core_schema


class PatternError(ValueError):
    """The pattern cannot be used; the message says why."""


@lru_cache(maxsize=256)
def matcher(pattern: str) -> Callable[[str], bool]:
    """`search(text)` for `pattern` as the generated API runs it. Raises PatternError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FutureWarning on `[[`: the test drawer parses it
            re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        raise PatternError(f"invalid regular expression: {exc}") from None
    try:
        validator = SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError as exc:
        # "Error building "str" validator: SchemaError: regex parse error: ..." -> the last part
        reason = " ".join(str(exc).split()).rsplit("SchemaError: ", 1)[-1]
        raise PatternError(
            f"the generated API cannot use this regular expression (it runs linear-time "
            f"regular expressions: no look-around or backreferences): {reason}"
        ) from None

    def search(text: str) -> bool:
        try:
            validator.validate_python(text)
        except ValidationError:
            return False
        return True

    return search


# ---------------------------------------------------------------------------------------------
# A string from a regular expression


def pattern_value(
    pattern: str, k: int, min_length: int | None, max_length: int | None
) -> str | None:
    """A string the API's pattern check accepts, varied by `k`, within the lengths; None if none.

    Drawn from the regular expression itself (Python's parser), then checked by `matcher`."""
    for attempt in range(4):
        try:
            text = _draw(_parse(pattern), k + attempt * 7, {})
        except _Unsupported:
            return None
        if matcher(pattern)(text) and (min_length or 0) <= len(text) <= (max_length or len(text)):
            return text
    return None


class _Unsupported(Exception):
    pass


def _parse(pattern: str) -> Any:
    try:
        from re import _parser as parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse as parser  # type: ignore[no-redef]
    return parser.parse(pattern)


_CATEGORIES = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_WORD": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
    "CATEGORY_SPACE": " ",
}
_ANY = "abcdefghijklmnopqrstuvwxyz0123456789"


def _draw(parsed: Any, k: int, groups: dict[int, str]) -> str:
    out = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("a" if chr(arg) != "a" else "b")
        elif name == "ANY":
            out.append(_ANY[k % len(_ANY)])
        elif name == "IN":
            out.append(_choose_in(arg, k))
        elif name == "BRANCH":
            branches = arg[1]
            out.append(_draw(branches[k % len(branches)], k // len(branches), groups))
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            sub = arg[-1] if name == "SUBPATTERN" else arg
            text = _draw(sub, k, groups)
            if name == "SUBPATTERN" and arg[0] is not None:
                groups[arg[0]] = text
            out.append(text)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = max(low, 1) if high != 0 else 0
            count = min(count, high) if high is not None and str(high) != "MAXREPEAT" else count
            out.append("".join(_draw(sub, k + i, groups) for i in range(count)))
        elif name == "AT":
            continue
        elif name == "GROUPREF":
            out.append(groups.get(arg, ""))
        elif name == "CATEGORY":
            chars = _CATEGORIES.get(str(arg))
            if chars is None:
                raise _Unsupported(str(arg))
            out.append(chars[k % len(chars)])
        else:
            raise _Unsupported(name)
    return "".join(out)


def _choose_in(items: Any, k: int) -> str:
    chars: list[str] = []
    negate = False
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE":
            low, high = arg
            chars.extend(chr(c) for c in range(low, min(high, low + 25) + 1))
        elif name == "CATEGORY":
            chars.extend(_CATEGORIES.get(str(arg), ""))
        else:
            raise _Unsupported(name)
    if negate:
        allowed = [c for c in _ANY if c not in chars]
        return allowed[k % len(allowed)]
    if not chars:
        raise _Unsupported("empty set")
    return chars[k % len(chars)]
