"""`openapi` target: the OpenAPI 3.1 document FastAPI derives from the generated app.

The app serves FastAPI's own derivation (`app.openapi` is not replaced); this target writes that
same document at build time without importing the app: the routes are laid out from the API
model exactly as the generated routers declare them (summaries, answers, error responses, ETag
headers), and every schema is Pydantic's own, made from the generated `schemas/` modules, the list
routes' query models (read from the rendered routers) and `schemagen.runtime.api_models`, with
the same generator and reference template FastAPI uses. A test proves the three equal: the file,
`app.openapi()`, and the served `/openapi.json`.

Written twice with the same bytes: `openapi.json` at the top of the output for clients, and
`backend/<package>/openapi.json` beside the app. Operation ids are the client's names.
"""

from __future__ import annotations

import ast
import copy
import datetime
import decimal
import sys
import types
import typing
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

import pydantic
from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema

from schemagen import ir
from schemagen.api import Api, Operation
from schemagen.files import RenderedFile
from schemagen.literals import json_text
from schemagen.runtime import api_models, contract
from schemagen.targets.base import SCHEMAS_SHARED_MODULE, RenderContext, Target

OPENAPI_VERSION = "3.1.0"
VERSION = "0.1.0"  # the app's version (app.py)
SERVERS = [{"url": "/", "description": "This API"}]  # app.py's SERVERS
REF_TEMPLATE = "#/components/schemas/{model}"
SHARED = {name: getattr(api_models, name) for name in dir(api_models)}


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    text = json_text(document(project, context))
    return [
        RenderedFile("openapi.json", text),
        RenderedFile(f"backend/{project.package}/openapi.json", text),
    ]


# ---------------------------------------------------------------------------------------------
# The routes as the app declares them


@dataclass
class Param:
    """One parameter as FastAPI sees it: where, its name, and its Pydantic field."""

    where: str  # path, query, header
    name: str
    info: FieldInfo
    title: str
    required: bool | None = None  # None: as the field says


@dataclass
class Route:
    op: Operation
    params: list[Param] = field(default_factory=list)
    body: type[BaseModel] | None = None
    answer: type[BaseModel] | None = None


def _field(annotation: Any, **attributes: Any) -> FieldInfo:
    info = FieldInfo.from_annotation(annotation) if not attributes else Field(**attributes)
    info.annotation = annotation
    return info


def _title(alias: str) -> str:
    return alias.title().replace("_", " ")


def _headers(api: Api) -> list[Param]:
    """The header `ContextDep` reads besides the security schemes (runtime.context.get_context)."""
    info = _field(str | None, default=None, description=api_models.IF_MATCH, alias="If-Match")
    return [Param("header", "If-Match", info, "If-Match")]


def _write_headers(api: Api) -> list[Param]:
    """A write route's headers: the Idempotency-Key its guard reads (runtime.idempotency.guard,
    the routers' first dependency), then `ContextDep`'s."""
    info = _field(
        str | None,
        default=None,
        description=api_models.IDEMPOTENCY_KEY,
        alias="Idempotency-Key",
        min_length=1,
        max_length=api_models.IDEMPOTENCY_KEY_LENGTH,
        pattern=api_models.IDEMPOTENCY_KEY_PATTERN,
    )
    return [Param("header", "Idempotency-Key", info, "Idempotency-Key"), *_headers(api)]


# The security schemes `ContextDep` reads, in the order FastAPI finds them (get_principal's first).
SECURITY_ORDER = ("UserId", "TenantId", "BranchId")


def routes(api: Api, models: dict[str, Any], queries: dict[str, type[BaseModel]]) -> list[Route]:
    """Every route in the order the app registers them."""
    result = []
    reads, writes = _headers(api), _write_headers(api)

    def headers(op: Operation) -> list[Param]:
        return reads if op.method == "GET" else writes

    for resource in api.resources:
        key = int if resource.resource.primary_key == "integer" else uuid.UUID
        for op in resource.routes:
            route = Route(op)
            if op.takes_id:
                route.params.append(Param("path", "id", _field(key), "Id"))
            if op.query:
                route.params += _flatten(queries[f"{resource.resource.model}ListParams"])
            if op.files:  # the export's: format, and the list's but limit and cursor
                route.params += _flatten(queries[f"{resource.resource.model}ExportParams"])
            if op.verb == "get" and op.custom is None and resource.resource.has("soft_delete"):
                text = "Deleted rows too (deleted_at set): a deleted row is found"
                info = _field(bool, default=False, description=text)
                route.params.append(Param("query", "include_deleted", info, "Include Deleted"))
            route.params += headers(op)
            route.body = _body_model(op, models, queries)
            route.answer = models.get(op.result) if op.result else None
            result.append(route)
    result.append(_project_route(api.run_action, [], models, headers(api.run_action)))
    if api.audit is not None:
        params = _flatten(queries["AuditListParams"])
        result.append(_project_route(api.audit, params, models, headers(api.audit)))
    for op in api.branch_operations:
        name = Param("path", "name", _field(str, max_length=contract.SCOPE_LENGTH), "Name")
        result.append(_project_route(op, [name], models, headers(op)))
    if api.changes:  # api/changes.py
        listing, stream = api.changes
        params = _flatten(queries["ChangeListParams"])
        result.append(_project_route(listing, params, models, headers(listing)))
        last = _field(
            str | None,
            default=None,
            description=api_models.LAST_EVENT_ID,
            alias="Last-Event-ID",
        )
        params = [
            *_flatten(queries["ChangeStreamParams"]),
            Param("header", "Last-Event-ID", last, _title("Last-Event-ID")),
        ]
        result.append(_project_route(stream, params, models, headers(stream)))
    if api.bulk_runs:  # api/bulk_runs.py
        listing, *by_id = api.bulk_runs
        params = _flatten(queries["BulkRunListParams"])
        result.append(_project_route(listing, params, models, headers(listing)))
        for op in by_id:
            run_id = Param("path", "id", _field(uuid.UUID), "Id")
            result.append(_project_route(op, [run_id], models, headers(op)))
    for op in api.health:
        result.append(Route(op, answer=models[str(op.result)]))
    return result


def _project_route(
    op: Operation, params: list[Param], models: dict[str, Any], headers: list[Param]
) -> Route:
    return Route(
        op,
        params=[*params, *headers],
        body=_body_model(op, models, {}),
        answer=models.get(op.result) if op.result else None,
    )


def _body_model(
    op: Operation, models: dict[str, Any], queries: dict[str, type[BaseModel]]
) -> type[BaseModel] | None:
    if op.body is None:
        return None
    if op.verb == "bulk" and op.custom is None:
        return queries[op.body]  # the router's, its filter the resource's list filters
    model: type[BaseModel] = models[op.body]
    return model


def _flatten(model: type[BaseModel]) -> list[Param]:
    """A query model's fields, each a parameter (FastAPI flattens `Annotated[Model, Query()]`)."""
    return [
        Param("query", name, info, info.title or _title(info.alias or name))
        for name, info in model.model_fields.items()
    ]


# ---------------------------------------------------------------------------------------------
# The document, laid out as fastapi.openapi.utils.get_openapi lays it out


def document(project: ir.Project, context: RenderContext) -> dict[str, Any]:
    api = context.api_for(project)
    with _generated_models(project, context) as (models, queries), warnings.catch_warnings():
        # A header's alias (If-Match) is read by FastAPI, not Pydantic, which says so in a
        # warning; FastAPI silences it as it builds its own validators, and so does this.
        warnings.filterwarnings("ignore", message=".*has no effect in the context it was used")
        return derive(api, project.name, routes(api, models, queries))


def derive(api: Api, title: str, all_routes: list[Route]) -> dict[str, Any]:
    """What FastAPI's `get_openapi` makes of these routes (separate_input_output_schemas=False)."""
    license = api.project.license
    adapters: dict[tuple[int, str], pydantic.TypeAdapter[Any]] = {}
    inputs: list[tuple[Any, Any, Any]] = []

    def schema_key(owner: int, slot: str, annotation: Any, info: FieldInfo | None = None) -> Any:
        key = (owner, slot)
        if key not in adapters:
            adapters[key] = pydantic.TypeAdapter(_annotated(annotation, info))
            inputs.append((key, "validation", adapters[key].core_schema))
        return key

    for index, route in enumerate(all_routes):
        if route.body is not None:
            schema_key(index, "body", route.body)
        if route.answer is not None:
            schema_key(index, "answer", route.answer)
        for status in _error_statuses(route.op):
            schema_key(index, f"error{status}", api_models.Error)
        for param in route.params:
            schema_key(index, f"{param.where}:{param.name}", param.info.annotation, param.info)
    mapping, definitions = GenerateJsonSchema(ref_template=REF_TEMPLATE).generate_definitions(
        inputs=inputs
    )
    for definition in definitions.values():
        if "description" in definition:
            definition["description"] = definition["description"].split("\f")[0]

    def schema(index: int, slot: str, title: str | None = None) -> dict[str, Any]:
        result = dict(mapping[((index, slot), "validation")])
        if "$ref" not in result and title is not None:
            result["title"] = title
        return result

    paths: dict[str, dict[str, Any]] = {}
    for index, route in enumerate(all_routes):
        op = route.op
        operation: dict[str, Any] = {"tags": [op.tag], "summary": op.summary}
        if op.description:
            operation["description"] = op.description
        operation["operationId"] = op.operation_id
        parameters: dict[tuple[str, str], dict[str, Any]] = {}
        for where in ("path", "query", "header"):
            for param in route.params:
                if param.where != where:
                    continue
                entry = {
                    "name": param.name,
                    "in": where,
                    "required": param.info.is_required()
                    if param.required is None
                    else param.required,
                    "schema": schema(index, f"{where}:{param.name}", param.title),
                }
                if param.info.description:
                    entry["description"] = param.info.description
                parameters.setdefault((where, param.name), entry)
        if op.tag == "health":
            operation["security"] = []  # app.py's PUBLIC: no caller needed
        else:  # runtime.routing.ScopedRouter: the scoping headers, or none of them
            derived = [{name: []} for name in SECURITY_ORDER] if route.params else []
            operation["security"] = [*derived, {}]
        if parameters:
            operation["parameters"] = list(parameters.values())
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema(index, "body")}},
            }
        responses: dict[str, Any] = {str(op.status): {"description": op.answer}}
        if op.media is not None or op.files:  # a response_class of its own: FastAPI says text
            media = op.media or op.files[0]
            responses[str(op.status)]["content"] = {media: {"schema": {"type": "string"}}}
        elif op.status != 204:
            answer = schema(index, "answer") if route.answer is not None else {}
            responses[str(op.status)]["content"] = {"application/json": {"schema": answer}}
        for status, extra in _declared_responses(api, op).items():
            extra = copy.deepcopy(extra)
            extra.pop("model", None)
            response = responses.setdefault(str(status), {})
            if str(status).startswith(("4", "5")):
                content = extra.setdefault("content", {}).setdefault("application/json", {})
                content.setdefault("schema", {}).update(schema(index, f"error{status}"))
            description = extra.get("description") or response.get("description")
            _deep_update(response, extra)
            response["description"] = description
        operation["responses"] = responses
        paths.setdefault(op.path, {})[op.method.lower()] = operation
    return _fastapi_numbers(
        _without_none(
            {
                "openapi": OPENAPI_VERSION,
                "info": {
                    "title": title,
                    "version": VERSION,
                    "license": {"name": license, "identifier": license},
                },
                "servers": SERVERS,
                "paths": paths,
                "components": {
                    "schemas": {k: definitions[k] for k in sorted(definitions)},
                    "securitySchemes": {
                        scheme: {
                            "type": "apiKey",
                            "description": text,
                            "in": "header",
                            "name": header,
                        }
                        for scheme, (header, text) in api_models.SCOPE_HEADERS.items()
                    },
                },
            }
        )
    )


# The Schema keywords FastAPI's document model types as float: `maximum: 5` is written 5.0.
_FLOAT_KEYWORDS = frozenset(
    ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
)
# Values that are data, not schemas: left as they are.
_DATA_KEYWORDS = frozenset(("default", "example", "examples", "const", "enum"))


def _fastapi_numbers(value: Any) -> Any:
    """Numeric bounds as FastAPI writes them, through its float-typed Schema model."""
    if isinstance(value, dict):
        return {
            k: (
                v
                if k in _DATA_KEYWORDS
                else float(v)
                if k in _FLOAT_KEYWORDS and isinstance(v, int) and not isinstance(v, bool)
                else _fastapi_numbers(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_fastapi_numbers(item) for item in value]
    return value


def _without_none(value: Any) -> Any:
    """FastAPI encodes the document with `exclude_none`: a null default is not written."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value


def _annotated(annotation: Any, info: FieldInfo | None) -> Any:
    """The type FastAPI validates a field with: its annotation, metadata and other attributes."""
    if info is None:
        return annotation
    attributes = FieldInfo.asdict(info)
    return Annotated[
        (attributes["annotation"], *attributes["metadata"], Field(**attributes["attributes"]))
    ]  # type: ignore[valid-type]


def _declared_responses(api: Api, op: Operation) -> dict[int | str, dict[str, Any]]:
    """The route's `responses=`, as the generated decorator builds them."""
    etag = None
    if (
        op.resource is not None
        and op.result is not None
        and op.result == _versioned.get(op.resource)
    ):
        etag = op.status
    links = None
    if op.resource is not None and op.verb == "create" and op.custom is None:
        links = (op.status, api.resource(op.resource).links())
    if not op.errors and etag is None and not op.also and not (links and links[1]) and not op.files:
        return {}
    return api_models.error_responses(
        *op.errors,
        etag=etag,
        answers=dict(op.also) or None,
        links=links,
        events=op.media is not None,
        files=contract.EXPORT_SCHEMAS if op.files else None,
    )


_versioned: dict[str, str] = {}  # versioned resources: their Read schema (answered with an ETag)


def _error_statuses(op: Operation) -> list[int]:
    return sorted({api_models.ERROR_CODES[code][0] for code in op.errors})


def _deep_update(main: dict[str, Any], update: dict[str, Any]) -> None:
    """fastapi.utils.deep_dict_update."""
    for key, value in update.items():
        if key in main and isinstance(main[key], dict) and isinstance(value, dict):
            _deep_update(main[key], value)
        elif key in main and isinstance(main[key], list) and isinstance(value, list):
            main[key] = main[key] + value
        else:
            main[key] = value


# ---------------------------------------------------------------------------------------------
# The generated models, as Pydantic classes


class _GeneratedModels:
    def __init__(self, project: ir.Project, context: RenderContext) -> None:
        self.project = project
        self.context = context
        self.module_name = f"_schemagen_openapi_{project.package}"
        self.submodules: list[str] = []

    def __enter__(self) -> tuple[dict[str, Any], dict[str, type[BaseModel]]]:
        _versioned.clear()
        _versioned.update(
            {r.name: f"{r.model}Read" for r in self.project.resources if r.has("versioned")}
        )
        # The schemas package as the app imports it: the shared module, then each resource's,
        # under this package's name (their `from ._shared import ...` finds it in sys.modules).
        package = types.ModuleType(self.module_name)
        package.__path__ = []
        sys.modules[self.module_name] = package
        folder = f"backend/{self.project.package}/schemas/"
        sources = {
            f.path.removeprefix(folder).removesuffix(".py"): f.content
            for f in self.context.outputs.get("pydantic", [])
            if f.path.startswith(folder) and not f.path.endswith("/__init__.py")
        }
        defined: dict[str, Any] = {}
        for stem in sorted(sources, key=lambda stem: (stem != SCHEMAS_SHARED_MODULE, stem)):
            module = types.ModuleType(f"{self.module_name}.{stem}")
            module.__package__ = self.module_name
            sys.modules[module.__name__] = module
            self.submodules.append(module.__name__)
            code = compile(sources[stem], f"{folder}{stem}.py", "exec", dont_inherit=True)
            exec(code, module.__dict__)  # noqa: S102
            if stem != SCHEMAS_SHARED_MODULE:
                defined.update(module.__dict__)
        models = {
            name: value
            for name, value in defined.items()
            if isinstance(value, type) and issubclass(value, BaseModel)
        }
        models.update(
            {n: m for n, m in SHARED.items() if isinstance(m, type) and issubclass(m, BaseModel)}
        )
        queries: dict[str, type[BaseModel]] = {}
        routers: dict[str, types.SimpleNamespace] = {}  # api/<resource>.py's models, by module
        # The resource routers first: the action router's bodies use their query models.
        for rendered in sorted(
            self.context.outputs.get("fastapi", []), key=lambda f: f.path.endswith("/actions.py")
        ):
            if "/api/" not in rendered.path:  # the routers only, not the runtime's own models
                continue
            # One namespace per router: a bulk request names the filter model before it.
            namespace = dict(_QUERY_NAMESPACE, __name__=self.module_name)
            # A bulk request's values are the resource's update model, the one of schemas/.
            namespace["schemas"] = types.SimpleNamespace(**{**models, **_DEFERRED})
            namespace.update({f"{name}_api": router for name, router in routers.items()})
            declared = {}
            for name, source in _router_models(rendered.content):
                exec(compile(source, rendered.path, "exec", dont_inherit=True), namespace)  # noqa: S102
                declared[name] = queries[name] = namespace[name]
            routers[rendered.path.rsplit("/", 1)[-1].removesuffix(".py")] = types.SimpleNamespace(
                **declared
            )
        if "ActionRequest" in queries:  # the action router's: one model per action
            models["ActionRequest"] = queries.pop("ActionRequest")
        return models, queries

    def __exit__(self, *exc: object) -> None:
        for name in [*self.submodules, self.module_name]:
            sys.modules.pop(name, None)


def _generated_models(project: ir.Project, context: RenderContext) -> _GeneratedModels:
    return _GeneratedModels(project, context)


def _text(context: RenderContext, target: str, path: str) -> str:
    return next(f.content for f in context.outputs.get(target, []) if f.path == path)


# What a list route's query model refers to (the runtime's comma splitting is validation only).
# Deferred in the app (built on first use); a model like any other here.
_DEFERRED = {"DeferredModel": BaseModel}
_QUERY_NAMESPACE: dict[str, Any] = {
    "Annotated": Annotated,
    "Literal": typing.Literal,
    "BaseModel": BaseModel,
    "BeforeValidator": pydantic.BeforeValidator,
    "ConfigDict": pydantic.ConfigDict,
    "Field": Field,
    "RootModel": pydantic.RootModel,
    "datetime": datetime,
    "decimal": decimal,
    "uuid": uuid,
    "http": types.SimpleNamespace(
        comma_separated=lambda value: value,
        strict_text=lambda kind: lambda value: value,
        integral=lambda value: value,
    ),
    # Deferred in the app (built on first use); a model like any other here.
    "schemas": types.SimpleNamespace(DeferredModel=BaseModel),
    "contract": contract,
    "api_models": api_models,
}


def _router_models(text: str) -> Iterator[tuple[str, str]]:
    """The models a rendered router declares (`...ListParams`, `...BulkFilter`, `...BulkRequest`;
    the action router's `...Action` models and `ActionRequest`), as source, in their order: every
    class at the top of a router module is one."""
    # Lines split once: ast.get_source_segment splits the whole text on every call, quadratic
    # in a router of many actions (83 s of a 100-resource build).
    lines = text.splitlines(keepends=True)
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef):  # at the top: whole lines, from column 0
            yield node.name, "".join(lines[node.lineno - 1 : node.end_lineno]).rstrip("\n") + "\n"


TARGET = Target(
    "openapi",
    render,
    "The OpenAPI 3.1 document FastAPI derives from the app, with the client's operation ids",
    requires=("jsonschema", "pydantic", "fastapi"),
)
