"""Bulk update and delete by filter, in batches, and their undo.

The project hands its bulk runs table's model over once (`configure`, in the generated `db.py`),
and each resource with bulk its update model and settings (`register`, in its service module). A
run that may touch more rows than `async_rows` is recorded as queued and answered at once (202):
`runtime.bulk_runs` processes it in batches in the background. A delete of more rows than
`confirm_rows` needs the confirmation token of its dry run.
"""

from __future__ import annotations

import datetime
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from . import retention
from .api_models import BulkRequest, BulkUndoRequest
from .context import MAIN_BRANCH, RequestContext, enter, require_principal, scoped
from .errors import ApiError, database_errors, from_database, validation_error
from .http import Accepted, strict
from .lists import filters
from .resources import REGISTRY, Item, Resource, Row
from .rows import branch_copy, decode_value, dump_row, load_links, serialize
from .softdelete import restorable, undelete
from .trail import audit, recorded
from .values import (
    as_utc,
    dialect_of,
    jsonable,
    now,
    positive_setting,
    storable,
    stored_now,
    stored_time,
)
from .versions import bump_version
from .writes import apply_values, remove, values_of

_MODEL: list[type[Any]] = []  # the project's bulk runs table, once configured


def configure(model: type[Any]) -> None:
    """Keep bulk runs, and their undo data, in `model` (the project's `BulkRun`) from now on."""
    _MODEL[:] = [model]


def run_model() -> type[Any]:
    if not _MODEL:
        raise RuntimeError("bulk runs are not configured (runtime.bulk.configure)")
    return _MODEL[0]


@dataclass(frozen=True)
class BulkConfig:
    batch_size: int
    undo_ttl: int | None  # seconds an undo token lives; None: no undo
    async_rows: int | None = None  # more rows matched: the run goes to the background; None: never
    confirm_rows: int | None = None  # a delete of more rows needs confirming; None: never


@dataclass(frozen=True)
class Registered:
    """What the background worker needs to run a resource's bulk runs without its request."""

    resource: Resource
    update_model: type[BaseModel]
    config: BulkConfig


_REGISTERED: dict[str, Registered] = {}
# The environment's settings, over every resource's own (`settings_from_environment`).
_OVERRIDES: dict[str, int] = {}
# Set when a run is queued: the worker of this process starts on it rather than at its next poll.
QUEUED = threading.Event()
ACTIVE = ("queued", "running")  # a run still to be worked on


def register(resource: Resource, update_model: type[BaseModel], config: BulkConfig) -> BulkConfig:
    """Let the worker run `resource`'s bulk runs (the generated service module calls this)."""
    _REGISTERED[resource.name] = Registered(resource, update_model, config)
    return config


def registered(name: str) -> Registered:
    if name not in _REGISTERED and name in REGISTRY:
        REGISTRY[name]  # imports the resource's service module, which registers it here
    if name not in _REGISTERED:
        raise LookupError(f"no resource {name!r} with bulk is registered (runtime.bulk.register)")
    return _REGISTERED[name]


def settings_from_environment() -> None:
    """`BULK_ASYNC_ROWS`, `BULK_CONFIRM_ROWS` and `BULK_BATCH_SIZE`: positive numbers of rows,
    over the schema's `async_rows`, `confirm_rows` and `batch_size` of every resource (unset:
    the schema's)."""
    _OVERRIDES.clear()
    retention.settings_from_environment()  # BULK_UNDO_KEYS, BULK_RETENTION_DAYS
    for name in ("BULK_ASYNC_ROWS", "BULK_CONFIRM_ROWS", "BULK_BATCH_SIZE"):
        value = positive_setting(name, 0, "rows")
        if value:
            _OVERRIDES[name] = value


def async_limit(config: BulkConfig) -> int | None:
    return _OVERRIDES.get("BULK_ASYNC_ROWS", config.async_rows)


def confirm_limit(config: BulkConfig) -> int | None:
    return _OVERRIDES.get("BULK_CONFIRM_ROWS", config.confirm_rows)


def batch_size(config: BulkConfig) -> int:
    return _OVERRIDES.get("BULK_BATCH_SIZE", config.batch_size)


def given(part: object, *, nulls: bool = True) -> dict[str, Any]:
    """A bulk body's `filter` or `values` as a dict: the project's model (by the names of the
    query string and the API: `class`, not its attribute `class_`), or a plain dict. A filter
    takes `nulls=False`: null is no filter, as an absent query parameter (JSON can say both)."""
    if isinstance(part, BaseModel):
        # JSON mode writes NaN and Infinity as null, so a JSON field's would be stored as null:
        # what no column can hold is refused first, as a create or an update refuses it.
        for name, value in part.model_dump(exclude_unset=True, by_alias=True).items():
            storable(value, name)
        return part.model_dump(
            mode="json", exclude_unset=True, exclude_none=not nulls, by_alias=True
        )
    return dict(part) if isinstance(part, dict) else {}


def bulk(
    resource: Resource,
    session: Session,
    context: RequestContext,
    body: BulkRequest,
    update_model: type[BaseModel],
    config: BulkConfig,
) -> dict[str, Any]:
    """`{"operation", "filter", "values", "dry_run"}` →
    `{"matched", "affected", "failed", "errors", "undo_token", "undo_expires_at"}`.

    Rows change a batch at a time, each batch in a savepoint: a batch the database refuses is
    counted as failed, with the reason in `errors` (one per failed batch), and the others still apply. The previous values of every changed row are
    kept with the run, and the values it left, so an undo token can put them back exactly
    where nobody has written since.
    """
    enter(resource, session, context)
    if resource.has("owned"):
        require_principal(resource, context)
    statement = matching(resource, session, context, given(body.filter, nulls=False))
    values = checked_values(resource, body.operation, given(body.values), update_model)
    matched = session.scalar(sa.select(sa.func.count()).select_from(statement.subquery())) or 0
    confirmation = _confirm(resource, session, context, body, matched, config)
    background = async_limit(config)
    if not body.dry_run and background is not None and matched > background:
        return _enqueue(resource, session, context, body, matched)
    keys = list(session.scalars(statement.order_by(resource.id)))
    result: dict[str, Any] = {
        "matched": len(keys),
        "affected": 0,
        "failed": 0,
        "errors": [],
        "undo_token": None,
        "undo_expires_at": None,
    }
    changed = changed_attrs(resource, context, body.operation, values)
    saved: list[dict[str, Any]] = []
    cascaded: dict[
        Any, dict[str, Any]
    ] = {}  # rows this run's soft-delete cascade hid, as they were
    if not body.dry_run:
        size = batch_size(config)
        for start in range(0, len(keys), size):
            batch = keys[start : start + size]
            hidden: dict[Any, dict[str, Any]] = {}
            try:
                with session.begin_nested():
                    saved.extend(
                        bulk_batch(
                            resource,
                            session,
                            context,
                            body.operation,
                            batch,
                            values,
                            changed,
                            cascaded,
                            hidden,
                        )
                    )
                cascaded.update(hidden)  # only once the batch holds
            except REFUSALS as error:
                result["failed"] += len(batch)
                if len(result["errors"]) < MAX_BULK_ERRORS:
                    refused = refusal(error, body.operation)
                    result["errors"].append(
                        {
                            "detail": refused.detail,
                            "error_code": refused.error_code,
                            "field": refused.field,
                            "rows": len(batch),
                        }
                    )
            else:
                result["affected"] += len(batch)
    if config.undo_ttl is not None and saved:
        result["undo_token"] = secrets.token_urlsafe(24)
        result["undo_expires_at"] = now() + datetime.timedelta(seconds=config.undo_ttl)
    _record_run(resource, session, context, body, result, saved, changed, confirmation)
    with database_errors(session, body.operation):
        session.commit()
    if confirmation is not None:
        result["confirmation_token"] = confirmation
    return result


MAX_BULK_ERRORS = 20  # reasons reported per run; `failed` counts every row
# What refuses a batch (or a row) without stopping the run: the database's refusals and the API's.
REFUSALS = (sa.exc.IntegrityError, sa.exc.DataError, sa.orm.exc.StaleDataError, ApiError)


def matching(
    resource: Resource, session: Session, context: RequestContext, filter: Mapping[str, Any]
) -> sa.Select[Any]:
    """The ids of the rows a run's filter selects that the caller may change."""
    statement = scoped(resource, context, sa.select(resource.id)).where(
        *filters(resource, filter, dialect_of(session))
    )
    if resource.has("owned"):  # system rows are visible, not writable
        statement = statement.where(
            resource.model.owner_id == context.user_id, resource.model.is_system == sa.false()
        )
    return statement


def checked_values(
    resource: Resource, operation: str, given_values: dict[str, Any], update_model: type[BaseModel]
) -> dict[str, Any]:
    """A bulk body's `values`, as an update's (by attribute); a delete takes none."""
    if operation != "update":
        if given_values:
            raise validation_error("values: a bulk delete takes no values", "values")
        return {}
    try:
        values = values_of(strict(update_model, given_values))
    except ValidationError as error:
        raise _validation(error, "values") from None
    values.pop("version", None)
    if any(name in resource.many_to_many for name in values):
        raise validation_error("values: many-to-many fields cannot be bulk updated", "values")
    return values


def _confirm(
    resource: Resource,
    session: Session,
    context: RequestContext,
    body: BulkRequest,
    matched: int,
    config: BulkConfig,
) -> str | None:
    """A delete of more rows than `confirm_rows`: its dry run gets a confirmation token (returned
    here, kept with the dry run), and the delete itself must send back the token of a dry run of
    the same resource and filter by the same caller (used once). None: nothing to confirm."""
    limit = confirm_limit(config)
    if body.operation != "delete" or limit is None or matched <= limit:
        return None
    if body.dry_run:
        return secrets.token_urlsafe(24)
    if not body.confirmation_token:
        raise ApiError(
            422,
            "confirmation_required",
            f"{resource.label}: this delete matches {matched} rows (more than {limit}): send the"
            " confirmation_token of its dry run",
            "confirmation_token",
        )
    runs = run_model()
    statement = sa.select(runs).where(
        runs.confirmation_token == storable(body.confirmation_token, "confirmation_token"),
        runs.resource == resource.name,
        runs.operation == "delete",
        runs.dry_run == sa.true(),
        callers_runs(runs, context),
    )
    dry_run = session.scalars(statement.with_for_update()).first()
    if dry_run is None or dry_run.filter != jsonable(given(body.filter, nulls=False)):
        raise ApiError(
            409,
            "confirmation_mismatch",
            f"{resource.label}: the confirmation_token is not of a dry run of this delete by this"
            " caller, or was used already",
            "confirmation_token",
        )
    dry_run.confirmation_token = None  # used: a token confirms one delete
    return None


def callers_runs(runs: type[Any], context: RequestContext) -> sa.ColumnElement[bool]:
    """The runs a caller sees: theirs (same X-User-ID), of their tenant or of none, as the
    row-level security policies of the table have it."""
    mine = runs.actor == context.user_id if context.user_id else runs.actor.is_(None)
    tenant = (
        sa.or_(runs.tenant_id.is_(None), runs.tenant_id == context.tenant_id)
        if context.tenant_id
        else runs.tenant_id.is_(None)
    )
    return sa.and_(mine, tenant)


def _enqueue(
    resource: Resource,
    session: Session,
    context: RequestContext,
    body: BulkRequest,
    matched: int,
) -> Accepted:
    """Record the run as queued for the background worker: answered 202 with the run."""
    run = run_model()(
        resource=resource.name,
        operation=body.operation,
        filter=jsonable(given(body.filter, nulls=False)),
        values=jsonable(given(body.values)) if body.operation == "update" else None,
        dry_run=False,
        matched=matched,
        affected=0,
        failed=0,
        actor=context.user_id,
        tenant_id=context.tenant_id if resource.has("tenant") else None,
        branch_id=context.branch_id if resource.has("branching") else None,
        ip_address=context.client_ip,  # its batches' audit entries name the request's caller
        user_agent=context.user_agent,
        created_at=stored_now(session),
        status="queued",
    )
    session.add(run)
    with database_errors(session, body.operation):
        session.flush()
        answer = describe_run(run)
        session.commit()
    QUEUED.set()
    return Accepted(answer, f"/api/bulk_runs/{answer['id']}")


def _moment(value: datetime.datetime | None) -> datetime.datetime | None:
    return as_utc(value) if value is not None else None


def describe_run(run: Row) -> dict[str, Any]:
    """A bulk run as the API shows it (api_models.BulkRun)."""
    moment = _moment
    return {
        "id": str(run.id),
        "resource": run.resource,
        "operation": run.operation,
        "status": run.status,
        "dry_run": run.dry_run,
        "matched": run.matched,
        "processed": run.affected + run.failed,
        "affected": run.affected,
        "failed": run.failed,
        "errors": list(run.errors or []),
        "actor": run.actor,
        "tenant_id": run.tenant_id,
        "branch_id": run.branch_id,
        "created_at": moment(run.created_at),
        "started_at": moment(run.started_at),
        "finished_at": moment(run.finished_at),
        "undo_token": run.undo_token,
        "undo_expires_at": moment(run.undo_expires_at),
    }


def refusal(
    error: sa.exc.DBAPIError | sa.orm.exc.StaleDataError | ApiError, operation: str
) -> ApiError:
    """Why the database (or a rule) refused a batch, as the error the single-row route would give."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, sa.orm.exc.StaleDataError):
        return ApiError(409, "version_conflict", "a row was changed by someone else during the run")
    return from_database(error, operation)


def bulk_batch(
    resource: Resource,
    session: Session,
    context: RequestContext,
    operation: str,
    batch: list[Any],
    values: Mapping[str, Any],
    changed: list[str] | None,
    cascaded: Mapping[Any, dict[str, Any]],
    hidden: dict[Any, dict[str, Any]],
) -> list[dict[str, Any]]:
    """Change one batch; return each row as it was, and the `changed` values it was left with, for undo.

    A row of the batch that the soft-delete cascade of an earlier batch of this run hid
    (`cascaded`) is part of the run as when deleting the rows one by one: it is kept with its image
    from before the run, and its undo brings it back. `hidden` gets the rows this batch's cascade hides.
    """
    rows = list(session.scalars(scoped(resource, context).where(resource.id.in_(batch))))
    found = {row.id for row in rows}
    reached = (
        [key for key in batch if key not in found and key in cascaded]
        if operation == "delete"
        else []
    )
    if resource.has("branching"):
        rows = [
            row
            if row.branch_id == context.branch_id
            else branch_copy(resource, session, row, context.branch_id)
            for row in rows
        ]
    links = load_links(resource, session, rows) if operation == "delete" else None
    saved = [dump_row(resource, row, links) for row in rows]
    audited = recorded(resource)
    befores = serialize(resource, session, rows) if resource.has("audit") else [None] * len(rows)
    if operation == "delete":
        remove(resource, session, context, rows, hidden)
        audit(
            resource,
            session,
            context,
            "bulk_delete",
            [(row.id, before, None) for row, before in zip(rows, befores, strict=True)],
        )
    else:
        for row in rows:
            apply_values(resource, session, context, row, values, creating=False)
        if audited:
            afters = serialize(resource, session, rows)
            audit(
                resource,
                session,
                context,
                "bulk_update",
                [(row.id, b, a) for row, b, a in zip(rows, befores, afters, strict=True)],
            )
    saved += [dict(cascaded[key]) for key in reached]
    if changed is not None and saved:
        # The whole row (every column and link) as the database stored it (rounded, truncated,
        # updated_at set): undo puts a row back only while it is still exactly this.
        statement = sa.select(resource.model).where(
            resource.id.in_([row.id for row in rows] + reached)
        )
        if resource.has("branching"):
            statement = statement.where(resource.model.branch_id == context.branch_id)
        stored = list(session.scalars(statement.execution_options(populate_existing=True)))
        after_links = load_links(resource, session, stored)
        afters_by_id = {row.id: dump_row(resource, row, after_links) for row in stored}
        for dump, key in zip(saved, [row.id for row in rows] + reached, strict=True):
            dump["after"] = afters_by_id[key]
    return saved


def changed_attrs(
    resource: Resource, context: RequestContext, operation: str, values: Mapping[str, Any]
) -> list[str] | None:
    """The attributes an undo puts back; None: the whole row (it was deleted)."""
    if operation == "update":
        return [resource.columns[name].attr for name in values if name in resource.columns]
    if resource.has("soft_delete"):
        return ["deleted_at"]
    if resource.has("branching") and context.branch_id != MAIN_BRANCH:
        return ["branch_deleted"]
    return None


def _record_run(
    resource: Resource,
    session: Session,
    context: RequestContext,
    body: BulkRequest,
    result: Mapping[str, Any],
    saved: list[dict[str, Any]],
    changed: list[str] | None,
    confirmation: str | None = None,
) -> None:
    session.add(
        run_model()(
            resource=resource.name,
            operation=body.operation,
            filter=jsonable(given(body.filter, nulls=False)),
            values=jsonable(given(body.values)) if body.operation == "update" else None,
            dry_run=body.dry_run,
            matched=result["matched"],
            affected=result["affected"],
            failed=result["failed"],
            actor=context.user_id,
            tenant_id=context.tenant_id if resource.has("tenant") else None,  # else any tenant's
            branch_id=context.branch_id if resource.has("branching") else None,
            ip_address=context.client_ip,
            user_agent=context.user_agent,
            created_at=stored_now(session),
            undo_token=result["undo_token"],
            undo_expires_at=stored_time(result["undo_expires_at"], dialect_of(session))
            if result["undo_expires_at"]
            else None,
            undo_data=retention.seal({"changed": changed, "rows": saved})
            if result["undo_token"]
            else None,
            status="done",
            errors=result["errors"],
            confirmation_token=confirmation,
        )
    )


def undo_bulk(
    resource: Resource, session: Session, context: RequestContext, body: BulkUndoRequest
) -> dict[str, Any]:
    """Put back exactly what a bulk run changed: `{"restored": n, "skipped": n}`.

    A row written since the run (or deleted, or made again) is skipped: undo never loses a
    newer write.
    """
    enter(resource, session, context)
    runs = run_model()
    statement = sa.select(runs).where(
        runs.undo_token == storable(body.undo_token, "undo_token"), runs.resource == resource.name
    )
    statement = statement.where(
        runs.tenant_id == context.tenant_id if resource.has("tenant") else sa.true()
    )
    statement = statement.where(
        runs.actor == context.user_id if context.user_id else runs.actor.is_(None)
    )  # who ran it
    run = session.scalars(statement.with_for_update()).first()
    if run is None:
        raise ApiError(404, "not_found", "no bulk run has this undo token")
    if run.undone_at is not None:
        raise ApiError(409, "undo_used", "this bulk run was already undone")
    # Expired before its image is looked at: the retention drops the image of an expired token.
    if now() > as_utc(run.undo_expires_at):
        raise ApiError(410, "undo_expired", "the undo token has expired")
    image = retention.unseal(run.undo_data)
    if image is None:
        raise ApiError(404, "not_found", "no bulk run has this undo token")
    changed = image["changed"]
    restored = skipped = 0
    with database_errors(session, "update"):
        if changed == ["deleted_at"]:
            restored, skipped = _undo_soft_delete(resource, session, context, image["rows"])
        else:
            for saved in image["rows"]:
                put_back = _put_back(resource, session, context, saved, changed)
                if put_back is None:
                    skipped += 1
                    continue
                row, before = put_back
                restored += 1
                _audit_undo(resource, session, context, row, before)
        run.undone_at = stored_now(session)
        session.commit()
    return {"restored": restored, "skipped": skipped}


def _audit_undo(
    resource: Resource, session: Session, context: RequestContext, row: Row, before: Item | None
) -> None:
    if recorded(resource):
        audit(
            resource,
            session,
            context,
            "bulk_undo",
            [(row.id, before, serialize(resource, session, [row])[0])],
        )


def _as_left(
    resource: Resource, session: Session, saved: Mapping[str, Any], changed: list[str] | None
) -> tuple[bool, Any]:
    """(whether the row is still exactly as the run left it, the row: None if the run deleted it)."""
    values = saved["values"]
    identity = {name: decode_value(values[name]) for name in ("id", "branch_id") if name in values}
    row = session.get(resource.model, identity if len(identity) > 1 else identity["id"])
    if (row is None) != (changed is None):
        return False, row  # deleted since an update, or made again since a delete
    if row is not None and dump_row(
        resource, row, load_links(resource, session, [row])
    ) != saved.get("after"):
        return False, row  # written since the run, in any column or link
    return True, row


def _undo_soft_delete(
    resource: Resource,
    session: Session,
    context: RequestContext,
    entries: Sequence[Mapping[str, Any]],
) -> tuple[int, int]:
    """Bring a soft-delete run's rows back as undoing its deletes one by one, last first, would:
    a row comes back once no parent it needs is hidden (restore brings back what its cascade
    hid), and a row that came back through the cascade of another counts as restored. Rows
    written since the run, and rows whose parent stays hidden, are skipped. `(restored, skipped)`."""
    waiting = []
    for saved in entries:
        unchanged, row = _as_left(resource, session, saved, ["deleted_at"])
        if unchanged:  # every row is compared before any comes back
            waiting.append(row)
    skipped = len(entries) - len(waiting)
    while waiting:
        ready = [
            row for row in waiting if row.deleted_at is None or restorable(resource, session, row)
        ]
        if not ready:
            break
        for row in ready:
            if row.deleted_at is None:
                continue  # the cascade of a row before it brought it back
            before = serialize(resource, session, [row])[0] if resource.has("audit") else None
            undelete(resource, session, context, [row])
            _audit_undo(resource, session, context, row, before)
        done = {id(row) for row in ready}
        waiting = [row for row in waiting if id(row) not in done]
    return len(entries) - skipped - len(waiting), skipped + len(waiting)


def _put_back(
    resource: Resource,
    session: Session,
    context: RequestContext,
    saved: Mapping[str, Any],
    changed: list[str] | None,
) -> tuple[Any, Any] | None:
    """One row as the run found it (an update, or a hard or branch delete): (the row, how it was
    before the undo); None when it was written since the run, and is left alone."""
    unchanged, row = _as_left(resource, session, saved, changed)
    if not unchanged:
        return None
    values = {attr: decode_value(encoded) for attr, encoded in saved["values"].items()}
    if row is None:  # deleted: insert it again, with its links
        row = resource.model(**values)
        session.add(row)
        session.flush()
        for name, keys in saved.get("links", {}).items():
            link = resource.many_to_many[name]
            if keys:
                session.execute(
                    sa.insert(link.junction), [link.link(row, decode_value(key)) for key in keys]
                )
        return row, None
    before = serialize(resource, session, [row])[0] if resource.has("audit") else None
    # A write of its own: the version moves on and updated_at (onupdate) is the undo's time.
    assert changed is not None  # a row the run deleted is inserted again above
    for attr in changed:
        setattr(row, attr, values[attr])
    bump_version(resource, row)
    session.flush()
    return row, before


def _validation(error: ValidationError, prefix: str) -> ApiError:
    first = error.errors()[0]
    location = [str(part) for part in first["loc"] if not isinstance(part, int)]
    name = location[0] if location else prefix
    return validation_error(f"{'.'.join([prefix, *location])}: {first['msg']}", name)
