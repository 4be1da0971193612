"""`zod` target: `client/src/schemas.ts`, zod v4 schemas mirroring every server-side constraint.

Per resource `bookSchema` (Read: tolerates fields added later), `bookCreateSchema` and
`bookUpdateSchema` (strict, as the API refuses unknown fields), each custom action's input
schema, and one schema per enum. Each field carries its label, help and description in
`.meta()`. Each schema is checked against types.ts at compile time (`satisfies`).
"""

from __future__ import annotations

from decimal import Decimal

from schemagen import ir
from schemagen.client import SRC, Client, prop, read_columns, runtime_files, template_values
from schemagen.files import RenderedFile
from schemagen.literals import ts_literal, ts_number
from schemagen.targets.base import RenderContext, Target
from schemagen.types import REGISTRY, FieldType


class ZodSchemas:
    """zod expressions for the fields of a project."""

    def __init__(self, client: Client):
        self.client = client

    def value(
        self,
        kind: str,
        field: ir.Field | None,
        resource: ir.Resource | None,
        *,
        inline_enum: bool = False,
    ) -> str:
        """The schema of a non-null value of `kind`, with the field's constraints."""
        f = field
        definition = REGISTRY[FieldType(kind)]
        match definition.family:
            case "text":
                text = definition.zod
                if f is not None and f.min_length is not None:
                    text += f".min({f.min_length})"
                if f is not None and f.max_length is not None:
                    text += f".max({f.max_length})"
                if f is not None and f.pattern is not None:
                    text = f"withPattern({text}, {ts_literal(f.pattern)})"
                return text
            case "number" if definition.bounds is not None:
                text = definition.zod
                # A bigint's bounds are beyond what a JSON number holds exactly: not checked.
                low, high = definition.bounds if kind == FieldType.INTEGER else (None, None)
                minimum = f.minimum if f is not None and f.minimum is not None else None
                maximum = f.maximum if f is not None and f.maximum is not None else None
                minimum = minimum if low is None or (minimum is not None and minimum > low) else low
                maximum = (
                    maximum if high is None or (maximum is not None and maximum < high) else high
                )
                if minimum is not None:
                    text += f".min({ts_number(minimum)})"
                if maximum is not None:
                    text += f".max({ts_number(maximum)})"
                return text
            case "number" if kind == FieldType.FLOAT:
                text = definition.zod
                if f is not None and f.minimum is not None:
                    text += f".min({ts_number(f.minimum)})"
                if f is not None and f.maximum is not None:
                    text += f".max({ts_number(f.maximum)})"
                return text
            case "number":
                assert f is not None and f.precision is not None and f.scale is not None
                # NUMERIC(p, s) holds less than 10^(p-s) in magnitude, in steps of 10^-s.
                limit = Decimal(10) ** (f.precision - f.scale)
                text = "z.number()"
                text += (
                    f".min({ts_number(f.minimum)})"
                    if f.minimum is not None and f.minimum > -limit
                    else f".gt({ts_number(-limit)})"
                )
                text += (
                    f".max({ts_number(f.maximum)})"
                    if f.maximum is not None and f.maximum < limit
                    else f".lt({ts_number(limit)})"
                )
                return text + f".multipleOf({ts_number(Decimal(1).scaleb(-f.scale))})"
            case "boolean" | "temporal" | "uuid" | "json":
                return definition.zod
            case "enum":
                assert f is not None and resource is not None and f.enum is not None
                if inline_enum:  # an action input's enum has no named type (see value_type)
                    return "z.enum([" + ", ".join(ts_literal(v) for v in f.enum.values) + "])"
                return self.client.n(resource).enum_schema(f)
            case "array":
                assert f is not None
                return f"z.array({self.value(f.array_of or FieldType.STRING, None, None)})"
            case "relation":
                assert f is not None and f.relation is not None
                key = (
                    "z.number().int()"
                    if self.client.key_type(f.relation.target) == "number"
                    else "z.guid()"
                )
                return key if kind == "relation" else f"z.array({key})"
        raise ValueError(f"no zod schema for type {kind}")

    def field(
        self,
        field: ir.Field,
        resource: ir.Resource,
        *,
        optional: bool,
        nullable: bool | None = None,
        inline_enum: bool = False,
    ) -> str:
        text = self.value(field.type, field, resource, inline_enum=inline_enum)
        if (field.nullable if nullable is None else nullable) and field.type != "json":
            text += ".nullable()"
        if optional:
            text += ".optional()"
        return text + ".meta(" + self.meta(field) + ")"

    @staticmethod
    def meta(field: ir.Field) -> str:
        parts = [f"label: {ts_literal(field.label)}"]
        if field.help:
            parts.append(f"help: {ts_literal(field.help)}")
        if field.description:
            parts.append(f"description: {ts_literal(field.description)}")
        return "{ " + ", ".join(parts) + " }"

    def read(self, resource: ir.Resource) -> list[tuple[str, str]]:
        fields = {f.column.name: f for f in resource.fields if f.column is not None}
        key = "z.number().int()" if resource.primary_key == "integer" else "z.guid()"
        result = [(prop("id"), key)]
        for column in read_columns(resource):
            field = fields.get(column.name)
            if field is not None:
                result.append((prop(field.api_name), self.field(field, resource, optional=False)))
            else:
                result.append((prop(column.name), _trait(column)))
        for field in resource.fields:
            if field.type == "many_to_many":
                result.append((prop(field.api_name), self.field(field, resource, optional=False)))
        return result

    def create(self, resource: ir.Resource) -> list[tuple[str, str]]:
        return [
            (prop(f.api_name), self.field(f, resource, optional=not f.required))
            for f in resource.fields
            if not f.readonly
        ]

    def update(self, resource: ir.Resource) -> list[tuple[str, str]]:
        result = [
            (prop(f.api_name), self.field(f, resource, optional=True))
            for f in resource.fields
            if not f.readonly
        ]
        if resource.has("versioned"):
            result.append(
                ("version", 'z.number().int().min(1).optional().meta({ label: "Version" })')
            )
        return result

    def action_input(self, resource: ir.Resource, action: ir.CustomAction) -> list[tuple[str, str]]:
        return [
            (prop(f.api_name), self.field(f, resource, optional=not f.required, inline_enum=True))
            for f in action.inputs
        ]


def _trait(column: ir.Column) -> str:
    base = REGISTRY[column.type].zod
    if column.max_length is not None:
        base += f".max({column.max_length})"
    return base + (".nullable()" if column.nullable else "")


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    client = Client(project, context.api_for(project))
    return [
        context.render(
            "typescript/schemas.ts.j2",
            f"{SRC}/schemas.ts",
            z=ZodSchemas(client),
            **template_values(client),
        ),
        *runtime_files("zod"),
    ]


TARGET = Target(
    "zod",
    render,
    "zod v4 schemas mirroring every server-side constraint, labels in .meta() (schemas.ts)",
    requires=("typescript",),
)
