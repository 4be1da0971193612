"""Names: plurals, cases, and the words each target language reserves."""

from __future__ import annotations

import hashlib
import keyword
import re

_IRREGULAR = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "goose": "geese",
    "foot": "feet",
    "tooth": "teeth",
    "ox": "oxen",
    "datum": "data",
    "criterion": "criteria",
    "index": "indexes",
    "matrix": "matrices",
    "vertex": "vertices",
    "quiz": "quizzes",
    "analysis": "analyses",
    "crisis": "crises",
    "thesis": "theses",
    "leaf": "leaves",
    "life": "lives",
    "knife": "knives",
    "wife": "wives",
    "half": "halves",
    "shelf": "shelves",
}
_UNCOUNTABLE = {
    "equipment",
    "information",
    "news",
    "series",
    "species",
    "sheep",
    "fish",
    "metadata",
    "staff",
    "feedback",
}


def plural(word: str) -> str:
    """English plural of a snake_case name; only the last word changes (`menu_item` -> `menu_items`)."""
    head, sep, last = word.rpartition("_")
    return head + sep + _plural_word(last)


def _plural_word(word: str) -> str:
    if not word or word in _UNCOUNTABLE:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("sis"):  # basis, diagnosis, hypothesis
        return word[:-2] + "es"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"[^aeiou]o$", word) and word not in {
        "photo",
        "piano",
        "memo",
        "logo",
        "video",
        "todo",
        "demo",
    }:
        return word + "es"
    return word + "s"


_SINGULAR_IRREGULAR = {plural_: word for word, plural_ in _IRREGULAR.items()}
# Plurals `_plural_word` makes that the general rules below would undo wrongly.
_SINGULAR_KEEP_E = {"shoes", "toes", "canoes", "movies", "cookies", "zombies", "pies", "ties"}


def singular(word: str) -> str:
    """The inverse of `plural`: `genres` -> `genre`, `people` -> `person`; a word that is not a
    plural is left as it is (`related`, `status`); only the last word changes."""
    head, sep, last = word.rpartition("_")
    return head + sep + _singular_word(last)


def _singular_word(word: str) -> str:
    if not word or word in _UNCOUNTABLE:
        return word
    if word in _SINGULAR_IRREGULAR:
        return _SINGULAR_IRREGULAR[word]
    if word in _SINGULAR_KEEP_E:
        return word[:-1]
    if re.search(r"[^aeiou]ies$", word):
        return word[:-3] + "y"
    if re.search(r"(ss|us|x|zz|ch|sh|ias|[^aeiou]o)es$", word):  # classes, statuses, boxes, heroes
        return word[:-2]
    if word.endswith("s") and not re.search(r"(ss|us|is)$", word):
        return word[:-1]
    return word


def api_field_name(name: str, kind: str) -> str:
    """The name a field travels under in the API: a relation as its column (`region` ->
    `region_id`), a many-to-many field as its ids, Rails-style (`genres` -> `genre_ids`)."""
    if kind == "relation":
        return f"{name}_id"
    if kind == "many_to_many":
        return f"{singular(name)}_ids"
    return name


def pascal(name: str) -> str:
    """`menu_item` -> `MenuItem`."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def camel(name: str) -> str:
    """`menu_item` -> `menuItem`."""
    text = pascal(name)
    return text[:1].lower() + text[1:]


def humanize(name: str) -> str:
    """`next_action_at` -> `Next action at`."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


# Soft keywords are pinned, not read from `keyword.softkwlist`, which grows with the Python
# version (3.12 added `type`): the same schema must give the same names on every Python.
PYTHON_RESERVED = frozenset(keyword.kwlist) | frozenset({"_", "case", "match"})
# Attribute names SQLAlchemy's declarative base or Pydantic's BaseModel claim for themselves.
MODEL_ATTRIBUTE_RESERVED = frozenset(
    {
        "metadata",
        "registry",
        "query",
        "model_config",
        "model_fields",
        "model_computed_fields",
        "copy",
        "dict",
        "json",
        "schema",
        "validate",
    }
)
TS_RESERVED = frozenset(
    [
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "new",
        "null",
        "return",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "as",
        "implements",
        "interface",
        "let",
        "package",
        "private",
        "protected",
        "public",
        "static",
        "yield",
        "any",
        "boolean",
        "constructor",
        "declare",
        "get",
        "module",
        "require",
        "number",
        "set",
        "string",
        "symbol",
        "type",
        "from",
        "of",
        "async",
        "await",
    ]
)
SQL_RESERVED = frozenset(
    [
        "all",
        "alter",
        "and",
        "any",
        "as",
        "asc",
        "between",
        "by",
        "case",
        "check",
        "column",
        "constraint",
        "create",
        "cross",
        "current_date",
        "current_time",
        "current_timestamp",
        "default",
        "delete",
        "desc",
        "distinct",
        "drop",
        "else",
        "end",
        "except",
        "exists",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "full",
        "grant",
        "group",
        "having",
        "in",
        "index",
        "inner",
        "insert",
        "intersect",
        "into",
        "is",
        "join",
        "key",
        "left",
        "like",
        "limit",
        "natural",
        "not",
        "null",
        "offset",
        "on",
        "or",
        "order",
        "outer",
        "primary",
        "references",
        "right",
        "select",
        "set",
        "table",
        "then",
        "to",
        "true",
        "union",
        "unique",
        "update",
        "user",
        "using",
        "values",
        "when",
        "where",
        "with",
    ]
)


def python_attr(name: str) -> str:
    """A field name as a safe Python attribute: `class` -> `class_`, `metadata` -> `metadata_`."""
    if name in PYTHON_RESERVED or name in MODEL_ATTRIBUTE_RESERVED:
        return name + "_"
    return name


def handler_function(action: str) -> str:
    """The function a custom action's scaffolded handler is: `class` -> `class_`, as a field's
    attribute is; `models` and `schemas` are the handler module's own imports."""
    return action + "_" if action in PYTHON_RESERVED or action in ("models", "schemas") else action


def constraint_name(*parts: str, limit: int = 60) -> str:
    """A database identifier within every dialect's limit (PostgreSQL: 63), shortened stably with a hash."""
    name = "_".join(parts)
    if len(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9]}_{digest}"
