"""Validate schema documents: shape through the Pydantic models, then meaning across all files.

Every problem in every file is collected; nothing stops at the first error.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from schemagen import language as lang
from schemagen.config.project import SHADOWED_MODULES, ProjectConfig, unprintable
from schemagen.diagnostics import (
    Diagnostic,
    Diagnostics,
    Path_,
    SchemaError,
    did_you_mean,
    format_key_path,
)
from schemagen.load import Document
from schemagen.naming import PYTHON_RESERVED, api_field_name, pascal, plural
from schemagen.patterns import PatternError, matcher
from schemagen.traits import SYSTEM_TABLES, TENANT_KEY_LENGTH, trait_column_names
from schemagen.types import ARRAY_ITEM_TYPES, REGISTRY, FieldType
from schemagen.types.decimal import MAX_PRECISION, precision_and_scale
from schemagen.types.string import DEFAULT_LENGTH
from schemagen.views import conditions, parameters, plain

# Names are matched whole with `fullmatch`: `^...$` lets a trailing newline through.
IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")  # snake_case; no "__" (filters use it)
MODEL_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
HANDLER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*")
MAX_NAME = 40  # resource and field names; tables and constraints must fit PostgreSQL's 63
MAX_TABLE = 50  # table names: `<table>_<suffix>` sequences and constraint names stay within 63

# Resource and table names that would collide with generated modules or routes.
RESERVED_RESOURCES = frozenset(
    {
        "actions",
        "audit",
        "branches",
        "bulk",
        "healthz",
        "readyz",
        "app",
        "db",
        "models",
        "schemas",
        "api",
        "tests",
        "base",
        "schemagen",
        # tests/test_<resource>.py beside the project-wide test modules (templates/tests/test_*.py.j2)
        "row_level_security",
    }
)
RESERVED_MODELS = frozenset(
    {
        "Base",
        "Mapped",
        "Enum",
        "Decimal",
        "Any",
        "Optional",
        "List",
        "Dict",
        "JSON",
        "UUID",
        "Uuid",
        "Table",
        "Column",
        "Index",
        "Model",
        "BaseModel",
        "Field",
    }
)
# A model is a Python class and a TypeScript type: a keyword cannot be one (`class None`), and a
# builtin's name (`Exception`, `True`) would change what that name means in the generated modules.
PYTHON_BUILTIN_NAMES = frozenset(keyword.kwlist) | frozenset(
    name for name in dir(builtins) if name[:1].isupper()
)

# The options that belong to some types only, in the order their misuse is reported.
TYPE_OPTIONS = (
    "max_length",
    "min_length",
    "pattern",
    "min",
    "max",
    "precision",
    "scale",
    "values",
    "of",
    "to",
    "inverse",
    "on_delete",
    "through",
)
OPTION_TYPES: dict[str, tuple[FieldType, ...]] = {
    option: tuple(t for t, d in REGISTRY.items() if option in d.options) for option in TYPE_OPTIONS
}
SEARCHABLE = tuple(t for t, d in REGISTRY.items() if d.searchable)
NOT_COMPARABLE = tuple(t for t, d in REGISTRY.items() if not d.comparable)
NOT_INDEXABLE = tuple(t for t, d in REGISTRY.items() if not d.indexable)
NOT_FILTERABLE = tuple(t for t, d in REGISTRY.items() if not d.filterable)
SQL_WORDS = frozenset(
    [
        "and",
        "or",
        "not",
        "null",
        "is",
        "in",
        "like",
        "ilike",
        "between",
        "true",
        "false",
        "case",
        "when",
        "then",
        "else",
        "end",
        "distinct",
        "cast",
        "as",
        "integer",
        "int",
        "bigint",
        "text",
        "varchar",
        "char",
        "numeric",
        "decimal",
        "real",
        "float",
        "double",
        "date",
        "time",
        "timestamp",
        "interval",
        "boolean",
        "current_date",
        "current_time",
        "current_timestamp",
        "localtime",
        "localtimestamp",
        "escape",
        "any",
        "all",
        "some",
        "collate",
        "glob",
        "regexp",
        "similar",
        "to",
        "exists",
        "isnull",
        "notnull",
        "at",
        "zone",
        "unknown",
    ]
)


@dataclass(frozen=True)
class ValidatedResource:
    document: Document
    spec: lang.ResourceSpec


def validate(
    config: ProjectConfig, documents: list[Document], unreadable: Iterable[str] = ()
) -> tuple[list[ValidatedResource], list[Diagnostic]]:
    """Check every document; raise SchemaError with all errors, or return the resources and warnings.

    `unreadable` names the resources of files that could not be parsed (their load error is
    reported already): references to them are not reported again as unknown.
    """
    diagnostics = Diagnostics()
    resources = []
    for document in documents:
        spec = parse_resource(document, diagnostics)
        if spec is not None:
            resources.append(ValidatedResource(document, spec))
    # Meaning is checked for every file with the right shape; references to a file that failed
    # the shape check are not reported again as unknown.
    declared = {
        d.data["resource"]
        for d in documents
        if isinstance(d.data, dict) and isinstance(d.data.get("resource"), str)
    } | set(unreadable)
    ProjectChecker(config, resources, diagnostics, declared).run()
    if diagnostics.errors:
        raise SchemaError(diagnostics.sorted())
    return resources, [d for d in diagnostics.sorted() if d.level == "warning"]


def parse_resource(document: Document, diagnostics: Diagnostics) -> lang.ResourceSpec | None:
    if not isinstance(document.data, dict):
        diagnostics.add(
            document.diagnostic(
                (), "a resource file must be a mapping with at least a 'resource' key"
            )
        )
        return None
    try:
        return lang.ResourceSpec.model_validate(document.data)
    except ValidationError as exc:
        diagnostics.extend(pydantic_diagnostics(document, exc))
        return None


def pydantic_diagnostics(document: Document, exc: ValidationError) -> list[Diagnostic]:
    """Turn Pydantic's errors into located, readable diagnostics: one per key path."""
    seen: dict[Path_, Diagnostic] = {}
    for error in exc.errors(include_url=False):
        path = _clean_loc(error["loc"])
        if path in seen:
            continue  # a union reports once per member; the first reads best
        seen[path] = document.diagnostic(path, _message(error, path))
    # A value that fits no member of a union (`list: ListAction | bool`) is reported by every
    # member; when one member got further (an unknown key inside the mapping), that is the error.
    return [
        d
        for path, d in seen.items()
        if not any(len(other) > len(path) and other[: len(path)] == path for other in seen)
    ]


_TYPE_TAG = re.compile(
    r"bool|str|int|float|list\[.*\]|dict\[.*\]|function-.*|[A-Z][A-Za-z]*|literal\[.*\]"
)


def _clean_loc(loc: tuple[Any, ...]) -> Path_:
    # Pydantic names union members in the location (`list.ListAction.page_size`); users never wrote them.
    return tuple(
        part
        for part in loc
        if isinstance(part, int) or not _TYPE_TAG.fullmatch(str(part)) or part in ("Value",)
    )


def _message(error: Any, path: Path_) -> str:
    kind, message, given = error["type"], error["msg"], error.get("input")
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _allowed_keys(path[:-1])
        hint = did_you_mean(key, allowed) if allowed else ""
        return f"unknown key '{key}'{hint}"
    if kind == "missing":
        return f"missing required key '{path[-1]}'"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    shown = (
        repr(given)
        if isinstance(given, str | int | float | bool) or given is None
        else type(given).__name__
    )
    return f"{message[:1].lower()}{message[1:]}, got {shown}"


def _allowed_keys(path: Path_) -> Iterable[str]:
    model: type[BaseModel] | None
    if path == ():
        model = lang.ResourceSpec
    elif (
        len(path) == 2
        and path[0] == "fields"
        or len(path) == 4
        and path[0] == "actions"
        and path[2] == "input"
    ):
        model = lang.FieldSpec
    elif len(path) == 2 and path[0] == "actions":
        model = {"list": lang.ListAction, "bulk": lang.BulkAction}.get(
            str(path[1]), lang.CustomAction
        )
    else:
        model = (
            {
                ("display",): lang.Display,
                ("ui",): lang.UI,
                ("ui", "table"): lang.TableUI,
                ("ui", "form"): lang.FormUI,
            }.get(path)
            or (lang.ViewSpec if len(path) == 2 and path[0] == "views" else None)
            or (
                lang.IndexSpec
                if path[:1] == ("indexes",)
                else lang.CheckSpec
                if path[:1] == ("checks",)
                else None
            )
        )
    return list(model.model_fields) if model else []


def relation_inverses(resources: Iterable[lang.ResourceSpec]) -> dict[tuple[str, str], str]:
    """The name of the other side of every relation: (resource, field) -> attribute on the target.

    Default: the declaring resource's plural (`region.offices`). When one resource points at the
    same target more than once, or at itself, the plural alone would be ambiguous, so the field
    joins it: `offices_as_parent`, `deals_as_owner`.
    """
    resources = list(resources)
    pairs = Counter(
        (r.resource, f.to)
        for r in resources
        for f in r.fields.values()
        if f.type in ("relation", "many_to_many")
    )
    names = {}
    for r in resources:
        for name, f in r.fields.items():
            if f.type not in ("relation", "many_to_many") or f.to is None:
                continue
            base = plural(r.resource)
            ambiguous = pairs[(r.resource, f.to)] > 1 or f.to == r.resource
            names[(r.resource, name)] = f.inverse or (f"{base}_as_{name}" if ambiguous else base)
    return names


def field_columns(spec: lang.ResourceSpec) -> dict[str, str]:
    """Every name a resource's indexes, checks and sorts may use, mapped to its column."""
    columns = {"id": "id"}
    for trait in spec.traits:
        columns.update({c: c for c in trait_column_names(trait)})
    for name, f in spec.fields.items():
        if f.type == "relation":
            columns[name] = columns[f"{name}_id"] = f"{name}_id"
        elif f.type != "many_to_many":
            columns[name] = name
    return columns


# Defaults the database computes at each insert: a unique field may have them (one a day, for
# `today`, is the point of such a field).
DYNAMIC_DEFAULTS = {("datetime", "now"), ("date", "today")}


class ProjectChecker:
    """The meaning of the schemas, across files: names, references, options, defaults."""

    def __init__(
        self,
        config: ProjectConfig,
        resources: list[ValidatedResource],
        diagnostics: Diagnostics,
        declared: set[str] | None = None,
    ):
        self.config = config
        self.declared = declared or set()
        self.resources = resources
        self.diagnostics = diagnostics
        self.by_name = {r.spec.resource: r.spec for r in resources}
        self.inverses = relation_inverses(r.spec for r in resources)
        # (target, inverse name) -> the relations that would add that attribute to the target,
        # indexed once: scanning every relation for every relation is quadratic.
        self.inverse_claims: dict[tuple[str | None, str], list[tuple[str, str]]] = {}
        for (res, fld), inverse in self.inverses.items():
            spec = self.by_name.get(res)
            field = spec.fields.get(fld) if spec else None
            self.inverse_claims.setdefault((field.to if field else None, inverse), []).append(
                (res, fld)
            )

    def run(self) -> None:
        self.check_unique_names()
        for resource in self.resources:
            ResourceChecker(self, resource).run()
        self.check_required_loops()
        self.check_tenant_registry()

    def check_tenant_registry(self) -> None:
        """At most one resource holds the tenants (`tenant_key`), and its key can be what
        X-Tenant-ID carries and what every tenant row's tenant_id points at."""
        registries = [r for r in self.resources if r.spec.tenant_key is not None]
        for other in registries[1:]:
            first = registries[0]
            self.error(
                other.document,
                ("tenant_key",),
                f"only one resource can hold the tenants: {first.spec.resource} does "
                f"({first.document.file})",
            )
        for r in registries[:1]:
            spec, key = r.spec, r.spec.tenant_key
            assert key is not None
            f = spec.fields.get(key)
            if f is None:
                self.error(
                    r.document,
                    ("tenant_key",),
                    f"'{key}' is not a field of {spec.resource}{did_you_mean(key, spec.fields)}",
                )
            elif f.type != "slug":
                self.error(
                    r.document,
                    ("fields", key, "type"),
                    f"the tenant key '{key}' must be a slug field (`slug({TENANT_KEY_LENGTH}) "
                    f"required unique`): X-Tenant-ID carries it, and a header holds ASCII only",
                )
            elif not f.required or not f.unique or f.nullable:
                self.error(
                    r.document,
                    ("fields", key),
                    f"the tenant key '{key}' must be required and unique (`slug("
                    f"{TENANT_KEY_LENGTH}) required unique`): each tenant row points at one "
                    "tenant by it",
                )
            elif (f.max_length or DEFAULT_LENGTH) > TENANT_KEY_LENGTH:
                self.error(
                    r.document,
                    ("fields", key),
                    f"the tenant key '{key}' must hold at most {TENANT_KEY_LENGTH} characters "
                    f"(max_length: {TENANT_KEY_LENGTH} or less), the width of tenant_id",
                )
            for i, trait in enumerate(spec.traits):
                if trait in ("tenant", "branching", "owned", "soft_delete"):
                    self.error(
                        r.document,
                        ("traits", i),
                        f"the tenants' resource cannot have the '{trait}' trait: its rows are "
                        "the tenants themselves, removed only once they hold no rows",
                    )
            if not any("tenant" in other.spec.traits for other in self.resources):
                self.warn(
                    r.document,
                    ("tenant_key",),
                    "no resource has the 'tenant' trait: nothing points at these tenants yet",
                )

    def check_required_loops(self) -> None:
        """A loop of required relations (a resource that needs a parent of its own kind, or A
        needs B needs A) leaves no row that could be created first: NOT NULL holds every one."""
        needs: dict[str, list[tuple[str, str]]] = {}  # resource -> (field, target) it needs
        for r in self.resources:
            for name, f in r.spec.fields.items():
                if f.type == "relation" and f.required and not f.nullable and f.to in self.by_name:
                    needs.setdefault(r.spec.resource, []).append((name, f.to))

        def chain(start: str, goal: str) -> list[str] | None:
            """Resources from `start` to `goal` along required relations, if there is a way."""
            seen, todo = {start}, [[start]]
            while todo:
                way = todo.pop()
                if way[-1] == goal:
                    return way
                for _, target in needs.get(way[-1], ()):
                    if target not in seen:
                        seen.add(target)
                        todo.append([*way, target])
            return None

        for r in self.resources:
            me = r.spec.resource
            for name, target in needs.get(me, ()):
                way = chain(target, me)
                if way is not None:
                    loop = " -> ".join([me, *way])
                    self.error(
                        r.document,
                        ("fields", name, "required"),
                        f"required relations form a loop ({loop}): no row could be created "
                        "first; make one of them optional (or nullable: true)",
                    )

    def error(self, document: Document, path: Path_, message: str) -> None:
        self.diagnostics.add(document.diagnostic(path, message))

    def warn(self, document: Document, path: Path_, message: str) -> None:
        self.diagnostics.add(document.diagnostic(path, message, level="warning"))

    def check_unique_names(self) -> None:
        claimed: dict[tuple[str, str], str] = {}  # (kind, name) -> the file that claimed it first

        def claim(kind: str, name: str, document: Document, path: Path_) -> bool:
            first = claimed.setdefault((kind, name), document.file)
            if first != document.file:
                self.error(document, path, f"{kind} name '{name}' is already used by {first}")
                return False
            return True

        for r in self.resources:
            spec, doc = r.spec, r.document
            # A duplicate resource name makes its derived table and model duplicates too; one error says it.
            unique = claim("resource", spec.resource, doc, ("resource",))
            if unique or spec.table:
                claim(
                    "table",
                    spec.table or plural(spec.resource),
                    doc,
                    ("table",) if spec.table else ("resource",),
                )
            if unique or spec.model:
                claim(
                    "model",
                    spec.model or pascal(spec.resource),
                    doc,
                    ("model",) if spec.model else ("resource",),
                )
        for r in self.resources:
            for name, f in r.spec.fields.items():
                if f.type == "many_to_many" and f.to in self.by_name:
                    through = f.through or f"{r.spec.table or plural(r.spec.resource)}_{name}"
                    if f.through is None and len(through) > MAX_TABLE:
                        self.error(
                            r.document,
                            ("fields", name, "type"),
                            f"the junction table name derived from this field, '{through}', is longer than {MAX_TABLE} characters; set 'through'",
                        )
                        continue
                    if through in SYSTEM_TABLES:
                        self.error(
                            r.document,
                            ("fields", name, "through" if f.through else "type"),
                            f"junction table '{through}' is reserved for the generated project's own table; {'choose another' if f.through else 'set'} 'through'",
                        )
                        continue
                    first = claimed.setdefault(("table", through), r.document.file + f"#{name}")
                    if first != r.document.file + f"#{name}":
                        where = first.split("#")[0]
                        self.error(
                            r.document,
                            ("fields", name, "through" if f.through else "type"),
                            f"junction table '{through}' collides with a table of {where}; {'choose another' if f.through else 'set'} 'through'",
                        )


class ResourceChecker:
    def __init__(self, project: ProjectChecker, resource: ValidatedResource):
        self.project = project
        self.doc = resource.document
        self.spec = resource.spec
        self.columns = field_columns(self.spec)

    def error(self, path: Path_, message: str) -> None:
        self.project.error(self.doc, path, message)

    def run(self) -> None:
        self.check_names()
        self.check_traits()
        for name, f in self.spec.fields.items():
            self.check_field(("fields", name), name, f, in_input=False)
        self.check_indexes()
        self.check_checks()
        self.check_actions()
        self.check_ui()
        self.check_views()

    # names -------------------------------------------------------------------------------------
    def check_identifier(self, path: Path_, name: str, what: str, limit: int = MAX_NAME) -> bool:
        if not IDENTIFIER.fullmatch(name):
            self.error(
                path,
                f"{what} {name!r} must be snake_case: lowercase letters, digits and single underscores, starting with a letter",
            )
            return False
        if len(name) > limit:
            self.error(path, f"{what} '{name}' is {len(name)} characters; the limit is {limit}")
            return False
        return True

    def check_names(self) -> None:
        spec = self.spec
        if self.check_identifier(("resource",), spec.resource, "resource name"):
            if spec.resource in RESERVED_RESOURCES or spec.resource in PYTHON_RESERVED:
                self.error(
                    ("resource",),
                    f"resource name '{spec.resource}' is reserved by the generated project; choose another",
                )
            stem = self.doc.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            if stem != spec.resource:
                self.project.warn(
                    self.doc,
                    ("resource",),
                    f"file is named '{stem}' but defines resource '{spec.resource}'; name it {spec.resource}{self.doc.file[self.doc.file.rfind('.') :]}",
                )
        if (
            spec.renamed_from is not None
            and self.check_identifier(("renamed_from",), spec.renamed_from, "renamed_from")
            and spec.renamed_from in self.project.by_name
        ):
            self.error(
                ("renamed_from",),
                f"'{spec.renamed_from}' is still a resource; a rename needs the old name gone",
            )
        if spec.table is not None and self.check_identifier(
            ("table",), spec.table, "table name", limit=MAX_TABLE
        ):
            if spec.table in RESERVED_RESOURCES:
                self.error(
                    ("table",),
                    f"table name '{spec.table}' is reserved by the generated project's routes",
                )
        elif spec.table is None and len(plural(spec.resource)) > MAX_TABLE:
            self.error(
                ("resource",),
                f"the table name derived from this resource is longer than {MAX_TABLE} characters; set 'table'",
            )
        table = spec.table or plural(spec.resource)
        if table in SYSTEM_TABLES:
            self.error(
                ("table",) if spec.table else ("resource",),
                f"table name '{table}' is reserved for the generated project's own table; "
                + ("choose another" if spec.table else "set 'table' to another name"),
            )
        model = spec.model or pascal(spec.resource)
        if model in SYSTEM_TABLES.values():
            self.error(
                ("model",) if spec.model else ("resource",),
                f"model name '{model}' is reserved for the generated project's own model; "
                + ("choose another" if spec.model else "set 'model' to another name"),
            )
        if spec.model is not None:
            if not MODEL_NAME.fullmatch(spec.model):
                self.error(
                    ("model",), f"model name {spec.model!r} must be PascalCase letters and digits"
                )
            elif spec.model in RESERVED_MODELS:
                self.error(
                    ("model",),
                    f"model name '{spec.model}' clashes with a name the generated code imports; choose another",
                )
        if model in PYTHON_BUILTIN_NAMES and MODEL_NAME.fullmatch(model):
            self.error(
                ("model",) if spec.model else ("resource",),
                f"model name '{model}' is a Python keyword or builtin; "
                + ("choose another" if spec.model else "set 'model' to another name"),
            )

    def check_traits(self) -> None:
        counts = Counter(self.spec.traits)
        for i, trait in enumerate(self.spec.traits):
            if counts[trait] > 1 and self.spec.traits.index(trait) != i:
                self.error(("traits", i), f"trait '{trait}' is listed twice")
        for trait in self.spec.traits:
            for column in trait_column_names(trait):
                if column in self.spec.fields:
                    self.error(
                        ("fields", column),
                        f"field '{column}' is added by the '{trait}' trait; remove it or the trait",
                    )
        if "branching" in self.spec.traits and self.spec.primary_key == "integer":
            # A branching row is keyed by (id, branch_id): no database numbers one column of a
            # composite key on its own (SQLite cannot at all), and ids made on two branches
            # must never meet when one is merged into main. Random ids need no coordination.
            self.error(
                ("primary_key",),
                "a branching resource needs 'primary_key: uuid': its rows are keyed by "
                "(id, branch_id), and ids created on different branches must never collide",
            )

    # fields ------------------------------------------------------------------------------------
    def check_field(self, path: Path_, name: str, f: lang.FieldSpec, in_input: bool) -> None:
        if self.check_identifier(path, name, "field name"):
            if name == "id":
                self.error(
                    path, "'id' is the primary key, which every resource has; choose another name"
                )
            if not in_input:
                self.check_api_name(path, name, f)
        given = f.model_fields_set
        for option, types in OPTION_TYPES.items():
            if option in given and getattr(f, option) is not None and f.type not in types:
                self.error(
                    (*path, option),
                    f"'{option}' does not apply to type {f.type} (it applies to: {', '.join(types)})",
                )
        for flag, excluded, word in (
            ("unique", NOT_COMPARABLE, "unique"),
            # An array is indexed as a whole (GIN on PostgreSQL); JSON is not.
            ("index", NOT_INDEXABLE, "indexed"),
            ("sortable", NOT_COMPARABLE, "sortable"),
            ("filterable", NOT_FILTERABLE, "filterable"),
        ):
            if getattr(f, flag) and f.type in excluded:
                self.error((*path, flag), f"{f.type} fields cannot be {word}")
        if f.searchable and f.type not in SEARCHABLE:
            self.error((*path, "searchable"), f"only text fields can be searchable, not {f.type}")
        if f.type == "text" and (f.unique or f.index) and "mysql" in self.project.config.dialects:
            self.error(
                (*path, "unique" if f.unique else "index"),
                "MySQL cannot index a text column; use string(n) or drop mysql from [database] dialects",
            )
        if in_input and (f.unique or f.index):
            self.error(
                (*path, "unique" if f.unique else "index"), "action inputs have no columns to index"
            )
        self.check_lengths(path, f)
        self.check_type_options(path, name, f, in_input)
        if f.default is not None:
            problem = default_problem(f)
            if problem:
                self.error((*path, "default"), problem)
            elif f.unique and not in_input and (f.type, f.default) not in DYNAMIC_DEFAULTS:
                self.project.warn(
                    self.doc,
                    (*path, "default"),
                    "unique with a fixed default: one row can keep it, every other create must "
                    "send a value of its own (or drop the default)",
                )
        if f.backfill is not None:
            problem = self.backfill_problem(f, in_input)
            if problem:
                self.error((*path, "backfill"), problem)
        if f.renamed_from is not None:
            if in_input:
                self.error(
                    (*path, "renamed_from"),
                    "action inputs are not stored; renamed_from does not apply",
                )
            elif (
                self.check_identifier((*path, "renamed_from"), f.renamed_from, "renamed_from")
                and f.renamed_from in self.spec.fields
            ):
                self.error(
                    (*path, "renamed_from"),
                    f"'{f.renamed_from}' is still a field; a rename needs the old name gone",
                )

    def backfill_problem(self, f: lang.FieldSpec, in_input: bool) -> str | None:
        """Why `backfill:` does not fit the field, or None: checked as a default of the column."""
        if in_input:
            return "action inputs are not stored; backfill does not apply"
        if f.type == "many_to_many":
            return "a many_to_many field has no column to backfill"
        nullable = (
            f.nullable if f.nullable is not None else not (f.required or f.default is not None)
        )
        if nullable:
            return "backfill fills rows when the column becomes NOT NULL; this field may be NULL (make it required, or remove backfill)"
        if f.type == "relation":
            target = self.project.by_name.get(f.to or "")
            if target is None:
                return None  # reported on `to`
            key = "integer" if target.primary_key == "integer" else "uuid"
            problem = default_problem(lang.FieldSpec(type=key, default=f.backfill))
            return (
                problem
                and f"the backfill of a relation is the id of an existing {f.to} row: "
                + _as_backfill(problem)
            )
        problem = default_problem(f.model_copy(update={"default": f.backfill}))
        return problem and _as_backfill(problem)

    def check_lengths(self, path: Path_, f: lang.FieldSpec) -> None:
        if f.max_length is not None:
            if f.max_length <= 0:
                self.error(
                    (*path, "max_length"), f"max_length must be positive, got {f.max_length}"
                )
            elif (limit := REGISTRY[f.type].length_limit) and f.max_length > limit:
                self.error(
                    (*path, "max_length"),
                    f"{f.type} max_length is at most {limit}; use text for longer values",
                )
        if f.min_length is not None:
            if f.min_length < 0:
                self.error(
                    (*path, "min_length"), f"min_length cannot be negative, got {f.min_length}"
                )
            elif f.max_length is not None and f.min_length > f.max_length:
                self.error(
                    (*path, "min_length"),
                    f"min_length {f.min_length} is above max_length {f.max_length}",
                )
        if f.min is not None and f.max is not None and f.min > f.max:
            self.error((*path, "min"), f"min {f.min} is above max {f.max}")
        for key in ("min", "max"):
            bound = getattr(f, key)
            if bound is not None and (bounds := REGISTRY[f.type].bounds) is not None:
                low, high = bounds
                if not low <= bound <= high:
                    self.error(
                        (*path, key),
                        f"{key} {bound} does not fit an {f.type} column ({low} to {high})",
                    )
            elif bound is not None and f.type == FieldType.DECIMAL:
                precision, scale = precision_and_scale(f.precision, f.scale)
                if (
                    1 <= precision <= MAX_PRECISION
                    and 0 <= scale <= precision
                    and abs(bound) >= 10 ** (precision - scale)
                ):
                    self.error(
                        (*path, key),
                        f"{key} {bound} has more than {precision - scale} digits before the point (precision {precision}, scale {scale})",
                    )
        if f.pattern is not None:
            try:
                matcher(f.pattern)
            except PatternError as exc:
                self.error((*path, "pattern"), str(exc))

    def check_api_name(self, path: Path_, name: str, f: lang.FieldSpec) -> None:
        """A relation or many-to-many field travels under a derived name (`genres` ->
        `genre_ids`): no other field may travel under the same one."""
        if f.type not in ("relation", "many_to_many"):
            return
        api = api_field_name(name, f.type)
        if api in self.spec.fields:
            if f.type == "relation":
                message = f"relation '{name}' uses the column '{api}', which is also a field"
            else:
                message = f"many_to_many '{name}' is sent as '{api}', which is also a field"
            self.error(path, message)
            return
        for other, g in self.spec.fields.items():
            if other == name:
                return
            if api_field_name(other, g.type) == api:
                self.error(path, f"{f.type} '{name}' is sent as '{api}', as is the field '{other}'")
                return

    def check_type_options(self, path: Path_, name: str, f: lang.FieldSpec, in_input: bool) -> None:
        if f.type == FieldType.DECIMAL:
            precision, scale = precision_and_scale(f.precision, f.scale)
            if not 1 <= precision <= MAX_PRECISION:
                self.error(
                    (*path, "precision"),
                    f"precision must be between 1 and {MAX_PRECISION}, got {precision}",
                )
            if scale < 0:
                self.error((*path, "scale"), f"scale cannot be negative, got {scale}")
            elif scale > precision:
                self.error((*path, "scale"), f"scale {scale} is above precision {precision}")
        elif f.type == "enum":
            values = f.enum_values
            if not values:
                self.error(
                    (*path, "values"), "an enum needs 'values', e.g. values: [draft, published]"
                )
            seen = set()
            for i, option in enumerate(values):
                if option.value == "":
                    self.error((*path, "values", i), "enum values cannot be empty")
                elif bad := unprintable(option.value):
                    self.error((*path, "values", i), f"an enum value cannot hold {bad}")
                elif option.value in seen:
                    self.error((*path, "values", i), f"enum value '{option.value}' is listed twice")
                elif len(option.value) > 63:
                    self.error(
                        (*path, "values", i),
                        "enum values are at most 63 characters (PostgreSQL's limit)",
                    )
                elif "mysql" in self.project.config.dialects and (
                    wide := next((c for c in option.value if ord(c) > 0xFFFF), None)
                ):
                    # MySQL and MariaDB keep a column's ENUM list in utf8mb3, whatever the
                    # table's charset: the character would come back as '?'.
                    self.error(
                        (*path, "values", i),
                        f"MySQL cannot hold {wide!r} (U+{ord(wide):04X}) in an enum value: its enum "
                        "lists are utf8mb3; use a label for it, or drop mysql from [database] dialects",
                    )
                seen.add(option.value)
        elif f.type == "array":
            if f.of is None:
                self.error(
                    path,
                    f"an array needs 'of', the item type (one of: {', '.join(ARRAY_ITEM_TYPES)})",
                )
            elif f.of not in ARRAY_ITEM_TYPES:
                self.error(
                    (*path, "of"),
                    f"arrays hold one of: {', '.join(ARRAY_ITEM_TYPES)}; not '{f.of}'{did_you_mean(f.of, ARRAY_ITEM_TYPES)}",
                )
        elif f.type in ("relation", "many_to_many"):
            self.check_relation(path, name, f, in_input)

    def check_relation(self, path: Path_, name: str, f: lang.FieldSpec, in_input: bool) -> None:
        if f.to is None:
            self.error(path, f"a {f.type} needs 'to', the target resource")
            return
        if f.to not in self.project.by_name:
            if f.to in self.project.declared:
                return  # its own file has errors, reported there
            self.error(
                (*path, "to"),
                f"unknown resource '{f.to}'{did_you_mean(f.to, self.project.by_name)} (resources: {', '.join(sorted(self.project.by_name))})",
            )
            return
        if in_input:
            if f.type == "many_to_many":
                self.error(
                    (*path, "type"),
                    "action inputs take relations, not many_to_many; use an array of ids",
                )
            return
        if f.type == "relation":
            optional = not f.required or f.nullable
            if f.on_delete == "set_null" and not optional:
                self.error(
                    (*path, "on_delete"),
                    "on_delete: set_null needs an optional relation, but this one is required",
                )
            if f.on_delete == "cascade":
                self.check_soft_cascade(path, f.to)
        if f.through is not None:
            self.check_identifier(
                (*path, "through"), f.through, "junction table name", limit=MAX_TABLE
            )
        inverse = self.project.inverses[(self.spec.resource, name)]
        if self.check_identifier(
            (*path, "inverse") if f.inverse else path, inverse, "inverse name"
        ):
            target = self.project.by_name[f.to]
            taken = set(field_columns(target)) | {n for n, x in target.fields.items()}
            others = [
                key
                for key in self.project.inverse_claims.get((f.to, inverse), ())
                if key != (self.spec.resource, name)
            ]
            if inverse in taken or others:
                self.error(
                    (*path, "inverse") if f.inverse else path,
                    f"the other side of this relation would be '{f.to}.{inverse}', which is taken; set 'inverse' to another name",
                )

    def check_soft_cascade(self, path: Path_, to: str) -> None:
        """A soft delete cascades by soft-deleting the children, with the parent's own deleted_at,
        so a restore brings back exactly those: it cannot hard-delete (no restore could undo
        that) and does not follow rows across branches."""
        target = self.project.by_name[to]
        if "soft_delete" not in target.traits:
            return
        me = self.spec.resource
        if "soft_delete" not in self.spec.traits:
            self.error(
                (*path, "on_delete"),
                f"on_delete: cascade from '{to}', which has soft_delete, needs soft_delete on "
                f"'{me}' too (a soft delete hides the children, and a restore brings them back); "
                "or choose set_null, restrict or no_action",
            )
        elif "branching" in target.traits or "branching" in self.spec.traits:
            self.error(
                (*path, "on_delete"),
                f"on_delete: cascade from the soft_delete resource '{to}' does not work with "
                f"branching (on '{to if 'branching' in target.traits else me}'); choose set_null, "
                "restrict or no_action",
            )

    # indexes, checks, actions, ui --------------------------------------------------------------
    def check_column_ref(self, path: Path_, name: str, what: str) -> bool:
        if name in self.columns:
            return True
        self.error(path, f"{what} names unknown field '{name}'{did_you_mean(name, self.columns)}")
        return False

    def check_indexes(self) -> None:
        names = Counter(i.name for i in self.spec.indexes if i.name)
        for i, index in enumerate(self.spec.indexes):
            path: Path_ = ("indexes", i)
            for j, field_name in enumerate(index.fields):
                self.check_column_ref((*path, "fields", j), field_name, "index")
                if (
                    field_name in self.spec.fields
                    and self.spec.fields[field_name].type in NOT_COMPARABLE
                ):
                    self.error(
                        (*path, "fields", j),
                        f"cannot index the {self.spec.fields[field_name].type} field '{field_name}'",
                    )
            if len(set(index.fields)) != len(index.fields):
                self.error((*path, "fields"), "an index lists the same field twice")
            if index.name is not None:
                self.check_identifier((*path, "name"), index.name, "index name", limit=60)
                if names[index.name] > 1:
                    self.error((*path, "name"), f"index name '{index.name}' is used twice")
            if index.where is not None:
                self.check_expression((*path, "where"), index.where)

    def check_checks(self) -> None:
        names = Counter(c.name for c in self.spec.checks)
        for i, check in enumerate(self.spec.checks):
            path: Path_ = ("checks", i)
            self.check_identifier((*path, "name"), check.name, "check name", limit=40)
            if names[check.name] > 1:
                self.error((*path, "name"), f"check name '{check.name}' is used twice")
            self.check_expression((*path, "expr"), check.expr)

    def check_expression(self, path: Path_, expr: str) -> None:
        """SQL is passed through as written; still, every column it names must exist."""
        if not expr.strip():
            self.error(path, "the expression is empty")
            return
        if ";" in expr or "--" in expr or "/*" in expr:
            self.error(path, "an expression cannot contain ';', '--' or '/*'")
            return
        # Line breaks and tabs are SQL whitespace; a NUL or another control character is refused
        # by PostgreSQL, or hides what the expression says.
        if bad := unprintable(expr.replace("\n", " ").replace("\t", " ").replace("\r", " ")):
            self.error(path, f"an expression cannot hold {bad}")
            return
        without_strings = re.sub(r"'(?:[^']|'')*'", "''", expr)
        reported = set()  # each unknown name once: an expression may repeat one many times
        for match in re.finditer(
            r'"([^"]+)"|\b([A-Za-z_][A-Za-z0-9_]*)\b(\s*\()?', without_strings
        ):
            quoted, word, call = match.groups()
            name = quoted or word
            if call or (word and word.lower() in SQL_WORDS) or (word and re.match(r"^\d", word)):
                continue
            if name not in self.columns and name not in reported:
                reported.add(name)
                self.error(
                    path,
                    f"the expression names unknown column '{name}'{did_you_mean(name, self.columns)}",
                )

    def check_actions(self) -> None:
        actions = self.spec.actions
        if actions.export and not actions.list:
            self.error(
                ("actions", "export"),
                "export streams the rows the list's parameters select: it needs the list "
                "action; this resource has 'list: false'",
            )
        elif actions.export and "format" in self.list_names("filterable"):
            self.error(
                ("actions", "export"),
                "the export's 'format' parameter would be the filter on the field 'format': "
                "leave that field out of the list's filters, or export off",
            )
        if isinstance(actions.list, lang.ListAction):
            lst = actions.list
            if lst.page_size < 1:
                self.error(("actions", "list", "page_size"), "page_size must be at least 1")
            if lst.max_page_size < lst.page_size:
                self.error(
                    ("actions", "list", "max_page_size"),
                    f"max_page_size {lst.max_page_size} is below page_size {lst.page_size}",
                )
            for j, item in enumerate(lst.sort):
                name = item.removeprefix("-")
                if self.check_column_ref(("actions", "list", "sort", j), name, "sort"):
                    self.check_sortable(("actions", "list", "sort", j), name)
            for key in ("sortable", "searchable", "filterable"):
                for j, name in enumerate(getattr(lst, key)):
                    path = ("actions", "list", key, j)
                    if not self.check_column_ref(path, name, key):
                        continue
                    f = self.spec.fields.get(name)
                    if key == "sortable":
                        self.check_sortable(path, name)
                    elif key == "searchable" and (f is None or f.type not in SEARCHABLE):
                        self.error(path, f"only text fields can be searchable; '{name}' is not one")
                    elif key == "filterable" and f is not None and f.type in NOT_FILTERABLE:
                        self.error(path, f"a {f.type} field cannot be filterable")
        if isinstance(actions.bulk, lang.BulkAction):
            if actions.bulk.batch_size < 1:
                self.error(("actions", "bulk", "batch_size"), "batch_size must be at least 1")
            if actions.bulk.undo_ttl < 1:
                self.error(("actions", "bulk", "undo_ttl"), "undo_ttl must be at least 1 second")
            for setting in ("async_rows", "confirm_rows"):
                if getattr(actions.bulk, setting) < 1:
                    self.error(("actions", "bulk", setting), f"{setting} must be at least 1 row")
        for name, custom in actions.custom.items():
            path = ("actions", name)
            self.check_identifier(path, name, "action name")
            for field_name, f in custom.input.items():
                self.check_field((*path, "input", field_name), field_name, f, in_input=True)
            if custom.handler is not None:
                self.check_handler((*path, "handler"), custom.handler)
            for j, target in enumerate(custom.invalidates):
                if target not in self.project.by_name and target not in self.project.declared:
                    self.error(
                        (*path, "invalidates", j),
                        f"unknown resource '{target}'{did_you_mean(target, self.project.by_name)}",
                    )

    def check_handler(self, path: Path_, handler: str) -> None:
        if not HANDLER.fullmatch(handler):
            self.error(path, f"handler must be 'module.path:function', got {handler!r}")
            return
        module, _, function = handler.partition(":")
        words = [part for part in (*module.split("."), function) if keyword.iskeyword(part)]
        if words:
            self.error(path, f"handler '{handler}' names the Python keyword '{words[0]}'")
            return
        top = module.split(".")[0]
        if top in SHADOWED_MODULES:
            # The module is scaffolded as backend/<module path>.py, which would be imported
            # instead of the standard library's or a dependency's module of the same name.
            self.error(
                path,
                f"handler module '{module}' would shadow the module '{top}' the generated project "
                f"imports; put it in a package of your own, e.g. {self.project.config.package}_ext.{module}",
            )

    def check_sortable(self, path: Path_, name: str) -> None:
        f = self.spec.fields.get(name)
        if f is not None and f.type in NOT_COMPARABLE:
            self.error(path, f"cannot sort by the {f.type} field '{name}'")

    def check_ui(self) -> None:
        usable = {*self.columns, *self.spec.fields}
        for key, names in (
            ("table", self.spec.ui.table.columns),
            ("form", self.spec.ui.form.fields),
        ):
            sub = "columns" if key == "table" else "fields"
            for j, name in enumerate(names):
                if name not in usable:
                    self.error(
                        ("ui", key, sub, j),
                        f"ui.{key} names unknown field '{name}'{did_you_mean(name, usable)}",
                    )
        for j, item in enumerate(self.spec.ui.table.default_sort):
            if self.check_column_ref(
                ("ui", "table", "default_sort", j), item.removeprefix("-"), "default_sort"
            ):
                self.check_sortable(("ui", "table", "default_sort", j), item.removeprefix("-"))
        title = self.spec.display.title_field
        if title is not None and title not in self.spec.fields and title not in self.columns:
            self.error(
                ("display", "title_field"),
                f"title_field names unknown field '{title}'{did_you_mean(title, self.spec.fields)}",
            )

    # views -------------------------------------------------------------------------------------
    def list_names(self, flag: str) -> set[str]:
        """The names the list takes for `flag` (sortable, filterable), as resolve decides them:
        fields flagged so, the list's own list, and for sorting its default order."""
        lst = self.spec.actions.list
        config = lst if isinstance(lst, lang.ListAction) else lang.ListAction()
        names = {n for n, f in self.spec.fields.items() if getattr(f, flag)}
        names |= set(getattr(config, flag))
        if flag == "sortable":
            default = ["-created_at"] if "timestamps" in self.spec.traits else ["id"]
            names |= {s.removeprefix("-") for s in config.sort or default}
        return {self.columns.get(n, n) for n in names}

    def check_views(self) -> None:
        if self.spec.views and not self.spec.actions.list:
            self.error(("views",), "views need the list action; this resource has 'list: false'")
            return
        for name, view in self.spec.views.items():
            self.check_view(("views", name), name, view)

    def check_view(self, path: Path_, name: str, view: lang.ViewSpec) -> None:
        self.check_identifier(path, name, "view name")
        for key in ("title", "description"):
            text = getattr(view, key)
            if text is not None and (bad := unprintable(text)):
                self.error((*path, key), f"the {key} cannot hold {bad}")
            elif text is not None and not text.strip():
                self.error((*path, key), f"the {key} is empty")
        filterable = self.list_names("filterable")
        params: dict[str, Path_] = {}
        for field_name, op, value, where in conditions(view.filters):
            at = (*path, "filters", *where)
            f = self.spec.fields.get(field_name)
            if f is None:
                self.error(
                    (*path, "filters", field_name),
                    f"a view filters on unknown field '{field_name}'{did_you_mean(field_name, self.spec.fields)}",
                )
                continue
            if (
                self.columns.get(field_name, field_name) not in filterable
                and field_name not in filterable
            ):
                self.error(
                    (*path, "filters", field_name),
                    f"the list cannot filter on '{field_name}' (a view reads the resource's own list); "
                    "set 'filterable: true' on the field",
                )
                continue
            problem = view_condition_problem(f, op, value)
            if problem:
                self.error(at, problem)
                continue
            for param, _ in parameters(f, api_field_name(field_name, f.type), op, value):
                if param in params:
                    self.error(
                        at,
                        f"'{op}' asks the list parameter '{param}' again (as {format_key_path(params[param][len(path) + 1 :])}); "
                        "state one of the two",
                    )
                params.setdefault(param, at)
        if view.tree is not None and view.tree in view.filters:
            self.error(
                (*path, "filters", view.tree),
                f"a tree view cannot filter on its tree relation '{view.tree}': it reads each level by it",
            )
        sortable = self.list_names("sortable")
        for j, item in enumerate(view.sort):
            key = item.removeprefix("-")
            if not self.check_column_ref((*path, "sort", j), key, "sort"):
                continue
            if self.columns[key] not in sortable:
                self.error(
                    (*path, "sort", j),
                    f"the list cannot sort by '{key}' (a view reads the resource's own list); "
                    "add it to actions.list.sortable",
                )
        usable = {*self.columns, *self.spec.fields}
        for j, column in enumerate(view.columns):
            if column not in usable:
                self.error(
                    (*path, "columns", j),
                    f"a view shows unknown field '{column}'{did_you_mean(column, usable)}",
                )
        if view.actions is not None:
            offered = self.row_actions()
            for j, action in enumerate(view.actions):
                if action not in offered:
                    self.error(
                        (*path, "actions", j),
                        f"'{action}' is no row action of this resource{did_you_mean(action, offered)}"
                        f" (row actions: {', '.join(offered) or 'none'})",
                    )
        if view.tree is not None:
            self.check_tree((*path, "tree"), view.tree, filterable)

    def row_actions(self) -> list[str]:
        """The actions a row of the table offers, by name: what a view's `actions` may list."""
        actions = self.spec.actions
        offered = [n for n in ("update", "delete") if getattr(actions, n)]
        if "soft_delete" in self.spec.traits:
            offered.append("restore")
        return offered + [n for n, a in actions.custom.items() if a.scope == "item"]

    def check_tree(self, path: Path_, name: str, filterable: set[str]) -> None:
        f = self.spec.fields.get(name)
        if f is None:
            self.error(
                path, f"tree names unknown field '{name}'{did_you_mean(name, self.spec.fields)}"
            )
        elif f.type != "relation" or f.to != self.spec.resource:
            relations = [
                n
                for n, g in self.spec.fields.items()
                if g.type == "relation" and g.to == self.spec.resource
            ]
            self.error(
                path,
                f"tree needs a relation of '{self.spec.resource}' to itself; '{name}' is "
                + (f"a relation to '{f.to}'" if f.type == "relation" else f"a {f.type} field")
                + (f" (self relations: {', '.join(relations)})" if relations else ""),
            )
        elif f"{name}_id" not in filterable:
            self.error(
                path,
                f"the tree reads each level by '{name}', which the list cannot filter on; set "
                "'filterable: true' on the field",
            )


def view_condition_problem(f: lang.FieldSpec, op: str, value: Any) -> str | None:
    """Why a view's condition `op: value` on field `f` cannot be a list parameter, or None."""
    kind = f.type
    relation = kind in ("relation", "many_to_many")
    operators = ("eq", "in", "isnull") if kind == "relation" else REGISTRY[kind].filter_operators
    if op not in lang.VIEW_OPERATORS:
        return f"unknown operator '{op}'{did_you_mean(op, lang.VIEW_OPERATORS)} (operators: {', '.join(lang.VIEW_OPERATORS)})"
    negated = op in ("ne", "not_in")
    if negated and kind not in (FieldType.ENUM, FieldType.BOOLEAN):
        return (
            f"'{op}' works on enum and boolean fields only (the API has no not-equal filter; "
            f"a view reads it as the 'in' of the other values); '{f.type}' is neither"
        )
    if not negated and op not in operators:
        return f"the list filters a {kind} field with {', '.join(operators)} only, not '{op}'"
    if op == "isnull":
        return None if isinstance(value, bool) else f"isnull takes true or false, got {value!r}"
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            return f"'{op}' takes a list of one value or more, got {value!r}"
        values = value
    else:
        values = [value]
    for item in values:
        problem = _filter_value_problem(f, item, relation)
        if problem:
            return problem
    if negated:
        left = (
            {True, False} if kind == FieldType.BOOLEAN else {o.value for o in f.enum_values}
        ) - set(values)
        if not left:
            return f"'{op}' leaves no value in: the view would never show a row"
    return None


def _filter_value_problem(f: lang.FieldSpec, value: Any, relation: bool) -> str | None:
    value = plain(value)
    if relation:
        ok = isinstance(value, str | int) and not isinstance(value, bool)
        return None if ok else f"a relation's filter value is a row's id, got {value!r}"
    if isinstance(value, list | dict) or value is None:
        return f"a filter value is one {f.type} value, got {value!r}"
    kind = f.of if f.type == FieldType.ARRAY and f.of else f.type
    if kind == FieldType.DATE and value == "today":
        return (
            "the list reads 'today' as no date; write the date, or filter a datetime field by 'now'"
        )
    item = lang.FieldSpec(type=kind, values=f.values, default=value)
    problem = default_problem(item)
    return None if problem is None else re.sub(r"\bdefault\b", "value", problem)


def _as_backfill(problem: str) -> str:
    # default_problem words its findings for `default:`; a backfill is checked the same way.
    return re.sub(r"\bdefault\b", "backfill", problem)


def default_problem(f: lang.FieldSpec) -> str | None:
    """Why a field's default does not fit its type, or None when it fits."""
    value, kind = f.default, f.type
    if kind == FieldType.ARRAY:
        if not isinstance(value, list):
            return f"the default of an array must be a list, got {value!r}"
        if f.of is not None and f.of not in ARRAY_ITEM_TYPES:
            return None  # the item type is the error, reported on 'of'
        item = lang.FieldSpec(type=f.of or FieldType.STRING)
        for element in value:
            problem = default_problem(item.model_copy(update={"default": element}))
            if problem:
                return f"array default item {element!r}: {problem}"
        return None
    check = REGISTRY[kind].default_problem
    if check is None:
        return f"a {kind} cannot have a default"
    return check(value, f)
