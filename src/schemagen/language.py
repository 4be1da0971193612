"""The schema language as Pydantic models: the shape of a resource file and of schemagen.toml.

These models check shape only (types, unknown keys). Meaning (does a relation's target exist, is a
default one of the enum values) is checked in `validate`, which sees every file at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from schemagen.config.paths import DEFAULT_OUTPUT, DEFAULT_SCHEMAS
from schemagen.runtime.contract import rule_action_problem, rule_limit_problem
from schemagen.types import FIELD_TYPES, REGISTRY, FieldType

TRAITS = ("timestamps", "soft_delete", "tenant", "versioned", "audit", "branching", "owned")
SHORTHAND_FLAGS = (
    "required",
    "unique",
    "index",
    "nullable",
    "filterable",
    "sortable",
    "searchable",
    "readonly",
)
ON_DELETE = ("cascade", "set_null", "restrict", "no_action")
BUILTIN_ACTIONS = ("list", "get", "create", "update", "delete", "bulk", "export")

# Matched with fullmatch on the stripped text: `$` would let a trailing newline in, and runs of
# whitespace that two `\s*` around the flags could share made a long blank run quadratic.
_SHORTHAND = re.compile(
    r"(?P<type>[A-Za-z_][A-Za-z0-9_]*)(?:\s*\((?P<args>[^()]*)\))?(?P<flags>(?:\s+[A-Za-z_][A-Za-z0-9_]*)*)"
)
# Bounds on the integers of the language, far above any sensible value, so that a typo of a few
# extra digits is an error here and never a literal the generated code or a database refuses.
MAX_TEXT_LENGTH = 1_000_000_000  # PostgreSQL stores at most 1 GB in a value
MAX_PAGE_SIZE = 100_000
MAX_TTL = 2**31 - 1  # seconds (68 years): an INTEGER column and a JavaScript timer hold it
Length = Annotated[int, Field(le=MAX_TEXT_LENGTH)]
PageSize = Annotated[int, Field(le=MAX_PAGE_SIZE)]


class Strict(BaseModel):
    """Unknown keys are errors everywhere in the language."""

    # A float option (`min`, `max`) is finite: `nan` and `1e999` reach YAML as strings, which
    # Pydantic would otherwise read as floats and the targets write as NaN and Infinity.
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


class EnumValue(Strict):
    value: str
    label: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_scalar(cls, data: Any) -> Any:
        # `values: [1, 2]` in YAML are numbers; enum values are always strings.
        return (
            {"value": str(data)}
            if isinstance(data, str | int | float) and not isinstance(data, bool)
            else data
        )


class FieldSpec(Strict):
    """One field. Written in full as a mapping, or as shorthand: `string(200) required unique`."""

    type: str = Field(description="One of: " + ", ".join(FIELD_TYPES))
    required: bool = False
    nullable: bool | None = None
    default: Any = None
    unique: bool = False
    index: bool = False
    min_length: Length | None = None
    max_length: Length | None = None
    min: float | int | None = None
    max: float | int | None = None
    pattern: str | None = None
    precision: int | None = Field(None, description="decimal: total digits")
    scale: int | None = Field(None, description="decimal: digits after the point")
    values: list[EnumValue] | None = Field(None, description="enum: the allowed values")
    of: str | None = Field(None, description="array: the item type")
    to: str | None = Field(None, description="relation, many_to_many: the target resource")
    on_delete: Literal["cascade", "set_null", "restrict", "no_action"] | None = None
    through: str | None = Field(None, description="many_to_many: the junction table")
    inverse: str | None = Field(
        None, description="relation, many_to_many: the name of the other side"
    )
    label: str | None = None
    help: str | None = None
    description: str | None = None
    readonly: bool = False
    filterable: bool = False
    sortable: bool = False
    searchable: bool = False
    widget: str | None = None
    renamed_from: str | None = None
    backfill: Any = Field(
        None,
        description="migrations: the value rows already in the table get when the column becomes "
        "NOT NULL (a relation: the id of an existing row)",
    )

    @model_validator(mode="before")
    @classmethod
    def _expand_shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return parse_shorthand(data)
        return data

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> FieldType:
        if value not in FIELD_TYPES:
            from schemagen.diagnostics import did_you_mean

            raise ValueError(
                f"unknown field type '{value}'{did_you_mean(value, FIELD_TYPES)} (expected one of: {', '.join(FIELD_TYPES)})"
            )
        return FieldType(value)

    @property
    def enum_values(self) -> list[EnumValue]:
        return list(self.values or [])


def parse_shorthand(text: str) -> dict[str, Any]:
    """`decimal(12,2) required` -> `{type: decimal, precision: 12, scale: 2, required: true}`."""
    match = _SHORTHAND.fullmatch(text.strip())
    if not match:
        raise ValueError(
            f"cannot read field shorthand '{text}' (expected e.g. 'string(200) required unique')"
        )
    kind = match["type"]
    if kind not in FIELD_TYPES:
        from schemagen.diagnostics import did_you_mean

        raise ValueError(
            f"unknown field type '{kind}' in '{text}'{did_you_mean(kind, FIELD_TYPES)} (expected one of: {', '.join(FIELD_TYPES)})"
        )
    args = [a.strip() for a in (match["args"] or "").split(",") if a.strip()]
    spec: dict[str, Any] = {"type": kind}
    if args:
        spec.update(_shorthand_args(kind, args, text))
    for flag in (match["flags"] or "").split():
        if flag not in SHORTHAND_FLAGS:
            from schemagen.diagnostics import did_you_mean

            raise ValueError(
                f"unknown flag '{flag}' in '{text}'{did_you_mean(flag, SHORTHAND_FLAGS)} (flags: {', '.join(SHORTHAND_FLAGS)})"
            )
        spec[flag] = True
    return spec


def _shorthand_args(kind: str, args: list[str], text: str) -> dict[str, Any]:
    def number(value: str) -> int:
        if not re.fullmatch(r"-?\d+", value):
            raise ValueError(f"'{value}' in '{text}' must be a whole number")
        return int(value)

    definition = REGISTRY[FieldType(kind)]
    if definition.shorthand_variadic:
        return {definition.shorthand[0]: args}
    if 0 < len(args) <= len(definition.shorthand):
        return {
            option: number(arg) if option in _NUMBER_OPTIONS else arg
            for option, arg in zip(definition.shorthand, args, strict=False)
        }
    raise ValueError(f"'{kind}' takes no arguments like ({', '.join(args)}) in '{text}'")


_NUMBER_OPTIONS = ("max_length", "precision", "scale")


class IndexSpec(Strict):
    fields: list[str] = Field(min_length=1)
    unique: bool = False
    where: str | None = Field(
        None, description="SQL condition for a partial index (PostgreSQL, SQLite)"
    )
    name: str | None = None


class CheckSpec(Strict):
    name: str
    expr: str = Field(description="SQL boolean expression over this resource's columns")


class ListAction(Strict):
    page_size: PageSize = 50
    max_page_size: PageSize = 500
    sort: list[str] = Field(default_factory=list, description="default order, '-' for descending")
    sortable: list[str] = Field(default_factory=list)
    searchable: list[str] = Field(default_factory=list)
    filterable: list[str] = Field(default_factory=list)


class BulkAction(Strict):
    dry_run: bool = True
    undo: bool = True
    batch_size: PageSize = 500
    undo_ttl: int = Field(3600, le=MAX_TTL, description="seconds an undo token stays valid")
    async_rows: int = Field(
        1000, description="a run that may touch more rows runs in the background (202 with the run)"
    )
    confirm_rows: int = Field(
        1000, description="a delete of more rows needs the confirmation_token of its dry run"
    )


class CustomAction(Strict):
    """A custom action wired to user code: `close: {input: {...}, handler: pkg.mod:func}`."""

    input: dict[str, FieldSpec] = Field(default_factory=dict)
    handler: str | None = Field(None, description="'module.path:function'; scaffolded when omitted")
    invalidates: list[str] = Field(default_factory=list)
    scope: Literal["item", "collection"] = "item"
    label: str | None = None
    description: str | None = None


class Actions(BaseModel):
    """Built-in actions by name; every other key is a custom action."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, CustomAction] = Field(init=False)  # type: ignore[assignment]

    list: ListAction | bool = True
    get: bool = True
    create: bool = True
    update: bool = True
    delete: bool = True
    bulk: BulkAction | bool = False
    export: bool = Field(
        False,
        description="GET /api/<table>/export?format=csv|xlsx: every row the list's parameters "
        "select, streamed (needs list)",
    )

    @property
    def custom(self) -> dict[str, CustomAction]:
        return dict(self.__pydantic_extra__ or {})


class Display(Strict):
    icon: str | None = None
    color: str | None = None
    title_field: str | None = None


class TableUI(Strict):
    columns: list[str] = Field(default_factory=list)
    default_sort: list[str] = Field(default_factory=list)
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] | None = None


class FormUI(Strict):
    fields: list[str] = Field(default_factory=list)


class UI(Strict):
    table: TableUI = Field(default_factory=TableUI)
    form: FormUI = Field(default_factory=FormUI)


# The conditions a view's filter may state: the API's list operators (`eq`, `in`, `gte`, `lte`,
# `isnull`), and `ne` and `not_in` on enum and boolean fields, which a view turns into the `in`
# (or `eq`) of the other values: the API has no not-equal filter.
VIEW_OPERATORS = ("eq", "ne", "in", "not_in", "gte", "lte", "isnull")


class ViewSpec(Strict):
    """A named list view: a saved list query (filters, sort, columns) with its own page in the
    web app, or the rows of a self relation as a tree."""

    title: str | None = Field(None, description="the page's heading; default from the view's name")
    description: str | None = None
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description="field: value (equals), or field: {operator: value}; operators: "
        + ", ".join(VIEW_OPERATORS)
        + "; 'now' on a datetime is the server's current time when the list is read",
    )
    sort: list[str] = Field(default_factory=list, description="order, '-' for descending")
    columns: list[str] = Field(default_factory=list, description="default: ui.table's columns")
    actions: list[str] | None = Field(
        None,
        description="the row actions shown (update, delete, restore, custom item actions); "
        "default: all of the table's",
    )
    tree: str | None = Field(
        None,
        description="a relation of the resource to itself: rows shown under their parent, "
        "siblings in the view's sort",
    )


def _known_trait(trait: str) -> str:
    if trait not in TRAITS:
        from schemagen.diagnostics import did_you_mean

        raise ValueError(
            f"unknown trait '{trait}'{did_you_mean(trait, TRAITS)} (expected one of: {', '.join(TRAITS)})"
        )
    return trait


Trait = Annotated[str, AfterValidator(_known_trait)]


class ResourceSpec(Strict):
    """One resource file."""

    resource: str = Field(
        description="singular snake_case name; actions are <resource>.create, ..."
    )
    table: str | None = None
    model: str | None = None
    label: str | None = None
    label_plural: str | None = None
    description: str | None = None
    display: Display = Field(default_factory=Display)
    primary_key: Literal["uuid", "integer"] = "uuid"
    traits: list[Trait] = Field(default_factory=list)
    fields: dict[str, FieldSpec] = Field(default_factory=dict)
    indexes: list[IndexSpec] = Field(default_factory=list)
    checks: list[CheckSpec] = Field(default_factory=list)
    actions: Actions = Field(default_factory=Actions)
    ui: UI = Field(default_factory=UI)
    views: dict[str, ViewSpec] = Field(
        default_factory=dict, description="named list views, each a page of the web app"
    )
    renamed_from: str | None = Field(
        None,
        description="the resource's previous name: migrations rename its table instead of dropping it",
    )
    tenant_key: str | None = Field(
        None,
        description="makes this resource the project's tenants: the field whose value X-Tenant-ID "
        "carries and every tenant row's tenant_id points at",
    )


# An SPDX license expression ("MIT", "Apache-2.0 OR MIT", "LicenseRef-Mine"): OpenAPI's license
# `identifier`. A license of one's own is `LicenseRef-<name>`, as SPDX says.
SPDX_EXPRESSION = (
    r"\(*[A-Za-z0-9][A-Za-z0-9.+-]*\)*( (AND|OR|WITH) \(*[A-Za-z0-9][A-Za-z0-9.+-]*\)*)*"
)
DEFAULT_LICENSE = "LicenseRef-Proprietary"


class ProjectSection(Strict):
    name: str = "app"
    package: str | None = None
    schemas: str = DEFAULT_SCHEMAS
    output: str = DEFAULT_OUTPUT
    templates: str | None = None
    targets: list[str] = Field(default_factory=lambda: ["all"])
    # The API's license, as its OpenAPI document names and identifies it.
    license: str = Field(default=DEFAULT_LICENSE, min_length=1, max_length=100)

    @field_validator("license")
    @classmethod
    def _spdx(cls, value: str) -> str:
        if not re.fullmatch(SPDX_EXPRESSION, value):
            raise ValueError(
                f"{value!r} is no SPDX license expression (e.g. 'MIT', 'Apache-2.0 OR MIT', or"
                " 'LicenseRef-<name>' for a license of your own)"
            )
        return value


class DatabaseSection(Strict):
    dialects: list[Literal["sqlite", "postgresql", "mysql"]] = Field(
        default_factory=lambda: ["sqlite", "postgresql", "mysql"]
    )


# A browser's Origin: scheme, host and an optional port, no path (or `*`, any origin).
CORS_ORIGIN = r"\*|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?"
# `package.module:attribute`, as the generated app imports it.
MIDDLEWARE_NAME = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*"
MAX_BODY_LIMIT = 2**40  # a TiB: past any body an API takes in one request


def _checked(problem: Callable[[str], str | None]) -> Callable[[str], str]:
    """A validator of text that `problem` finds fault with (its message), or passes."""

    def check(value: str) -> str:
        found = problem(value)
        if found is not None:
            raise ValueError(found)
        return value

    return check


class AppSection(Strict):
    """The generated app's edges (runtime.edges): what it does when the environment variable of
    the same name (upper case) is unset."""

    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: StrictInt = Field(default=1024 * 1024, ge=1, le=MAX_BODY_LIMIT)
    gzip_min_bytes: int | Literal["off"] = Field(default=1024)
    metrics: StrictBool = True
    access_log: StrictBool = True
    middleware: list[str] = Field(default_factory=list)
    # action (`office.create`, `*.bulk`, `*`) -> limit (`10/minute`): runtime.ratelimits
    rate_limits: dict[
        Annotated[str, AfterValidator(_checked(rule_action_problem))],
        Annotated[str, AfterValidator(_checked(rule_limit_problem))],
    ] = Field(default_factory=dict)

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not re.fullmatch(CORS_ORIGIN, origin):
                raise ValueError(
                    f"{origin!r} is no origin: scheme, host and port only, as a browser sends it"
                    " ('https://app.example.com', 'http://localhost:5173'), or '*'"
                )
        return value

    @field_validator("gzip_min_bytes", mode="before")
    @classmethod
    def _gzip(cls, value: object) -> object:
        # Before the union, so a mistake is one error, not one per member.
        if value == "off" or (
            isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_BODY_LIMIT
        ):
            return value
        raise ValueError(
            f"{value!r} is neither a number of bytes from 1 to {MAX_BODY_LIMIT} nor 'off'"
        )

    @field_validator("middleware")
    @classmethod
    def _middleware(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(MIDDLEWARE_NAME, name):
                raise ValueError(
                    f"{name!r} is not module:attribute (e.g. 'acme_ext.timing:TimingMiddleware')"
                )
        return value


class ProjectSpec(Strict):
    """schemagen.toml, or [tool.schemagen] in pyproject.toml."""

    project: ProjectSection = Field(default_factory=ProjectSection)
    database: DatabaseSection = Field(default_factory=DatabaseSection)
    app: AppSection = Field(default_factory=AppSection)


def language_json_schema() -> dict[str, Any]:
    """The JSON Schema of a resource file, for editors (`schemagen schema`)."""
    schema = ResourceSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "schemagen resource"
    # Fields may be written as shorthand strings too.
    field_ref = {"$ref": "#/$defs/FieldSpec"}
    shorthand = {
        "type": "string",
        "description": "shorthand: type[(args)] [flags], e.g. 'string(200) required unique'",
    }
    schema["properties"]["fields"]["additionalProperties"] = {"anyOf": [field_ref, shorthand]}
    schema["$defs"]["CustomAction"]["properties"]["input"]["additionalProperties"] = {
        "anyOf": [field_ref, shorthand]
    }
    # Enum values may be written bare: `values: [draft, published]` or `[1, 2]`.
    values = schema["$defs"]["FieldSpec"]["properties"]["values"]
    values["anyOf"][0]["items"] = {
        "anyOf": [{"$ref": "#/$defs/EnumValue"}, {"type": ["string", "number"]}]
    }
    return schema
