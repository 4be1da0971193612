"""`forms` target: `client/src/forms.ts` and `client/src/forms.json`, the definitions an
auto-generated form renders from.

Per resource (`bookForm`): the form's fields in the schema's `ui.form` order, each with its label,
help, widget, whether it is required, its validation rules, its default, enum options as
value/label pairs, a relation as the related resource with its list hook and title field, and
whether it is read-only when creating and when updating; and the zod schemas that validate the
whole form. Per custom action with an input (`bookArchiveInputForm`, and all of them in
`actionForms` by qualified name): the same for the input's fields, validated by the action's input
schema, which the web app's action dialogs render. forms.json holds the same data with the hooks
named instead of referenced.
"""

from __future__ import annotations

from typing import Any

from schemagen import ir
from schemagen.client import (
    SRC,
    Client,
    Raw,
    number,
    runtime_files,
    template_values,
    ts_value,
    with_hooks,
)
from schemagen.files import RenderedFile
from schemagen.literals import json_text
from schemagen.render import header_comment
from schemagen.targets.base import RenderContext, Target
from schemagen.types import REGISTRY, FieldType


def rules(field: ir.Field) -> dict[str, Any]:
    """The validation rules a form can check before sending (the zod schemas check them all)."""
    result: dict[str, Any] = {}
    if field.required:
        result["required"] = True
    if field.min_length is not None:
        result["minLength"] = field.min_length
    if field.max_length is not None:
        result["maxLength"] = field.max_length
    definition = REGISTRY[field.type]
    # A bigint's bounds are beyond what a JavaScript number holds exactly: not checked.
    bounds = definition.bounds if field.type == FieldType.INTEGER else None
    if field.minimum is not None:
        result["min"] = number(field.minimum)
    elif bounds is not None:
        result["min"] = bounds[0]
    if field.maximum is not None:
        result["max"] = number(field.maximum)
    elif bounds is not None:
        result["max"] = bounds[1]
    if field.type == FieldType.DECIMAL and field.precision is not None and field.scale is not None:
        limit = 10 ** (field.precision - field.scale)
        result.setdefault("min", -limit)
        result.setdefault("max", limit)
        result["step"] = number(f"1e-{field.scale}") if field.scale else 1
    if definition.bounds is not None:  # whole numbers
        result["step"] = 1
    if field.pattern is not None:
        result["pattern"] = field.pattern
    if "format" in definition.json_schema and field.type != FieldType.DECIMAL:
        result["format"] = definition.json_schema["format"]
    if field.unique:
        result["unique"] = True
    return result


def form_field(client: Client, resource: ir.Resource, field: ir.Field) -> dict[str, Any]:
    data: dict[str, Any] = {"name": field.api_name, "field": field.name, "label": field.label}
    if field.help:
        data["help"] = field.help
    if field.description:
        data["description"] = field.description
    data["widget"] = field.widget or "text"
    data["type"] = field.type
    if field.array_of:
        data["of"] = field.array_of
    data["required"] = field.required
    data["nullable"] = field.nullable
    data["rules"] = rules(field)
    if field.default is not None:
        if field.default.kind in ("now", "today"):
            data["defaultFrom"] = field.default.kind
        else:
            data["default"] = (
                number(field.default.value)
                if field.type == FieldType.DECIMAL
                else field.default.value
            )
    if field.enum is not None:
        data["options"] = [{"value": o.value, "label": o.label} for o in field.enum.options]
    if field.relation is not None:
        target = client.by_name[field.relation.target]
        n = client.n(target)
        data["relation"] = {
            "resource": target.name,
            "multiple": field.relation.kind == "many_to_many",
            "valueField": "id",
            "titleField": target.title_api_name,
            "listHook": n.use_list if target.actions.list else None,
            "listQueryOptions": n.list_options if target.actions.list else None,
        }
    data["readOnly"] = {"create": field.readonly, "update": field.readonly}
    return data


def form(client: Client, resource: ir.Resource) -> dict[str, Any]:
    fields = {f.name: f for f in resource.fields}
    return {
        "resource": resource.name,
        "label": resource.label,
        "fields": [
            form_field(client, resource, fields[name])
            for name in resource.ui.form_fields
            if name in fields
        ],
    }


def action_form(client: Client, resource: ir.Resource, action: ir.CustomAction) -> dict[str, Any]:
    """The form of a custom action's input: its fields, in the order the schema gives them."""
    return {
        "resource": resource.name,
        "label": action.label,
        "fields": [form_field(client, resource, field) for field in action.inputs],
    }


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    client = Client(project, context.api_for(project))
    forms = {r.name: form(client, r) for r in project.resources}
    with_input = [(r, a) for r in project.resources for a in r.actions.custom if a.inputs]
    action_forms = {a.action: action_form(client, r, a) for r, a in with_input}
    document = {
        "$comment": header_comment(context.schemas_label),
        "forms": forms,
        "actionForms": action_forms,
    }
    code = {}
    for resource in project.resources:
        n = client.n(resource)
        schemas = Raw(f"{{ create: s.{n.create_schema}, update: s.{n.update_schema} }}")
        code[resource.name] = ts_value(with_hooks(forms[resource.name]) | {"schemas": schemas})
    # An action's input is one shape: the same schema checks it in either mode.
    action_code = []
    for resource, action in with_input:
        n = client.n(resource)
        schema = n.action_schema(action)
        schemas = Raw(f"{{ create: s.{schema}, update: s.{schema} }}")
        value = ts_value(with_hooks(action_forms[action.action]) | {"schemas": schemas})
        action_code.append((n.action_form(action), resource.name, action.action, value))
    return [
        context.render(
            "typescript/forms.ts.j2",
            f"{SRC}/forms.ts",
            forms=code,
            action_forms=action_code,
            uses_hooks=any(
                field.get("relation", {}).get("listHook")
                for data in [*forms.values(), *action_forms.values()]
                for field in data["fields"]
            ),
            **template_values(client),
        ),
        RenderedFile(f"{SRC}/forms.json", json_text(document)),
        *runtime_files("forms"),
    ]


TARGET = Target(
    "forms",
    render,
    "Form definitions per resource: fields, widgets, rules, options, relations with their list hooks (forms.ts, forms.json)",
    requires=("typescript", "zod", "tanstack"),
)
