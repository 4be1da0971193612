"""Per-language literal escaping: the only way a schema string reaches generated code.

One function per place a language can hold text (a Python expression, docstring or comment; a
TypeScript string; JSON; a TOML string; a SQL string, identifier or comment; Markdown text).
Templates never paste a schema string raw; they pass it through one of these filters, so a label
like `Author "x" */ ${y} </script>` or one holding U+2028 stays data in every language.

Each function either writes text that the language's own parser reads back as the value (and that
cannot end the literal, comment or docstring it sits in), or raises `LiteralError`. Text that is
not a value (comments, one-line docstring fragments) keeps every character readable: line breaks
become spaces, other unprintable characters are shown as their escape (`\\u2028`, `\\x00`).
`tests/unit/test_literals.py` proves this over every code point with the real parsers.

Non-finite numbers have no literal in JSON, TypeScript, TOML or SQL (and none worth writing in
Python): `validate` refuses them in schemas, so meeting one here is a bug, reported as such.
"""

from __future__ import annotations

import enum
import html
import math
import re
from decimal import Decimal
from json.encoder import encode_basestring as _encode_string
from typing import Any


class LiteralError(ValueError):
    """A value that no literal of the language can hold (a bug upstream: validate refuses it)."""


def _escape(char: str) -> str:
    """The \\x/\\u/\\U escape of one character, as Python, JSON-ish and TOML-ish text spell it."""
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _number(value: Any, language: str) -> int | float | Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise LiteralError(f"no {language} number for {type(value).__name__} {value!r}")
    if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
        raise LiteralError(f"cannot write the non-finite number {value!r} as a {language} literal")
    return value


# ---------------------------------------------------------------------------------------------
# Python


def py_literal(value: Any) -> str:
    """A Python expression that evaluates to `value` (str, numbers, bools, None, lists, dicts, Decimal).

    Strings are `repr`: every character that is not printable (line terminators of every kind,
    controls, surrogates, bidi overrides) is written as its escape, so the literal is one line.
    """
    if isinstance(value, str):
        return repr(str(value))  # str(): a FieldType is written as its name
    if isinstance(value, Decimal):
        return f"Decimal({str(_number(value, 'Python'))!r})"
    if isinstance(value, list | tuple):
        inner = ", ".join(py_literal(v) for v in value)
        return (
            f"[{inner}]"
            if isinstance(value, list)
            else f"({inner}{',' if len(value) == 1 else ''})"
        )
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return repr(_number(value, "Python"))
    raise LiteralError(f"no Python literal for {type(value).__name__}")


def _readable_docstring(text: str) -> bool:
    # A plain triple-quoted string holds it as written: printable characters and "\n" only
    # (Python itself ends no line at U+2028, but tools that read the file with str.splitlines
    # do), no backslash (an escape), no `"""` and no trailing `"` (either would close it).
    return (
        '"""' not in text
        and "\\" not in text
        and not text.endswith('"')
        and all(c == "\n" or c.isprintable() for c in text)
    )


def py_docstring(value: str, indent: str | None = None) -> str:
    """A docstring for `value.strip()`: triple-quoted when the text allows one, else a string literal.

    With `indent`, a multi-line block: the opening quotes, then each line of the text after
    `indent` (empty lines stay empty), then `indent` and the closing quotes (PEP 257's layout,
    which `inspect.cleandoc` reads back as the text).
    """
    text = value.strip()
    if not _readable_docstring(text):
        return py_literal(text)
    if indent is None:
        return f'"""{text}"""'
    lines = "".join(f"{indent}{line}\n" if line else "\n" for line in text.split("\n"))
    return f'"""\n{lines}{indent}"""'


def py_doc_text(value: str | None) -> str:
    """One line of text for inside a template's `\"\"\"...\"\"\"`: whitespace runs become one space,
    backslashes and double quotes are escaped, every other unprintable character is its escape."""
    if not value:
        return ""
    flat = " ".join(str(value).split())
    return "".join(
        "\\\\" if c == "\\" else '\\"' if c == '"' else c if c.isprintable() else _escape(c)
        for c in flat
    )


# ---------------------------------------------------------------------------------------------
# Comments (every language's one-line comment: #, //, /** */, --, <!-- -->, ##)

_COMMENT_CLOSERS = (("*/", "* /"), ("--!>", "--! >"), ("-->", "-- >"))


def _one_line(value: str | None) -> str:
    """Whitespace runs (every line terminator included) as one space, unprintables as escapes."""
    if not value:
        return ""
    flat = " ".join(str(value).split())
    if not flat.isprintable():
        flat = "".join(c if c.isprintable() else _escape(c) for c in flat)
    return flat


def comment_text(value: str | None) -> str:
    """Text for a one-line comment in any of our languages: one line, printable, no comment closer.

    Whitespace runs (every line terminator included) become one space; any other unprintable
    character is shown as its escape (TOML forbids controls in comments; a bidi override would
    make the comment read differently from what it does); `*/`, `-->` and `--!>` are broken up.
    """
    flat = _one_line(value)
    for closer, broken in _COMMENT_CLOSERS:
        while closer in flat:  # "*/*/" -> "* /* /": a replacement never forms a new closer
            flat = flat.replace(closer, broken)
    return flat


# ---------------------------------------------------------------------------------------------
# TypeScript / JavaScript


def _js_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def ts_string(text: str) -> str:
    """A TypeScript/JavaScript string literal (double-quoted) that evaluates to `text`.

    JSON's escaping, plus: every unprintable character as a `\\u` escape (U+2028/U+2029 end a
    string in pre-2019 engines and a `//` comment in all; a lone surrogate cannot be written as
    UTF-8), and `</` as `<\\/` so the literal is safe inside an inline <script> too.
    """
    encoded = _encode_string(text)
    if not encoded.isprintable():
        encoded = "".join(c if c.isprintable() else _js_escape(c) for c in encoded)
    return encoded.replace("</", "<\\/") if "</" in encoded else encoded


def ts_number(value: Any) -> str:
    """A TypeScript numeric literal: integral values without a point, others in plain notation."""
    number = _number(value, "TypeScript")
    if isinstance(number, Decimal):
        return (
            str(int(number))
            if number == number.to_integral_value()
            else format(number.normalize(), "f")
        )
    if isinstance(number, float):
        return str(int(number)) if number.is_integer() else repr(number)
    return str(number)


def ts_literal(value: Any) -> str:
    """A TypeScript/JavaScript expression for plain data, spelled as JSON (`{"a": 1, "b": [true]}`)
    with strings through `ts_string`; safe inside a <script> block too."""
    if isinstance(value, str):
        return ts_string(value)
    if value is None or isinstance(value, bool):
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{ts_string(str(k))}: {ts_literal(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(ts_literal(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(_number(value, "TypeScript"))
    if isinstance(value, int):
        return str(value)
    raise LiteralError(f"no TypeScript literal for {type(value).__name__}")


# ---------------------------------------------------------------------------------------------
# JSON


def json_string(text: str) -> str:
    """A JSON string: JSON's escaping, plus every unprintable character as a `\\u` escape."""
    encoded = _encode_string(text)
    if not encoded.isprintable():
        encoded = "".join(c if c.isprintable() else _js_escape(c) for c in encoded)
    return encoded


def json_text(value: Any, indent: int | None = 2) -> str:
    """Canonical JSON for generated .json files, ending in a newline; the caller's dict order.

    Plain data only (dicts with str keys, lists, tuples, str, int, finite float, bool, None), laid
    out as `json.dumps(value, ensure_ascii=False, indent=indent)` would, strings through
    `json_string`. Anything else raises `LiteralError`.
    """
    pad = " " * indent if indent is not None else None
    parts: list[str] = []
    append = parts.append

    def encode(item: Any, prefix: str) -> None:
        kind = type(item)
        if isinstance(item, enum.StrEnum):  # a FieldType: written as its name
            item, kind = str(item), str
        if kind is str:
            append(json_string(item))
        elif kind is dict or kind is list or kind is tuple:
            if not item:
                append("{}" if kind is dict else "[]")
                return
            inner = prefix + pad if pad is not None else ""
            opening = "{" if kind is dict else "["
            separator = opening + "\n" + inner if pad is not None else opening
            between = ",\n" + inner if pad is not None else ", "
            if kind is dict:
                for key, member in item.items():
                    if type(key) is not str:
                        raise LiteralError(f"a JSON object key must be a string, not {key!r}")
                    append(separator)
                    append(json_string(key))
                    append(": ")
                    encode(member, inner)
                    separator = between
            else:
                for member in item:
                    append(separator)
                    encode(member, inner)
                    separator = between
            closing = "}" if kind is dict else "]"
            append("\n" + prefix + closing if pad is not None else closing)
        elif item is None or item is True or item is False:
            append("null" if item is None else "true" if item else "false")
        elif kind is int:
            append(int.__repr__(item))
        elif kind is float:
            append(float.__repr__(_number(item, "JSON")))
        else:
            raise LiteralError(f"no JSON value for {kind.__name__} {item!r}")

    encode(value, "")
    return "".join(parts) + "\n"


# ---------------------------------------------------------------------------------------------
# TOML

_TOML_SHORT = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(value: str) -> str:
    """A TOML basic string (double-quoted) that `tomllib` reads back as `value`.

    Quotes, backslashes and controls are escaped (TOML refuses U+0000-U+001F and U+007F raw), and
    so is every other unprintable character; a lone surrogate is no TOML text at all.
    """
    out = []
    for c in value:
        if c in _TOML_SHORT:
            out.append(_TOML_SHORT[c])
        elif c.isprintable():
            out.append(c)
        elif 0xD800 <= ord(c) <= 0xDFFF:
            raise LiteralError(f"TOML cannot hold the lone surrogate U+{ord(c):04X}")
        else:
            out.append(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


# ---------------------------------------------------------------------------------------------
# SQL


def sql_literal(value: Any) -> str:
    """A standard SQL literal (PostgreSQL, SQLite; MySQL with NO_BACKSLASH_ESCAPES): strings
    single-quoted with quotes doubled. A string with NUL has no SQL literal: LiteralError."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        number = _number(value, "SQL")
        return repr(number) if isinstance(number, float) else str(number)
    if isinstance(value, str):
        if "\0" in value:
            raise LiteralError("a SQL string cannot hold NUL (U+0000)")
        return "'" + value.replace("'", "''") + "'"
    raise LiteralError(f"no SQL literal for {type(value).__name__}")


def sql_identifier(name: str) -> str:
    """A double-quoted SQL identifier (PostgreSQL, SQLite, standard SQL), quotes doubled."""
    if "\0" in name:
        raise LiteralError("a SQL identifier cannot hold NUL (U+0000)")
    return '"' + name.replace('"', '""') + '"'


def sql_comment(value: str | None) -> str | None:
    """A table or column comment the databases can store: NUL, which PostgreSQL refuses in any
    text, becomes U+FFFD (the replacement character); the rest is kept and quoted by SQLAlchemy."""
    return value.replace("\0", "\ufffd") if value is not None else None


# ---------------------------------------------------------------------------------------------
# Markdown

# What CommonMark (and GitHub's tables, strikethrough and heading closers) read inside a line;
# the other punctuation means something only at the start of a line, escaped there.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&!|~#])")
_MD_LINE_START = re.compile(r"[!-/:-@\[-`{-~]|(\d+)[.)]")


def md_text(value: str | None) -> str:
    """Inline Markdown that renders as `value` on one line: the punctuation that Markdown or HTML
    would read backslash-escaped (and a list or heading marker at the start), whitespace runs one
    space, unprintables shown as escapes."""
    text = _one_line(value)
    escaped = _MD_INLINE.sub(r"\\\1", text)
    start = _MD_LINE_START.match(text)
    if start is None or _MD_INLINE.match(text):
        return escaped
    digits = len(start[1] or "")  # "1." or "1)" opens an ordered list: escape its punctuation
    return escaped[:digits] + "\\" + escaped[digits:]


def html_text(value: str | None) -> str:
    """Text for HTML content or a quoted attribute: one line, `&`, `<`, `>` and quotes as
    character references, unprintables shown as escapes."""
    return html.escape(_one_line(value), quote=True)


def md_code(value: str | None) -> str:
    """A Markdown code span of `value` on one line: fenced by more backticks than any run in it
    (a code span has no escapes), padded with a space when the text starts or ends with one."""
    text = _one_line(value)
    if not text:
        return "` `"  # a span of only spaces keeps them: the empty text shows as one space
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# ---------------------------------------------------------------------------------------------
# Mermaid (the `erDiagram` of generated/erd.md)

# Mermaid turns `#name;` and `#123;` into HTML entities before it parses (through placeholders
# spelled with U+FB02 and U+00B6, decoded after), so every character its grammar or that step
# reads is written as such an entity: quotes and backslashes (a string's ends), `#` (an entity's
# start), `%` (a `%%{...}%%` directive, found anywhere), `:` (its `style ...:#...;` and `classDef` rewrites of a line), the
# backtick (a Markdown fence around the diagram), `<`, `>` and `&` (HTML in the rendered label),
# and the placeholders' own characters.
_MERMAID_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "\\": "#92;",
    "%": "#37;",
    ":": "#58;",
    "`": "#96;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "\ufb02": "#64258;",
    "\u00b6": "#182;",
}
_MERMAID_SPECIAL = re.compile("[" + re.escape("".join(_MERMAID_ENTITIES)) + "]")
_MERMAID_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def mermaid_string(value: str | None) -> str:
    """A double-quoted Mermaid string (a label or comment) that renders as `value` on one line.

    Mermaid has no empty string (`t[""]` is a syntax error): empty text is written as one space.
    """
    text = _MERMAID_SPECIAL.sub(lambda m: _MERMAID_ENTITIES[m[0]], _one_line(value))
    return '"' + (text or " ") + '"'


def mermaid_name(name: str) -> str:
    """A Mermaid entity or attribute name: an identifier as it is (schemas allow no other)."""
    if not _MERMAID_NAME.fullmatch(name):
        raise LiteralError(f"{name!r} is no Mermaid name")
    return name


# ---------------------------------------------------------------------------------------------
# Graphviz DOT (`schemagen erd --format dot|svg`)


def dot_string(value: str | None) -> str:
    """A double-quoted DOT string that a label shows as `value` on one line.

    Quotes are escaped; backslashes are doubled, since a label reads `\\N`, `\\G`, `\\n`, `\\l` as
    escapes (a lone trailing one would swallow the closing quote). The text inside an HTML-like
    label `<...>` is `html_text`.
    """
    return '"' + _one_line(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
