"""The shapes the API answers with beside the resources' own, and the errors it can answer.

Pydantic only: the routes declare these as their response models and bodies, and the generator
imports this module to write the OpenAPI document exactly as FastAPI derives it from the app.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Every error_code the API answers with: its HTTP status and what it means.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "tenant_required": (400, "the X-Tenant-ID header is missing"),
    "authentication_required": (401, "there is no caller (X-User-ID)"),
    "forbidden": (403, "a system row of another owner is read-only"),
    "unknown_tenant": (403, "X-Tenant-ID names no tenant (the project keeps its tenants as rows)"),
    "not_found": (404, "no such row, or one the caller may not see"),
    "conflict": (409, "a unique value is taken"),
    "idempotency_in_progress": (409, "a request with the same Idempotency-Key is still running"),
    "version_conflict": (409, "the row changed since the version sent (If-Match or version)"),
    "undo_used": (409, "the bulk change was undone already"),
    "undo_expired": (410, "the undo token has expired"),
    "run_finished": (409, "the bulk run has finished: there is nothing left to cancel"),
    "confirmation_mismatch": (
        409,
        "the confirmation_token is not of a dry run of this resource, operation and filter by this caller",
    ),
    "payload_too_large": (413, "the body is larger than the API accepts"),
    "validation_error": (
        422,
        "a value, parameter, header or id is invalid, or the body is not JSON",
    ),
    "invalid_reference": (422, "a relation names no row"),
    "confirmation_required": (
        422,
        "a bulk delete this large needs the confirmation_token its dry run returned",
    ),
    "idempotency_key_reused": (422, "the Idempotency-Key was used for another request"),
    "precondition_required": (428, "the version is missing: send If-Match or version"),
    "rate_limited": (
        429,
        "the caller's rate limit for this action is spent: retry after Retry-After seconds",
    ),
    "not_implemented": (501, "a custom action's handler does not exist yet"),
    "database_unavailable": (503, "the database does not answer or stays busy: retry later"),
    "not_ready": (503, "the database does not answer"),
}


# The headers that scope a request, as security schemes: scheme name -> (header, what it is).
SCOPE_HEADERS = {
    "TenantId": ("X-Tenant-ID", "The tenant the request acts in (tenant resources: required)"),
    "BranchId": ("X-Branch-ID", "The branch to read and write (branching resources; default main)"),
    "UserId": ("X-User-ID", "The caller (until real authentication replaces get_principal)"),
}
IDEMPOTENCY_KEY = (
    "Any unique text: the write is applied once, and sent again with the same key (and the same"
    " body) it gets the first answer again, marked Idempotent-Replayed"
)
IDEMPOTENCY_KEY_LENGTH = 255
IDEMPOTENCY_KEY_PATTERN = "^[!-~]+$"  # visible ASCII: what every HTTP stack carries unchanged
IF_MATCH = 'Versioned rows: the version a change is based on, as the ETag gave it ("3")'


class Error(BaseModel):
    """Every error the API answers with."""

    detail: str
    error_code: str = Field(
        description="What went wrong, for programs: validation_error, not_found, conflict, ..."
    )
    field: str | None = Field(
        description="The field, parameter or header at fault, when there is one"
    )


# Versioned rows come with their version as the ETag, which If-Match sends back.
ETAG = {
    "ETag": {
        "description": 'The row\'s version, quoted ("3"): send it back as If-Match',
        "schema": {"type": "string"},
    }
}


def error_responses(
    *codes: str,
    etag: int | None = None,
    answers: dict[int, str] | None = None,
    links: tuple[int, dict[str, Any]] | None = None,
    events: bool = False,
    files: dict[str, dict[str, Any]] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=`: one per status, naming the error codes it can answer with; the
    ETag header on the `etag` status (a versioned row's answer); other successful `answers`;
    OpenAPI `links` (status, links) of a create's answer. `events`: the route answers server-sent
    events (its 200 is their schema; its errors' JSON is named outright, or FastAPI would give
    them the route's media type). `files`: the route answers a download, of one of these media
    types (each with the schema of its body); its errors' JSON is named outright too."""
    by_status: dict[int, list[str]] = {}
    for code in dict.fromkeys(codes):
        status, meaning = ERROR_CODES[code]
        by_status.setdefault(status, []).append(f"{code}: {meaning}")
    shape: dict[str, Any] = (
        {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        if events or files
        else {"model": Error}
    )
    result: dict[int | str, dict[str, Any]] = {
        status: {**shape, "description": "; ".join(lines)}
        for status, lines in sorted(by_status.items())
    }
    if etag is not None:
        result[etag] = {"headers": ETAG}
    for status, description in (answers or {}).items():
        result[status] = {"description": description}
    if links is not None and links[1]:
        result.setdefault(links[0], {})["links"] = links[1]
    if events:
        result[200] = {"content": {"text/event-stream": {"schema": CHANGE_EVENT}}}
    if files:
        result[200] = {"content": {media: {"schema": schema} for media, schema in files.items()}}
    return result


BULK_FILTER = (
    "The list's filters (field, field__in, field__gte, field__lte, field__isnull); none: every row"
)
BULK_VALUES = "The fields to set, as in an update"


class BulkRequest(BaseModel):
    """The body of `POST /api/<table>/bulk`: an update with its values, or a delete."""

    model_config = ConfigDict(
        extra="forbid",
        # A delete sets nothing: its `values` are empty, whatever the update model allows.
        json_schema_extra={
            "if": {"properties": {"operation": {"const": "delete"}}},
            "then": {"properties": {"values": {"maxProperties": 0}}},
        },
    )

    operation: Literal["update", "delete"]
    filter: dict[str, Any] = Field(default={}, description=BULK_FILTER)
    values: dict[str, Any] = Field(default={}, description=BULK_VALUES)
    dry_run: bool = Field(default=False, description="Count only, change nothing")
    confirmation_token: str | None = Field(
        default=None,
        max_length=64,
        description="The confirmation_token of this delete's dry run: required when it matches more rows than the API deletes unconfirmed",
    )


class BulkUndoRequest(BaseModel):
    """The body of `POST /api/<table>/bulk/undo`."""

    model_config = ConfigDict(extra="forbid")

    undo_token: str = Field(description="The undo_token of a bulk result")


class BulkError(BaseModel):
    """Why a batch of a bulk run was refused."""

    detail: str
    error_code: str
    field: str | None
    rows: int = Field(description="Rows in the refused batch")
    row_id: str | None = Field(
        default=None, description="The refused row (a run in the background names each one)"
    )


class BulkResult(BaseModel):
    """What a bulk run matched and changed."""

    matched: int = Field(description="Rows the filter selected")
    affected: int = Field(description="Rows changed (none on a dry run)")
    failed: int = Field(description="Rows the change was refused for")
    errors: list[BulkError] = Field(description="Why: one entry per refused batch (at most 20)")
    undo_token: str | None = Field(
        description="For the resource's bulk undo; null when there is none"
    )
    undo_expires_at: datetime.datetime | None
    confirmation_token: str | None = Field(
        default=None,
        description="A dry run of a delete: what the delete sends back when it needs confirming",
    )


BULK_RUN_STATUSES = ("queued", "running", "done", "cancelled", "failed")


class BulkRun(BaseModel):
    """One bulk run: answered (202) when it goes to the background, and by /api/bulk_runs."""

    id: str
    resource: str
    operation: Literal["update", "delete"]
    status: Literal["queued", "running", "done", "cancelled", "failed"] = Field(
        description="queued, running, then done, cancelled (between two batches) or failed"
    )
    dry_run: bool
    matched: int = Field(description="Rows the filter selected when the run was made")
    processed: int = Field(description="Rows handled so far: affected + failed")
    affected: int = Field(description="Rows changed")
    failed: int = Field(description="Rows the change was refused for")
    errors: list[BulkError] = Field(description="Why: one entry per refused row (at most 20)")
    actor: str | None = Field(description="Who made the run (X-User-ID)")
    tenant_id: str | None
    branch_id: str | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    undo_token: str | None = Field(
        description="For the resource's bulk undo, once the run has changed rows"
    )
    undo_expires_at: datetime.datetime | None


class BulkRunPage(BaseModel):
    """A page of bulk runs, newest first."""

    items: list[BulkRun]
    next_cursor: str | None


class BulkUndoResult(BaseModel):
    """What a bulk undo put back."""

    restored: int = Field(description="Rows back as they were")
    skipped: int = Field(description="Rows written since the run, left as they are")


class AuditEntry(BaseModel):
    """One write of an audited row."""

    id: int
    resource: str
    row_id: str
    action: str = Field(
        description="create, update, delete, restore, bulk_update, bulk_delete, bulk_undo, merge or a custom action's name"
    )
    before: dict[str, Any] | None = Field(description="The row before the write; null for a create")
    after: dict[str, Any] | None = Field(description="The row after the write; null for a delete")
    actor: str | None
    tenant_id: str | None
    branch_id: str | None
    ip_address: str | None = Field(description="The address the write came from")
    user_agent: str | None = Field(description="The User-Agent of the request that wrote")
    at: datetime.datetime


class AuditPage(BaseModel):
    """A page of audit entries, newest first."""

    items: list[AuditEntry]
    next_cursor: str | None


class ChangeEntry(BaseModel):
    """One committed change of a row, at its position in the feed."""

    position: int = Field(description="Where the change is in the feed: send it as since")
    resource: str
    row_id: str
    action: str = Field(
        description="create, update, delete, restore, bulk_update, bulk_delete, bulk_undo, merge or a custom action's name"
    )
    deleted: bool = Field(description="A tombstone: the row is gone (or hidden) for the caller")
    row: dict[str, Any] | None = Field(description="The row after the change; null when deleted")
    branch_id: str | None = Field(description="The branch written on (branching resources)")
    actor: str | None
    at: datetime.datetime


class ChangePage(BaseModel):
    """Changes after a position, oldest first."""

    items: list[ChangeEntry]
    position: int = Field(description="The last position this page covers: the next since")
    more: bool = Field(description="Whether more changes wait after position")


CHANGE_STREAM = (
    "Server-sent events: one `change` event per change (its `id` the position, its `data` a"
    " ChangeEntry), the ones after since first, then each as it commits"
)
MAX_POSITION = 2**53 - 1  # a feed position: an exact JSON number everywhere (JavaScript too)
# One server-sent event of the change stream, as a client parses it: `data` a ChangeEntry's JSON.
CHANGE_EVENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["change"]},
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "data": {"type": "string", "contentMediaType": "application/json"},
        "retry": {"type": "integer"},
    },
}
LAST_EVENT_ID = (
    "The last position received: the stream resumes after it (EventSource sends it); what is"
    " not a position is ignored, as since is then"
)


class MergeResult(BaseModel):
    """What a merge brought into main."""

    branch: str
    merged: dict[str, int] = Field(description="Rows merged per resource")


class Health(BaseModel):
    """`{"status": "ok"}` (healthz) or `{"status": "ready"}` (readyz)."""

    status: str
