"""`tests` target: a pytest suite inside the generated backend that drives every resource over HTTP.

`backend/<package>/tests/`: `conftest.py` (the app on `DATABASE_URL`, tables created once, rows
deleted after each test), the checks written once for every resource (`runtime/testing.py`,
copied from `schemagen.runtime`),
`resources.py` (what this project's resources are: sample payloads computed here, invalid values,
uniques, relations, filters) and one `test_<resource>.py` per resource that lists what is tested.

Sample values respect every constraint of their field: lengths, bounds, decimal scale, enum
values, patterns (a string is drawn from the regular expression itself). Values of fields that are
not unique repeat across rows on purpose, so sorting meets ties; strings carry quotes, backslashes,
`%s`, `</script>` and an emoji, so hostile data travels the whole stack on every database.
"""

from __future__ import annotations

from typing import Any

from schemagen import ir
from schemagen.api import ResourceApi, unique_sets
from schemagen.files import RenderedFile
from schemagen.literals import py_literal
from schemagen.runtime_files import runtime_file
from schemagen.targets.base import RenderContext, Target
from schemagen.types import MISSING, REGISTRY, FieldType, Missing

SAMPLES = 8  # rows a test may create of one resource (paging uses 6, plus parents)


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    base = f"backend/{project.package}/tests"
    api = context.api_for(project)
    inbound = inbound_relations(project)
    infos = {r.name: ResourceInfo(project, api.resource(r), inbound) for r in project.resources}
    values = {"package": project.package, "project": project, "infos": infos, "lit": literal}
    files = [
        runtime_file(project.package, "testing"),
        context.render("tests/__init__.py.j2", f"{base}/__init__.py", **values),
        context.render("tests/conftest.py.j2", f"{base}/conftest.py", **values),
        context.render("tests/resources.py.j2", f"{base}/resources.py", **values),
        context.render("tests/test_api.py.j2", f"{base}/test_api.py", **values),
    ]
    row_security = row_security_tables(project)
    if row_security:
        files.append(
            context.render(
                "tests/test_row_level_security.py.j2",
                f"{base}/test_row_level_security.py",
                tables=row_security,
                **values,
            )
        )
    for resource in project.resources:
        files.append(
            context.render(
                "tests/test_resource.py.j2",
                f"{base}/test_{resource.name}.py",
                source=resource.source,
                info=infos[resource.name],
                r=resource,
                **values,
            )
        )
    return files


def row_security_tables(project: ir.Project) -> list[dict[str, Any]]:
    """What the generated row-level security test proves, per table with policies: how its rows
    are made through the API, and which strangers (another tenant, another user) must not reach
    them. A table whose rows the API cannot create (no `create` action) is left out."""
    made = {r.name: r for r in project.resources if r.actions.create}
    tables: list[dict[str, Any]] = []
    for r in made.values():
        if r.policies:
            tables.append(
                {
                    "table": r.table,
                    "kind": "resource",
                    "resource": r.name,
                    "tenant": r.has("tenant"),
                    "owned": r.has("owned"),
                }
            )
    for r in made.values():
        for f in r.fields:
            relation = f.relation
            if relation is None or relation.junction is None or f.readonly:
                continue
            junction, target = relation.junction, made.get(relation.target)
            if not junction.policies or target is None:
                continue
            tables.append(
                {
                    "table": junction.table,
                    "kind": "junction",
                    "resource": r.name,
                    "field": f.api_name,
                    "target": target.name,
                    "left": junction.left_column,
                    "right": junction.right_column,
                    "tenant": r.has("tenant") or target.has("tenant"),
                    "owned": r.has("owned") or target.has("owned"),
                    "system": r.has("owned"),  # a system row's links are no user's to change
                }
            )
    system = {t.name: t for t in project.system_tables}
    # One resource stands for all that write there: an owned one proves the writer rule too.
    audited = sorted(
        (r for r in made.values() if r.has("audit")),
        key=lambda r: (not r.has("owned"), not r.has("tenant"), r.name),
    )
    if "audit_log" in system and system["audit_log"].policies and audited:
        r = audited[0]
        tables.append(
            {
                "table": "audit_log",
                "kind": "audit",
                "resource": r.name,
                "tenant": True,  # entries carry the caller's tenant, whatever the resource
                "owned": r.has("owned"),
            }
        )
    bulk = sorted(
        (r for r in project.resources if r.actions.bulk is not None),
        key=lambda r: (not r.has("tenant"), r.name),
    )
    if "bulk_runs" in system and system["bulk_runs"].policies and bulk:
        r = bulk[0]
        tables.append(
            {
                "table": "bulk_runs",
                "kind": "bulk",
                "resource": r.name,
                "tenant": r.has("tenant"),
                "owned": True,  # a run is its runner's
            }
        )
    keyed = sorted(made.values(), key=lambda r: (not r.has("tenant"), r.name))
    if "idempotency_keys" in system and system["idempotency_keys"].policies and keyed:
        tables.append(
            {
                "table": "idempotency_keys",
                "kind": "idempotency",
                "resource": keyed[0].name,
                "tenant": True,  # a key carries the caller's tenant, whatever the resource
                "owned": True,  # and is its caller's
            }
        )
    # A change is scoped as its row: a resource that is per tenant or per owner proves the rules.
    scoped = sorted(
        (r for r in made.values() if r.has("tenant") or r.has("owned")),
        key=lambda r: (not (r.has("tenant") and r.has("owned")), not r.has("owned"), r.name),
    )
    if "change_feed" in system and system["change_feed"].policies and scoped:
        r = scoped[0]
        tables.append(
            {
                "table": "change_feed",
                "kind": "feed",
                "resource": r.name,
                "tenant": r.has("tenant"),
                "owned": r.has("owned"),
            }
        )
    return tables


def literal(value: Any) -> str:
    """A Python literal of sample data (`MISSING` for a left-out key)."""
    if not _holds_missing(value):
        # Sample data is str, int, finite float, bool, None, list, tuple and dict: repr is a
        # literal that evaluates to it (and escapes what Python source cannot hold as is).
        return repr(value)
    if isinstance(value, Missing):
        return "MISSING"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + "".join(f"{literal(v)}, " for v in value) + ")"
    return py_literal(value)


def _holds_missing(value: Any) -> bool:
    if isinstance(value, Missing):
        return True
    if isinstance(value, dict):
        return any(_holds_missing(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_missing(v) for v in value)
    return False


def inbound_relations(project: ir.Project) -> dict[str, list[tuple[str, str, str]]]:
    """Per resource, (source resource, its API field, rule) of every relation pointing at it."""
    result: dict[str, list[tuple[str, str, str]]] = {r.name: [] for r in project.resources}
    for other in project.resources:
        for field in other.fields:
            relation = field.relation
            if relation is not None and not field.readonly:
                rule = (
                    "unlink"
                    if relation.kind == "many_to_many"
                    else relation.on_delete or "restrict"
                )
                result[relation.target].append((other.name, field.api_name, rule))
    return result


class ResourceInfo:
    """What the generated tests know about one resource, computed from the IR."""

    def __init__(
        self,
        project: ir.Project,
        api: ResourceApi,
        inbound: dict[str, list[tuple[str, str, str]]],
    ):
        self.project = project
        self.inbound_map = inbound
        self.api = api
        self.r = api.resource
        self.writable = [f for f in self.r.fields if not f.readonly]
        self.unique_sets = unique_sets(self.r)
        unique_fields = {name for names in self.unique_sets for name in names}
        self.problems: list[str] = []
        self.samples: list[dict[str, Any]] = []
        for n in range(SAMPLES):
            self.samples.append(self._sample(n, unique_fields))
        self.minimal = {k: v for k, v in self.samples[0].items() if self._field(k).required}

    # -- facts

    def _field(self, api_name: str) -> ir.Field:
        return next(f for f in self.r.fields if f.api_name == api_name)

    @property
    def types(self) -> dict[str, str]:
        return self.api.kinds()

    @property
    def operations(self) -> tuple[str, ...]:
        """The built-in operations the generated checks exercise."""
        tested = ("list", "get", "create", "update", "delete", "bulk")
        return tuple(verb for verb in tested if self.api.operation(verb) is not None)

    @property
    def relations(self) -> dict[str, tuple[str, bool]]:
        """API name -> (target, required) of every writable many-to-one field."""
        return {
            f.api_name: (f.relation.target, f.required)
            for f in self.writable
            if f.relation is not None and f.type == "relation"
        }

    @property
    def many_to_many(self) -> dict[str, str]:
        return {
            f.api_name: f.relation.target
            for f in self.writable
            if f.relation is not None and f.type == "many_to_many"
        }

    @property
    def inbound(self) -> list[tuple[str, str, str]]:
        """(source resource, its API field, rule) of every relation pointing here."""
        return self.inbound_map[self.r.name]

    @property
    def filters(self) -> list[tuple[str, str]]:
        if self.api.list is None:
            return []
        return [(f.name, op) for f in self.api.list.filters for op in f.operators]

    @property
    def searchable(self) -> tuple[str, ...]:
        return self.api.list.searchable if self.api.list is not None else ()

    @property
    def sorts(self) -> list[str | None]:
        if self.api.list is None:
            return []
        return [None, *self.api.list.sort_tokens]

    @property
    def update(self) -> dict[str, Any]:
        """A PATCH body: sample 1's values of fields that are not relations."""
        return {k: v for k, v in self.samples[1].items() if self._field(k).relation is None}

    @property
    def bulk_values(self) -> dict[str, Any]:
        for field in self.writable:
            if (
                field.relation is None
                and field.api_name not in {n for s in self.unique_sets for n in s}
                and field.api_name in self.samples[2]
            ):
                return {field.api_name: self.samples[2][field.api_name]}
        return {}

    @property
    def actions(self) -> list[dict[str, Any]]:
        result = []
        for action in self.r.actions.custom:
            valid = {}
            for field in action.inputs:
                value = sample_value(self.r, field, 0, unique=False, nullable=False)
                if value is not MISSING and field.relation is None:
                    valid[field.api_name] = value
            required = [f for f in action.inputs if f.required]
            if required:
                invalid, invalid_field = (
                    {k: v for k, v in valid.items() if k != required[0].api_name},
                    required[0].api_name,
                )
            else:
                invalid, invalid_field = {**valid, "unexpected_field": 1}, "unexpected_field"
            runnable = all(f.api_name in valid for f in required)
            result.append(
                {
                    "name": action.name,
                    "scope": action.scope,
                    "valid": valid,
                    "invalid": invalid,
                    "invalid_field": invalid_field,
                    "runnable": runnable,
                }
            )
        return result

    # -- samples

    def _sample(self, n: int, unique_fields: set[str]) -> dict[str, Any]:
        sample: dict[str, Any] = {}
        for field in self.writable:
            if field.relation is not None:
                continue  # ids come from rows the tests create
            unique = field.api_name in unique_fields or field.unique
            value = sample_value(
                self.r,
                field,
                n,
                unique=unique,
                nullable=field.nullable and not field.required and n % 3 == 2,
            )
            if value is MISSING:
                if field.required:
                    self.problems.append(f"no sample value for the required field {field.name}")
                continue
            if (
                value is not None
                and (field.unique or (field.api_name,) in self.unique_sets)
                and any(earlier.get(field.api_name) == value for earlier in self.samples)
                and field.nullable
                and not field.required
            ):
                value = None  # the field holds fewer distinct values than the tests make rows
            sample[field.api_name] = value
        return sample

    @property
    def invalid(self) -> list[tuple[dict[str, Any], str]]:
        """(changes to a valid payload, the field the 422 must name)."""
        cases: list[tuple[dict[str, Any], str]] = []
        for field in self.writable:
            if field.required and field.api_name in self.samples[0]:
                cases.append(({field.api_name: MISSING}, field.api_name))
            for value in invalid_values(field):
                cases.append(({field.api_name: value}, field.api_name))
        cases.append(({"not_a_field": 1}, "not_a_field"))
        return cases


# ---------------------------------------------------------------------------------------------
# Values


def sample_value(
    resource: ir.Resource, field: ir.Field, n: int, *, unique: bool, nullable: bool
) -> Any:
    """A valid JSON value for `field` in row `n`; None where the row leaves it null, MISSING if none fits."""
    if nullable:
        return None
    kind = field.type
    k = n if unique or kind == FieldType.ENUM else n % 2  # every enum value travels; others tie
    if kind == FieldType.ARRAY:
        items = [
            scalar_value(resource, field.array_of or FieldType.STRING, None, k + i, name=field.name)
            for i in range(2)
        ]
        return MISSING if MISSING in items else items
    return scalar_value(resource, kind, field, k, name=field.name)


def scalar_value(
    resource: ir.Resource, kind: FieldType, field: ir.Field | None, k: int, *, name: str
) -> Any:
    sample = REGISTRY[kind].sample
    return MISSING if sample is None else sample(field, k, resource.name, name)


def invalid_values(field: ir.Field) -> list[Any]:
    """Values the API must refuse with 422 naming this field."""
    return REGISTRY[field.type].invalid(field)


TARGET = Target(
    "tests",
    render,
    "A pytest suite in the generated backend: every resource over HTTP, on whatever DATABASE_URL names",
    requires=("fastapi",),
)
