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
