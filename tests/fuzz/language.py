"""Hypothesis strategies for schema projects: valid ones that mirror the language, then mutated.

A project is data, `{"schemagen.toml": {...}, "schemas/<name>.<yaml|toml>": {...} | bytes}`,
written by `write_project`. The valid part follows the README's language (field types and their
options, relations between the project's resources, traits, indexes, checks, actions, ui); the
mutations put what a careless or hostile user writes anywhere in it: wrong types, strings with every
line terminator, control character, quote and comment or template delimiter, huge and non-finite
numbers, keywords as names, deep nesting, and bytes that are not UTF-8.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from schemagen.language import ON_DELETE, TRAITS
from schemagen.types import ARRAY_ITEM_TYPES as ITEM_TYPES
from schemagen.types import FIELD_TYPES as TYPES

# Plain strings: a schema file holds names, and YAML writers refuse str subclasses.
FIELD_TYPES = tuple(str(t) for t in TYPES)
ARRAY_ITEM_TYPES = tuple(str(t) for t in ITEM_TYPES)

# Words every target reserves somewhere, and names the generated code uses for itself.
KEYWORDS = [
    "class",
    "def",
    "from",
    "import",
    "none",
    "true",
    "false",
    "order",
    "type",
    "default",
    "async",
    "await",
    "return",
    "delete",
    "select",
    "table",
    "user",
    "metadata",
    "json",
    "models",
    "schemas",
    "match",
    "case",
    "id",
    "self",
    "function",
    "constructor",
    "prototype",
    "string",
    "number",
    "object",
    "record",
    "promise",
    "date",
    "error",
    "event",
    "request",
    "response",
    "query",
    "session",
    "row",
    "data",
    "index",
    "key",
    "value",
    "values",
]
PLAIN = ["title", "name", "status", "price", "tags", "notes", "owner", "author", "book", "genre"]
# Characters that end or disguise a literal, comment or docstring in some target language.
HOSTILE = [
    "\n",
    "\r",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
    "\x00",
    "\x7f",
    "\x1b",
    "\t",
    "'",
    '"',
    "`",
    "\\",
    "*/",
    "/*",
    "${",
    "{{",
    "}}",
    "{%",
    "</script>",
    '"""',
    "'''",
    "--",
    ";",
    "#",
    "%s",
    "\u202e",
    "\ufeff",
    "\U0001f600",
    "é",
    " ",
]
NUMBERS = [
    0,
    -1,
    1,
    2**31,
    2**63,
    10**22,
    10**39,
    -(10**39),
    1e308,
    -1e308,
    0.1,
    1e-300,
    math.inf,
    -math.inf,
    math.nan,
    "1e999",
    "-1e999",
    "nan",
    "inf",
]

names = st.one_of(
    st.sampled_from(PLAIN),
    st.sampled_from(KEYWORDS),
    st.from_regex(r"[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,6}){0,2}", fullmatch=True),
)
hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(max_size=4)), min_size=1, max_size=6
).map("".join)
# Strings every target must carry as they are: quotes, backslashes, comment and template
# delimiters, non-ASCII; no control characters, which names and enum values may not hold.
printable_text = st.lists(
    st.one_of(
        st.sampled_from([h for h in HOSTILE if h.isprintable() and h.strip()]),
        st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=4),
    ),
    min_size=1,
    max_size=5,
).map("".join)
# Text that the generated files must carry inside a literal or a comment: a hostile middle between
# two markers, the second one proving that nothing in the middle ended the literal early.
MARKER = "ZqFuzzZq"
marked_text = hostile_text.map(lambda text: f"{MARKER}{text}{MARKER}")
hostile_names = st.one_of(
    names.map(lambda n: n + "\n"),
    st.tuples(names, st.sampled_from(HOSTILE), names).map("".join),
    st.sampled_from(["", "A", "Book", "__x", "x__y", "9a", "a" * 70, "a" * 300]),
)
numbers = st.one_of(st.sampled_from(NUMBERS), st.integers(-(2**70), 2**70), st.floats())
scalars = st.one_of(st.none(), st.booleans(), numbers, hostile_text, names)
any_value = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(names, hostile_text), inner, max_size=3),
    ),
    max_leaves=8,
)


def deep(depth: int) -> str:
    """A value nested `depth` lists deep, written into the file as text by `render` (the YAML
    and TOML writers here would recurse as deep as the value)."""
    return f"@@DEEP{depth}@@"


_DEEP = re.compile(r"""["']?@@DEEP(\d+)@@["']?""")

hostile_values = st.one_of(
    scalars,
    any_value,
    hostile_names,
    st.sampled_from(["True", "None", "Exception", "json:loads", "acme_ext.class:x", "os:path"]),
    # ISO 8601 moments that are no moment in UTC (Python's datetime overflows converting them).
    st.sampled_from(["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]),
    st.integers(20, 5000).map(deep),
    # Long runs: what a quadratic check (regex backtracking, per-word errors) cannot survive.
    st.sampled_from(
        [
            "string" + " " * 100_000 + "!",
            "enum(" + "a," * 30_000 + ")",
            "x" * 200_000,
            "a " * 50_000,
            "(" * 3000 + "x" + ")" * 3000,
        ]
    ),
)


# --- the valid language -------------------------------------------------------------------------


@st.composite
def field_spec(draw: st.DrawFn, resources: list[str], in_input: bool = False) -> dict[str, Any]:
    kinds = [t for t in FIELD_TYPES if not (in_input and t == "many_to_many")]
    rarely = st.integers(0, 5).map(lambda n: n == 0)
    kind = draw(st.sampled_from(kinds))
    spec: dict[str, Any] = {"type": kind}
    flag = st.booleans()
    if draw(flag):
        spec["required"] = True
    if kind in ("string", "text", "email", "url", "slug", "phone"):
        if draw(flag) and kind != "phone":
            spec["max_length"] = draw(st.integers(1, 400 if kind != "slug" else 255))
        if draw(rarely) and kind in ("string", "text"):
            spec["pattern"] = draw(
                st.sampled_from(["^[a-z]+$", "[0-9]", "^x", "(x+x+)+y", "^[A-Z]{2,3}-\\d+$", "a|b"])
            )
        if draw(flag):
            spec["searchable"] = True
        if draw(flag) and kind in ("string", "email", "slug", "phone") and not in_input:
            spec["unique"] = True
        if draw(rarely) and kind == "slug":
            spec["default"] = draw(st.sampled_from(["hello-world-2", "x"]))
    elif kind in ("integer", "bigint", "float", "decimal"):
        if kind == "decimal" and draw(flag):
            spec["precision"] = draw(st.integers(4, 20))
            spec["scale"] = draw(st.integers(0, 3))
        if draw(flag):
            spec["min"] = draw(st.integers(-100, 0))
        if draw(flag):
            spec["max"] = draw(st.integers(1, 1000))
        if draw(flag):
            spec["default"] = draw(st.integers(0, 1))
    elif kind == "enum":
        values = draw(
            st.lists(st.one_of(names, printable_text), min_size=1, max_size=4, unique=True)
        )
        spec["values"] = values
        if draw(flag):
            spec["default"] = values[0]
    elif kind == "array":
        spec["of"] = draw(st.sampled_from(ARRAY_ITEM_TYPES))
    elif kind == "json" and draw(rarely):
        spec["default"] = draw(any_value)
    elif kind == "boolean" and draw(flag):
        spec["default"] = draw(st.booleans())
    elif kind in ("relation", "many_to_many"):
        spec["to"] = draw(st.sampled_from(resources))
        if kind == "relation" and draw(flag):
            spec["on_delete"] = draw(st.sampled_from(ON_DELETE))
    if kind not in ("json", "many_to_many", "array") and draw(flag):
        spec["filterable"] = True
    for key in ("label", "help", "description"):
        if draw(st.integers(0, 3)) == 0:
            spec[key] = draw(marked_text)
    return spec


@st.composite
def resource_spec(draw: st.DrawFn, name: str, resources: list[str]) -> dict[str, Any]:
    fields = draw(st.dictionaries(names, field_spec(resources), min_size=1, max_size=5))
    spec: dict[str, Any] = {"resource": name, "fields": fields}
    if draw(st.booleans()):
        spec["traits"] = draw(st.lists(st.sampled_from(TRAITS), max_size=3, unique=True))
    if draw(st.integers(0, 3)) == 0:
        spec["primary_key"] = "integer"
    for key in ("label", "description"):
        if draw(st.integers(0, 3)) == 0:
            spec[key] = draw(marked_text)
    columns = [
        n for n, f in fields.items() if f["type"] not in ("json", "array", "many_to_many", "text")
    ]
    if columns and draw(st.booleans()):
        spec["indexes"] = [
            {"fields": [draw(st.sampled_from(columns))], "unique": draw(st.booleans())}
        ]
    numeric = [n for n, f in fields.items() if f["type"] in ("integer", "float", "decimal")]
    if numeric and draw(st.booleans()):
        spec["checks"] = [{"name": "positive", "expr": f"{numeric[0]} >= 0"}]
    actions: dict[str, Any] = {}
    if draw(st.booleans()):
        actions["bulk"] = {"dry_run": True, "undo": draw(st.booleans())}
    for action in draw(st.lists(names, max_size=2, unique=True)):
        if action in ("list", "get", "create", "update", "delete", "bulk"):
            continue
        custom: dict[str, Any] = {
            "input": draw(st.dictionaries(names, field_spec(resources, in_input=True), max_size=2)),
            "scope": draw(st.sampled_from(["item", "collection"])),
        }
        if draw(st.booleans()):
            custom["handler"] = draw(
                st.sampled_from(["acme_ext.jobs:run", "other_ext.tasks:go", "acme_ext.jobs:class_"])
            )
        actions[action] = custom
    if actions:
        spec["actions"] = actions
    if draw(st.integers(0, 5)) == 0:  # names TypeScript or the browser define too
        spec["model"] = draw(
            st.sampled_from(["Record", "Thing", "Promise", "Date", "Error", "Event"])
        )
    return spec


@st.composite
def project(draw: st.DrawFn) -> dict[str, Any]:
    """A valid-looking project: a config and one to four resources that may point at each other."""
    resource_names = st.one_of(st.sampled_from(PLAIN), names)
    resources = draw(st.lists(resource_names, min_size=1, max_size=4, unique=True))
    files: dict[str, Any] = {
        "schemagen.toml": {
            "project": {
                "name": draw(st.one_of(st.just("acme"), st.just("acme"), printable_text)),
                "package": "acme",
                **(
                    {
                        "targets": draw(
                            st.lists(
                                st.sampled_from(["all", "fastapi", "zod", "tanstack"]),
                                min_size=1,
                                max_size=2,
                            )
                        )
                    }
                    if draw(st.integers(0, 4)) == 0
                    else {}
                ),
            }
        }
    }
    for i, name in enumerate(resources):
        fmt = draw(st.sampled_from(["yaml", "yaml", "toml"]))
        spec = draw(resource_spec(name, resources))
        if i and "model" in spec:
            del spec["model"]  # one model name of a kind per project
        files[f"schemas/{name}.{fmt}"] = spec
    return files


# --- mutations ----------------------------------------------------------------------------------


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: _replace(data[head], rest, value)}
    copy = list(data)
    copy[head] = _replace(copy[head], rest, value)
    return copy


def _rename(data: Any, path: tuple[Any, ...], key: str) -> Any:
    parent = path[:-1]
    node = data
    for part in parent:
        node = node[part]
    if not isinstance(node, dict):
        return data
    renamed = {key if k == path[-1] else k: v for k, v in node.items()}
    return _replace(data, parent, renamed)


@st.composite
def mutated_project(draw: st.DrawFn) -> dict[str, Any]:
    """A project from `project()`, with zero to three mutations anywhere in any file."""
    files = draw(project())
    for _ in range(draw(st.integers(0, 3))):
        file = draw(st.sampled_from(sorted(files)))
        data = files[file]
        if isinstance(data, bytes):
            continue
        kind = draw(st.sampled_from(["value", "value", "key", "drop", "bytes"]))
        path = draw(st.sampled_from(_paths(data)))
        if kind == "value":
            files[file] = _replace(data, path, draw(hostile_values))
        elif kind == "key" and path:
            files[file] = _rename(data, path, draw(st.one_of(hostile_names, names)))
        elif kind == "drop" and path:
            files[file] = _rename(data, path, "x_unknown_key")
        elif kind == "bytes":
            text = render(file, data)
            cut = draw(st.integers(0, len(text)))
            junk = draw(st.sampled_from([b"\xff\xfe", b"\xc3", b"\x00", b"[", b"{", b": :", b"\t"]))
            files[file] = text[:cut] + junk + text[cut:]
    return files


# --- files --------------------------------------------------------------------------------------


def render(name: str, data: Any) -> bytes:
    """A file's bytes: YAML through PyYAML, TOML through `toml_document`."""
    if name.endswith(".toml"):
        text = toml_document(data)
    else:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    text = _DEEP.sub(lambda m: "[" * int(m[1]) + "]" * int(m[1]), text)
    return text.encode("utf-8", "surrogatepass")


def write_project(root: Path, files: dict[str, Any]) -> None:
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (root / name).write_bytes(data if isinstance(data, bytes) else render(name, data))


def toml_document(data: Any) -> str:
    if not isinstance(data, dict):
        return f"value = {_toml(data)}\n"  # a TOML document is a table: the mutation shows as a key
    return "".join(f"{_toml_key(k)} = {_toml(v)}\n" for k, v in data.items() if v is not None)


def _toml_key(key: Any) -> str:
    return _toml_string(str(key))


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else "inf"
            if value == math.inf
            else "-inf"
            if value == -math.inf
            else json.dumps(value)
        )
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{_toml_key(k)} = {_toml(v)}" for k, v in value.items() if v is not None)
            + "}"
        )
    return '""'
