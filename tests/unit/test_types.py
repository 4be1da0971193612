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
