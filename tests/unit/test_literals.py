"""The literal escaping of every language, proven with that language's own parser over every code point.

Two kinds of proof for each function:
- exhaustive: every code point from U+0000 to U+10FFFF, in strings of 8192, goes through it once (for
  the slow pure-Python parsers, five of those strings unless `SCHEMAGEN_LONG=1`);
- hypothesis: random strings over all code points (surrogates included), mixed with the
  characters that end a line, a string, a comment or a docstring somewhere.
Each result (a) reads back as the original value with the real parser (`ast.literal_eval`,
`tokenize`, `json.loads`, `tomllib`, SQLite, configparser, PyYAML, markdown-it, and Node for
TypeScript when it is installed), and (b) is one token in context: nothing after it changes.

The number of hypothesis examples is `HYPOTHESIS_EXAMPLES` (300), or 5 times that when
`SCHEMAGEN_LONG=1` (set by `.ci/run`).
"""

from __future__ import annotations

import ast
import configparser
import io
import json
import math
import os
import shutil
import sqlite3
import subprocess
import tokenize
import tomllib
from decimal import Decimal

import pytest
import yaml
from helpers import GUARD_COUNTS, LINE_BREAKS, REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from schemagen.literals import (
    LiteralError,
    comment_text,
    json_text,
    md_code,
    md_text,
    py_doc_text,
    py_docstring,
    py_literal,
    sql_comment,
    sql_identifier,
    sql_literal,
    toml_string,
    ts_literal,
    ts_number,
    ts_string,
)

LONG = os.environ.get("SCHEMAGEN_LONG") == "1"
HYPOTHESIS_EXAMPLES = 300 * (5 if LONG else 1)
many = settings(
    max_examples=HYPOTHESIS_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Every code point, in chunks: each chunk is one string through each function.
ALL_CODE_POINTS = [
    "".join(map(chr, range(start, min(start + 8192, 0x110000))))
    for start in range(0, 0x110000, 8192)
]
SURROGATES = [chr(c) for c in (0xD800, 0xDBFF, 0xDC00, 0xDFFF)]
CONTROLS = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]]
SPECIAL = [
    *LINE_BREAKS,
    *CONTROLS,
    *SURROGATES,
    '"',
    "'",
    '"""',
    "'''",
    "`",
    "\\",
    "\\N{BULLET}",
    "\\u0041",
    "*/",
    "/*",
    "${",
    "{",
    "}",
    "%",
    "%(x)s",
    "</script>",
    "<!--",
    "-->",
    "--!>",
    "--",
    "#",
    ";",
    "\u202e",
    "\ufeff",
    "\uffff",
    "\U0010ffff",
    "\U0001f680",
    " ",
    "\t",
]
any_char = st.characters(codec=None, exclude_categories=())
texts = st.lists(st.one_of(any_char, st.sampled_from(SPECIAL)), max_size=40).map("".join)
no_surrogates = texts.map(lambda s: "".join(c for c in s if not 0xD800 <= ord(c) <= 0xDFFF))


def _all_texts(slow_parser: bool = False) -> list[str]:
    """Every code point and the special strings; for the slow pure-Python parsers (PyYAML,
    markdown-it, configparser) in the normal run only the chunks that hold the C0 and C1
    controls, U+2028/U+2029, the surrogates and U+FFFF / U+10FFFF (every chunk in long mode)."""
    chunks = ALL_CODE_POINTS
    if slow_parser and not LONG:
        chunks = [ALL_CODE_POINTS[c // 8192] for c in (0, 0x2028, 0xD800, 0xFFFF, 0x10FFFF)]
    return [*chunks, *SPECIAL, "".join(SPECIAL)]


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    return list(tokenize.generate_tokens(io.StringIO(source).readline))


def _one_line(text: str) -> bool:
    """No character on which Python, JavaScript or str.splitlines ends a line."""
    return len((text + "x").splitlines()) == 1


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- Python ---------------------------------------------------------------------------------


def check_py_literal(value: str) -> None:
    literal = py_literal(value)
    assert ast.literal_eval(literal) == value
    assert _one_line(literal) and _encodable(literal)
    kinds = [t.type for t in _tokens(f"x = {literal}\n")]
    assert kinds == [
        tokenize.NAME,
        tokenize.OP,
        tokenize.STRING,
        tokenize.NEWLINE,
        tokenize.ENDMARKER,
    ]


def check_py_docstring(value: str) -> None:
    for indent in (None, "    "):
        doc = py_docstring(value, indent=indent)
        assert _encodable(doc)
        text = value.strip()
        if doc.startswith('"""\n'):
            lines = "".join(f"{indent}{line}\n" if line else "\n" for line in text.split("\n"))
            assert ast.literal_eval(doc) == "\n" + lines + indent
        else:
            assert ast.literal_eval(doc) == text
        source = f"class C:\n    {doc}\n    x = 1\n"
        strings = [t for t in _tokens(source) if t.type == tokenize.STRING]
        assert [s.string for s in strings] == [doc]
        assert len(ast.parse(source).body[0].body) == 2


def check_py_doc_text(value: str) -> None:
    text = py_doc_text(value)
    assert _one_line(text) and _encodable(text)
    assert ast.literal_eval(f'"""{text}"""') == " ".join(value.split())
    source = f'def f():\n    """A {text} B"""\n    return 1\n'
    assert [t.string for t in _tokens(source) if t.type == tokenize.STRING] == [f'"""A {text} B"""']


@pytest.mark.parametrize("check", [check_py_literal, check_py_docstring, check_py_doc_text])
def test_python_writers_over_every_code_point(check) -> None:
    for text in _all_texts():
        check(text)
    GUARD_COUNTS["literal escaping"] = (
        f"all {0x110000} code points through every writer; up to {HYPOTHESIS_EXAMPLES} "
        "hypothesis examples per property test"
    )


@many
@given(texts)
def test_python_writers_over_random_text(value: str) -> None:
    check_py_literal(value)
    check_py_docstring(value)
    check_py_doc_text(value)


@many
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | texts,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
        max_leaves=12,
    )
)
def test_py_literal_round_trips_data(value) -> None:
    literal = py_literal(value)
    assert ast.literal_eval(literal) == value or value != value  # noqa: PLR0124 - NaN is excluded
    assert _one_line(literal)


# --- comments ---------------------------------------------------------------------------------


def check_comment(value: str) -> None:
    text = comment_text(value)
    assert _one_line(text) and _encodable(text) and text.isprintable()
    for closer in ("*/", "-->", "--!>"):
        assert closer not in text
    # Python: one COMMENT token, then the code after it runs.
    tokens = _tokens(f"# {text}\nx = 1\n")
    assert [t.string for t in tokens if t.type == tokenize.COMMENT] == [f"# {text}"]
    assert ast.literal_eval(compile(f"# {text}\n1\n", "c", "eval", ast.PyCF_ONLY_AST)) == 1
    assert tomllib.loads(f"# {text}\na = 1\n") == {"a": 1}
    assert yaml.safe_load(f"# {text}\na: 1\n") == {"a": 1}
    parser = configparser.ConfigParser()
    parser.read_string(f"# {text}\n[s]\nk = %%v\n")
    assert parser.sections() == ["s"] and parser.get("s", "k") == "%v"


def test_comments_over_every_code_point() -> None:
    for text in _all_texts(slow_parser=True):
        check_comment(text)


@many
@given(texts)
def test_comments_over_random_text(value: str) -> None:
    check_comment(value)


def test_comment_closers_never_reform() -> None:
    assert comment_text("*/*/") == "* /* /"
    assert comment_text("--->") == "--- >"
    assert comment_text("--!>-->") == "--! >-- >"


# --- TypeScript / JSON ------------------------------------------------------------------------


def check_ts_string(value: str) -> None:
    literal = ts_string(value)
    assert literal == ts_literal(value)
    assert json.loads(literal) == utf16(value)  # a JSON string is a JavaScript string literal
    assert _one_line(literal) and _encodable(literal) and literal.isprintable()
    assert "</" not in literal


def test_typescript_strings_over_every_code_point() -> None:
    for text in _all_texts():
        check_ts_string(text)
    for text in ALL_CODE_POINTS:  # the structural half of check_comment, for every code point
        comment = comment_text(text)
        assert _one_line(comment) and comment.isprintable() and "*/" not in comment


@many
@given(texts)
def test_typescript_strings_over_random_text(value: str) -> None:
    check_ts_string(value)


def test_typescript_literals_and_comments_read_back_in_node(tmp_path) -> None:
    """Every code point (and the special strings) as TypeScript string literals, each behind a
    `//` and a `/** */` comment of the same text, parsed by the pinned TypeScript and run by Node."""
    node = shutil.which("node")
    typescript = REPO / "tests" / "ts" / "node_modules" / "typescript"
    if node is None or not typescript.is_dir():
        pytest.skip(
            "node and tests/ts/node_modules (tests/e2e/test_client.py installs it) are needed"
        )
    values = _all_texts()
    lines = ["export const values: string[] = ["]
    for value in values:
        lines += [
            f"  // {comment_text(value)}",
            f"  /** {comment_text(value)} */ {ts_string(value)},",
        ]
    lines.append("];")
    source = tmp_path / "literals.ts"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    script = (
        "const ts = require('typescript'); const fs = require('fs');"
        "const text = fs.readFileSync(process.argv[1], 'utf8');"
        "const out = ts.transpileModule(text, {reportDiagnostics: true, compilerOptions: {module: ts.ModuleKind.CommonJS}});"
        "if (out.diagnostics.length) { console.error(JSON.stringify(out.diagnostics.map(d => d.messageText))); process.exit(1); }"
        "const m = {exports: {}}; new Function('module', 'exports', out.outputText)(m, m.exports);"
        "process.stdout.write(JSON.stringify(m.exports.values));"
    )
    result = subprocess.run(
        [node, "-e", script, str(source)],
        cwd=REPO / "tests" / "ts",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == [utf16(v) for v in values]


@many
@given(st.floats() | st.integers() | st.decimals())
def test_numbers_are_written_only_when_finite(number) -> None:
    finite = (
        not (number.is_nan() or number.is_infinite())
        if isinstance(number, Decimal)
        else math.isfinite(number)
    )
    if not finite:
        for write in (ts_number, sql_literal, py_literal):
            with pytest.raises(LiteralError, match="non-finite"):
                write(number)
        if not isinstance(number, Decimal):
            with pytest.raises(LiteralError, match="non-finite"):
                json_text({"max": number})
            with pytest.raises(LiteralError, match="non-finite"):
                ts_literal([number])
        return
    assert float(ts_number(number)) == float(number)
    if not isinstance(number, Decimal):
        assert json.loads(json_text(number)) == number
        assert json.loads(ts_literal(number)) == number
        assert ast.literal_eval(py_literal(number)) == number
    assert (
        _sqlite_value(sql_literal(number)) == pytest.approx(float(number), rel=1e-15)
        or abs(float(number)) > 1e300
    )


def test_the_reported_non_finite_bounds_are_refused() -> None:
    # `max: -1e999` once wrote `-Infinity` into JSON Schema and `inf` into zod.
    with pytest.raises(LiteralError, match="non-finite number -inf"):
        json_text({"maximum": float("-1e999")})
    with pytest.raises(LiteralError, match="non-finite number -inf"):
        ts_number(float("-1e999"))


plain_data = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


@many
@given(plain_data)
def test_json_text_round_trips_and_is_one_value(value) -> None:
    for indent in (2, None):
        text = json_text(value, indent=indent)
        assert json.loads(text) == utf16(value)
        assert _encodable(text) and all(c.isprintable() for c in text.replace("\n", ""))
    if _encodable(json.dumps(value, ensure_ascii=False)) and all(
        s.isprintable() for s in _strings(value)
    ):
        assert json_text(value) == json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    assert json.loads(ts_literal(value)) == utf16(value)


def utf16(value):
    """`value` as JSON and JavaScript hold it: UTF-16, where a high surrogate followed by a low
    one is the character they encode, however the two were written."""
    if isinstance(value, str):
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    if isinstance(value, list):
        return [utf16(v) for v in value]
    if isinstance(value, dict):
        return {utf16(k): utf16(v) for k, v in value.items()}
    return value


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


# --- TOML -------------------------------------------------------------------------------------


def check_toml(value: str) -> None:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        with pytest.raises(LiteralError, match="surrogate"):
            toml_string(value)
        return
    literal = toml_string(value)
    assert _one_line(literal) and literal.isprintable()
    assert tomllib.loads(f"k = {literal}\nafter = 1\n") == {"k": value, "after": 1}


def test_toml_over_every_code_point() -> None:
    for text in _all_texts():
        check_toml(text)


@many
@given(texts)
def test_toml_over_random_text(value: str) -> None:
    check_toml(value)


def test_a_project_name_with_delete_is_valid_toml() -> None:
    name = "a\x7fb"
    assert tomllib.loads(f"name = {toml_string(name)}") == {"name": name}


# --- SQL --------------------------------------------------------------------------------------


def _sqlite_value(literal: str):
    with sqlite3.connect(":memory:") as connection:
        return connection.execute(f"SELECT {literal}").fetchone()[0]


def check_sql(value: str) -> None:
    if "\0" in value:
        with pytest.raises(LiteralError, match="NUL"):
            sql_literal(value)
        with pytest.raises(LiteralError, match="NUL"):
            sql_identifier(value)
        assert "\0" not in sql_comment(value)
        return
    if not _encodable(value):
        return  # no database takes text that is not UTF-8
    assert _sqlite_value(sql_literal(value)) == value
    assert _sqlite_value(f"{sql_literal(value)} || 'x' -- {comment_text(value)}\n") == value + "x"
    with sqlite3.connect(":memory:") as connection:
        connection.execute(f"CREATE TABLE {sql_identifier(value or 'x')} (c)")
        assert connection.execute("SELECT name FROM sqlite_master").fetchone()[0] == (value or "x")


def test_sql_over_every_code_point() -> None:
    for text in _all_texts():
        check_sql(text.replace("\0", ""))
    check_sql("a\0b")


@many
@given(texts)
def test_sql_over_random_text(value: str) -> None:
    check_sql(value)


def test_sql_comments_replace_nul() -> None:
    assert sql_comment("a\0b") == "a\ufffdb"
    assert sql_comment(None) is None


# --- Markdown ---------------------------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark")


def check_markdown(value: str) -> None:
    text = md_text(value)
    assert _one_line(text) and _encodable(text)
    if text:  # one paragraph, and one heading after "# ": no list, quote, rule or code block
        assert [t.type for t in _MARKDOWN.parse(text)] == [
            "paragraph_open",
            "inline",
            "paragraph_close",
        ]
        heading = _MARKDOWN.parse(f"# {text}")
        assert [t.type for t in heading] == ["heading_open", "inline", "heading_close"]
        assert heading[1].content == text  # no closing "#" sequence taken off
    tokens = _MARKDOWN.parseInline(text)[0].children or []
    assert {t.type for t in tokens} <= {"text", "text_special"}
    expected = " ".join(value.split())
    shown = "".join(t.content for t in tokens)
    # markdown-it decodes the escapes: what a reader sees is the text, unprintables as escapes.
    assert shown == "".join(c if c.isprintable() else _escaped(c) for c in expected)


def _escaped(char: str) -> str:
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def test_markdown_over_every_code_point() -> None:
    for text in _all_texts(slow_parser=True):
        check_markdown(text)


def check_markdown_code(value: str) -> None:
    span = md_code(value)
    assert _one_line(span) and _encodable(span)
    [token] = _MARKDOWN.parseInline(span)[0].children
    expected = "".join(c if c.isprintable() else _escaped(c) for c in " ".join(value.split()))
    assert token.type == "code_inline" and token.content == (expected or " ")


def test_markdown_code_spans_over_every_code_point() -> None:
    for text in [*_all_texts(slow_parser=True), "`", "``a", "a`", "` a `"]:
        check_markdown_code(text)


@many
@given(texts)
def test_markdown_over_random_text(value: str) -> None:
    check_markdown(value)
