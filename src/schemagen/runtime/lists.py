"""Lists: filters, search, sort and keyset paging; two statements per page, whatever its size."""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from .context import RequestContext, enter, scoped
from .contract import (
    LINK_OPERATORS,
    MAX_IN_VALUES,
    MAX_SEARCH_LENGTH,
    SEARCH_TEXT_TYPES,
    filter_operators,
)
from .errors import ApiError, validation_error
from .resources import REGISTRY, Clause, Column, Expression, Item, Key, Resource, Row
from .rows import serialize
from .values import (
    dialect_of,
    in_range,
    jsonable,
    parse_key,
    parse_value,
    storable,
    to_db,
    type_adapter,
)

# How a value from a row or a cursor becomes the terms its sort key compares.
Convert = Callable[[object], object]


class Page(TypedDict):
    """A page of a list: the rows in their Read shape, and the cursor of the next page."""

    items: list[Item]
    next_cursor: str | None


@dataclass(frozen=True)
class SortKey:
    name: str
    attr: str
    expression: Expression
    descending: bool
    nullable: bool
    convert: Convert = lambda value: value  # a row's value as `expression` compares it
    # The database puts NULLs where lists do by itself (PostgreSQL), so the column alone is
    # the order and an index on it serves the page.
    native_nulls: bool = False

    def order_by(self) -> list[sa.UnaryExpression[Any]]:
        # NULLs sort after every value ascending and before them descending, on every database.
        direction = sa.desc if self.descending else sa.asc
        nulls = (
            [direction(sa.case((self.expression.is_(None), 1), else_=0))]
            if self.nullable and not self.native_nulls
            else []
        )
        return [*nulls, direction(self.expression)]


@dataclass(frozen=True)
class Query:
    """The rows a list's parameters select (scoping, filters, `q`), unordered, and their order."""

    statement: sa.Select[Any]
    keys: list[SortKey]

    def ordered(self, statement: sa.Select[Any] | None = None) -> sa.Select[Any]:
        """`statement` (default: this query's) in the sort's order."""
        statement = self.statement if statement is None else statement
        return statement.order_by(*(part for key in self.keys for part in key.order_by()))


def list_rows(
    resource: Resource, session: Session, context: RequestContext, params: Mapping[str, object]
) -> Page:
    """One page of rows: `{"items": [...], "next_cursor": ...}`; two queries whatever the page size."""
    enter(resource, session, context)
    params = _given(params)
    limit = _limit(resource, params.pop("limit", None))
    cursor = params.pop("cursor", None)
    query = list_query(resource, session, context, params)
    statement = query.statement
    if cursor not in (None, ""):
        statement = statement.where(
            after(query.keys, decode_cursor(resource, query.keys, text_param(cursor, "cursor")))
        )
    rows = list(session.scalars(query.ordered(statement).limit(limit + 1)))
    next_cursor = encode_cursor(query.keys, rows[limit - 1]) if len(rows) > limit else None
    return {"items": serialize(resource, session, rows[:limit]), "next_cursor": next_cursor}


def list_query(
    resource: Resource, session: Session, context: RequestContext, params: Mapping[str, object]
) -> Query:
    """What a list's parameters besides `limit` and `cursor` select: the one reading of its
    filters, `q`, `sort` and `include_deleted`, for its pages and for an export alike."""
    enter(resource, session, context)
    params = _given(params)
    include_deleted = (
        flag(params.pop("include_deleted", None), "include_deleted")
        if resource.has("soft_delete")
        else False
    )
    dialect = dialect_of(session)
    keys = sort_keys(resource, params.pop("sort", None), dialect)
    search = params.pop("q", None)
    statement = scoped(resource, context, include_deleted=include_deleted).where(
        *filters(resource, params, dialect)
    )
    if search not in (None, ""):
        if not resource.searchable:
            raise validation_error(f"q: {resource.label} has no searchable fields", "q")
        statement = statement.where(search_clause(resource, search_text(text_param(search, "q"))))
    return Query(statement, keys)


def _given(params: Mapping[str, object]) -> dict[str, object]:
    # The action router's `input` is JSON: null is not a value here.
    for name, value in params.items():
        if value is None:
            raise validation_error(f"{name} cannot be null", name)
    return dict(params)


def search_text(value: object) -> str:
    text = storable(single(value, "q"), "q")
    if len(text) > MAX_SEARCH_LENGTH:
        raise validation_error(f"q: at most {MAX_SEARCH_LENGTH} characters", "q")
    return text


def single(value: object, name: str) -> str:
    if isinstance(value, list):
        raise validation_error(f"{name} may be given once", name)
    return str(value)


def text_param(value: object, name: str) -> str:
    """`q`, `sort` or `cursor`: a text (the action router's `input` is JSON, where it could be anything)."""
    text = single(value, name)
    if not isinstance(value, str):
        raise validation_error(f"{name} must be a text", name)
    return text


def flag(value: object, name: str) -> bool:
    """A true/false query parameter; absent is false."""
    if value is None:
        return False
    single(value, name)  # once
    return parse_value(Column("", "boolean"), value, name) is True


def _limit(resource: Resource, value: object) -> int:
    return page_limit(value, resource.page_size, resource.max_page_size)


def page_limit(value: object, default: int, maximum: int) -> int:
    """`limit` from the query string: `default` when absent, else 1 to `maximum`."""
    if value is None:
        return default
    text = single(value, "limit")
    if isinstance(value, bool) or not re.fullmatch(r"-?[0-9]+", text):  # not " 1", "1_0" or "+1"
        raise validation_error(f"limit: {value!r} is not an integer", "limit")
    limit = int(text)
    if not 1 <= limit <= maximum:
        raise validation_error(f"limit must be between 1 and {maximum}", "limit")
    return limit


def sort_keys(resource: Resource, value: object, dialect: str) -> list[SortKey]:
    """`sort=-a,b` as sort keys, then the id: the tie-breaker that makes paging exact."""
    names = (
        text_param(value, "sort").split(",")
        if value not in (None, "")
        else list(resource.default_sort)
    )
    keys: list[SortKey] = []
    id_descending = False
    for spec in names:
        name = spec.removeprefix("-")
        if name not in resource.sortable:
            allowed = ", ".join(resource.sortable) or "none"
            raise validation_error(f"sort: cannot sort by {name!r} (sortable: {allowed})", "sort")
        if any(k.name == name for k in keys):
            continue  # the first mention decides
        if name == "id":
            id_descending = spec.startswith("-")
            break  # ids are unique: nothing after them matters
        column = resource.columns[name]
        if column.type == "enum":
            expression, convert = ranked(resource, column, dialect)
        elif column.type == "boolean":  # SQLAlchemy compares True and False by `=` only, unbound
            expression, convert = getattr(resource.model, column.attr), _bound_boolean
        else:
            expression, convert = comparable(resource, column, dialect)
        keys.append(
            SortKey(
                name,
                column.attr,
                expression,
                spec.startswith("-"),
                column.nullable,
                convert,
                native_nulls=dialect == "postgresql",
            )
        )
    keys.append(SortKey("id", "id", resource.id, id_descending, False))
    return keys


def _bound_boolean(value: object) -> object:
    """A cursor's boolean as a bound parameter, which `>` and `<` may compare."""
    return value if value is None else sa.literal(value, sa.Boolean())


def after(keys: list[SortKey], values: list[object]) -> Clause:
    """Rows strictly after `values` in the order of `keys` (lexicographic, NULL-aware)."""
    clauses = []
    for i, (key, value) in enumerate(zip(keys, values, strict=True)):
        same = [_equal(k, v) for k, v in zip(keys[:i], values[:i], strict=True)]
        clauses.append(sa.and_(*same, _beyond(key, value)))
    beyond = sa.or_(*clauses)
    first, value = keys[0], values[0]
    if value is None or first.nullable:
        return beyond
    # The first key's bound beside the exact condition: an index on the sort's columns seeks to
    # the cursor instead of reading every row before it (a deep page costs what the first does).
    term = first.convert(value)
    bound = first.expression <= term if first.descending else first.expression >= term
    return sa.and_(bound, beyond)


def _equal(key: SortKey, value: object) -> Clause:
    return key.expression.is_(None) if value is None else key.expression == key.convert(value)


def _beyond(key: SortKey, value: object) -> Clause:
    if key.descending:  # NULLs first, then values downwards
        return key.expression.is_not(None) if value is None else key.expression < key.convert(value)
    if value is None:  # NULLs come last: nothing is beyond them but more NULLs (ordered by id)
        return sa.false()
    beyond = key.expression > key.convert(value)
    return sa.or_(beyond, key.expression.is_(None)) if key.nullable else beyond


def encode_cursor(keys: list[SortKey], row: Row) -> str:
    values = [_cursor_value(getattr(row, key.attr)) for key in keys]
    payload = json.dumps(
        {"sort": [("-" if k.descending else "") + k.name for k in keys], "values": values},
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _cursor_value(value: object) -> object:
    # The value exactly as the database gave it, so the next page compares against the same thing.
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def decode_cursor(resource: Resource, keys: list[SortKey], cursor: str) -> list[object]:
    """The sort values a cursor holds. A cursor is the client's text: anything this API did not
    give out (any JSON, nested however deep, any numbers) is a 422 naming `cursor`."""
    forged = validation_error("cursor: not a cursor this API gave out", "cursor")
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        spec, values = payload["sort"], payload["values"]
    except (ValueError, KeyError, TypeError, RecursionError, binascii.Error):
        raise forged from None
    if not isinstance(values, list):
        raise forged
    if spec != [("-" if k.descending else "") + k.name for k in keys] or len(values) != len(keys):
        raise validation_error("cursor: it belongs to another sort order", "cursor")
    decoded: list[object] = []
    for key, value in zip(keys, values, strict=True):
        if value is None:
            decoded.append(None)
            continue
        kind = "string" if key.name != "id" and resource.columns[key.name].type == "enum" else None
        kind = kind or (resource.key if key.name == "id" else resource.columns[key.name].type)
        if (
            key.name != "id"
            and resource.columns[key.name].type == "enum"
            and value not in resource.columns[key.name].choices
        ):
            raise forged  # enums sort by their position among the choices: a value must be one
        try:  # as the database gave it: naive datetimes stay naive
            if isinstance(value, dict | list) or (
                kind in ("integer", "bigint") and isinstance(value, bool)
            ):
                raise forged
            decoded.append(in_range(type_adapter(kind).validate_python(value), "cursor"))
        except (ValidationError, ApiError):
            raise forged from None
    return decoded


def filters(resource: Resource, params: Mapping[str, object], dialect: str) -> list[Clause]:
    """`f=v`, `f__in=a,b`, `f__gte`, `f__lte`, `f__isnull=true` on filterable fields; anything else is 422."""
    clauses = []
    for name, raw in params.items():
        field_name, _, op = name.partition("__")
        op = op or "eq"
        if field_name not in resource.filterable:
            allowed = ", ".join(resource.filterable) or "none"
            raise validation_error(f"unknown filter {name!r} (filterable: {allowed})", name)
        if field_name in resource.many_to_many:
            clauses.append(_link_filter(resource, field_name, op, raw, name))
        else:
            clauses.append(
                _column_filter(resource, resource.columns[field_name], op, raw, name, dialect)
            )
    return clauses


def operators(column: Column | None) -> tuple[str, ...]:
    """The filter operators a column supports (None: a many-to-many field)."""
    return LINK_OPERATORS if column is None else filter_operators(column.type)


def _values(raw: object, name: str) -> list[object]:
    items = raw if isinstance(raw, list) else [raw]
    values = [
        part for item in items for part in (item.split(",") if isinstance(item, str) else [item])
    ]
    if len(values) > MAX_IN_VALUES:
        raise validation_error(f"{name}: at most {MAX_IN_VALUES} values", name)
    if not values:
        raise validation_error(f"{name}: give at least one value", name)
    return values


def _column_filter(
    resource: Resource, column: Column, op: str, raw: object, name: str, dialect: str
) -> Clause:
    if op not in operators(column):
        raise validation_error(f"unknown filter {name!r}", name)
    expression: Expression = getattr(resource.model, column.attr)
    if op == "in":
        raws = _values(raw, name)
    elif isinstance(raw, list):
        raise validation_error(f"{name} may be given once", name)
    else:
        raws = [raw]
    if op == "isnull":
        null = parse_value(Column("", "boolean"), raws[0], name)
        return expression.is_(None) if null else expression.is_not(None)
    values = [parse_value(column, value, name) for value in raws]
    if column.type == "array":  # contains the value (any of the values for __in)
        return sa.or_(*(_array_contains(expression, value, dialect) for value in values))
    expression, convert = comparable(resource, column, dialect)
    values = [convert(to_db(column, value, dialect)) for value in values]
    if op == "in":
        return expression.in_(values)
    if op == "gte":
        return expression >= values[0]
    if op == "lte":
        return expression <= values[0]
    return expression == values[0]


def comparable(resource: Resource, column: Column, dialect: str) -> tuple[Expression, Convert]:
    """The column as filters and sorts compare it, and how to turn a stored value into its terms.

    Enums compare as text (one order everywhere). SQLite keeps timestamps as text in two shapes,
    `2024-01-02 03:04:05` from CURRENT_TIMESTAMP and `2024-01-02 03:04:05.000000` from SQLAlchemy:
    both are compared in the second shape.
    """
    expression = getattr(resource.model, column.attr)
    if column.type == "enum":
        return sa.cast(expression, sa.String()), lambda value: value
    if column.type == "datetime" and dialect == "sqlite":
        text = sa.func.substr(sa.type_coerce(expression, sa.String()) + ".000000", 1, 26)
        return (
            text,
            lambda value: value if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f"),
        )
    return expression, lambda value: value


def ranked(resource: Resource, column: Column, dialect: str) -> tuple[Expression, Convert]:
    """An enum as a sort orders it: its values in the order the schema declares them.

    PostgreSQL's native enum type sorts and compares so already (migrations keep its values in
    the schema's order); MySQL's ENUM sorts so but compares as text, and SQLite has only text:
    there the sort key is the value's position.
    """
    expression = getattr(resource.model, column.attr)
    if dialect == "postgresql":
        return expression, lambda value: value
    ranks = {value: position for position, value in enumerate(column.choices)}
    return sa.case(ranks, value=expression), lambda value: value if value is None else ranks[value]


def _array_contains(expression: Expression, value: object, dialect: str) -> Clause:
    """Rows whose array holds `value`: ARRAY on PostgreSQL, JSON elsewhere."""
    if dialect == "postgresql":
        return sa.literal(value) == sa.any_(expression)
    if dialect == "mysql":
        return sa.func.json_contains(expression, json.dumps(jsonable(value))) == 1
    items = sa.func.json_each(expression).table_valued("value")
    return sa.exists(sa.select(1).select_from(items).where(items.c.value == jsonable(value)))


def _link_filter(resource: Resource, field_name: str, op: str, raw: object, name: str) -> Clause:
    if op not in ("eq", "in"):
        raise validation_error(f"unknown filter {name!r}", name)
    link = resource.many_to_many[field_name]
    target = REGISTRY[link.target]
    values = [
        _reference_key(target, v, name)
        for v in (_values(raw, name) if op == "in" else [single(raw, name)])
    ]
    junction = link.junction
    own = [junction.c[link.branch] == resource.model.branch_id] if link.branch else []
    return sa.exists(
        sa.select(1).where(
            junction.c[link.left] == resource.id, *own, junction.c[link.right].in_(values)
        )
    )


def _reference_key(target: Resource, value: object, name: str) -> Key:
    try:
        return parse_key(target, value)
    except ApiError:
        raise validation_error(f"{name}: {value!r} is not an id of {target.label}", name) from None


def search_clause(resource: Resource, text: str) -> Clause:
    """`q`: every searchable field, case-insensitively, containing the text."""
    pattern = "%" + text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
    parts = []
    for name in resource.searchable:
        column = resource.columns[name]
        expression = getattr(resource.model, column.attr)
        if column.type not in SEARCH_TEXT_TYPES:
            expression = sa.cast(expression, sa.String())
        parts.append(expression.ilike(pattern, escape="!"))
    return sa.or_(*parts)
