"""JSON in and out: strict request bodies, responses with decimals as numbers, path ids."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi import params as fastapi_params
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from .errors import ApiError, from_validation
from .resources import Column, Resource
from .values import json_default, parse_value


class ApiResponse(JSONResponse):
    """JSON with decimals as numbers (the JSON Schema says number), times in ISO 8601."""

    def render(self, content: object) -> bytes:
        return json.dumps(
            content,
            default=json_default,
            ensure_ascii=False,
            allow_nan=False,
            separators=(",", ":"),
        ).encode("utf-8")


class Accepted(dict[str, Any]):
    """An answer for work that goes on after it (a bulk run in the background): 202, with
    `Location` where to follow it. The route and the action router answer it alike."""

    def __init__(self, content: dict[str, Any], location: str) -> None:
        super().__init__(content)
        self.location = location


def respond(content: object, status_code: int = 200) -> ApiResponse:
    if isinstance(content, Accepted):
        return ApiResponse(dict(content), status_code=202, headers={"Location": content.location})
    return ApiResponse(content, status_code=status_code)


def respond_row(resource: Resource, item: dict[str, Any], status_code: int = 200) -> ApiResponse:
    """A row; versioned rows carry their version as the ETag that If-Match sends back."""
    response = respond(item, status_code)
    if resource.has("versioned"):
        response.headers["ETag"] = f'"{item["version"]}"'
    return response


Body = TypeVar("Body", bound=BaseModel)


def json_body(model: type[Body]) -> object:
    """The request body as `model`, a route's `body: Annotated[Model, http.json_body(Model)]`.

    FastAPI sees the body as `model` (so the OpenAPI document shows it and shapes are checked
    first), then it is read again from the raw JSON, strictly: a date must be a date string, an
    integer an integer, a boolean a boolean, as the document says, and decimals keep every digit
    (FastAPI's own parsing is lax: it would store `"started_on": 0` as 1970-01-01).
    """

    async def parse(request: Request, body: object) -> Body:
        return parse_json(model, await request.body())

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter(
            "body",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[model, fastapi_params.Body()],
        ),
    ]
    parse.__signature__ = inspect.Signature(parameters, return_annotation=model)  # type: ignore[attr-defined]
    return Depends(parse)


def parse_json(model: type[Body], raw: bytes | str) -> Body:
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as error:
        raise from_validation(list(error.errors())) from None


def strict(model: type[Body], data: object) -> Body:
    """Decoded JSON (the action router's `input`, a bulk run's `values`) as `model`, as strictly as a body."""
    return model.model_validate_json(json.dumps(data), strict=True)


def query_params(request: Request) -> dict[str, Any]:
    """The query string as a dict; a repeated parameter becomes a list of its values."""
    params: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            params[key] = (
                [*params[key], value] if isinstance(params[key], list) else [params[key], value]
            )
        else:
            params[key] = value
    return params


def comma_separated(value: object) -> object:
    """A `__in` query parameter: `a,b` and `x=a&x=b` are the same list of values."""
    if isinstance(value, str):
        return value.split(",")
    if isinstance(value, list):
        return [
            part
            for item in value
            for part in (item.split(",") if isinstance(item, str) else [item])
        ]
    return value


def integral(value: object) -> object:
    """A whole number sent with a zero fraction (`97.0`) as the integer it is: JSON Schema's
    `integer` takes it, so the API does (Pydantic's strict reading would refuse it)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def strict_text(kind: str) -> Callable[[object], object]:
    """A validator that reads a query-string value of `kind` as strictly as a filter is read
    (`parse_value`), before Pydantic's lax parsing could take "0" for a date or "yes" for a
    boolean: what the document's types refuse, the API refuses."""
    column = Column("value", kind)

    def parse(value: object) -> object:
        if not isinstance(value, str):  # JSON (the action router's input): as a body reads it
            return integral(value) if kind in ("integer", "bigint") else value
        try:
            return parse_value(column, value, "value")
        except ApiError as error:
            reason = error.detail.removeprefix("value: ")
            if "Invalid JSON" in reason:  # the parser's words for text that is no literal at all
                reason = f"{value!r} is not a valid {kind}"
            raise PydanticCustomError("value_error", reason) from None

    return parse


def query_values(params: BaseModel) -> dict[str, Any]:
    """The parameters a list's query string set, as JSON values (what `list_rows` reads), by
    their names in the query string (a filter on a field named `class` is attribute `class_`).
    A null is a parameter not given: the action router's JSON input can say it, a query string
    cannot."""
    return params.model_dump(mode="json", exclude_unset=True, exclude_none=True, by_alias=True)
