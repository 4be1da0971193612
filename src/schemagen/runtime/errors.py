"""Errors as the API contract has them: `{"detail": str, "error_code": str, "field": str | null}`.

Database refusals are translated by the constraint they name: a unique constraint is 409
`conflict` naming its field, a foreign key 422 `invalid_reference` (409 `conflict` when a delete
is refused because rows still point at the row), NOT NULL and CHECK 422 `validation_error`.
A database that does not answer (down, unreachable, or still locked after the busy timeout) is
503 `database_unavailable` with Retry-After; anything else unexpected is 500 `internal_error`,
logged with its traceback and never shown to the client.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException


@dataclasses.dataclass(frozen=True)
class ConstraintFields:
    """The project's database names -> the API fields they concern: what names a refusal's field."""

    # Unique constraints and unique indexes, by name -> the API field they make unique.
    unique: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # The same by table and columns: SQLite names columns, not constraints.
    unique_columns: Mapping[tuple[str, tuple[str, ...]], str] = dataclasses.field(
        default_factory=dict
    )
    # Foreign keys, by name -> the API field holding the reference.
    foreign_keys: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # Columns -> API fields, for NOT NULL and data errors.
    columns: Mapping[tuple[str, str], str] = dataclasses.field(default_factory=dict)


# The project's names, as `install` was given them (refusals name no field before).
CONSTRAINTS = ConstraintFields()

# HTTP errors raised by the framework (routing, body parsing) -> the contract's error codes.
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}
RETRY_AFTER = 1  # seconds: a 503 asks the client to try again this soon

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer other than success: raised anywhere, turned into the contract's JSON."""

    def __init__(
        self,
        status: int,
        error_code: str,
        detail: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.error_code = error_code
        self.detail = detail
        self.field = field
        self.headers = headers  # what the answer carries besides the body (Retry-After)

    def response(self) -> JSONResponse:
        return error_response(self.status, self.error_code, self.detail, self.field, self.headers)


def error_response(
    status: int,
    error_code: str,
    detail: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        {"detail": detail, "error_code": error_code, "field": field},
        status_code=status,
        headers=headers,
    )


# What FastAPI answers (400) when the body cannot even be decoded as text.
BODY_PARSE_ERROR = "There was an error parsing the body"


def validation_error(detail: str, field: str | None = None) -> ApiError:
    return ApiError(422, "validation_error", detail, field)


def from_validation(errors: list[Any], *, request: bool = False) -> ApiError:
    """Pydantic's or FastAPI's validation errors as one `validation_error` naming the first field.

    FastAPI's locations start with where the value was (body, query, path, header): not a field.
    """
    if not errors:
        return validation_error("invalid request")
    first = errors[0]
    location = [str(part) for part in first.get("loc", ()) if not isinstance(part, int)]
    if request and location and location[0] in ("body", "query", "path", "header", "cookie"):
        location = location[1:]
    field = location[0] if location else None
    where = ".".join(location)
    message = first.get("msg", "invalid value")
    return validation_error(f"{where}: {message}" if where else message, field)


# ---------------------------------------------------------------------------------------------
# Database errors


def from_database(error: sa.exc.DBAPIError, operation: str) -> ApiError:
    """The contract's error for a database refusal during `operation` (create, update, delete)."""
    kind, name, table, columns = _describe(error.orig)
    if kind == "unique":
        field = CONSTRAINTS.unique.get(name or "") or CONSTRAINTS.unique_columns.get(
            (table or "", tuple(columns))
        )
        what = f"{field} must be unique" if field else "a unique value is already taken"
        return ApiError(409, "conflict", f"conflict: {what}", field)
    if kind == "foreign_key":
        if operation == "delete":  # ON DELETE RESTRICT: the row is still in use
            return ApiError(409, "conflict", "conflict: other rows still refer to this row")
        field = CONSTRAINTS.foreign_keys.get(name or "")
        return ApiError(
            422, "invalid_reference", f"{field or 'a reference'} points at nothing", field
        )
    if kind == "not_null":
        field = CONSTRAINTS.columns.get((table or "", columns[0] if columns else ""))
        return validation_error(f"{field or 'a field'} cannot be null", field)
    if kind == "check":
        return validation_error(
            f"the row breaks the check {name}" if name else "the row breaks a check"
        )
    if kind == "data":
        field = (
            CONSTRAINTS.columns.get((table or "", columns[0]))
            if table and columns
            else _field_of_column(columns)
        )
        return validation_error(f"{field or 'a value'} does not fit its column", field)
    if isinstance(error, sa.exc.IntegrityError):
        return ApiError(409, "conflict", "conflict: the database refused the write")
    return validation_error("the database refused a value")


@contextmanager
def database_errors(session: Session, operation: str) -> Iterator[None]:
    """Roll back and answer with the contract's error when the database refuses a write."""
    try:
        yield
    except (sa.exc.IntegrityError, sa.exc.DataError) as error:
        session.rollback()
        raise from_database(error, operation) from None
    except sa.orm.exc.StaleDataError:  # the version changed between our read and our write
        session.rollback()
        raise ApiError(
            409, "version_conflict", "the row was changed by someone else; read it again"
        ) from None
    except BaseException:
        session.rollback()
        raise


def unavailable(error: sa.exc.DBAPIError) -> bool:
    """Whether the database failed to answer (down, unreachable, locked, overloaded, a deadlock):
    a state to retry, not a refusal of this request's values."""
    if error.connection_invalidated:
        return True
    if not isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
        return False
    orig = error.orig
    if getattr(orig, "diag", None) is not None:  # PostgreSQL: no SQLSTATE when no server answered
        sqlstate = getattr(orig, "sqlstate", None)
        return sqlstate is None or sqlstate[:2] in ("08", "40", "53", "57", "58")
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int):  # MySQL and MariaDB: connection, lock wait, deadlock
        return args[0] in (1040, 1205, 1213, 2002, 2003, 2006, 2013, 2055)
    message = str(orig)  # SQLite
    return message.startswith(
        (
            "database is locked",
            "database table is locked",
            "unable to open database file",
            "disk I/O error",
        )
    )


def _field_of_column(columns: list[str]) -> str | None:
    if not columns:
        return None
    return next(
        (field for (_, column), field in CONSTRAINTS.columns.items() if column == columns[0]), None
    )


def _describe(orig: object) -> tuple[str | None, str | None, str | None, list[str]]:
    """(kind, constraint name, table, columns) from the driver's error, on each database."""
    diag = getattr(orig, "diag", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if diag is not None and sqlstate:  # PostgreSQL (psycopg)
        kind = {
            "23505": "unique",
            "23503": "foreign_key",
            "23502": "not_null",
            "23514": "check",
        }.get(sqlstate)
        if sqlstate.startswith("22"):
            kind = "data"
        columns = [diag.column_name] if diag.column_name else []
        return kind, diag.constraint_name, diag.table_name, columns
    args: tuple[object, ...] = getattr(orig, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):  # MySQL and MariaDB (PyMySQL)
        code, message = args[0], str(args[1])
        if code == 1062:
            key = re.search(r"for key '(?:[^']*\.)?([^'.]+)'", message)
            return "unique", key.group(1) if key else None, None, []
        if code in (1451, 1452, 1216, 1217):
            key = re.search(r"CONSTRAINT `([^`]+)`", message)
            return "foreign_key", key.group(1) if key else None, None, []
        if code in (1048, 1364):
            column = re.search(r"[Cc]olumn '([^']+)'|[Ff]ield '([^']+)'", message)
            return "not_null", None, None, [next(g for g in column.groups() if g)] if column else []
        if code in (3819, 4025):
            key = re.search(r"[Cc]onstraint [`']([^`']+)[`']", message)
            return "check", key.group(1) if key else None, None, []
        if code in (1264, 1265, 1366, 1406, 1292):
            column = re.search(r"column [`']([^`']+)[`']", message)
            return "data", None, None, [column.group(1)] if column else []
        return None, None, None, []
    message = str(orig)  # SQLite
    for prefix, kind in (
        ("UNIQUE constraint failed: ", "unique"),
        ("NOT NULL constraint failed: ", "not_null"),
    ):
        if message.startswith(prefix):
            pairs = [part.strip().split(".", 1) for part in message[len(prefix) :].split(",")]
            table = pairs[0][0] if pairs and len(pairs[0]) == 2 else None
            return kind, None, table, [pair[-1] for pair in pairs]
    if message.startswith("FOREIGN KEY constraint failed"):
        return "foreign_key", None, None, []
    if message.startswith("CHECK constraint failed"):
        return "check", message.partition(": ")[2] or None, None, []
    return None, None, None, []


# ---------------------------------------------------------------------------------------------
# Handlers


def install(app: FastAPI, constraints: ConstraintFields | None = None) -> None:
    """Answer every error in the contract's shape, FastAPI's own ones included; `constraints`
    name the fields of the project's database refusals."""
    global CONSTRAINTS
    if constraints is not None:
        CONSTRAINTS = constraints

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return error.response()

    @app.exception_handler(RequestValidationError)
    async def request_validation(request: Request, error: RequestValidationError) -> JSONResponse:
        if _is_json_error(error):
            return validation_error("the body is not valid JSON").response()
        allowed = allowed_methods(app, request.url.path)
        if (
            allowed
            and request.method not in allowed
            and any(e.get("loc", ("",))[0] == "path" for e in error.errors())
        ):
            # PATCH /api/<table>/bulk: a fixed path without that method, not the row "bulk".
            return error_response(
                405,
                "method_not_allowed",
                "Method Not Allowed",
                headers={"Allow": ", ".join(allowed)},
            )
        return from_validation(list(error.errors()), request=True).response()

    @app.exception_handler(ValidationError)
    async def pydantic_validation(request: Request, error: ValidationError) -> JSONResponse:
        return from_validation(list(error.errors())).response()

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        if error.status_code == 400 and error.detail == BODY_PARSE_ERROR:  # bytes that are not text
            return validation_error("the body is not valid JSON").response()
        code = HTTP_CODES.get(error.status_code, "http_error")
        detail = error.detail if isinstance(error.detail, str) else json.dumps(error.detail)
        headers = getattr(error, "headers", None)
        if error.status_code == 405:
            headers = {
                **(headers or {}),
                "Allow": ", ".join(allowed_methods(app, request.url.path)),
            }
        return error_response(error.status_code, code, detail, headers=headers)

    @app.exception_handler(NotImplementedError)
    async def not_implemented(request: Request, error: NotImplementedError) -> JSONResponse:
        return error_response(501, "not_implemented", str(error) or "not implemented yet")

    @app.exception_handler(sa.exc.DBAPIError)
    async def database_error(request: Request, error: sa.exc.DBAPIError) -> JSONResponse:
        if unavailable(error):
            log.warning(
                "%s %s: the database is unavailable: %s",
                request.method,
                request.url.path,
                error.orig,
            )
            return database_unavailable()
        log.error(
            "%s %s: unexpected database error", request.method, request.url.path, exc_info=error
        )
        return internal_error()

    @app.exception_handler(sa.exc.TimeoutError)
    async def pool_timeout(request: Request, error: sa.exc.TimeoutError) -> JSONResponse:
        log.warning(
            "%s %s: no database connection was free: %s", request.method, request.url.path, error
        )
        return database_unavailable()

    # Anything else: Starlette answers with this, then logs the exception with its traceback.
    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        return internal_error()


def database_unavailable() -> JSONResponse:
    return error_response(
        503,
        "database_unavailable",
        "the database is unavailable or busy; try again",
        headers={"Retry-After": str(RETRY_AFTER)},
    )


def internal_error() -> JSONResponse:
    return error_response(
        500, "internal_error", "the server failed to answer this request; the error is logged"
    )


def allowed_methods(app: FastAPI, wanted: str) -> list[str]:
    """The methods the document gives the path `wanted` (Starlette's 405 names only the first route
    matched, and an id is typed by its parameter, not by the path, so `/{id}` matches "bulk")."""
    matched: dict[int, set[str]] = {}
    for path, operations in (app.openapi().get("paths") or {}).items():
        if re.fullmatch(re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(path)), wanted):
            methods = matched.setdefault(path.count("{"), set())
            methods |= {method.upper() for method in operations}
    # A fixed path wins over an id in the same place (/bulk is never the row "bulk").
    return sorted(matched[min(matched)]) if matched else []


def _is_json_error(error: RequestValidationError) -> bool:
    return any(e.get("type") == "json_invalid" for e in error.errors())
