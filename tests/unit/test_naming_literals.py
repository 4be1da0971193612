"""Names (plurals, cases, reserved words) and per-language literals that no schema string can break."""

from __future__ import annotations

import ast
import json
import math
from decimal import Decimal

import pytest

from schemagen.literals import (
    LiteralError,
    comment_text,
    json_text,
    py_literal,
    sql_literal,
    ts_literal,
)
from schemagen.naming import (
    PYTHON_RESERVED,
    api_field_name,
    camel,
    constraint_name,
    humanize,
    pascal,
    plural,
    python_attr,
    singular,
)

# --- plurals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("book", "books"),
        ("box", "boxes"),
        ("bus", "buses"),
        ("status", "statuses"),
        ("address", "addresses"),
        ("church", "churches"),
        ("dish", "dishes"),
        ("quiz", "quizzes"),
        ("city", "cities"),
        ("category", "categories"),
        ("day", "days"),
        ("key", "keys"),
        ("toy", "toys"),
        ("hero", "heroes"),
        ("potato", "potatoes"),
        ("photo", "photos"),
        ("todo", "todos"),
        ("video", "videos"),
        ("zoo", "zoos"),
        ("radio", "radios"),
        ("basis", "bases"),
        ("diagnosis", "diagnoses"),
    ],
)
def test_regular_plurals(word, expected):
    assert plural(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("person", "people"),
        ("child", "children"),
        ("man", "men"),
        ("woman", "women"),
        ("mouse", "mice"),
        ("goose", "geese"),
        ("foot", "feet"),
        ("tooth", "teeth"),
        ("ox", "oxen"),
        ("datum", "data"),
        ("criterion", "criteria"),
        ("index", "indexes"),
        ("matrix", "matrices"),
        ("vertex", "vertices"),
        ("analysis", "analyses"),
        ("crisis", "crises"),
        ("thesis", "theses"),
        ("leaf", "leaves"),
        ("life", "lives"),
        ("knife", "knives"),
        ("wife", "wives"),
        ("half", "halves"),
        ("shelf", "shelves"),
    ],
)
def test_irregular_plurals(word, expected):
    assert plural(word) == expected


@pytest.mark.parametrize(
    "word",
    [
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
    ],
)
def test_uncountable_words_do_not_change(word):
    assert plural(word) == word


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("menu_item", "menu_items"),
        ("line_person", "line_people"),
        ("order_status", "order_statuses"),
        ("product_category", "product_categories"),
        ("search_index", "search_indexes"),
        ("person_address", "person_addresses"),
        ("staff_member", "staff_members"),  # only the last word changes
        ("news_item", "news_items"),
        ("sales_news", "sales_news"),
        ("a_b_c", "a_b_cs"),
    ],
)
def test_snake_case_changes_only_the_last_word(word, expected):
    assert plural(word) == expected


SINGULAR_ROUND_TRIP = [
    "person",
    "child",
    "man",
    "woman",
    "mouse",
    "goose",
    "foot",
    "tooth",
    "ox",
    "datum",
    "criterion",
    "index",
    "matrix",
    "vertex",
    "quiz",
    "analysis",
    "crisis",
    "thesis",
    "leaf",
    "life",
    "knife",
    "wife",
    "half",
    "shelf",
    "genre",
    "book",
    "category",
    "key",
    "toy",
    "hero",
    "potato",
    "photo",
    "todo",
    "video",
    "zoo",
    "radio",
    "box",
    "match",
    "wish",
    "buzz",
    "bus",
    "status",
    "address",
    "class",
    "alias",
    "case",
    "database",
    "phase",
    "purchase",
    "size",
    "movie",
    "cookie",
    "shoe",
    "tag",
    "part",
    "translator",
    "menu_item",
    "line_person",
    "order_status",
    "product_category",
    "equipment",
    "news",
    "series",
    "sheep",
    "staff",
]


@pytest.mark.parametrize("word", SINGULAR_ROUND_TRIP)
def test_singular_is_the_inverse_of_plural(word):
    assert singular(plural(word)) == word


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("genres", "genre"),
        ("people", "person"),
        ("translators", "translator"),
        ("co_authors", "co_author"),  # only the last word changes
        ("related", "related"),  # not a plural: left as it is
        ("address", "address"),
        ("status", "status"),
        ("analysis", "analysis"),
        ("", ""),
    ],
)
def test_singular(word, expected):
    assert singular(word) == expected


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("region", "relation", "region_id"),
        ("genres", "many_to_many", "genre_ids"),
        ("people", "many_to_many", "person_ids"),
        ("related", "many_to_many", "related_ids"),
        ("title", "string", "title"),
    ],
)
def test_api_field_name(name, kind, expected):
    assert api_field_name(name, kind) == expected


def test_plural_of_empty_and_trailing_underscore():
    assert plural("") == ""
    assert plural("item_") == "item_"


# --- cases ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "pascal_case", "camel_case", "human"),
    [
        ("book", "Book", "book", "Book"),
        ("menu_item", "MenuItem", "menuItem", "Menu item"),
        ("next_action_at", "NextActionAt", "nextActionAt", "Next action at"),
        ("x2_factor", "X2Factor", "x2Factor", "X2 factor"),
    ],
)
def test_cases(name, pascal_case, camel_case, human):
    assert pascal(name) == pascal_case
    assert camel(name) == camel_case
    assert humanize(name) == human


@pytest.mark.parametrize(
    ("name", "attr"),
    [
        ("class", "class_"),
        ("from", "from_"),
        ("import", "import_"),
        ("async", "async_"),
        ("None", "None_"),
        ("match", "match_"),
        ("case", "case_"),
        ("type", "type"),  # a soft keyword only since Python 3.12: the result must not vary
        ("metadata", "metadata_"),
        ("registry", "registry_"),
        ("model_config", "model_config_"),
        ("order", "order"),
        ("select", "select"),
        ("default", "default"),
        ("title", "title"),
    ],
)
def test_python_attr(name, attr):
    assert python_attr(name) == attr


def test_python_reserved_does_not_depend_on_the_running_python():
    # `keyword.softkwlist` differs between Python versions; generated names must not.
    assert {"match", "case"} <= PYTHON_RESERVED
    assert "type" not in PYTHON_RESERVED


def test_constraint_name_limits():
    assert constraint_name("pk", "books") == "pk_books"
    long = constraint_name("ix", "t" * 40, "c" * 40)
    assert len(long) == 60 and long.startswith("ix_" + "t" * 40)
    assert constraint_name("ix", "t" * 40, "c" * 40) == long
    assert constraint_name("ix", "t" * 40, "c" * 39 + "d") != long
    assert len(constraint_name("a" * 100, limit=63)) == 63


# --- Python literals ------------------------------------------------------------------------------

HOSTILE = [
    "",
    "plain",
    "it's",
    'say "hi"',
    "'''triple'''",
    '"""triple"""',
    "back\\slash\\",
    "ends with backslash \\",
    "new\nline\r\nand\ttab",
    "nul \x00 byte and \x1b escape and \x7f",
    "unicode: caf\u00e9 \U0001f680 \u202e rtl",
    "separators \u2028 \u2029 \x85",
    "lone surrogate \ud800",
    "{braces} {{double}} %s %(name)s $x ${y}",
    "*/ </script> <!-- --> # comment",
    "'; DROP TABLE books; --",
    'f\'{__import__("os").system("echo pwned")}\'',
    "\\N{BULLET} \\u0041 \\x41",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_py_literal_round_trips_hostile_strings(value):
    text = py_literal(value)
    assert "\n" not in text and "\r" not in text
    assert ast.literal_eval(text) == value
    assert eval(text, {"__builtins__": {}}) == value


def test_py_literal_strings_are_safe_inside_generated_code():
    for value in HOSTILE:
        if "\ud800" in value:
            continue  # a lone surrogate cannot be written as UTF-8 source, only as its escape
        source = f"x = {py_literal(value)}\n"
        namespace: dict[str, object] = {}
        exec(compile(source, "<generated>", "exec"), {"__builtins__": {}}, namespace)  # noqa: S102 - running the literal is the test
        assert namespace == {"x": value}


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -7,
        2**70,
        1.5,
        -0.0,
        1e-300,
        [1, "a", None],
        {"k": "v", "n": [1, {"x": True}]},
        (1,),
        (),
        ("a", "b"),
        {"it's": ["\n"]},
    ],
)
def test_py_literal_round_trips_data(value):
    text = py_literal(value)
    assert eval(text, {"__builtins__": {}}) == value
    assert type(eval(text, {"__builtins__": {}})) is type(value)


def test_py_literal_decimal():
    text = py_literal(Decimal("12.50"))
    assert text == "Decimal('12.50')"
    assert eval(text, {"Decimal": Decimal}) == Decimal("12.50")


def test_py_literal_refuses_what_it_cannot_write():
    with pytest.raises(ValueError, match="non-finite"):
        py_literal(math.inf)
    with pytest.raises(ValueError, match="non-finite"):
        py_literal(float("nan"))
    with pytest.raises(LiteralError, match="no Python literal for set"):
        py_literal({1, 2})
    with pytest.raises(LiteralError):
        py_literal(object())


# --- TypeScript literals --------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_ts_literal_round_trips_hostile_strings(value):
    text = ts_literal(value)
    assert json.loads(text) == value
    assert "\n" not in text and "\r" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert "</" not in text


def test_ts_literal_escapes_line_separators_and_script_closers():
    assert ts_literal("a\u2028b\u2029c") == '"a\\u2028b\\u2029c"'
    assert (
        ts_literal("</script><script>alert(1)</script>")
        == '"<\\/script><script>alert(1)<\\/script>"'
    )
    assert ts_literal('${x} `tick` "q"') == '"${x} `tick` \\"q\\""'


@pytest.mark.parametrize(
    "value",
    [None, True, 0, -1.5, [1, "</"], {"k\u2028": {"n": ["</x>"]}}, {"a": 1, "b": [None, False]}],
)
def test_ts_literal_round_trips_data(value):
    text = ts_literal(value)
    assert json.loads(text) == value
    assert "</" not in text and "\u2028" not in text


def test_ts_literal_keeps_key_order():
    assert ts_literal({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'


def test_json_text_is_stable_and_ends_with_a_newline():
    assert json_text({"b": 1, "a": "\u00e9"}) == '{\n  "b": 1,\n  "a": "\u00e9"\n}\n'
    assert json_text([1], indent=None) == "[1]\n"


# --- comments and SQL -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("one line", "one line"),
        ("two\nlines", "two lines"),
        ("crlf\r\nand\rcr", "crlf and cr"),
        ("  lots   of\t\tspace  ", "lots of space"),
        ("ends */ comment", "ends * / comment"),
        ("/* opens */", "/* opens * /"),
        ("html --> closer", "html -- > closer"),
        ("star\n/slash", "star /slash"),
        ("separators\u2028and\u2029more\x85end", "separators and more end"),
        ("vertical\x0btab\x0cfeed", "vertical tab feed"),
        ("nul\x00byte", "nul\\x00byte"),  # shown, not dropped: Python refuses NUL in source
    ],
)
def test_comment_text(value, expected):
    assert comment_text(value) == expected


@pytest.mark.parametrize("value", HOSTILE)
def test_comment_text_is_one_safe_line(value):
    text = comment_text(value)
    assert "\n" not in text and "\r" not in text and "\x00" not in text
    assert "*/" not in text and "-->" not in text
    assert len(text.splitlines()) <= 1
    if "\ud800" not in value:
        # A Python comment made of it compiles, and nothing after it runs.
        compile(f"# {text}\nx = 1\n", "<generated>", "exec")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "NULL"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (1.5, "1.5"),
        (Decimal("2.50"), "2.50"),
        ("it's", "'it''s'"),
        ("'; DROP TABLE x; --", "'''; DROP TABLE x; --'"),
    ],
)
def test_sql_literal(value, expected):
    assert sql_literal(value) == expected
