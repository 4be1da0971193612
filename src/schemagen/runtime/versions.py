"""Versioned rows: the version a write was based on (If-Match or the body), checked and moved on."""

from __future__ import annotations

from .context import RequestContext
from .errors import ApiError
from .resources import Resource, Row


def expected_version(
    resource: Resource, context: RequestContext, body_version: object, *, required: bool
) -> int | None:
    """The version a write was based on: `If-Match: "3"` or the body's `version`.

    None when the resource is not versioned, or (deletes, restores) none was given or `*`.
    `*` matches any current row (RFC 9110): it names no version, so it cannot show an update was
    based on the current one, and an update that requires a version answers it 428 as it does
    a missing header.
    """
    if not resource.has("versioned"):
        return None
    if context.if_match is not None:
        tag = context.if_match.strip()
        if tag == "*":
            if required:
                raise ApiError(
                    428,
                    "precondition_required",
                    f"{resource.label} is versioned: If-Match: * names no version; send the row's ETag",
                )
            return None
        tag = tag.removeprefix("W/").strip('"')
        try:
            return int(tag)
        except ValueError:
            raise ApiError(
                409, "version_conflict", f"If-Match: {context.if_match!r} is no version of this row"
            ) from None
    if body_version is not None:
        if not isinstance(body_version, int):  # the update model's version is an integer
            raise TypeError(f"version {body_version!r} is no integer")
        return body_version
    if required:
        raise ApiError(
            428,
            "precondition_required",
            f"{resource.label} is versioned: send If-Match with its ETag, or its version in the body",
        )
    return None


def check_version(resource: Resource, row: Row, expected: int | None) -> None:
    if expected is not None and row.version != expected:
        raise ApiError(
            409,
            "version_conflict",
            f"{resource.label} is at version {row.version}, not {expected}: read it again",
        )


def bump_version(resource: Resource, row: Row) -> None:
    # The model declares `version` as its version counter: the UPDATE also checks the old value,
    # so two writers that read the same version cannot both win.
    if resource.has("versioned"):
        row.version = (row.version or 0) + 1
