"""Custom actions: handlers in user code, called with the row and the validated input."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from .context import RequestContext, enter
from .errors import database_errors
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
    key: Any = None,
    name: str = "action",
) -> Any:
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
