"""The field-type registry: every type defined once, every target's type map complete."""

from __future__ import annotations

import pytest

from schemagen import client, sql
from schemagen import language as lang
from schemagen.migrations import render_py
from schemagen.targets import tables
from schemagen.types import ARRAY_ITEM_TYPES, FIELD_TYPES, REGISTRY, FieldType, item_shape
from schemagen.types.decimal import DEFAULT_PRECISION, DEFAULT_SCALE

# Every map a target keeps of its own, keyed by FieldType: a type added to the registry and
# forgotten in one of them fails here, never as a silent default in generated code.
TARGET_MAPS = {
    "sql.SA_TYPES": sql.SA_TYPES,
    "migrations.render_py.PLACEHOLDERS": render_py.PLACEHOLDERS,
    "tables.FORMATS": tables.FORMATS,
    "client.MATCH_KINDS": client.MATCH_KINDS,
}


@pytest.mark.parametrize("name", sorted(TARGET_MAPS))
def test_every_target_map_has_every_type(name: str) -> None:
    keys = set(TARGET_MAPS[name])
    assert not set(FieldType) - keys, f"{name} misses {sorted(set(FieldType) - keys)}"
    assert keys <= set(FieldType)


def test_one_definition_per_type_in_enum_order() -> None:
    assert tuple(REGISTRY) == tuple(FieldType) == FIELD_TYPES
    for kind, definition in REGISTRY.items():
        assert definition.type is kind


def test_field_type_is_a_string() -> None:
    assert FieldType.DECIMAL == "decimal"
    assert f"{FieldType.DECIMAL}" == "decimal"
    assert repr(FieldType.DECIMAL) == "'decimal'"  # data repr()'d into generated code
    assert lang.FieldSpec(type="decimal").type is FieldType.DECIMAL


@pytest.mark.parametrize("kind", [t for t in FieldType if REGISTRY[t].family != "relation"])
def test_every_stored_type_has_sql_on_every_dialect(kind: FieldType) -> None:
    from schemagen.ir import EnumOption, EnumType
    from schemagen.types import SqlShape

    shape = SqlShape(
        length=REGISTRY[kind].max_length or 10,
        precision=DEFAULT_PRECISION,
        scale=DEFAULT_SCALE,
        enum=EnumType("t_e", (EnumOption("a", "A"),)),
        array_of=FieldType.STRING,
    )
    sql = REGISTRY[kind].sql(shape)
    assert set(sql) == {"sqlite", "postgresql", "mysql"} and all(sql.values())


def test_array_items_are_scalars_with_every_fact() -> None:
    for kind in ARRAY_ITEM_TYPES:
        d = REGISTRY[kind]
        assert d.python and d.ts and d.zod and d.sample is not None
        assert d.sql(item_shape(kind))["postgresql"]


def test_shorthand_fills_the_options_a_type_accepts() -> None:
    for d in REGISTRY.values():
        assert set(d.shorthand) <= set(d.options), d.type


def test_filter_operators_follow_the_runtime_kind() -> None:
    assert REGISTRY[FieldType.STRING].filter_operators == ("eq", "in", "gte", "lte", "isnull")
    assert REGISTRY[FieldType.BOOLEAN].filter_operators == ("eq", "in", "isnull")
    assert REGISTRY[FieldType.JSON].filter_operators == ("isnull",)
    assert REGISTRY[FieldType.ARRAY].filter_operators == ("eq", "in", "isnull")
    for d in REGISTRY.values():
        if d.family != "relation":
            assert d.api_kind in FIELD_TYPES, d.type


# --- the types added through the registry alone: slug and phone -----------------------------

SLUG_RESOURCE = """\
resource: page
fields:
  handle: slug(80) required unique
  plain: slug
  hotline: phone
"""


def _compile(tmp_path, text: str):
    from test_validate import compile_ok

    return compile_ok(tmp_path, {"page.yaml": text})


def _errors(tmp_path, text: str) -> list[str]:
    from test_validate import errors

    return [
        f"{'.'.join(map(str, d.path))}: {d.message}" for d in errors(tmp_path, {"page.yaml": text})
    ]


def test_slug_shorthand_length_and_pattern_reach_the_ir(tmp_path) -> None:
    page = _compile(tmp_path, SLUG_RESOURCE).project.resource("page")
    handle, plain, hotline = (page.field(n) for n in ("handle", "plain", "hotline"))
    assert handle.type is FieldType.SLUG and handle.max_length == 80
    assert plain.max_length == 50  # Django's SlugField default
    assert handle.pattern == plain.pattern == r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
    assert hotline.pattern == r"^\+[1-9]\d{1,14}$" and hotline.widget == "tel"
    assert handle.column is not None and handle.column.sql_types == {
        "sqlite": "VARCHAR(80)",
        "postgresql": "VARCHAR(80)",
        "mysql": "VARCHAR(80)",
    }
    assert hotline.column is not None and hotline.column.sql_types["mysql"] == "VARCHAR(16)"
    assert lang.parse_shorthand("slug(80) unique") == {
        "type": "slug",
        "max_length": 80,
        "unique": True,
    }


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ("{type: slug, default: Hello World}", "default 'Hello World' is not a valid slug"),
        ("{type: slug, default: a--b}", "is not a valid slug"),
        ("{type: slug, max_length: 3, default: abcd}", "above max_length 3"),
        ("{type: slug, pattern: '^a'}", "'pattern' does not apply to type slug"),
        ("{type: phone, default: '555-0100'}", "is not a valid phone"),
        ("{type: phone, max_length: 20}", "'max_length' does not apply to type phone"),
        ("slug(1, 2)", "'slug' takes no arguments like (1, 2)"),
    ],
)
def test_slug_and_phone_options_and_defaults_are_checked(
    tmp_path, field: str, problem: str
) -> None:
    found = _errors(tmp_path, f"resource: page\nfields:\n  f: {field}\n")
    assert any(problem in e for e in found), found


def test_slug_and_phone_defaults_that_fit(tmp_path) -> None:
    text = "resource: page\nfields:\n  f: {type: slug, default: hello-world-2}\n  g: {type: phone, default: '+14155550123'}\n"
    page = _compile(tmp_path, text).project.resource("page")
    assert page.field("f").default is not None and page.field("f").default.sql == "'hello-world-2'"


@pytest.mark.parametrize("kind", [FieldType.SLUG, FieldType.PHONE])
def test_samples_match_and_invalid_values_do_not(kind: FieldType) -> None:
    from types import SimpleNamespace

    from schemagen.patterns import matcher

    d = REGISTRY[kind]
    assert d.pattern is not None
    for max_length in (None, 3, 80) if "max_length" in d.options else (None,):
        f = SimpleNamespace(max_length=max_length, min_length=None, pattern=d.pattern)
        for k in range(8):
            value = d.sample(f, k, "page", "my_url_name")
            assert matcher(d.pattern)(value) and len(value) <= (max_length or 99), value
        for value in d.invalid(f):
            fits = isinstance(value, str) and matcher(d.pattern)(value)
            assert not fits or len(value) > (max_length or 99), value


def test_each_type_agrees_with_the_generated_runtime() -> None:
    """What the registry says of a type is what the runtime does with its kind (api_kind)."""
    from schemagen.runtime import contract

    for d in REGISTRY.values():
        if d.family == "relation":
            continue  # a relation's column has its target's key kind; many-to-many has none
        kind = d.api_kind
        assert kind == "array" or kind in contract.PYTHON_TYPES, d.type
        if kind in contract.PYTHON_TYPES:
            python = contract.PYTHON_TYPES[kind]
            name = "Any" if d.python == "Any" else d.python.rpartition(".")[2]
            assert getattr(python, "__name__", "Any") == name, (d.type, python)
        assert d.searchable == (kind in contract.SEARCH_TEXT_TYPES), d.type
        assert d.comparable == (kind not in contract.UNSORTABLE_TYPES), d.type
        if d.bounds is not None:
            assert d.bounds == contract.INT_BOUNDS[kind]
