"""What a field type is: the closed set of type names and the definition each one gives.

A `TypeDef` holds every fact about one type that does not belong to a single target: the options
it accepts, its shorthand, its SQL per dialect, its Python, TypeScript, zod and JSON Schema
types, what the generated runtime calls it (and so the filter operators it gets), its widget,
how a default is checked, and the sample values the generated tests send. Each type lives in its
own module of this package; `schemagen.types.REGISTRY` collects them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from schemagen.runtime import contract

if TYPE_CHECKING:
    from schemagen.ir import EnumType


class FieldType(enum.StrEnum):
    """Every field type of the language. A StrEnum: `FieldType.STRING == "string"`."""

    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    BIGINT = "bigint"
    FLOAT = "float"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    UUID = "uuid"
    EMAIL = "email"
    URL = "url"
    JSON = "json"
    ENUM = "enum"
    ARRAY = "array"
    RELATION = "relation"
    MANY_TO_MANY = "many_to_many"
    SLUG = "slug"
    PHONE = "phone"

    def __repr__(self) -> str:
        # Generated code holds type names as plain strings: a repr() of data that contains one
        # (test samples, keyword arguments) must write 'string', not <FieldType.STRING: ...>.
        return repr(self.value)


# Families group the types that share storage and rules: a type's family decides which
# migrations widen it, which option checks and test values apply, and how a default is written.
Family = Literal[
    "text", "number", "boolean", "temporal", "uuid", "json", "enum", "array", "relation"
]


class Missing:
    """No value: a sample that cannot fit its field, or a key an invalid payload leaves out."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()
# Strings in test data carry quotes, backslashes, `%s`, `</script>` and an emoji, so hostile data
# travels the whole stack on every database; no comma, which `__in` filters split on.
HOSTILE = 'it\'s "quoted" \\ </script> ${y} %s \U0001f680'


@dataclass(frozen=True)
class SqlShape:
    """What a column's DDL type depends on besides its type."""

    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    enum: EnumType | None = None
    array_of: FieldType | None = None


def same_sql(text: str) -> Callable[[SqlShape], dict[str, str]]:
    """One DDL type, spelled the same on every dialect."""
    return lambda _shape: {"sqlite": text, "postgresql": text, "mysql": text}


# A sample: (field or None for an array's item, row number k, resource name, field name).
Sample = Callable[[Any, int, str, str], Any]
# Why a default does not fit the type, or None: (value, the field's spec).
DefaultCheck = Callable[[Any, Any], "str | None"]


@dataclass(frozen=True)
class TypeDef:
    """Everything about one field type that every target shares."""

    type: FieldType
    summary: str  # one line for the README and the language's JSON Schema
    family: Family
    sql: Callable[[SqlShape], dict[str, str]]  # the DDL type per dialect
    python: str  # the Python type of a value in the ORM and the runtime ("" when structural)
    ts: str  # the TypeScript type of a value ("" when the target builds it: enum, array, ...)
    zod: str  # the zod schema of a value before the field's own constraints ("" likewise)
    json_schema: Mapping[str, Any]  # the JSON Schema of a value before the field's constraints
    # What the generated runtime calls the type (its column kind): the filter operators, query
    # parsing and search follow it. A type the runtime needs nothing new for says which it is.
    api_kind: str
    widget: str  # the form widget when the schema names none
    sample: Sample | None  # a valid JSON value (None: the target builds it from the field)
    invalid: Callable[[Any], list[Any]]  # values the API refuses with 422 for this field
    default_problem: DefaultCheck | None  # None: the type takes no default
    options: tuple[str, ...] = ()  # the type-specific options it accepts
    shorthand: tuple[str, ...] = ()  # the options its shorthand's arguments fill, in order
    shorthand_variadic: bool = False  # enum(a, b, c): every argument is one value
    bounds: tuple[int, int] | None = None  # the values an integer column holds on every dialect
    max_length: int | None = None  # the VARCHAR length when the schema gives none
    length_limit: int | None = None  # the longest max_length the type stores
    pattern: str | None = None  # a regular expression every value matches (Rust `regex`)
    array_item: bool = False  # may be the `of` of an array
    comparable: bool = True  # may be unique or sortable (equality and order are defined)
    indexable: bool = True
    filterable: bool = True
    searchable: bool = False

    @property
    def filter_operators(self) -> tuple[str, ...]:
        """The list filter's operators on a field of this type: the generated runtime's, for the
        type's runtime kind (a many-to-many field filters by the ids it links)."""
        if self.type == FieldType.MANY_TO_MANY:
            return contract.LINK_OPERATORS
        return contract.filter_operators(self.api_kind)
