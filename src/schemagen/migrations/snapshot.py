"""The database state of a project, as migrations see it: derived from the IR, saved as snapshot.json.

`state_of(project)` keeps exactly what the database holds (tables, columns, types, nullability,
server defaults, keys, indexes, uniques, checks, enums, comments) and nothing the API or the UI
needs. `snapshot.json` is that state after the latest revision: the "from" side of the next
`migrate`, rebuilt without a database, as Django rebuilds its migration state.

Every table carries its `origin` (the resource, `resource.field` for a junction table, or
`schemagen.<table>` for the project's own tables such as audit_log): the identity that survives
a change of table name, so `table: new_name` is a rename, not a drop and a create. PostgreSQL-only
objects (trigger functions, triggers, row-level security policies, GIN indexes) are state too:
migrations make them where the models' create_all would. Renames of resources and fields come from `renamed_from` only (`Hints`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemagen import ir, traits

SNAPSHOT_VERSION = 1
SNAPSHOT_NAME = "snapshot.json"


class SnapshotError(Exception):
    """snapshot.json cannot be read; the message says what to do."""


@dataclass(frozen=True)
class DefaultState:
    """A server default: the database applies it (defaults only Python applies are not state)."""

    kind: str  # literal, now, today
    value: Any = None  # JSON: the literal value; None for now and today
    sql: str | None = None


@dataclass(frozen=True)
class ColumnState:
    name: str
    type: str  # the schema type; "integer_key" for integer primary and foreign keys (BIGINT)
    nullable: bool
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    enum: str | None = None  # the enum type's name; its values are in SchemaState.enums
    array_of: str | None = None
    default: DefaultState | None = None
    autoincrement: bool = False
    comment: str | None = None

    def definition(self) -> tuple[Any, ...]:
        """Everything but the name: two columns with equal definitions need no ALTER."""
        return (
            self.type,
            self.nullable,
            self.length,
            self.precision,
            self.scale,
            self.enum,
            self.array_of,
            self.default,
            self.autoincrement,
            self.comment,
        )

    def type_key(self) -> tuple[Any, ...]:
        return (self.type, self.length, self.precision, self.scale, self.array_of)


@dataclass(frozen=True)
class IndexState:
    name: str
    columns: tuple[str, ...]
    unique: bool = False
    where: str | None = None
    using: str | None = None  # the index method when not the default: "gin"
    dialects: tuple[str, ...] = ()  # the only dialects that have it; () for all

    def definition(self) -> tuple[Any, ...]:
        return (self.columns, self.unique, self.where, self.using, self.dialects)


@dataclass(frozen=True)
class UniqueState:
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class CheckState:
    name: str
    expr: str


@dataclass(frozen=True)
class ForeignKeyState:
    name: str
    columns: tuple[str, ...]
    target_table: str
    target_columns: tuple[str, ...]
    on_delete: str


@dataclass(frozen=True)
class TriggerState:
    """A PostgreSQL row trigger, BEFORE UPDATE, running one of SchemaState.functions."""

    name: str
    function: str


@dataclass(frozen=True)
class PolicyState:
    """A PostgreSQL row-level security policy; a table with policies has RLS enabled.

    `command` ALL is how snapshots written before per-command policies read back."""

    name: str
    command: str
    using: str | None
    check: str | None = None
    reads: tuple[str, ...] = ()  # other tables it reads: they exist before it, and outlive it


@dataclass(frozen=True)
class TableState:
    name: str
    origin: str  # the resource, or "resource.field" for the junction table of a many-to-many field
    columns: tuple[ColumnState, ...]  # in table order
    primary_key: tuple[str, ...]
    primary_key_name: str
    foreign_keys: tuple[ForeignKeyState, ...] = ()  # each tuple sorted by name
    indexes: tuple[IndexState, ...] = ()
    uniques: tuple[UniqueState, ...] = ()
    checks: tuple[CheckState, ...] = ()
    comment: str | None = None
    triggers: tuple[TriggerState, ...] = ()  # PostgreSQL only, like policies
    policies: tuple[PolicyState, ...] = ()

    def column(self, name: str) -> ColumnState | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class SchemaState:
    """The whole database: tables by name, enum types by name (values in order), and the
    PostgreSQL trigger functions by name (their PL/pgSQL body)."""

    tables: dict[str, TableState] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)

    def by_origin(self) -> dict[str, TableState]:
        return {t.origin: t for t in self.tables.values()}

    def to_json(self) -> dict[str, Any]:
        data = {
            "schemagen_snapshot": SNAPSHOT_VERSION,
            "tables": {name: _table_json(self.tables[name]) for name in sorted(self.tables)},
            "enums": {name: list(self.enums[name]) for name in sorted(self.enums)},
        }
        # Written only when there are any: older snapshots read the same, and stay unchanged.
        if self.functions:
            data["functions"] = {name: self.functions[name] for name in sorted(self.functions)}
        return data

    def dumps(self) -> str:
        """Canonical text: the same state gives the same bytes on any machine.

        One column, key or index per line, so a schema change reads as a small diff.
        """
        return _dump(self.to_json(), 0) + "\n"

    def digest(self) -> str:
        return hashlib.sha256(self.dumps().encode("utf-8")).hexdigest()

    @classmethod
    def from_json(cls, data: Any) -> SchemaState:
        if not isinstance(data, dict) or "schemagen_snapshot" not in data:
            raise ValueError("not a schemagen snapshot")
        version = data["schemagen_snapshot"]
        if version != SNAPSHOT_VERSION:
            if isinstance(version, int) and version > SNAPSHOT_VERSION:
                raise ValueError("written by a newer schemagen; upgrade schemagen")
            raise ValueError(f"unknown version {version!r}")
        tables = {name: _table_from_json(name, t) for name, t in data.get("tables", {}).items()}
        enums = {
            name: tuple(str(v) for v in values) for name, values in data.get("enums", {}).items()
        }
        functions = {str(name): str(body) for name, body in data.get("functions", {}).items()}
        return cls(tables, enums, functions)

    @classmethod
    def loads(cls, text: str) -> SchemaState:
        return cls.from_json(json.loads(text))


EMPTY = SchemaState()


@dataclass(frozen=True)
class Hints:
    """What the schemas say beyond the database state, by the new side's identity.

    Renames come from `renamed_from` only. `fills` are the defaults only Python applies (JSON and
    arrays): not part of the state, but what fills existing rows when such a column is added;
    `backfills` likewise, from `backfill:`. `fields` names the field of a column in messages.
    """

    tables: dict[str, str] = field(default_factory=dict)  # new origin -> old origin
    columns: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (new origin, new column) -> old column
    fills: dict[tuple[str, str], Any] = field(
        default_factory=dict
    )  # (origin, column) -> JSON value
    # `backfill:`: what rows already in the table get when the column becomes NOT NULL.
    backfills: dict[tuple[str, str], DefaultState] = field(default_factory=dict)
    fields: dict[tuple[str, str], str] = field(default_factory=dict)  # (origin, column) -> field
    # (origin, column) -> the table a relation's column points at (with or without a foreign key)
    relations: dict[tuple[str, str], str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# From the IR


def state_of(project: ir.Project) -> SchemaState:
    """The database state the project's models describe."""
    tables: dict[str, TableState] = {}
    for resource in project.resources:
        tables[resource.table] = _resource_table(resource)
        for relation in resource.relations:
            if relation.junction is not None:
                junction = relation.junction
                tables[junction.table] = _junction_table(
                    junction, f"{resource.name}.{relation.name}"
                )
    for table in project.system_tables:
        tables[table.name] = _system_table(table)
    enums = {e.name: e.values for e in project.enums}
    functions = {f.name: f.body for f in project.functions}
    return SchemaState(tables, enums, functions)


def hints_of(project: ir.Project) -> Hints:
    """The renames the schemas declare with `renamed_from`, and the Python-only defaults."""
    tables: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    fills: dict[tuple[str, str], Any] = {}
    backfills: dict[tuple[str, str], DefaultState] = {}
    fields: dict[tuple[str, str], str] = {}
    relations: dict[tuple[str, str], str] = {}
    for resource in project.resources:
        old_resource = resource.renamed_from or resource.name
        if resource.renamed_from:
            tables[resource.name] = resource.renamed_from
        for f in resource.fields:
            if f.column is not None:
                fields[(resource.name, f.column.name)] = f.name
                if f.relation is not None:
                    target = project.resource(f.relation.target).table
                    relations[(resource.name, f.column.name)] = target
        for column in resource.columns:
            if column.backfill is not None:
                backfills[(resource.name, column.name)] = DefaultState(
                    column.backfill.kind, _jsonable(column.backfill.value), None
                )
            if column.renamed_from:
                columns[(resource.name, column.name)] = column.renamed_from
            if (
                column.default is not None
                and column.default.kind == "factory"
                and column.default.value is not None
            ):
                fills[(resource.name, column.name)] = _jsonable(column.default.value)
        for relation in resource.relations:
            if relation.junction is not None:
                junction, origin = relation.junction, f"{resource.name}.{relation.name}"
                f = resource.field(relation.name)
                old = f"{old_resource}.{f.renamed_from or f.name}"
                if old != origin:
                    tables[origin] = old
                # Junction columns are named after the resources: renamed with them.
                target = project.resource(relation.target)
                old_target = target.renamed_from or target.name
                old_left = f"{old_resource}_id"
                old_right = (
                    f"related_{old_target}_id"
                    if relation.target == resource.name
                    else f"{old_target}_id"
                )
                for new_column, old_column in (
                    (junction.left_column, old_left),
                    (junction.right_column, old_right),
                ):
                    if new_column != old_column:
                        columns[(origin, new_column)] = old_column
    return Hints(tables, columns, fills, backfills, fields, relations)


def _primary_key(resource: ir.Resource) -> tuple[str, ...]:
    return traits.primary_key(resource.traits)


def _resource_table(resource: ir.Resource) -> TableState:
    columns = tuple(_column(c) for c in resource.columns)
    foreign_keys = tuple(
        ForeignKeyState(
            c.foreign_key.name,
            (c.name,),
            c.foreign_key.target_table,
            (c.foreign_key.target_column,),
            c.foreign_key.on_delete,
        )
        for c in resource.columns
        if c.foreign_key is not None
    )
    return TableState(
        name=resource.table,
        origin=resource.name,
        columns=columns,
        primary_key=_primary_key(resource),
        primary_key_name=resource.primary_key_name,
        foreign_keys=_by_name(foreign_keys),
        indexes=_indexes(resource.indexes),
        uniques=_by_name(UniqueState(u.name, u.columns) for u in resource.uniques),
        checks=_by_name(CheckState(c.name, c.expr) for c in resource.checks),
        comment=resource.comment,
        triggers=_by_name(TriggerState(t.name, t.function) for t in resource.triggers),
        policies=_policies(resource.policies),
    )


def _policies(policies: tuple[ir.Policy, ...]) -> tuple[PolicyState, ...]:
    return _by_name(PolicyState(p.name, p.command, p.using, p.check, p.reads) for p in policies)


def _indexes(indexes: tuple[ir.Index, ...]) -> tuple[IndexState, ...]:
    return _by_name(
        IndexState(i.name, i.columns, i.unique, i.where, i.using, i.dialects) for i in indexes
    )


def _system_table(table: ir.Table) -> TableState:
    return TableState(
        name=table.name,
        origin=table.origin,
        columns=tuple(_column(c) for c in table.columns),
        primary_key=table.primary_key,
        primary_key_name=table.primary_key_name,
        indexes=_indexes(table.indexes),
        uniques=_by_name(UniqueState(u.name, u.columns) for u in table.uniques),
        policies=_policies(table.policies),
    )


def _junction_table(junction: ir.Junction, origin: str) -> TableState:
    def key(name: str, kind: str) -> ColumnState:
        return ColumnState(name, "integer_key" if kind == "integer" else "uuid", False)

    fks = []
    if junction.left_foreign_key:
        fks.append(
            ForeignKeyState(
                junction.left_foreign_key,
                (junction.left_column,),
                junction.left_table,
                ("id",),
                "CASCADE",
            )
        )
    if junction.right_foreign_key:
        fks.append(
            ForeignKeyState(
                junction.right_foreign_key,
                (junction.right_column,),
                junction.right_table,
                ("id",),
                "CASCADE",
            )
        )
    return TableState(
        name=junction.table,
        origin=origin,
        columns=(
            key(junction.left_column, junction.left_type),
            key(junction.right_column, junction.right_type),
            *((_column(junction.branch_column),) if junction.branch_column else ()),
        ),
        primary_key=junction.key_columns,
        primary_key_name=junction.primary_key_name,
        foreign_keys=_by_name(fks),
        indexes=(IndexState(junction.right_index, (junction.right_column,)),),
        policies=_policies(junction.policies),
    )


def _column(column: ir.Column) -> ColumnState:
    integer_key = column.type == "integer" and (column.primary_key or column.origin == "relation")
    default = None
    if column.default is not None and column.default.kind != "factory":  # factory: Python only
        default = DefaultState(
            column.default.kind, _jsonable(column.default.value), column.default.sql
        )
    return ColumnState(
        name=column.name,
        type="integer_key" if integer_key else column.type,
        nullable=column.nullable,
        length=column.max_length,
        precision=column.precision,
        scale=column.scale,
        enum=column.enum.name if column.enum else None,
        array_of=column.array_of,
        default=default,
        autoincrement=column.primary_key and column.type == "integer" and column.name == "id",
        comment=column.comment,
    )


def _jsonable(value: Any) -> Any:
    # Defaults are JSON already (dates and uuids are validated strings); anything else as text.
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _by_name(items: Any) -> tuple[Any, ...]:
    return tuple(sorted(items, key=lambda item: item.name))


# ---------------------------------------------------------------------------------------------
# JSON


def _flat(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _dump(value: Any, depth: int) -> str:
    """Objects open up to the table level; lists of items and anything deeper stay on one line each."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict) and value and depth < 3:
        items = [f"{inner}{_flat(key)}: {_dump(item, depth + 1)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return "[\n" + ",\n".join(f"{inner}{_flat(item)}" for item in value) + f"\n{pad}]"
    return _flat(value)


def _table_json(table: TableState) -> dict[str, Any]:
    data: dict[str, Any] = {"origin": table.origin}
    if table.comment is not None:
        data["comment"] = table.comment
    data["columns"] = [_column_json(c) for c in table.columns]
    data["primary_key"] = {"name": table.primary_key_name, "columns": list(table.primary_key)}
    data["foreign_keys"] = [
        {
            "name": fk.name,
            "columns": list(fk.columns),
            "target_table": fk.target_table,
            "target_columns": list(fk.target_columns),
            "on_delete": fk.on_delete,
        }
        for fk in table.foreign_keys
    ]
    data["indexes"] = [
        {
            "name": i.name,
            "columns": list(i.columns),
            **({"unique": True} if i.unique else {}),
            **({"where": i.where} if i.where is not None else {}),
            **({"using": i.using} if i.using is not None else {}),
            **({"dialects": list(i.dialects)} if i.dialects else {}),
        }
        for i in table.indexes
    ]
    data["uniques"] = [{"name": u.name, "columns": list(u.columns)} for u in table.uniques]
    data["checks"] = [{"name": c.name, "expr": c.expr} for c in table.checks]
    if table.triggers:
        data["triggers"] = [{"name": t.name, "function": t.function} for t in table.triggers]
    if table.policies:
        data["policies"] = [
            {
                "name": p.name,
                # Snapshots from before per-command policies must read back to the same bytes.
                **({"command": p.command} if p.command != "ALL" else {}),
                **({"using": p.using} if p.using is not None else {}),
                **({"check": p.check} if p.check is not None else {}),
                **({"reads": list(p.reads)} if p.reads else {}),
            }
            for p in table.policies
        ]
    return data


def _column_json(column: ColumnState) -> dict[str, Any]:
    data: dict[str, Any] = {"name": column.name, "type": column.type, "nullable": column.nullable}
    for key in ("length", "precision", "scale", "enum", "array_of"):
        if getattr(column, key) is not None:
            data[key] = getattr(column, key)
    if column.default is not None:
        default: dict[str, Any] = {"kind": column.default.kind}
        if column.default.value is not None:
            default["value"] = column.default.value
        if column.default.sql is not None:
            default["sql"] = column.default.sql
        data["default"] = default
    if column.autoincrement:
        data["autoincrement"] = True
    if column.comment is not None:
        data["comment"] = column.comment
    return data


def _table_from_json(name: str, data: dict[str, Any]) -> TableState:
    columns = tuple(
        ColumnState(
            name=c["name"],
            type=c["type"],
            nullable=bool(c["nullable"]),
            length=c.get("length"),
            precision=c.get("precision"),
            scale=c.get("scale"),
            enum=c.get("enum"),
            array_of=c.get("array_of"),
            default=DefaultState(
                c["default"]["kind"], c["default"].get("value"), c["default"].get("sql")
            )
            if "default" in c
            else None,
            autoincrement=bool(c.get("autoincrement", False)),
            comment=c.get("comment"),
        )
        for c in data["columns"]
    )
    return TableState(
        name=name,
        origin=data["origin"],
        columns=columns,
        primary_key=tuple(data["primary_key"]["columns"]),
        primary_key_name=data["primary_key"]["name"],
        foreign_keys=tuple(
            ForeignKeyState(
                f["name"],
                tuple(f["columns"]),
                f["target_table"],
                tuple(f["target_columns"]),
                f["on_delete"],
            )
            for f in data.get("foreign_keys", [])
        ),
        indexes=tuple(
            IndexState(
                i["name"],
                tuple(i["columns"]),
                bool(i.get("unique", False)),
                i.get("where"),
                i.get("using"),
                tuple(i.get("dialects", ())),
            )
            for i in data.get("indexes", [])
        ),
        uniques=tuple(UniqueState(u["name"], tuple(u["columns"])) for u in data.get("uniques", [])),
        checks=tuple(CheckState(c["name"], c["expr"]) for c in data.get("checks", [])),
        comment=data.get("comment"),
        triggers=tuple(TriggerState(t["name"], t["function"]) for t in data.get("triggers", [])),
        policies=tuple(
            PolicyState(
                p["name"],
                p.get("command", "ALL"),
                p.get("using"),
                p.get("check"),
                tuple(p.get("reads", ())),
            )
            for p in data.get("policies", [])
        ),
    )


# ---------------------------------------------------------------------------------------------
# The file


def load_snapshot(path: Path) -> SchemaState | None:
    """The state in snapshot.json; None when the file does not exist (no migration yet)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise SnapshotError(f"cannot read {path}: {error}") from None
    try:
        return SchemaState.loads(text)
    except (ValueError, KeyError, TypeError) as error:
        raise SnapshotError(
            f"{path} is corrupt ({error}); restore it from version control: it must be the schema state after the latest revision"
        ) from None
