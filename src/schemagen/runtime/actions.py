"""Actions: custom actions' handlers in user code, called with the row and the validated input;
and the action router (`POST /api/actions`), which runs any action by name as its route does.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi import params as fastapi_params
from pydantic import BaseModel, ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from sqlalchemy.orm import Session

from .context import RequestContext, enter
from .errors import ApiError, database_errors, validation_error
from .http import query_values, respond, respond_row
from .resources import Resource
from .rows import fresh, load, serialize
from .trail import audit
from .values import jsonable
from .versions import bump_version
from .writes import values_of


@functools.cache
def handler(path: str) -> Callable[..., object]:
    """`module:function`, imported on first use."""
    module_name, _, function_name = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise NotImplementedError(
                f"the handler module {module_name} does not exist; create it with `def {function_name}(session, row, data)`"
            ) from None
        raise
    function: object = getattr(module, function_name, None)
    if not callable(function):
        raise NotImplementedError(
            f"{module_name} has no function {function_name}(session, row, data)"
        )
    return function


def run_action(
    resource: Resource,
    session: Session,
    context: RequestContext,
    path: str,
    data: BaseModel,
    key: object = None,
    name: str = "action",
) -> object:
    """Call a custom action's handler with the row (item actions) and the validated input.

    An item action works on the row as a write does (owner checked, copied onto the branch) and
    answers with the row as the handler left it, unless the handler returns something else; a
    collection action answers with what the handler returns (rows as the Read shape).
    """
    values_of(data)  # refuses what no column can hold, as every write does
    row = load(resource, session, context, key, write=True) if key is not None else None
    if row is None:
        enter(resource, session, context)
    with database_errors(session, "update"):
        before = (
            serialize(resource, session, [row])[0]
            if row is not None and resource.has("audit")
            else None
        )
        result = handler(path)(session, row, data)
        if row is not None:
            bump_version(resource, row)
            after = fresh(resource, session, row)
            audit(resource, session, context, name, [(row.id, before, after)])
        session.commit()
    if result is None and row is not None:
        result = row
    if isinstance(result, resource.model):
        return serialize(resource, session, [result])[0]
    if (
        isinstance(result, list | tuple)
        and result
        and all(isinstance(item, resource.model) for item in result)
    ):
        return serialize(resource, session, list(result))
    return jsonable(result)


# ---------------------------------------------------------------------------------------------
# The action router


@dataclass(frozen=True)
class Action:
    """A service function the action router calls by name, and how its route answers."""

    run: Callable[..., object]
    takes_params: bool = False  # `input` is the list's query model, passed as `params`
    row: Resource | None = None  # answered as a row (with its ETag when versioned)
    status_code: int = 200


BodyModel = TypeVar("BodyModel", bound=BaseModel)


def action_body(model: type[BodyModel]) -> object:
    """The action router's body as `model` (one model per action, told apart by `action`), a
    route's `body: Annotated[Model, actions.action_body(Model)]`.

    FastAPI sees the body as `model` (the OpenAPI document shows it), but its own lax reading
    lets anything through: the body is read once, strictly, from the raw JSON as every route's
    body is (`http.json_body`), and an error names the field at fault as the action's route
    would (`started_on`, `id`), its detail the whole path (`input.started_on: ...`). FastAPI's
    reading would name the action instead (a union's errors start with the member's tag).
    """

    async def parse(request: Request, body: object) -> BodyModel:
        return read_action(model, await request.body())

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter(
            "body",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[model, fastapi_params.Body(), WrapValidator(_later)],
        ),
    ]
    parse.__signature__ = inspect.Signature(parameters, return_annotation=model)  # type: ignore[attr-defined]
    return Depends(parse)


def _later(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    """FastAPI's reading of the body: what it refuses is refused by `read_action`, named well."""
    try:
        return handler(value)
    except ValidationError:
        return None


def read_action(model: type[BodyModel], raw: bytes | str) -> BodyModel:
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as error:
        raise action_error(list(error.errors())) from None


def action_error(errors: list[Any]) -> ApiError:
    """The first of the errors, as the action's route would name it."""
    first = errors[0]
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return validation_error(f"action: {first['msg']}", "action")
    location = [str(part) for part in first["loc"] if not isinstance(part, int)]
    if len(location) > 1 and "." in location[0]:
        # The union's tag, before the member's own location: an action's name always has a dot
        # (`book.create`), a field of the body none (a project of one action has no union).
        location = location[1:]
    # The input's own field, as the route of the action names it; else `id`, `action`, `input`.
    field = location[1] if location[:1] == ["input"] and len(location) > 1 else None
    where = ".".join(location)
    return validation_error(
        f"{where}: {first['msg']}" if where else first["msg"],
        field or (location[0] if location else None),
    )


def dispatch(
    actions: Mapping[str, Action], request: BaseModel, session: Session, context: RequestContext
) -> Response:
    """Run the action a validated body names (its model carries `action`, and `id` and `input`
    where the action takes them), answered as the action's route answers."""
    given = dict(request)
    action = actions.get(str(given.get("action")))
    if action is None:  # a project without actions: no name is one of its
        raise validation_error(f"unknown action {given.get('action')!r}", "action")
    if context.rate_limit is not None:  # the action's own limit, as its route would count it
        context.rate_limit(str(given["action"]))
    arguments: dict[str, Any] = {}
    if "id" in given:
        arguments["key"] = given["id"]
    if "input" in given and action.takes_params:
        arguments["params"] = query_values(given["input"])
    elif "input" in given:
        arguments["data"] = given["input"]
    result = action.run(session, context, **arguments)
    if action.status_code == 204:
        return Response(status_code=204)
    if action.row is not None:
        return respond_row(action.row, result, action.status_code)  # type: ignore[arg-type]
    return respond(result, action.status_code)
