"""`sqlalchemy` target: typed SQLAlchemy 2.0 models (`Mapped`/`mapped_column`) for every resource.

One module per resource under `backend/<package>/models/` (its class and the many-to-many tables
it declares), the system tables in `models/system_tables.py`, and `models/__init__.py`: the base,
the shared column types and a table of which module defines which name, imported on first use.
A relation's module imports its target, and the relation makes its inverse on the target when it
is configured (a backref), so importing one model loads what it points at, never what points at
it.
"""

from __future__ import annotations

import functools
from typing import Literal

from schemagen import ir, traits
from schemagen.files import RenderedFile
from schemagen.literals import py_literal
from schemagen.sql import (
    ARRAY_ITEM_PARSERS,
    INTEGER_KEY,
    create_function_sql,
    create_trigger_sql,
    ddl_literal,
    default_args,
    drop_function_sql,
    index_options,
    row_security_sql,
    sa_type,
    sql_text_literal,
)
from schemagen.targets.base import RenderContext, Target
from schemagen.types import REGISTRY, FieldType

SYSTEM_MODULE = "system_tables"


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    base = f"backend/{project.package}"
    helpers = Helpers(project)
    files = [
        context.render("sqlalchemy/__init__.py.j2", f"{base}/__init__.py", project=project),
        context.render(
            "sqlalchemy/models_init.py.j2", f"{base}/models/__init__.py", project=project, h=helpers
        ),
    ]
    for resource in project.resources:
        files.append(
            context.render(
                "sqlalchemy/models_resource.py.j2",
                f"{base}/models/{resource.name}.py",
                project=project,
                resource=resource,
                junctions=helpers.junctions(resource),
                h=helpers,
            )
        )
    if project.system_tables:
        files.append(
            context.render(
                "sqlalchemy/models_resource.py.j2",
                f"{base}/models/{SYSTEM_MODULE}.py",
                project=project,
                resource=None,
                junctions=(),
                h=helpers,
            )
        )
    return files


class Helpers:
    """Python expressions for the template, kept here so the template reads like the model it makes."""

    def __init__(self, project: ir.Project):
        self.project = project
        self.by_name = {r.name: r for r in project.resources}
        self.by_table = {r.table: r.name for r in project.resources}

    sa_type = staticmethod(sa_type)
    default_args = staticmethod(default_args)

    @staticmethod
    def junctions(resource: ir.Resource) -> list[ir.Junction]:
        """The many-to-many tables `resource` declares: they live in its module."""
        return [r.junction for r in resource.relations if r.junction is not None]

    def module_names(self) -> list[tuple[str, str]]:
        """(name, module) for every name `models` hands out: models and junction tables."""
        names = [(table.model, SYSTEM_MODULE) for table in self.project.system_tables]
        for resource in self.project.resources:
            names.append((resource.model, resource.name))
            names += [(junction.table, resource.name) for junction in self.junctions(resource)]
        return sorted(names)

    def _reads(self, resource: ir.Resource) -> set[str]:
        """The resources whose tables the policies of `resource`'s junctions read."""
        return {
            self.by_table[table]
            for junction in self.junctions(resource)
            for policy in junction.policies
            for table in policy.reads
            if table in self.by_table
        }

    def related_imports(self, resource: ir.Resource) -> list[tuple[str, str]]:
        """(module, model) this module imports at run time: its relations' targets (and the
        tables its junctions' policies read), loaded before any of its mappers is configured."""
        names = {r.target for r in resource.relations} | self._reads(resource)
        names.discard(resource.name)
        return sorted((name, self.by_name[name].model) for name in names)

    def typing_only_imports(self, resource: ir.Resource) -> list[tuple[str, str]]:
        """(module, model) of the relations' sources that add an inverse to `resource`: named in
        its annotations only, never imported by it (what points at a model stays unloaded)."""
        runtime = {name for name, _ in self.related_imports(resource)}
        names = {i.source for i in resource.inverse_relations} - runtime - {resource.name}
        return sorted((name, self.by_name[name].model) for name in names)

    @functools.cached_property
    def has_postgresql_objects(self) -> bool:
        return bool(
            self.postgresql_objects(None)
            or self.postgresql_objects("system")
            or any(self.postgresql_objects(r) for r in self.project.resources)
        )

    @functools.cached_property
    def needs_json_array(self) -> bool:
        return any(
            c.type == "array" and c.array_of in ARRAY_ITEM_PARSERS
            for r in self.project.resources
            for c in r.columns
        )

    def py_type(self, column: ir.Column) -> str:
        if column.type == FieldType.ARRAY:
            base = f"list[{REGISTRY[column.array_of or FieldType.STRING].python}]"
        else:
            base = REGISTRY[column.type].python
        return f"{base} | None" if column.nullable and base != "Any" else base

    def column_args(self, resource: ir.Resource | ir.Table, column: ir.Column) -> str:
        """The arguments of `mapped_column(...)` for one column."""
        args: list[str] = []
        if column.attr != column.name:
            args.append(py_literal(column.name))
        args.append(self.sa_type(column))
        if column.foreign_key is not None:
            fk = column.foreign_key
            args.append(
                f"sa.ForeignKey({py_literal(f'{fk.target_table}.{fk.target_column}')}, ondelete={py_literal(fk.on_delete)}, name={py_literal(fk.name)})"
            )
        # Branching tables are keyed by (id, branch_id): both columns must say so, or SQLAlchemy
        # warns that the columns disagree with the table's PrimaryKeyConstraint.
        if column.primary_key or column.name in self.primary_key(resource):
            args.append("primary_key=True")
            if column.type == "integer" and column.name == "id":
                args.append("autoincrement=True")
        args.append(f"nullable={column.nullable}")
        args.extend(self.default_args(column))
        if column.name == "updated_at" and column.origin == "timestamps":
            args.append("onupdate=sa.func.now()")
        if column.comment:
            args.append(f"comment={py_literal(column.comment)}")
        return ", ".join(args)

    def table_args(self, resource: ir.Resource | ir.Table) -> list[str]:
        args = [
            f"sa.PrimaryKeyConstraint({', '.join(py_literal(c) for c in self.primary_key(resource))}, name={py_literal(resource.primary_key_name)})"
        ]
        for unique in resource.uniques:
            args.append(
                f"sa.UniqueConstraint({', '.join(map(py_literal, unique.columns))}, name={py_literal(unique.name)})"
            )
        for index in resource.indexes:
            parts = [py_literal(index.name), *map(py_literal, index.columns)]
            parts += index_options(unique=index.unique, where=index.where, using=index.using)
            expr = f"sa.Index({', '.join(parts)})"
            if index.dialects:
                # Made only there; `info` tells the migrations' env.py it is not missing elsewhere.
                dialects = index.dialects[0] if len(index.dialects) == 1 else index.dialects
                expr = f"sa.Index({', '.join(parts)}, info={{'dialects': {py_literal(index.dialects)}}}).ddl_if(dialect={py_literal(dialects)})"
            args.append(expr)
        if isinstance(resource, ir.Table):
            return args
        for check in resource.checks:
            # conv(): the name is final; the "ck" convention would otherwise prefix it a second time.
            args.append(
                f"sa.CheckConstraint({sql_text_literal(check.expr)}, name=sa.schema.conv({py_literal(check.name)}))"
            )
        if resource.comment:
            args.append(f"{{'comment': {py_literal(resource.comment)}}}")
        return args

    @staticmethod
    def primary_key(resource: ir.Resource | ir.Table) -> tuple[str, ...]:
        if isinstance(resource, ir.Table):
            return resource.primary_key
        return traits.primary_key(resource.traits)

    def postgresql_objects(
        self, module: ir.Resource | Literal["system"] | None
    ) -> list[tuple[str, str, list[str]]]:
        """(target, event, statement literals) for the objects only PostgreSQL gets, of one
        module: the updated_at trigger functions (the package, `None`), a resource's trigger,
        row-level security and policies (with its junctions'), the system tables' (`"system"`)."""
        result: list[tuple[str, str, list[str]]] = []
        if module is None:
            for function in self.project.functions:
                result.append(
                    (
                        "Base.metadata",
                        "before_create",
                        [create_function_sql(function.name, function.body)],
                    )
                )
                result.append(("Base.metadata", "after_drop", [drop_function_sql(function.name)]))
        elif module == "system":
            for table in self.project.system_tables:
                if table.policies:
                    statements = row_security_sql(table.name, table.policies)
                    result.append((f"{table.model}.__table__", "after_create", statements))
        else:
            resource = module
            statements = [
                create_trigger_sql(resource.table, t.name, t.function) for t in resource.triggers
            ]
            statements += row_security_sql(resource.table, resource.policies)
            if statements:
                result.append((f"{resource.model}.__table__", "after_create", statements))
            for junction in self.junctions(resource):
                if junction.policies:
                    statements = row_security_sql(junction.table, junction.policies)
                    result.append((junction.table, "after_create", statements))
        return [
            (target, event, [ddl_literal(sql) for sql in sql_list])
            for target, event, sql_list in result
        ]

    @staticmethod
    def policy_dependencies(junctions: list[ir.Junction]) -> list[tuple[str, str]]:
        """(junction, table it depends on): a junction's policies read its linked rows' tables, so
        create_all makes those first and drop_all drops the junction first, foreign key or not."""
        # The table itself (typed Table), not `Model.__table__` (typed as any FromClause).
        return [
            (junction.table, f"Base.metadata.tables[{py_literal(table)}]")
            for junction in junctions
            for table in sorted({t for p in junction.policies for t in p.reads})
        ]

    def relationship_args(self, resource: ir.Resource, relation: ir.Relation) -> str:
        target = self.by_name[relation.target]
        if relation.target == resource.name:
            args = [f"back_populates={py_literal(relation.inverse_attr)}"]
        else:
            # The inverse is made on the target when this mapper is configured (a backref): it
            # exists wherever this model is loaded, and the target never imports this module.
            inverse = next(
                i
                for i in target.inverse_relations
                if i.source == resource.name and i.via == relation.name
            )
            backref = self.inverse_args(target, inverse, backref=True)
            args = [f"backref=backref({py_literal(inverse.attr)}, {backref})"]
        if relation.kind == "many_to_many":
            assert relation.junction is not None
            args.insert(0, f"secondary={relation.junction.table}")
            if relation.source == relation.target:
                junction = relation.junction
                args += [
                    f"primaryjoin={py_literal(f'{target.model}.id == {junction.table}.c.{junction.left_column}')}",
                    f"secondaryjoin={py_literal(f'{target.model}.id == {junction.table}.c.{junction.right_column}')}",
                ]
            elif not (junction_enforced(relation.junction)):
                args += self._junction_joins(resource, target, relation.junction)
            return ", ".join(args)
        column_attr = resource.field(relation.name).column.attr  # type: ignore[union-attr]
        local = f"{resource.model}.{column_attr}"
        if not relation.enforced:
            args += [
                f"primaryjoin={py_literal(f'foreign({local}) == {target.model}.id')}",
                "viewonly=True",
            ]
        else:
            args.append(f"foreign_keys={py_literal(local)}")
        if relation.source == relation.target:
            args.append(f"remote_side={py_literal(f'{target.model}.id')}")
        return ", ".join(args)

    def inverse_args(
        self, resource: ir.Resource, inverse: ir.InverseRelation, backref: bool = False
    ) -> str:
        """The arguments of the inverse's `relationship(...)`, or with `backref` of the
        `backref(name, ...)` that makes it (the relation's own `secondary` and the pair implied)."""
        source = self.by_name[inverse.source]
        relation = next(r for r in source.relations if r.name == inverse.via)
        args = [] if backref else [f"back_populates={py_literal(inverse.via_attr)}"]
        if relation.kind == "many_to_many":
            assert relation.junction is not None
            junction = relation.junction
            if not backref:
                args.insert(0, f"secondary={junction.table}")
            if relation.source == relation.target:
                args += [
                    f"primaryjoin={py_literal(f'{resource.model}.id == {junction.table}.c.{junction.right_column}')}",
                    f"secondaryjoin={py_literal(f'{resource.model}.id == {junction.table}.c.{junction.left_column}')}",
                ]
            elif not junction_enforced(junction):
                args += self._junction_joins(resource, source, junction, inverse=True)
            return ", ".join(args)
        column_attr = source.field(relation.name).column.attr  # type: ignore[union-attr]
        remote = f"{source.model}.{column_attr}"
        if not relation.enforced:
            # View-only: nothing to delete, so passive_deletes would only draw a warning.
            args += [
                f"primaryjoin={py_literal(f'foreign({remote}) == {resource.model}.id')}",
                "viewonly=True",
            ]
        else:
            args.append(f"foreign_keys={py_literal(remote)}")
            # The database applies ON DELETE; the ORM must not null or delete children on its own.
            args.append('passive_deletes="all"')
        return ", ".join(args)

    @staticmethod
    def _junction_joins(
        here: ir.Resource, there: ir.Resource, junction: ir.Junction, inverse: bool = False
    ) -> list[str]:
        near, far = (
            (junction.right_column, junction.left_column)
            if inverse
            else (junction.left_column, junction.right_column)
        )
        joins = {
            "primaryjoin": f"{here.model}.id == foreign({junction.table}.c.{near})",
            "secondaryjoin": f"{there.model}.id == foreign({junction.table}.c.{far})",
        }
        if junction.branch_column is not None:  # the links of the declaring row's own branch
            side, model = ("secondaryjoin", there.model) if inverse else ("primaryjoin", here.model)
            branch = junction.branch_column.name
            joins[side] = (
                f"and_({joins[side]}, {model}.{branch} == foreign({junction.table}.c.{branch}))"
            )
        return [f"{key}={py_literal(value)}" for key, value in joins.items()] + ["viewonly=True"]

    def junction_column_type(self, kind: str) -> str:
        return INTEGER_KEY if kind == "integer" else "sa.Uuid()"

    def relation_type(self, relation: ir.Relation) -> str:
        model = self.by_name[relation.target].model
        if relation.kind == "many_to_many":
            return f"list[{model}]"
        return model if relation.required else f"{model} | None"

    def inverse_type(self, inverse: ir.InverseRelation) -> str:
        return f"list[{self.by_name[inverse.source].model}]"


def junction_enforced(junction: ir.Junction) -> bool:
    return junction.left_foreign_key is not None and junction.right_foreign_key is not None


TARGET = Target("sqlalchemy", render, "SQLAlchemy 2.0 ORM models")
