"""The caller: the headers that scope every query, and the scoping itself.

Every read goes through `scoped()`: the one place where row-level rules (tenant, owner, soft
delete, branch) limit what a caller sees.
"""

# No `from __future__ import annotations`: FastAPI reads `get_context`'s annotations, and the
# project's `get_principal` in them is a local of `request_context`, which a string could not name.

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

import sqlalchemy as sa
from fastapi import Depends, Header, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from .api_models import IF_MATCH, SCOPE_HEADERS
from .contract import IP_ADDRESS_LENGTH, SCOPE_LENGTH, USER_AGENT_LENGTH
from .db import bind
from .edges import note_caller
from .errors import ApiError, validation_error
from .resources import Clause, Resource
from .tenants import require_known

MAIN_BRANCH = "main"
# The scoping headers as security schemes, so the OpenAPI document names them; none is required
# here (a tenant resource answers 400 tenant_required without X-Tenant-ID).
TENANT_HEADER, BRANCH_HEADER, USER_HEADER = (
    APIKeyHeader(name=header, scheme_name=scheme, description=description, auto_error=False)
    for scheme, (header, description) in SCOPE_HEADERS.items()
)


@dataclass(frozen=True)
class RequestContext:
    """Who asks and where: the headers that row-level rules read."""

    tenant_id: str | None = None
    branch_id: str = MAIN_BRANCH
    user_id: str | None = None
    if_match: str | None = None  # versioned updates: the version the change was based on
    # Where the request came from, for the audit trail: the peer's address (behind a proxy, what
    # uvicorn's --proxy-headers makes of X-Forwarded-For) and the User-Agent, cut to their columns.
    client_ip: str | None = None
    user_agent: str | None = None
    # Counts this caller's request to an action against the app's rate limits (a 429 past one):
    # the action router runs it for the action a body names. None: the app has no limits.
    rate_limit: Callable[[str], None] | None = field(default=None, compare=False, repr=False)


class RateLimiter(Protocol):
    """The app's rate limits (`runtime.ratelimits.Limiter`, in `app.state.rate_limiter`)."""

    def hit(self, action: str, caller: str, *, fallback: bool = True) -> None: ...


class Principal(Protocol):
    """The caller as the project's `auth.get_principal` returns it: `id` is what owned rows store."""

    @property
    def id(self) -> str: ...


def request_context(
    get_principal: Callable[..., Principal | None],
) -> Callable[..., RequestContext]:
    """The dependency that makes a request's `RequestContext`, its caller from `get_principal`
    (the project's, so `app.dependency_overrides[get_principal]` reaches every route)."""

    def get_context(
        request: Request,
        principal: Annotated[Principal | None, Depends(get_principal)],
        x_tenant_id: Annotated[str | None, Security(TENANT_HEADER)],
        x_branch_id: Annotated[str | None, Security(BRANCH_HEADER)],
        if_match: Annotated[str | None, Header(alias="If-Match", description=IF_MATCH)] = None,
    ) -> RequestContext:
        for name, value in (("X-Tenant-ID", x_tenant_id), ("X-Branch-ID", x_branch_id)):
            if value is not None and len(value) > SCOPE_LENGTH:
                raise validation_error(f"{name} is longer than {SCOPE_LENGTH} characters", name)
        user_id = principal.id if principal is not None else None
        address = _kept(request.client.host if request.client else None, IP_ADDRESS_LENGTH)
        note_caller(x_tenant_id or None, user_id)  # for the request's log line
        limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
        rate_limit = None
        if limiter is not None:
            caller = f"user:{user_id}" if user_id is not None else f"address:{address}"
            route = getattr(request.scope.get("route"), "name", None)
            if isinstance(route, str):
                limiter.hit(route, caller)  # the route's own action (or `*`)

            def rate_limit(action: str) -> None:
                limiter.hit(action, caller, fallback=False)

        return RequestContext(
            tenant_id=x_tenant_id or None,
            branch_id=x_branch_id or MAIN_BRANCH,
            user_id=user_id,
            if_match=if_match or None,
            client_ip=address,
            user_agent=_kept(request.headers.get("user-agent"), USER_AGENT_LENGTH),
            rate_limit=rate_limit,
        )

    return get_context


def _kept(text: str | None, length: int) -> str | None:
    """`text` as a column keeps it: cut to `length`, without NUL (which PostgreSQL refuses)."""
    return text.replace("\x00", "")[:length] or None if text else None


def enter(resource: Resource, session: Session, context: RequestContext) -> None:
    """Check the headers `resource` needs and hand the caller to the session (for row-level security)."""
    if resource.has("tenant"):
        require_known(resource, session, tenant_of(resource, context))
    bind(session, context.tenant_id, context.user_id)


def tenant_of(resource: Resource, context: RequestContext) -> str:
    """The caller's tenant, for a resource whose rows are kept per tenant: 400 without one."""
    if not context.tenant_id:
        raise ApiError(
            400, "tenant_required", f"{resource.label}: the X-Tenant-ID header is required"
        )
    return context.tenant_id


def require_principal(resource: Resource, context: RequestContext) -> str:
    if context.user_id is None:
        raise ApiError(
            401, "authentication_required", f"{resource.label}: writing needs a caller (X-User-ID)"
        )
    return context.user_id


def scoped(
    resource: Resource,
    context: RequestContext,
    statement: sa.Select[Any] | None = None,
    *,
    include_deleted: bool = False,
) -> sa.Select[Any]:
    """`statement` (default: select the model) limited to the rows this caller may see."""
    model = resource.model
    statement = sa.select(model) if statement is None else statement
    if resource.has("tenant"):
        statement = statement.where(model.tenant_id == context.tenant_id)
    if resource.has("owned"):  # your rows, and system rows for everyone
        mine = model.owner_id == context.user_id if context.user_id is not None else sa.false()
        statement = statement.where(sa.or_(model.is_system == sa.true(), mine))
    if resource.has("soft_delete") and not include_deleted:
        statement = statement.where(model.deleted_at.is_(None))
    if resource.has("branching"):
        statement = statement.where(on_branch(resource, context.branch_id))
    return statement


def on_branch(resource: Resource, branch: str) -> Clause:
    """The rows `branch` sees: its own copies (not deleted there), and main's rows it has not copied."""
    model = resource.model
    if branch == MAIN_BRANCH:
        main: Clause = model.branch_id == MAIN_BRANCH
        return main
    copy = sa.orm.aliased(model)
    copied = sa.exists().where(copy.id == model.id, copy.branch_id == branch)
    return sa.or_(
        sa.and_(model.branch_id == branch, model.branch_deleted == sa.false()),
        sa.and_(model.branch_id == MAIN_BRANCH, ~copied),
    )
