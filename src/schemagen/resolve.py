"""Resolve validated schemas into the immutable IR: names, columns, relations, dependency order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from schemagen import ir
from schemagen import language as lang
from schemagen.config.project import ProjectConfig
from schemagen.literals import sql_comment, sql_literal
from schemagen.naming import (
    api_field_name,
    constraint_name,
    handler_function,
    humanize,
    pascal,
    plural,
    python_attr,
)
from schemagen.sql import sql_types
from schemagen.traits import (
    AUDIT_LOG_TABLE,
    BULK_RUNS_TABLE,
    CHANGE_FEED_CLOCK_TABLE,
    CHANGE_FEED_TABLE,
    IDEMPOTENCY_KEYS_TABLE,
    KEY_COLUMNS,
    SYSTEM_ORIGIN,
    SYSTEM_TABLES,
    TENANT_SETTING,
    TRAIT_COLUMNS,
    TRAIT_ORDER,
    USER_SETTING,
    ColumnSpec,
    SystemTable,
    live_rows,
)
from schemagen.types import REGISTRY, FieldType
from schemagen.types.decimal import precision_and_scale
from schemagen.validate import (
    ValidatedResource,
    field_columns,
    relation_inverses,
)
from schemagen.views import conditions, parameters

ON_DELETE_SQL = {
    "cascade": "CASCADE",
    "set_null": "SET NULL",
    "restrict": "RESTRICT",
    "no_action": "NO ACTION",
}
# PostgreSQL keeps updated_at true for writes that bypass the ORM (raw SQL, other clients),
# unless the statement set updated_at itself.
TOUCH_UPDATED_AT = ir.Function(
    "schemagen_touch_updated_at",
    "IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN\n"
    "    NEW.updated_at := now();\n"
    "  END IF;\n"
    "  RETURN NEW;",
)


def resolve(config: ProjectConfig, validated: list[ValidatedResource]) -> ir.Project:
    """Build the IR. Assumes `validate` passed: references exist and names are legal."""
    specs = {v.spec.resource: v.spec for v in validated}
    sources = {v.spec.resource: v.document.file for v in validated}
    inverses = relation_inverses(specs.values())
    tables = {name: spec.table or plural(name) for name, spec in specs.items()}
    pk_kinds = {name: spec.primary_key for name, spec in specs.items()}
    resolver = _Resolver(config, specs, tables, pk_kinds, inverses)
    resources = [resolver.resource(specs[name], sources[name]) for name in sorted(specs)]
    resources = _with_inverses(resources)
    junctions = tuple(
        rel.junction for r in resources for rel in r.relations if rel.junction is not None
    )
    order, cycles = _dependency_order(resources, junctions)
    system_tables = _system_tables(resources)
    return ir.Project(
        name=config.name,
        package=config.package,
        dialects=config.dialects,
        resources=tuple(resources),
        junctions=junctions,
        table_order=(*order, *(t.name for t in system_tables)),
        cycles=cycles,
        system_tables=system_tables,
        functions=(TOUCH_UPDATED_AT,) if any(r.triggers for r in resources) else (),
        license=config.license,
        app=_app_edges(config.app),
    )


def _app_edges(app: lang.AppSection) -> ir.AppEdges:
    return ir.AppEdges(
        cors_origins=tuple(app.cors_origins),
        max_body_bytes=app.max_body_bytes,
        gzip_min_bytes=app.gzip_min_bytes if isinstance(app.gzip_min_bytes, int) else None,
        metrics=app.metrics,
        access_log=app.access_log,
        middleware=tuple(app.middleware),
        rate_limits=tuple(app.rate_limits.items()),
    )


class _Resolver:
    def __init__(
        self,
        config: ProjectConfig,
        specs: dict[str, lang.ResourceSpec],
        tables: dict[str, str],
        pk_kinds: dict[str, str],
        inverses: dict[tuple[str, str], str],
    ):
        self.config = config
        self.specs = specs
        self.tables = tables
        self.pk_kinds = pk_kinds
        self.inverses = inverses
        self.tenants = next((s for s in specs.values() if s.tenant_key is not None), None)

    def resource(self, spec: lang.ResourceSpec, source: str) -> ir.Resource:
        name, table = spec.resource, self.tables[spec.resource]
        fields: list[ir.Field] = []
        relations: list[ir.Relation] = []
        enums: list[ir.EnumType] = []
        for field_name, f in spec.fields.items():
            field = self.field(spec, field_name, f)
            fields.append(field)
            if field.relation:
                relations.append(field.relation)
            if field.enum:
                enums.append(field.enum)
        columns = self.columns(spec, fields)
        scope = tuple(c for c in ("tenant_id",) if "tenant" in spec.traits)
        uniques = self.uniques(spec, table, fields, scope)
        live: tuple[ir.UniqueConstraint, ...] = ()
        if live_rows(spec.traits):
            # A soft-deleted row, or a row deleted on a branch, keeps its values but must not
            # block a new row that takes them: unique indexes over the live rows instead (plain
            # ones on MySQL, which has no partial indexes). The schema's own unique indexes get
            # the same condition (`indexes`).
            uniques, live = (), uniques
        actions = self.actions(spec, fields)
        indexes = self.indexes(spec, table, columns, uniques, scope, live, actions.list)
        checks = tuple(ir.Check(constraint_name("ck", table, c.name), c.expr) for c in spec.checks)
        return ir.Resource(
            name=name,
            plural=plural(name),
            table=table,
            model=spec.model or pascal(name),
            label=spec.label or humanize(name),
            label_plural=spec.label_plural
            or (
                plural(spec.label)
                if spec.label and spec.label.isidentifier()
                else humanize(plural(name))
            ),
            description=spec.description,
            source=source,
            primary_key=spec.primary_key,
            traits=tuple(t for t in lang.TRAITS if t in spec.traits),
            fields=tuple(fields),
            columns=columns,
            relations=tuple(relations),
            inverse_relations=(),
            indexes=indexes,
            uniques=uniques,
            checks=checks,
            enums=tuple(enums),
            actions=actions,
            display=ir.Display(
                spec.display.icon,
                spec.display.color,
                spec.display.title_field or _title_field(fields),
            ),
            ui=self.ui(spec, fields),
            views=self.views(spec, fields),
            primary_key_name=constraint_name("pk", table),
            renamed_from=spec.renamed_from,
            triggers=(
                (ir.Trigger(constraint_name("trg", table, "updated_at"), TOUCH_UPDATED_AT.name),)
                if "timestamps" in spec.traits
                else ()
            ),
            policies=_policies(spec, table),
            tenant_key=spec.tenant_key,
        )

    def field(
        self, spec: lang.ResourceSpec, name: str, f: lang.FieldSpec, *, stored: bool = True
    ) -> ir.Field:
        nullable = (
            f.nullable if f.nullable is not None else not (f.required or f.default is not None)
        )
        if f.type == "many_to_many":
            nullable = False  # an empty list, never null
        enum = None
        if f.type == "enum":
            options = tuple(
                ir.EnumOption(o.value, o.label or humanize(o.value)) for o in f.enum_values
            )
            enum = ir.EnumType(constraint_name(spec.resource, name, limit=63), options)
        relation = None
        api_name = name
        if f.type in ("relation", "many_to_many") and f.to:
            relation = self.relation(spec, name, f, nullable, stored)
            api_name = api_field_name(name, f.type)
        definition = REGISTRY[f.type]
        max_length = f.max_length or definition.max_length
        precision, scale = (
            precision_and_scale(f.precision, f.scale)
            if f.type == FieldType.DECIMAL
            else (None, None)
        )
        default = _default(f)
        column = None
        if stored and f.type != "many_to_many":
            column_name = relation.column if relation and relation.column else name
            kind = FieldType(self.pk_kinds[f.to]) if f.type == "relation" and f.to else f.type
            foreign_key = None
            if relation and relation.column and relation.enforced:
                foreign_key = _foreign_key(
                    self.tables[spec.resource],
                    relation.column,
                    self.tables[relation.target],
                    "id",
                    relation.on_delete or "restrict",
                )
            column = ir.Column(
                name=column_name,
                attr=python_attr(column_name),
                type=kind,
                nullable=nullable,
                sql_types=sql_types(
                    "integer_pk" if kind == "integer" and f.type == "relation" else kind,
                    length=max_length,
                    precision=precision,
                    scale=scale,
                    enum=enum,
                    array_of=f.of,
                ),
                max_length=max_length if definition.max_length is not None else None,
                precision=precision,
                scale=scale,
                enum=enum,
                array_of=FieldType(f.of) if f.of else None,
                default=default,
                foreign_key=foreign_key,
                comment=sql_comment(f.description),
                origin="relation" if relation else "field",
                renamed_from=(f"{f.renamed_from}_id" if relation else f.renamed_from)
                if f.renamed_from
                else None,
                backfill=_backfill(f, kind),
            )
        return ir.Field(
            name=name,
            attr=python_attr(name),
            type=f.type,
            label=f.label or humanize(name),
            api_name=api_name,
            required=f.required,
            nullable=nullable,
            default=default,
            unique=f.unique,
            help=f.help,
            description=f.description,
            min_length=f.min_length,
            max_length=max_length if "max_length" in definition.options else None,
            minimum=f.min,
            maximum=f.max,
            pattern=f.pattern or definition.pattern,
            precision=precision,
            scale=scale,
            enum=enum,
            array_of=FieldType(f.of) if f.of else None,
            relation=relation,
            column=column,
            widget=f.widget or definition.widget,
            readonly=f.readonly,
            filterable=f.filterable,
            sortable=f.sortable,
            searchable=f.searchable,
            renamed_from=f.renamed_from if stored else None,
        )

    def relation(
        self, spec: lang.ResourceSpec, name: str, f: lang.FieldSpec, nullable: bool, stored: bool
    ) -> ir.Relation:
        assert f.to is not None
        # An action input's relation is an id in a request body: no attribute on either side.
        inverse = self.inverses[(spec.resource, name)] if stored else ""
        if f.type == "relation":
            on_delete = f.on_delete or ("set_null" if nullable else "restrict")
            enforced = "branching" not in self.specs[f.to].traits
            return ir.Relation(
                name,
                python_attr(name),
                "many_to_one",
                spec.resource,
                f.to,
                inverse,
                python_attr(inverse),
                f.required,
                on_delete,
                f"{name}_id",
                enforced=enforced,
                target_key=self.pk_kinds[f.to],
            )
        table = self.tables[spec.resource]
        junction_table = f.through or f"{table}_{name}"
        left = f"{spec.resource}_id"
        right = f"related_{f.to}_id" if f.to == spec.resource else f"{f.to}_id"
        junction = ir.Junction(
            table=junction_table,
            left_column=left,
            right_column=right,
            left_table=table,
            right_table=self.tables[f.to],
            left_type=self.pk_kinds[spec.resource],
            right_type=self.pk_kinds[f.to],
            primary_key_name=constraint_name("pk", junction_table),
            left_foreign_key=None
            if "branching" in spec.traits
            else constraint_name("fk", junction_table, left, table),
            right_foreign_key=None
            if "branching" in self.specs[f.to].traits
            else constraint_name("fk", junction_table, right, self.tables[f.to]),
            right_index=constraint_name("ix", junction_table, right),
            branch_column=_trait_columns("branching")[0] if "branching" in spec.traits else None,
            policies=_junction_policies(
                junction_table,
                (table, left, tuple(spec.traits)),
                (self.tables[f.to], right, tuple(self.specs[f.to].traits)),
            ),
        )
        return ir.Relation(
            name,
            python_attr(name),
            "many_to_many",
            spec.resource,
            f.to,
            inverse,
            python_attr(inverse),
            f.required,
            None,
            None,
            junction,
            target_key=self.pk_kinds[f.to],
        )

    def columns(self, spec: lang.ResourceSpec, fields: list[ir.Field]) -> tuple[ir.Column, ...]:
        pk_kind = spec.primary_key
        pk = ir.Column(
            name="id",
            attr="id",
            type=FieldType(pk_kind),
            nullable=False,
            sql_types=sql_types("integer_pk" if pk_kind == "integer" else "uuid"),
            primary_key=True,
            default=ir.Default(None, None, "factory") if pk_kind == "uuid" else None,
            origin="primary_key",
        )
        leading = [
            c
            for trait in TRAIT_ORDER
            if trait in spec.traits
            for c in _trait_columns(trait)
            if c.name in KEY_COLUMNS
        ]
        trailing = [
            c
            for trait in lang.TRAITS
            if trait not in TRAIT_ORDER and trait in spec.traits
            for c in _trait_columns(trait)
        ]
        if self.tenants is not None and self.tenants.tenant_key is not None:
            # A tenant row points at its tenant: deleting a tenant that still holds rows, or
            # naming one that does not exist, is refused by the database as by the API.
            tenants_table = self.tables[self.tenants.resource]
            leading = [
                dataclasses.replace(
                    c,
                    foreign_key=_foreign_key(
                        self.tables[spec.resource],
                        c.name,
                        tenants_table,
                        self.tenants.tenant_key,
                        "restrict",
                    ),
                )
                if c.name == "tenant_id"
                else c
                for c in leading
            ]
        if "owned" in spec.traits:
            trailing.insert(0, _trait_columns("owned")[1])
        if "branching" in spec.traits:
            trailing.append(_trait_columns("branching")[1])
        return (pk, *leading, *(f.column for f in fields if f.column is not None), *trailing)

    def uniques(
        self, spec: lang.ResourceSpec, table: str, fields: list[ir.Field], scope: tuple[str, ...]
    ) -> tuple[ir.UniqueConstraint, ...]:
        # Branch copies share their main row's values, so uniqueness holds per branch as well.
        scope = (*scope, *(("branch_id",) if "branching" in spec.traits else ()))
        return tuple(
            ir.UniqueConstraint(
                constraint_name("uq", table, f.column.name), (*scope, f.column.name)
            )
            for f in fields
            if f.unique and f.column is not None
        )

    def indexes(
        self,
        spec: lang.ResourceSpec,
        table: str,
        columns: tuple[ir.Column, ...],
        uniques: tuple[ir.UniqueConstraint, ...],
        scope: tuple[str, ...],
        live: tuple[ir.UniqueConstraint, ...] = (),
        listing: ir.ListConfig | None = None,
    ) -> tuple[ir.Index, ...]:
        refs = field_columns(spec)
        result: list[ir.Index] = []
        live_only = live_rows(spec.traits)
        # Derived names must not collide (a partial index and a plain one on the same columns,
        # or a name the schema gave explicitly): the second one gets a numeric suffix.
        taken = {i.name for i in spec.indexes if i.name} | {u.name for u in (*uniques, *live)}

        def fresh(prefix: str, cols: tuple[str, ...]) -> str:
            name, n = constraint_name(prefix, table, *cols), 1
            while name in taken:
                n += 1
                name = constraint_name(prefix, table, *cols, str(n))
            taken.add(name)
            return name

        for index in spec.indexes:
            cols = tuple(refs[n] for n in index.fields)
            if index.unique and "branching" in spec.traits and "branch_id" not in cols:
                cols = ("branch_id", *cols)  # a branch's copy repeats its main row's values
            if scope and scope[0] not in cols:
                cols = (*scope, *cols)
            name = index.name or fresh("ux" if index.unique else "ix", cols)
            where = index.where
            if index.unique and live_only:
                where = f"({where}) AND {live_only}" if where else live_only
            result.append(ir.Index(name, cols, index.unique, where))
        for unique in live:
            # Named "ux_": the unique it replaces ("uq_") and this index may exist side by side
            # while a migration turns one into the other.
            result.append(ir.Index(fresh("ux", unique.columns), unique.columns, True, live_only))
        keyset = keyset_index(spec.traits, listing)
        if keyset is not None and not any(
            i.columns[: len(keyset.columns)] == keyset.columns and i.where == keyset.where
            for i in result
        ):
            result.append(ir.Index(fresh("ix", keyset.columns), keyset.columns, where=keyset.where))
        for column in columns:
            wanted = column.origin == "relation" or column.name in (
                "tenant_id",
                "owner_id",
                "deleted_at",
            )
            if column.origin == "field":
                wanted = spec.fields[column.name].index
            if not wanted:
                continue
            if column.type == "array":
                # GIN serves containment (`tags @> '{x}'`) over the whole array; it exists on
                # PostgreSQL only (a JSON column elsewhere has nothing such an index could use),
                # and alone: a tenant scope would need the btree_gin extension.
                cols = (column.name,)
                result.append(
                    ir.Index(fresh("ix", cols), cols, using="gin", dialects=("postgresql",))
                )
                continue
            cols = (
                (column.name,) if column.name == "tenant_id" or not scope else (*scope, column.name)
            )
            if column.origin == "relation" and scope:
                # The foreign key's column leads, so ON DELETE and reference checks find rows by it.
                cols = (column.name, *scope)
            # Skip when an existing index or unique already starts with these columns.
            covered = any(
                tuple(x.columns[: len(cols)]) == cols and x.where is None for x in result
            ) or any(u.columns[: len(cols)] == cols for u in uniques)
            if not covered:
                result.append(ir.Index(fresh("ix", cols), cols))
        return tuple(sorted(result, key=lambda i: i.name))

    def actions(self, spec: lang.ResourceSpec, fields: list[ir.Field]) -> ir.Actions:
        actions = spec.actions
        list_config = None
        if actions.list:
            lst = actions.list if isinstance(actions.list, lang.ListAction) else lang.ListAction()
            refs = field_columns(spec)

            def names(flag: str, extra: list[str]) -> tuple[str, ...]:
                flagged = [f.name for f in fields if getattr(f, flag)]
                return tuple(dict.fromkeys([*flagged, *extra]))

            sort = tuple(lst.sort) or (("-created_at",) if "timestamps" in spec.traits else ("id",))
            sortable = names("sortable", lst.sortable + [s.removeprefix("-") for s in sort])
            list_config = ir.ListConfig(
                page_size=lst.page_size,
                max_page_size=lst.max_page_size,
                sort=tuple(s[0] == "-" and "-" + refs[s[1:]] or refs[s] for s in sort),
                sortable=tuple(refs.get(n, n) for n in sortable),
                searchable=names("searchable", lst.searchable),
                filterable=names("filterable", lst.filterable),
            )
        bulk = None
        if actions.bulk:
            b = actions.bulk if isinstance(actions.bulk, lang.BulkAction) else lang.BulkAction()
            bulk = ir.BulkConfig(
                b.dry_run, b.undo, b.batch_size, b.undo_ttl, b.async_rows, b.confirm_rows
            )
        custom = tuple(
            ir.CustomAction(
                name=action_name,
                action=f"{spec.resource}.{action_name}",
                inputs=tuple(self.field(spec, n, f, stored=False) for n, f in action.input.items()),
                handler=action.handler
                or f"{self.config.package}_ext.{plural(spec.resource)}:{handler_function(action_name)}",
                invalidates=tuple(action.invalidates) or (spec.resource,),
                scope=action.scope,
                label=action.label or humanize(action_name),
                description=action.description,
            )
            for action_name, action in sorted(actions.custom.items())
        )
        return ir.Actions(
            list_config,
            actions.get,
            actions.create,
            actions.update,
            actions.delete,
            bulk,
            custom,
            export=actions.export and list_config is not None,
        )

    def views(self, spec: lang.ResourceSpec, fields: list[ir.Field]) -> tuple[ir.View, ...]:
        refs = field_columns(spec)
        result = []
        for name, view in spec.views.items():
            params: list[tuple[str, ir.ParamValue]] = []
            for field_name, op, value, _ in conditions(view.filters):
                f = spec.fields[field_name]
                params += parameters(f, api_field_name(field_name, f.type), op, value)
            columns = tuple(view.columns) or self.ui(spec, fields).table_columns
            result.append(
                ir.View(
                    name=name,
                    title=view.title or humanize(name),
                    description=view.description,
                    params=tuple(params),
                    sort=tuple(
                        ("-" if s.startswith("-") else "") + refs[s.removeprefix("-")]
                        for s in view.sort
                    ),
                    columns=columns,
                    actions=None
                    if view.actions is None
                    else tuple(f"{spec.resource}.{a}" for a in view.actions),
                    tree=None if view.tree is None else f"{view.tree}_id",
                )
            )
        return tuple(result)

    def ui(self, spec: lang.ResourceSpec, fields: list[ir.Field]) -> ir.UI:
        table = spec.ui.table
        columns = (
            tuple(table.columns)
            or tuple(
                f.name for f in fields if f.type not in ("json", "text", "array", "many_to_many")
            )[:6]
        )
        form = tuple(spec.ui.form.fields) or tuple(f.name for f in fields if not f.readonly)
        lst = (
            spec.actions.list
            if isinstance(spec.actions.list, lang.ListAction)
            else lang.ListAction()
        )
        default_sort = (
            tuple(table.default_sort)
            or tuple(lst.sort)
            or (("-created_at",) if "timestamps" in spec.traits else ())
        )
        return ir.UI(columns, default_sort, table.page_size or lst.page_size, form)


@dataclass(frozen=True)
class Keyset:
    columns: tuple[str, ...]
    where: str | None


def keyset_index(traits: Sequence[str], listing: ir.ListConfig | None) -> Keyset | None:
    """The index a list's first page and every later page read in order, without sorting.

    A page is `WHERE <scope> [AND <cursor>] ORDER BY <default sort>, id LIMIT n` (runtime.lists):
    the columns the scope holds equal (tenant, branch) lead, then the sort's columns and the id
    that breaks ties; soft-deleted rows, which lists leave out, are left out of the index too.
    An owner's scope (`is_system OR owner_id = ?`) is no prefix an index can seek, so it filters
    what the index returns. PostgreSQL reads it in order for any sort (NULLs where the list puts
    them, a descending key read backwards); MySQL and SQLite, which sort NULLs first, read it for
    sorts of non-null columns.
    """
    if listing is None:
        return None
    scope = tuple(
        column
        for trait, column in (("tenant", "tenant_id"), ("branching", "branch_id"))
        if trait in traits
    )
    sort: list[str] = []
    for spec in listing.sort:
        column = spec.removeprefix("-")
        if column == "id":
            break
        if column not in sort and column not in scope:
            sort.append(column)
    columns = (*scope, *sort, "id")
    if columns == ("id",):
        return None  # the primary key is that index
    return Keyset(columns, "deleted_at IS NULL" if "soft_delete" in traits else None)


def _column(
    name: str,
    kind: str,
    nullable: bool,
    default: ir.Default | None = None,
    length: int | None = None,
    *,
    origin: str,
    exposed: bool = True,
) -> ir.Column:
    """A column that no schema field declares (a trait's, a system table's)."""
    return ir.Column(
        name,
        python_attr(name),
        FieldType(kind),
        nullable,
        sql_types(kind, length=length),
        max_length=length,
        default=default,
        origin=origin,
        exposed=exposed,
    )


def _foreign_key(
    table: str, column: str, target_table: str, target_column: str, on_delete: str
) -> ir.ForeignKey:
    """`table.column` -> `target_table.target_column`, named as every constraint is."""
    name = constraint_name("fk", table, column, target_table)
    return ir.ForeignKey(name, column, target_table, target_column, ON_DELETE_SQL[on_delete])


def _spec_column(spec: ColumnSpec, origin: str) -> ir.Column:
    return _column(
        spec.name,
        spec.type,
        spec.nullable,
        spec.default,
        spec.length,
        origin=origin,
        exposed=spec.exposed,
    )


def _trait_columns(trait: str) -> tuple[ir.Column, ...]:
    return tuple(_spec_column(spec, trait) for spec in TRAIT_COLUMNS.get(trait, ()))


@dataclass(frozen=True)
class _RowRules:
    """The rows of a table a caller may see and may write, as SQL (None: every row)."""

    visible: str | None
    writable: str | None


def _row_rules(traits: tuple[str, ...] | list[str], row: str = "") -> _RowRules:
    """The API's rules for a tenant or owned table: the tenant's rows; of those, the caller's own
    and the system rows to read, only the caller's own that are not system rows to write (so
    nobody takes a row over, makes a system row, or changes or deletes one). `row` qualifies the
    columns (`p.`). Branches are no boundary (any caller may read any branch): no rule here."""
    tenant = [f"{row}tenant_id = {TENANT_SETTING}"] if "tenant" in traits else []
    if "owned" not in traits:
        rule = " AND ".join(tenant) or None
        return _RowRules(rule, rule)
    visible = f"{row}is_system OR {row}owner_id = {USER_SETTING}"
    writable = f"{row}owner_id = {USER_SETTING} AND NOT {row}is_system"
    if tenant:
        return _RowRules(f"{tenant[0]} AND ({visible})", f"{tenant[0]} AND {writable}")
    return _RowRules(visible, writable)


Command = Literal["SELECT", "INSERT", "UPDATE", "DELETE"]


def _command_policies(
    table: str,
    rules: _RowRules,
    commands: tuple[Command, ...] = ("SELECT", "INSERT", "UPDATE", "DELETE"),
    reads: tuple[str, ...] = (),
) -> tuple[ir.Policy, ...]:
    """One policy per command: SELECT sees `visible`; INSERT, UPDATE (before and after) and
    DELETE need `writable`. A command left out has no policy, so no role but the owner runs it."""
    if rules.visible is None and rules.writable is None:
        return ()
    visible, writable = rules.visible or "true", rules.writable or "true"
    clauses: dict[Command, tuple[str | None, str | None]] = {
        "SELECT": (visible, None),
        "INSERT": (None, writable),
        "UPDATE": (writable, writable),
        "DELETE": (writable, None),
    }
    return tuple(
        ir.Policy(constraint_name(table, command.lower()), command, *clauses[command], reads)
        for command in commands
    )


def _policies(spec: lang.ResourceSpec, table: str) -> tuple[ir.Policy, ...]:
    """Row-level security on PostgreSQL: the database holds a non-owner role to the API's rules."""
    return _command_policies(table, _row_rules(spec.traits))


def _junction_policies(
    junction: str,
    left: tuple[str, str, tuple[str, ...]],
    right: tuple[str, str, tuple[str, ...]],
) -> tuple[ir.Policy, ...]:
    """A link is seen when both its rows are, and made, changed or removed by whoever may write
    the declaring row (left) and see the other one, as the API's many-to-many fields allow.

    The rules are read from the linked rows themselves (EXISTS on their primary key: one index
    probe per link) rather than copied onto the junction: a copied tenant or owner would need
    filling on every link and could drift from its row (a row made a system row, say). Any
    branch's copy of a row stands for it: copies share their tenant and owner, and a merge moves
    links after their rows. `left`, `right`: (table, junction column, traits)."""

    def linked(side: tuple[str, str, tuple[str, ...]], rule: str | None) -> str | None:
        table, column, _ = side
        if rule is None:
            return None
        return f'EXISTS (SELECT 1 FROM "{table}" p WHERE p.id = "{junction}".{column} AND {rule})'

    left_rules, right_rules = _row_rules(left[2], "p."), _row_rules(right[2], "p.")
    right_visible = linked(right, right_rules.visible)
    parts = lambda *rules: " AND ".join(r for r in rules if r is not None) or None
    rules = _RowRules(
        parts(linked(left, left_rules.visible), right_visible),
        parts(linked(left, left_rules.writable), right_visible),
    )
    reads = tuple(sorted({t for t, _, traits in (left, right) if _row_rules(traits).visible}))
    return _command_policies(junction, rules, reads=reads)


def _system_tables(resources: list[ir.Resource]) -> tuple[ir.Table, ...]:
    """The tables the generated runtime keeps for itself: the audit log, the bulk runs, the
    idempotency keys and the change feed."""

    def table(spec: SystemTable, policies: tuple[ir.Policy, ...]) -> ir.Table:
        name = spec.name
        key = ir.Column(
            "id",
            "id",
            FieldType(spec.key),
            False,
            sql_types("integer_pk" if spec.key == "integer" else "uuid"),
            primary_key=True,
            default=ir.Default(None, None, "factory") if spec.key == "uuid" else None,
            origin="primary_key",
        )
        return ir.Table(
            name=name,
            model=SYSTEM_TABLES[name],
            origin=SYSTEM_ORIGIN + name,
            description=spec.description,
            columns=(key, *(_spec_column(c, "system") for c in spec.columns)),
            primary_key_name=constraint_name("pk", name),
            indexes=tuple(
                sorted(
                    (ir.Index(constraint_name("ix", name, *cols), cols) for cols in spec.indexes),
                    key=lambda i: i.name,
                )
            ),
            uniques=tuple(
                ir.UniqueConstraint(constraint_name("uq", name, c), (c,)) for c in spec.uniques
            ),
            policies=policies,
        )

    tables = []
    if any(r.has("audit") for r in resources):
        tables.append(table(AUDIT_LOG_TABLE, _audit_policies(resources)))
    if any(r.actions.bulk is not None for r in resources):
        callers = f"{RUN_SCOPE} AND {WRITTEN_BY_CALLER}"
        run_policies = _command_policies(
            BULK_RUNS_TABLE.name,
            _RowRules(f"({callers}) OR {BULK_WORKER}", callers),
            ("SELECT", "INSERT", "UPDATE"),
        )
        tables.append(table(BULK_RUNS_TABLE, run_policies))
    # Every project: POST /api/actions writes whatever its resources are. A key is its caller's,
    # in its tenant: read, claimed, answered and expired by them.
    scope = f"{AUDIT_SCOPE} AND {WRITTEN_BY_CALLER}"
    key_policies = _command_policies(IDEMPOTENCY_KEYS_TABLE.name, _RowRules(scope, scope))
    tables.append(table(IDEMPOTENCY_KEYS_TABLE, key_policies))
    # Every project: the change feed, scoped as its rows are. Append-only for the app; the
    # clock holds no one's data (no policy: row-level security is not enabled on it).
    feed = _RowRules(FEED_SCOPE, FEED_SCOPE)
    feed_policies = _command_policies(CHANGE_FEED_TABLE.name, feed, ("SELECT", "INSERT"))
    tables.append(table(CHANGE_FEED_TABLE, feed_policies))
    tables.append(table(CHANGE_FEED_CLOCK_TABLE, ()))
    return tuple(tables)


# The runtime's tables, as the API reads them. An audit entry or a bulk run carries the caller's
# tenant (none without X-Tenant-ID; a run of a resource without the tenant trait carries none and
# serves every tenant) and user; the app neither changes nor deletes an entry, nor deletes a run.
AUDIT_SCOPE = (
    f"(tenant_id = {TENANT_SETTING} OR (tenant_id IS NULL AND coalesce({TENANT_SETTING}, '') = ''))"
)
RUN_SCOPE = f"(tenant_id IS NULL OR tenant_id = {TENANT_SETTING})"
WRITTEN_BY_CALLER = f"coalesce(actor, '') = coalesce({USER_SETTING}, '')"
# The background worker finds every queued run (runtime.bulk_runs), then works on one as its
# caller: it reads the runs, and changes a run and its rows only as the run's caller may.
BULK_WORKER = "current_setting('app.bulk_worker', true) = 'on'"
# A change of a tenant's row is that tenant's, of an owned row its owner's (none: everyone's).
FEED_SCOPE = (
    f"(tenant_id IS NULL OR tenant_id = {TENANT_SETTING})"
    f" AND (owner_id IS NULL OR owner_id = {USER_SETTING})"
)


def _audit_policies(resources: list[ir.Resource]) -> tuple[ir.Policy, ...]:
    """Entries of the caller's tenant; an entry of an owned resource holds its owner's row, so
    only the caller who wrote it reads it. Append-only: no UPDATE or DELETE policy."""
    owned = sorted(r.name for r in resources if r.has("audit") and r.has("owned"))
    visible = AUDIT_SCOPE
    if owned:
        names = ", ".join("'" + name + "'" for name in owned)  # resource names: [a-z0-9_]
        visible += f" AND (resource NOT IN ({names}) OR actor = {USER_SETTING})"
    rules = _RowRules(visible, f"{AUDIT_SCOPE} AND {WRITTEN_BY_CALLER}")
    return _command_policies("audit_log", rules, ("SELECT", "INSERT"))


assert set(TRAIT_COLUMNS) <= set(lang.TRAITS)


def _default(f: lang.FieldSpec) -> ir.Default | None:
    value: Any = f.default
    if value is None:
        return None
    if f.type == "datetime" and value == "now":
        return ir.Default(None, "CURRENT_TIMESTAMP", "now")
    if f.type == "datetime":
        # A fixed moment, in UTC. Applied by the application only: MySQL's DATETIME has no zone to
        # keep an offset in, and a bare literal would mean the server's local time elsewhere.
        return ir.Default(_canonical("datetime", value), None)
    if f.type == "date" and value == "today":
        return ir.Default(None, "CURRENT_DATE", "today")
    if f.type == "array" and f.of is not None:
        return ir.Default([_canonical(f.of, item) for item in value], None, "factory")
    if f.type in ("json", "array"):
        return ir.Default(value, None, "factory")
    value = _canonical(f.type, value)
    if f.type == "boolean":
        return ir.Default(value, "true" if value else "false")
    if f.type == "decimal":
        value = str(Decimal(str(value)))
        return ir.Default(value, value)
    if f.type in ("integer", "bigint", "float"):
        return ir.Default(value, sql_literal(value))
    return ir.Default(value, sql_literal(str(value)))


def _canonical(kind: str, value: Any) -> Any:
    """A date, time, datetime or uuid default in the one form the API writes and its documents
    name (`format: date` is YYYY-MM-DD, a uuid is hyphenated): `20240101`, `2024-W01-1` or
    `{12345678-...}`, which Python reads, become what a client and the API's own checks take."""
    if not isinstance(value, str):
        return value
    if kind == "datetime":
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC).isoformat()
    if kind == "date":
        return dt.date.fromisoformat(value).isoformat()
    if kind == "time":
        return dt.time.fromisoformat(value).isoformat()
    if kind == "uuid":
        return str(uuid.UUID(value))
    return value


def _backfill(f: lang.FieldSpec, kind: str) -> ir.Default | None:
    """`backfill:` resolved as a default of the column's type (a relation's: its key's type)."""
    if f.backfill is None:
        return None
    return _default(lang.FieldSpec(type=kind, default=f.backfill))


def _title_field(fields: list[ir.Field]) -> str:
    names = [f.name for f in fields if f.type in ("string", "email")]
    for preferred in ("name", "title", "label"):
        if preferred in names:
            return preferred
    return names[0] if names else "id"


def _with_inverses(resources: list[ir.Resource]) -> list[ir.Resource]:
    """Every resource with the other side of each relation that targets it, sorted by name."""
    from dataclasses import replace

    # Grouped by target in one pass: asking every resource about every other one is quadratic.
    inverses: dict[str, list[ir.InverseRelation]] = {}
    for other in resources:
        for rel in other.relations:
            kind = "one_to_many" if rel.kind == "many_to_one" else "many_to_many"
            inverse = ir.InverseRelation(
                rel.inverse, rel.inverse_attr, kind, other.name, rel.name, rel.attr, rel.on_delete
            )
            inverses.setdefault(rel.target, []).append(inverse)
    return [
        replace(r, inverse_relations=tuple(sorted(inverses.get(r.name, ()), key=lambda i: i.name)))
        for r in resources
    ]


def _dependency_order(
    resources: list[ir.Resource], junctions: tuple[ir.Junction, ...]
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Tables so that each comes after the tables it references; cycles broken by name, and reported."""
    depends = {
        r.table: {
            c.foreign_key.target_table
            for c in r.columns
            if c.foreign_key and c.foreign_key.target_table != r.table
        }
        for r in resources
    }
    order: list[str] = []
    cycles: list[tuple[str, ...]] = []
    remaining = {table: set(deps) for table, deps in depends.items()}
    dependents: dict[str, list[str]] = {}
    for table, deps in depends.items():
        for dependency in deps:
            dependents.setdefault(dependency, []).append(table)
    # Always the smallest name among the tables whose dependencies are all placed.
    ready = [table for table, deps in remaining.items() if not deps]
    heapq.heapify(ready)
    while remaining:
        if ready:
            table = heapq.heappop(ready)
        else:
            # A cycle: take the smallest name; its foreign keys must be added after the tables exist.
            stuck = sorted(remaining)
            cycles.append(tuple(stuck))
            table = stuck[0]
        order.append(table)
        del remaining[table]
        for dependent in dependents.get(table, ()):
            deps = remaining.get(dependent)
            if deps:
                deps.discard(table)
                if not deps:
                    heapq.heappush(ready, dependent)
    order.extend(sorted(j.table for j in junctions))
    return tuple(order), tuple(cycles)
