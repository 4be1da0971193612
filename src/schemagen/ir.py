"""The resolved model: every name computed, every reference followed. Targets read only this.

Frozen dataclasses holding tuples, so a target cannot change what the next one sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from schemagen.language import DEFAULT_LICENSE
from schemagen.literals import sql_comment
from schemagen.types import FieldType

Dialect = Literal["sqlite", "postgresql", "mysql"]
DIALECTS: tuple[Dialect, ...] = ("sqlite", "postgresql", "mysql")
# A list parameter's value as a view holds it: JSON, which the client sends as the API reads it.
ParamValue = str | int | float | bool | tuple[str | int | float | bool, ...]


@dataclass(frozen=True)
class EnumOption:
    value: str
    label: str


@dataclass(frozen=True)
class EnumType:
    """A named enum: a native type on PostgreSQL, ENUM on MySQL, a CHECK constraint on SQLite."""

    name: str  # database type name, unique in the project: <resource>_<field>
    options: tuple[EnumOption, ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)


@dataclass(frozen=True)
class ForeignKey:
    name: str
    column: str
    target_table: str
    target_column: str
    on_delete: str  # CASCADE, SET NULL, RESTRICT, NO ACTION


@dataclass(frozen=True)
class Default:
    """A default value: `value` for Python, `sql` for the server default (None when only Python can)."""

    value: Any
    sql: str | None
    kind: Literal["literal", "now", "today", "factory"] = "literal"


@dataclass(frozen=True)
class Column:
    name: str  # SQL name
    attr: str  # Python attribute (keywords get a trailing underscore)
    type: FieldType  # the field's type; a relation's column has its target's key type
    nullable: bool
    sql_types: dict[str, str]  # dialect -> DDL type, for documentation and migrations
    primary_key: bool = False
    unique: bool = False
    index: bool = False
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    enum: EnumType | None = None
    array_of: FieldType | None = None
    default: Default | None = None
    foreign_key: ForeignKey | None = None
    comment: str | None = None
    origin: str = "field"  # "field", "primary_key", "relation" or the trait that adds it
    renamed_from: str | None = None
    # What rows already in the table get when a migration makes the column NOT NULL (`backfill:`).
    backfill: Default | None = None
    # False for bookkeeping the API never shows (branch_deleted): Read shapes leave it out.
    exposed: bool = True


@dataclass(frozen=True)
class Relation:
    """A many-to-one or many-to-many field as seen from the resource that declares it."""

    name: str
    attr: str  # Python attribute
    kind: Literal["many_to_one", "many_to_many"]
    source: str  # resource names
    target: str
    inverse: str  # the other side's name on the target
    inverse_attr: str
    required: bool
    on_delete: str | None = None  # many_to_one: cascade, set_null, restrict, no_action
    column: str | None = None  # many_to_one: the foreign-key column
    junction: Junction | None = None
    # False when the target is branching: its id is unique only per branch, so no database
    # foreign key can point at it and the API checks the reference instead.
    enforced: bool = True
    target_key: Literal["uuid", "integer"] = "uuid"  # the target's primary key: what an id is


@dataclass(frozen=True)
class InverseRelation:
    """The other side of a Relation, on the target resource."""

    name: str
    attr: str
    kind: Literal["one_to_many", "many_to_many"]
    source: str  # the resource holding the relation field
    via: str  # that field's name
    via_attr: str
    on_delete: str | None = None


@dataclass(frozen=True)
class Junction:
    """The table behind a many-to-many field."""

    table: str
    left_column: str  # points at the declaring resource
    right_column: str  # points at the target
    left_table: str
    right_table: str
    left_type: str  # primary-key kinds: uuid or integer
    right_type: str
    primary_key_name: str
    left_foreign_key: str | None  # None when that side is branching (see Relation.enforced)
    right_foreign_key: str | None
    right_index: str
    # When the declaring resource is branching, each branch's copy of a row has its own links:
    # the junction is keyed by (left, right, branch_id) too.
    branch_column: Column | None = None
    policies: tuple[Policy, ...] = ()  # PostgreSQL only: a link is as visible as its rows

    @property
    def key_columns(self) -> tuple[str, ...]:
        branch = (self.branch_column.name,) if self.branch_column else ()
        return (self.left_column, self.right_column, *branch)


@dataclass(frozen=True)
class Field:
    """A field as the API and the UI see it."""

    name: str
    attr: str
    type: FieldType
    label: str
    api_name: str  # naming.api_field_name: region -> region_id, people -> person_ids
    required: bool  # must be given on create
    nullable: bool
    default: Default | None = None
    unique: bool = False
    help: str | None = None
    description: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | int | None = None
    maximum: float | int | None = None
    pattern: str | None = None
    precision: int | None = None
    scale: int | None = None
    enum: EnumType | None = None
    array_of: FieldType | None = None
    relation: Relation | None = None
    column: Column | None = None  # None for many_to_many
    widget: str | None = None
    readonly: bool = False
    filterable: bool = False
    sortable: bool = False
    searchable: bool = False
    renamed_from: str | None = None  # the field's previous name, for migrations


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    unique: bool = False
    where: str | None = None
    using: str | None = None  # an index method other than the default B-tree: "gin"
    # The dialects that get the index; () for every one. A GIN index exists on PostgreSQL only.
    dialects: tuple[str, ...] = ()


@dataclass(frozen=True)
class UniqueConstraint:
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    name: str
    expr: str


@dataclass(frozen=True)
class Trigger:
    """A PostgreSQL row trigger: `BEFORE UPDATE ... FOR EACH ROW EXECUTE FUNCTION function()`."""

    name: str
    function: str  # a Function of the project


@dataclass(frozen=True)
class Function:
    """A PostgreSQL trigger function shared by every table whose trigger runs it."""

    name: str
    body: str  # PL/pgSQL, between BEGIN and END


@dataclass(frozen=True)
class Policy:
    """A PostgreSQL row-level security policy for one command. Its table has RLS enabled, not
    forced: the owner (who runs migrations) keeps full access; any other role may run a command
    on the rows its policy allows, and a command without a policy on no row at all."""

    name: str
    command: Literal["SELECT", "INSERT", "UPDATE", "DELETE"]
    using: str | None  # SQL: the existing rows the command reaches (None for INSERT)
    check: str | None = None  # SQL: the rows it may leave behind (INSERT, UPDATE)
    # The other tables its SQL reads (a junction's linked rows): they are created before it.
    reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListConfig:
    page_size: int
    max_page_size: int
    sort: tuple[str, ...]
    sortable: tuple[str, ...]
    searchable: tuple[str, ...]
    filterable: tuple[str, ...]


@dataclass(frozen=True)
class BulkConfig:
    dry_run: bool
    undo: bool
    batch_size: int
    undo_ttl: int
    async_rows: int = 1000  # more rows matched: the run goes to the background worker
    confirm_rows: int = 1000  # a delete of more rows needs its dry run's confirmation token


@dataclass(frozen=True)
class CustomAction:
    name: str  # the action's own name: close
    action: str  # the qualified name: office.close
    inputs: tuple[Field, ...]
    handler: str  # module:function
    invalidates: tuple[str, ...]
    scope: Literal["item", "collection"]
    label: str
    description: str | None


@dataclass(frozen=True)
class Actions:
    list: ListConfig | None
    get: bool
    create: bool
    update: bool
    delete: bool
    bulk: BulkConfig | None
    custom: tuple[CustomAction, ...]
    export: bool = False  # GET /api/<table>/export: the list's rows as CSV or XLSX


@dataclass(frozen=True)
class Display:
    icon: str | None
    color: str | None
    title_field: str


@dataclass(frozen=True)
class UI:
    table_columns: tuple[str, ...]
    table_default_sort: tuple[str, ...]
    table_page_size: int
    form_fields: tuple[str, ...]


@dataclass(frozen=True)
class View:
    """A named list view (`views:`): a saved query of the resource's list, a page of the web app."""

    name: str  # due_actions
    title: str
    description: str | None
    # The list parameters it reads with, as the API names them: (("next_action_at__lte", "now"),).
    params: tuple[tuple[str, ParamValue], ...]
    sort: tuple[str, ...]  # sort tokens by API name, '-' for descending
    columns: tuple[str, ...]  # schema names, as UI.table_columns
    actions: tuple[str, ...] | None  # the row actions shown (office.close); None: the table's
    tree: str | None  # the API name of the self relation rows hang under (parent_id)


@dataclass(frozen=True)
class Resource:
    name: str  # office
    plural: str  # offices
    table: str
    model: str  # Office
    label: str
    label_plural: str
    description: str | None
    source: str  # the schema file, relative to the project
    primary_key: Literal["uuid", "integer"]
    traits: tuple[str, ...]
    fields: tuple[Field, ...]
    columns: tuple[Column, ...]  # every column, in table order
    relations: tuple[Relation, ...]
    inverse_relations: tuple[InverseRelation, ...]
    indexes: tuple[Index, ...]
    uniques: tuple[UniqueConstraint, ...]
    checks: tuple[Check, ...]
    enums: tuple[EnumType, ...]
    actions: Actions
    display: Display
    ui: UI
    primary_key_name: str
    renamed_from: str | None = (
        None  # the resource's previous name, for migrations (its table is renamed)
    )
    triggers: tuple[Trigger, ...] = ()  # PostgreSQL only
    policies: tuple[Policy, ...] = ()  # PostgreSQL only
    views: tuple[View, ...] = ()
    # The project's tenants are this resource's rows: the column X-Tenant-ID names one by.
    tenant_key: str | None = None

    @property
    def comment(self) -> str | None:
        """The table's comment: its description as the databases can store it."""
        return sql_comment(self.description)

    def has(self, trait: str) -> bool:
        return trait in self.traits

    @property
    def title_api_name(self) -> str:
        """The API name of the field that names a row (`display.title_field`: `author` is
        `author_id`); the name itself when no field has it (`id`)."""
        title = self.display.title_field
        return next((f.api_name for f in self.fields if f.name == title), title)

    @property
    def pk(self) -> Column:
        return next(c for c in self.columns if c.primary_key and c.name == "id")

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Table:
    """A table the generated project needs for itself, not a resource: `audit_log`, `bulk_runs`.

    Its model is mapped like a resource's (`models.AuditLogEntry`); migrations track it under
    `origin` ("schemagen.<table>"), which no resource or junction table can have.
    """

    name: str
    model: str
    origin: str
    description: str
    columns: tuple[Column, ...]
    primary_key_name: str
    indexes: tuple[Index, ...] = ()
    uniques: tuple[UniqueConstraint, ...] = ()
    policies: tuple[Policy, ...] = ()  # PostgreSQL only

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.primary_key)


@dataclass(frozen=True)
class AppEdges:
    """schemagen.toml's `[app]`: the generated app's edges (runtime.edges) where the environment
    does not set them."""

    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1024 * 1024
    gzip_min_bytes: int | None = 1024  # None: never compress
    metrics: bool = True
    access_log: bool = True
    middleware: tuple[str, ...] = ()
    rate_limits: tuple[tuple[str, str], ...] = ()  # (action, limit), as schemagen.toml orders them


@dataclass(frozen=True)
class Project:
    name: str
    package: str
    dialects: tuple[str, ...]
    resources: tuple[Resource, ...]  # sorted by name
    junctions: tuple[Junction, ...]
    table_order: tuple[str, ...]  # tables in foreign-key dependency order
    cycles: tuple[tuple[str, ...], ...] = field(default=())  # foreign-key cycles that were broken
    system_tables: tuple[Table, ...] = ()  # audit_log and bulk_runs, when a resource needs them
    functions: tuple[Function, ...] = ()  # PostgreSQL trigger functions the triggers run
    license: str = DEFAULT_LICENSE  # the API's SPDX license expression
    app: AppEdges = AppEdges()

    def resource(self, name: str) -> Resource:
        return next(r for r in self.resources if r.name == name)

    @property
    def tenants(self) -> Resource | None:
        """The resource whose rows are the tenants (`tenant_key`), when the project has one."""
        return next((r for r in self.resources if r.tenant_key is not None), None)

    @property
    def enums(self) -> tuple[EnumType, ...]:
        return tuple(e for r in self.resources for e in r.enums)
