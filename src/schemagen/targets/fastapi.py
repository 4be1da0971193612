"""`fastapi` target: the backend's HTTP layer.

`backend/<package>/`: `db.py` (engine and session), `errors.py` (the error contract), `crud.py`
(what every resource shares: scoping, lists, keyset paging, writes), `app.py` (`create_app()` and
`app`), `api/<resource>.py` (one router per resource) and `api/actions.py` (the action router).
Custom action handlers are scaffolded once into the user's package (`<package>_ext/` by default).
"""

from __future__ import annotations

from collections import defaultdict

from schemagen import ir
from schemagen.files import RenderedFile
from schemagen.literals import comment_text, py_literal
from schemagen.naming import camel, pascal
from schemagen.render import RenderContext, Target
from schemagen.targets.jsonschema import action_input_name

SCOPE_COLUMNS = ("tenant_id", "branch_id")
UNSORTABLE = ("json", "array")
PACKAGE_FILES = ("db.py", "errors.py", "crud.py")


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    package = project.package
    base = f"backend/{package}"
    h = Helpers(project)
    files = [context.render(f"fastapi/{name}.j2", f"{base}/{name}", package=package, project=project, h=h) for name in PACKAGE_FILES if name != "errors.py"]
    files.append(context.render("fastapi/errors.py.j2", f"{base}/errors.py", package=package, project=project, **h.error_maps()))
    files.append(context.render("fastapi/app.py.j2", f"{base}/app.py", package=package, project=project))
    files.append(context.render("fastapi/api/__init__.py.j2", f"{base}/api/__init__.py", package=package, project=project))
    example = next((f"{r.name}.create" for r in project.resources if r.actions.create), "resource.create")
    files.append(context.render("fastapi/api/actions.py.j2", f"{base}/api/actions.py", package=package, project=project, h=h, example=example))
    for resource in project.resources:
        files.append(context.render("fastapi/api/resource.py.j2", f"{base}/api/{resource.name}.py", source=resource.source, package=package, r=resource, h=h))
    files.extend(scaffold_handlers(project, context))
    return files


def scaffold_handlers(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    """A module per handler module named by custom actions, written once, then the user's."""
    by_module: dict[str, list[tuple[ir.Resource, ir.CustomAction]]] = defaultdict(list)
    for resource in project.resources:
        for action in resource.actions.custom:
            module, _, function = action.handler.partition(":")
            if module.split(".")[0] == project.package or not function.isidentifier():
                continue  # inside the generated package: the user places it by hand
            by_module[module].append((resource, action))
    files: dict[str, RenderedFile] = {}
    for module, actions in sorted(by_module.items()):
        parts = module.split(".")
        for depth in range(1, len(parts)):
            init = "backend/" + "/".join(parts[:depth]) + "/__init__.py"
            text = context.env.get_template("fastapi/ext_init.py.j2").render(package=project.package)
            files.setdefault(init, RenderedFile(init, text, once=True))
        path = "backend/" + "/".join(parts) + ".py"
        text = context.env.get_template("fastapi/ext_module.py.j2").render(
            package=project.package, module=module, actions=actions, input_model=action_input_name, doc=doc
        )
        files[path] = RenderedFile(path, text, once=True)
    return list(files.values())


def doc(text: str | None) -> str:
    """Text safe inside a one-line triple-quoted docstring."""
    return comment_text(text).replace("\\", "\\\\").replace('"', '\\"')


class Helpers:
    """Python expressions for the templates, so the templates read like the code they make."""

    def __init__(self, project: ir.Project):
        self.project = project
        self.by_name = {r.name: r for r in project.resources}

    doc = staticmethod(doc)
    input_model = staticmethod(action_input_name)

    @staticmethod
    def plural_pascal(resource: ir.Resource) -> str:
        return pascal(resource.plural)

    def route_lines(self, resource: ir.Resource) -> list[str]:
        return [f"{method:<6} {path:<40} {operation}" for method, path, operation in routes(resource)]

    # -- the resource description

    def api_columns(self, resource: ir.Resource) -> list[tuple[str, ir.Column, ir.Field | None]]:
        """(API name, column, field) in the order of the Read shape; many-to-many fields excluded."""
        fields = {f.column.name: f for f in resource.fields if f.column is not None}
        return [(c.name, c, fields.get(c.name)) for c in resource.columns]

    def columns(self, resource: ir.Resource) -> list[tuple[str, str]]:
        result = []
        for name, column, field in self.api_columns(resource):
            args = [py_literal(column.attr), py_literal(self._kind(column, field))]
            if column.nullable:
                args.append("nullable=True")
            if field is None or field.readonly or column.primary_key:
                args.append("writable=False")
            if column.array_of:
                args.append(f"item={py_literal(column.array_of)}")
            if column.enum is not None:
                args.append(f"choices={py_literal(column.enum.values)}")
            if field is not None and field.relation is not None:
                args.append(f"references={py_literal(field.relation.target)}")
                if not field.relation.enforced:
                    args.append("enforced=False")
            result.append((name, f"crud.Column({', '.join(args)})"))
        return result

    @staticmethod
    def _kind(column: ir.Column, field: ir.Field | None) -> str:
        if field is not None and field.type == "relation":
            return "integer" if column.type == "integer" else "uuid"
        return field.type if field is not None else column.type

    def links(self, resource: ir.Resource) -> list[tuple[str, str]]:
        result = []
        for field in resource.fields:
            relation = field.relation
            if relation is None or relation.kind != "many_to_many" or relation.junction is None:
                continue
            j = relation.junction
            args = [f"models.{j.table}", py_literal(j.left_column), py_literal(j.right_column), py_literal(relation.target), f"key={py_literal(j.right_type)}"]
            result.append((field.api_name, f"crud.ManyToMany({', '.join(args)})"))
        return result

    def filterable(self, resource: ir.Resource) -> tuple[str, ...]:
        assert resource.actions.list is not None
        return tuple(resource.field(n).api_name for n in resource.actions.list.filterable)

    def sortable(self, resource: ir.Resource) -> tuple[str, ...]:
        assert resource.actions.list is not None
        kinds = {name: self._kind(column, field) for name, column, field in self.api_columns(resource)}
        return tuple(n for n in resource.actions.list.sortable if n in kinds and kinds[n] not in UNSORTABLE)

    def searchable(self, resource: ir.Resource) -> tuple[str, ...]:
        assert resource.actions.list is not None
        return tuple(resource.field(n).api_name for n in resource.actions.list.searchable if resource.field(n).column is not None)

    def inbound(self, resource: ir.Resource) -> list[str]:
        """Relations into `resource` that no foreign key enforces: the API applies their on_delete."""
        result = []
        for other in self.project.resources:
            for relation in other.relations:
                if relation.target == resource.name and relation.kind == "many_to_one" and not relation.enforced:
                    column = other.field(relation.name).column
                    assert column is not None
                    result.append(f"crud.Inbound({py_literal(other.name)}, {py_literal(column.attr)}, {py_literal(relation.on_delete or 'restrict')})")
        return result

    def unlinks(self, resource: ir.Resource) -> list[tuple[str, str]]:
        """Junction columns pointing at `resource` without a foreign key: cleared on delete."""
        result = []
        for j in self.project.junctions:
            if j.left_table == resource.table and j.left_foreign_key is None:
                result.append((j.table, j.left_column))
            if j.right_table == resource.table and j.right_foreign_key is None:
                result.append((j.table, j.right_column))
        return result

    # -- the action router

    def actions(self, project: ir.Project) -> list[tuple[str, str]]:
        result = []
        for r in project.resources:
            a = r.actions
            module = r.name
            if a.list:
                result.append((f"{r.name}.list", f"Action({module}.list_{r.plural}, takes_params=True)"))
            if a.get:
                result.append((f"{r.name}.get", f"Action({module}.get_{r.name}, takes_id=True)"))
            if a.create:
                result.append((f"{r.name}.create", f"Action({module}.create_{r.name}, schemas.{r.model}Create)"))
            if a.update:
                result.append((f"{r.name}.update", f"Action({module}.update_{r.name}, schemas.{r.model}Update, takes_id=True)"))
            if a.delete:
                result.append((f"{r.name}.delete", f"Action({module}.delete_{r.name}, takes_id=True)"))
            if a.bulk:
                result.append((f"{r.name}.bulk", f"Action({module}.bulk_{r.plural}, crud.BulkRequest)"))
            for action in a.custom:
                function = f"{action.name}_{r.name}" if action.scope == "item" else f"{action.name}_{r.plural}"
                item = ", takes_id=True" if action.scope == "item" else ""
                result.append((action.action, f"Action({module}.{function}, schemas.{action_input_name(r, action)}{item})"))
        return result

    # -- the error maps

    def error_maps(self) -> dict[str, object]:
        unique: dict[str, str] = {}
        unique_columns: dict[tuple[str, tuple[str, ...]], str] = {}
        foreign_keys: dict[str, str] = {}
        columns: dict[tuple[str, str], str] = {}
        for r in self.project.resources:
            api = {column.name: name for name, column, _ in self.api_columns(r)}
            for column in r.columns:
                columns[(r.table, column.name)] = api[column.name]
                if column.foreign_key is not None:
                    foreign_keys[column.foreign_key.name] = api[column.name]
            constraints = [(u.name, u.columns) for u in r.uniques] + [(i.name, i.columns) for i in r.indexes if i.unique]
            for name, cols in constraints:
                named = [c for c in cols if c not in SCOPE_COLUMNS] or list(cols)
                unique[name] = api[named[-1]]
                unique_columns[(r.table, tuple(cols))] = api[named[-1]]
            for field in r.fields:
                j = field.relation.junction if field.relation is not None else None
                if j is not None:
                    for fk in (j.left_foreign_key, j.right_foreign_key):
                        if fk:
                            foreign_keys[fk] = field.api_name
        return {"unique": unique, "unique_columns": unique_columns, "foreign_keys": foreign_keys, "columns": columns}


def routes(resource: ir.Resource) -> list[tuple[str, str, str]]:
    """(method, path, operation id) of every route of a resource, in the order of the router."""
    r, a = resource, resource.actions
    base = f"/api/{r.table}"
    plural = pascal(r.plural)
    result = []
    if a.list:
        result.append(("GET", base, f"list{plural}"))
    if a.create:
        result.append(("POST", base, f"create{r.model}"))
    if a.bulk:
        result.append(("POST", f"{base}/bulk", f"bulk{plural}"))
    for action in a.custom:
        if action.scope == "collection":
            result.append(("POST", f"{base}/{action.name}", f"{camel(action.name)}{r.model}"))
    if a.get:
        result.append(("GET", f"{base}/{{id}}", f"get{r.model}"))
    if a.update:
        result.append(("PATCH", f"{base}/{{id}}", f"update{r.model}"))
    if a.delete:
        result.append(("DELETE", f"{base}/{{id}}", f"delete{r.model}"))
    for action in a.custom:
        if action.scope == "item":
            result.append(("POST", f"{base}/{{id}}/{action.name}", f"{camel(action.name)}{r.model}"))
    return result


TARGET = Target(
    "fastapi",
    render,
    "FastAPI app: database session, CRUD and list routes per resource, the action router, custom action handlers",
    requires=("sqlalchemy", "pydantic"),
)
