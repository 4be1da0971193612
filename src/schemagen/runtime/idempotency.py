"""`Idempotency-Key`: a write sent again with the same key gets the first answer, applied once.

A client that cannot tell whether a write arrived (a timeout, a lost connection, an outbox
replayed after a reload) sends it again with the same key. The key is the caller's: it is kept
per tenant, caller and branch, as the rows are, for `IDEMPOTENCY_TTL` seconds (a day unless set).

- `guard` (a dependency of every write route) looks the key up. Answered before: the same
  request gets that answer again (status, body, ETag), marked `Idempotent-Replayed: true`; another
  request under the key (another body, path or method) is 422 `idempotency_key_reused`. Unknown:
  the request runs, its session carrying a claim.
- The claim is inserted into the key table by the write's own commit (`before_commit`), so the
  key and the write are committed together or not at all. Two requests racing with one key both
  run, and the table's unique digest lets one commit: the other's insert fails, its whole
  transaction rolls back, and it answers what the first one answered.
- `IdempotencyMiddleware` stores the committed request's answer before sending it, so a client
  that received it and sends it again always finds it. A request that committed nothing (a
  refusal, a dry run) keeps no key: sent again, it runs again, and nothing was applied twice.

The project hands its key table over once (`configure`, in the generated `db.py`) and installs
the middleware (`install`, in `app.py`).
"""

# No `from __future__ import annotations`: FastAPI reads `guard`'s annotations, and the
# project's `get_context` in them is a local, which a string could not name.

import contextlib
import datetime
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Header, Request
from fastapi import params as fastapi_params
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .api_models import IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_LENGTH, IDEMPOTENCY_KEY_PATTERN
from .context import RequestContext
from .db import READ_METHODS, SessionDep, bind
from .errors import ApiError, error_response, unavailable
from .values import positive_setting, stored_now

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"  # on a replayed answer, as Stripe and the IETF draft name it
DEFAULT_TTL = 24 * 3600  # seconds a key is kept: `IDEMPOTENCY_TTL`
KEPT_HEADERS = ("content-type", "etag", "location")  # what a replay sends again beside the body
WAIT = 5.0  # seconds a request waits for the answer of the one that holds its key
STEP = 0.05
CLAIM_ATTEMPTS = 3  # tries of a claim or of storing an answer that lost a deadlock
_CLAIM = "idempotency"  # the claim, in the session's info and the request's state

log = logging.getLogger(__name__)
_MODEL: list[type[Any]] = []  # the project's key table, once configured


def configure(model: type[Any]) -> None:
    """Keep idempotency keys in `model` (the project's `IdempotencyKey`) from now on."""
    _MODEL[:] = [model]
    for name, listener in (
        ("before_commit", _insert_claim),
        ("after_commit", _claim_committed),
        ("after_rollback", _claim_rolled_back),
    ):
        if not sa.event.contains(Session, name, listener):
            sa.event.listen(Session, name, listener)


def key_model() -> type[Any]:
    if not _MODEL:
        raise RuntimeError("idempotency keys are not configured (runtime.idempotency.configure)")
    return _MODEL[0]


def ttl_from_environment() -> int:
    """`IDEMPOTENCY_TTL`: how many seconds a key is kept, a positive integer (default a day)."""
    return positive_setting("IDEMPOTENCY_TTL", DEFAULT_TTL, "seconds")


def install(app: FastAPI, ttl: int | None = None) -> None:
    """Replay stored answers and store new ones; keys kept `ttl` seconds (`IDEMPOTENCY_TTL`)."""
    app.state.idempotency_ttl = ttl_from_environment() if ttl is None else ttl
    app.add_exception_handler(Replay, _replay)
    app.add_middleware(IdempotencyMiddleware)


@dataclass
class Claim:
    """A key a running request will hold once its write commits."""

    digest: str  # the key within its scope: the table's unique column
    key: str
    fingerprint: str  # the request the key stands for: method, path, query and body
    tenant_id: str | None
    actor: str | None
    branch_id: str
    ttl: int
    inserted: bool = False  # in the open transaction
    committed: bool = False
    lost: bool = False  # another request committed the key first
    # The request's session, which stores the answer: on SQLite, a route that read after its
    # commit holds the write lock in it until the response is sent.
    session: Session | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Answer:
    """A key's row: the request it stands for and, once stored, its answer."""

    fingerprint: str
    status: int | None
    headers: dict[str, str]
    body: str | None


class Replay(Exception):
    """The answer to send again, raised by `guard` before the route runs."""

    def __init__(self, answer: Answer) -> None:
        super().__init__("replay")
        self.answer = answer


def digest_of(key: str, context: RequestContext) -> str:
    scope = [key, context.tenant_id, context.user_id, context.branch_id]
    return hashlib.sha256(json.dumps(scope).encode()).hexdigest()


async def request_fingerprint(request: Request) -> str:
    """What the key stands for: the method, the path with its query, and the body's bytes."""
    body = await request.body()  # kept by the request: the route reads the same bytes
    target = request.url.path + ("?" + request.url.query if request.url.query else "")
    head = f"{request.method} {target}\n".encode()
    return hashlib.sha256(head + body).hexdigest()


def guard(get_context: Callable[..., RequestContext]) -> fastapi_params.Depends:
    """The dependency of the write routes (a router's `writes`), over the project's `get_context`."""

    def check(
        request: Request,
        session: SessionDep,
        context: Annotated[RequestContext, Depends(get_context)],
        fingerprint: Annotated[str, Depends(request_fingerprint)],
        key: Annotated[
            str | None,
            Header(
                alias=HEADER,
                description=IDEMPOTENCY_KEY,
                min_length=1,
                max_length=IDEMPOTENCY_KEY_LENGTH,
                pattern=IDEMPOTENCY_KEY_PATTERN,
            ),
        ] = None,
    ) -> None:
        if key is None or request.method in READ_METHODS:
            return
        if not _an_id(request.path_params.get("id")):
            return  # `PATCH /bulk` matched `/{id}`: the route refuses it (405), as without a key
        digest = digest_of(key, context)
        bind(session, context.tenant_id, context.user_id)
        found = wait_for_answer(session, digest)
        if found is not None:
            answer(found, fingerprint)
        claim = Claim(
            digest,
            key,
            fingerprint,
            context.tenant_id,
            context.user_id,
            context.branch_id,
            getattr(request.app.state, "idempotency_ttl", DEFAULT_TTL),
        )
        claim_or_answer(session, claim)
        claim.session = session
        session.info[_CLAIM] = claim
        request.state.idempotency = claim

    depends: fastapi_params.Depends = Depends(check)
    return depends


def _an_id(value: object) -> bool:
    """Whether a path's `{id}` can be a row's id (a UUID or an integer), or there is none."""
    if value is None:
        return True
    text = str(value)
    if text.lstrip("-").isdigit():
        return True
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def claim_or_answer(session: Session, claim: Claim) -> None:
    """Insert the claim; when another request holds the key, raise what that one answered.

    A unique-key failure means the holder committed (PostgreSQL and MySQL made this insert wait
    for it), so its answer is on its way. A deadlock (MySQL's lock queue on the key's index
    record, among requests racing with one key) leaves this request without the key: it waits
    for the holder's answer too, and claims again only if no request holds the key any more.
    """
    for attempt in range(1, CLAIM_ATTEMPTS + 1):
        try:
            insert_claim(session, claim)
            return
        except sa.exc.IntegrityError:
            session.rollback()
            found = wait_for_answer(session, claim.digest)
            answer(found or Answer(claim.fingerprint, None, {}, None), claim.fingerprint)
        except sa.exc.OperationalError as error:
            if not unavailable(error) or attempt == CLAIM_ATTEMPTS:
                raise
            session.rollback()
            found = wait_for_answer(session, claim.digest)
            if found is not None:
                answer(found, claim.fingerprint)


def answer(found: Answer, fingerprint: str) -> None:
    """Raise what a request with a known key gets: the answer again, or why not."""
    if found.fingerprint != fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            f"{HEADER}: the key was used for another request (another body, path or method)",
            HEADER,
        )
    if found.status is None:
        raise ApiError(
            409,
            "idempotency_in_progress",
            f"{HEADER}: a request with this key is still running; send it again shortly",
            HEADER,
        )
    raise Replay(found)


def load(session: Session, digest: str) -> Answer | None:
    """The key's row, unless it has expired."""
    model = key_model()
    row = session.execute(
        sa.select(model.fingerprint, model.status, model.headers, model.body).where(
            model.digest == digest, model.expires_at > stored_now(session)
        )
    ).first()
    if row is None:
        return None
    return Answer(row.fingerprint, row.status, dict(row.headers or {}), row.body)


def wait_for_answer(session: Session, digest: str) -> Answer | None:
    """The key's row; while it has no answer yet (its request is sending it), read it again, in a
    new transaction each time (never holding SQLite's write lock that the storing needs), for up
    to `WAIT` seconds."""
    found = load(session, digest)
    deadline = time.monotonic() + WAIT
    while found is not None and found.status is None and time.monotonic() < deadline:
        session.rollback()
        time.sleep(STEP)
        found = load(session, digest)
    return found


async def _replay(_request: Request, error: Exception) -> Response:
    assert isinstance(error, Replay)
    found = error.answer
    body = (found.body or "").encode()
    return Response(body, found.status or 200, headers={**found.headers, REPLAYED: "true"})


def insert_claim(session: Session, claim: Claim) -> None:
    """The key's row, without an answer yet, in the write's transaction: inserted before the
    write, so the unique digest decides between requests racing with one key before any of them
    writes (PostgreSQL and MySQL hold the second insert until the first transaction ends; SQLite
    runs one writer at a time). An expired row of the same key makes way."""
    model = key_model()
    now = stored_now(session)
    # The expired row is found by a plain read and deleted by its id: a DELETE by digest would
    # lock the key's rows in every racing request (MySQL locks what it scans), and a request
    # holding the row's lock while its insert waits on the index deadlocks against the holder
    # storing its answer (seen on MariaDB with 8 requests racing with one key).
    expired = session.execute(
        sa.select(model.id).where(model.digest == claim.digest, model.expires_at <= now)
    ).scalar()
    if expired is not None:
        session.execute(sa.delete(model).where(model.id == expired, model.expires_at <= now))
    session.execute(
        sa.insert(model).values(
            digest=claim.digest,
            key=claim.key,
            fingerprint=claim.fingerprint,
            actor=claim.actor,
            tenant_id=claim.tenant_id,
            branch_id=claim.branch_id,
            created_at=now,
            expires_at=now + datetime.timedelta(seconds=claim.ttl),
        )
    )
    claim.inserted = True


def _insert_claim(session: Session) -> None:
    """Commit the claim with the write: inserted again if the route rolled back since the guard
    inserted it, and then wrote again."""
    claim = session.info.get(_CLAIM)
    if not isinstance(claim, Claim) or claim.inserted or session.in_nested_transaction():
        return
    try:
        insert_claim(session, claim)
    except sa.exc.IntegrityError:
        claim.lost = True  # the middleware answers what the request that holds the key answered
        raise ApiError(
            409,
            "idempotency_in_progress",
            f"{HEADER}: another request with this key was applied",
            HEADER,
        ) from None


def _claim_committed(session: Session) -> None:
    claim = session.info.get(_CLAIM)
    if isinstance(claim, Claim) and claim.inserted:
        claim.committed = True


def _claim_rolled_back(session: Session) -> None:
    claim = session.info.get(_CLAIM)
    if isinstance(claim, Claim) and not claim.committed:
        claim.inserted = False


def store(state: State, claim: Claim, status: int, headers: dict[str, str], body: bytes) -> None:
    """Keep the answer of the request that committed `claim`, through its own session."""
    model = key_model()
    with contextlib.ExitStack() as stack:
        session = claim.session or stack.enter_context(state.sessionmaker(bind=state.writer))
        for attempt in range(1, CLAIM_ATTEMPTS + 1):
            bind(session, claim.tenant_id, claim.actor)
            try:
                session.execute(
                    sa.update(model)
                    .where(model.digest == claim.digest)
                    .values(status=status, headers=headers, body=body.decode("utf-8", "replace"))
                )
                session.commit()
                return
            except sa.exc.OperationalError as error:
                # A deadlock or lock wait against a request racing for the key: the update
                # sets the same values whenever it runs, so it is run again.
                session.rollback()
                if not unavailable(error) or attempt == CLAIM_ATTEMPTS:
                    raise
                time.sleep(STEP * attempt)


def answer_of_holder(state: State, claim: Claim) -> Response:
    """What a request that lost its key to another one answers: that one's answer."""
    with state.sessionmaker(bind=state.engine) as session:
        bind(session, claim.tenant_id, claim.actor)
        found = wait_for_answer(session, claim.digest)
    try:
        if found is None:
            raise ApiError(
                409, "idempotency_in_progress", f"{HEADER}: the key is held by another request"
            )
        answer(found, claim.fingerprint)
    except Replay as replay:
        body = (replay.answer.body or "").encode()
        headers = {**replay.answer.headers, REPLAYED: "true"}
        return Response(body, replay.answer.status or 200, headers=headers)
    except ApiError as error:
        retry = {"Retry-After": "1"} if error.status == 409 else None
        return error_response(error.status, error.error_code, error.detail, error.field, retry)
    raise AssertionError("answer() always raises")  # pragma: no cover


class IdempotencyMiddleware:
    """Stores the answer of a write that committed its key before sending it; answers a request
    that lost its key to another with that one's answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READ_METHODS:
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            claim = state.get(_CLAIM)
            if not isinstance(claim, Claim) or not (claim.committed or claim.lost):
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            assert start is not None
            await self.finish(scope, claim, start, b"".join(chunks), send)

        await self.app(scope, receive, capture)

    async def finish(
        self, scope: Scope, claim: Claim, start: Message, body: bytes, send: Send
    ) -> None:
        app_state = scope["app"].state
        if claim.lost:
            response = await run_in_threadpool(answer_of_holder, app_state, claim)
            await response(scope, _no_body, send)
            return
        status = int(start["status"])
        kept = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in start.get("headers", [])
            if name.decode("latin-1").lower() in KEPT_HEADERS
        }
        try:
            await run_in_threadpool(store, app_state, claim, status, kept, body)
        except sa.exc.SQLAlchemyError:
            # The write is committed: its answer goes out. The key stays without one until it
            # expires, and a request sent again with it is 409 idempotency_in_progress.
            log.exception("the answer of idempotency key %r could not be stored", claim.key)
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
