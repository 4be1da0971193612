"""The field types of the language: one module each, collected here.

`REGISTRY[FieldType.X]` is the one definition of type X (see `base.TypeDef`). Adding a type is a
module in this package, a member of `FieldType`, its line below, and one entry in each target's
own type map (the maps are checked for completeness by tests/unit/test_types.py).
"""

from __future__ import annotations

from types import MappingProxyType

from schemagen.types import (
    array,
    bigint,
    boolean,
    date,
    datetime,
    decimal,
    email,
    enum,
    integer,
    json,
    many_to_many,
    phone,
    relation,
    slug,
    string,
    text,
    time,
    url,
    uuid,
)
from schemagen.types import (
    float as float_,
)
from schemagen.types.base import MISSING, FieldType, Missing, SqlShape, TypeDef

__all__ = [
    "ARRAY_ITEM_TYPES",
    "FIELD_TYPES",
    "MISSING",
    "REGISTRY",
    "FieldType",
    "Missing",
    "SqlShape",
    "TypeDef",
    "item_shape",
    "type_def",
]

REGISTRY: MappingProxyType[FieldType, TypeDef] = MappingProxyType(
    {
        module.TYPE.type: module.TYPE
        for module in (
            string,
            text,
            integer,
            bigint,
            float_,
            decimal,
            boolean,
            date,
            datetime,
            time,
            uuid,
            email,
            url,
            json,
            enum,
            array,
            relation,
            many_to_many,
            slug,
            phone,
        )
    }
)

assert tuple(REGISTRY) == tuple(FieldType), "every FieldType has one module, in the enum's order"

FIELD_TYPES: tuple[FieldType, ...] = tuple(FieldType)
# The item types of an array: the scalars (a decimal's precision and an enum's values have no
# place on an item).
ARRAY_ITEM_TYPES: tuple[FieldType, ...] = tuple(t for t, d in REGISTRY.items() if d.array_item)


def type_def(kind: str) -> TypeDef:
    """The definition of a type by its name. Past validation every name is a FieldType."""
    return REGISTRY[FieldType(kind)]


def item_shape(kind: FieldType) -> SqlShape:
    """What an array item's DDL type depends on: the type's own defaults."""
    d = REGISTRY[kind]
    if kind == FieldType.DECIMAL:
        return SqlShape(
            length=d.max_length,
            precision=decimal.DEFAULT_PRECISION,
            scale=decimal.DEFAULT_SCALE,
        )
    return SqlShape(length=d.max_length)
