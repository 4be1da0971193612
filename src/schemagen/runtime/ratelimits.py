"""Rate limits per caller and action: past its limit a caller is answered 429 `rate_limited`
with `Retry-After`, the seconds until the window lets the next request through.

Rules (`RATE_LIMITS`, over schemagen.toml's `[app] rate_limits`) pair an action with a limit:

- an action as the action router names it (`office.create`, `office.close`, `audit.list`), or
  `*.verb` for that verb of every resource (`*.bulk`, `*.export`), or `*` for every request that
  no other rule names;
- a limit as `N/unit` or `N/M units`: `10/minute`, `1000/hour`, `5/10 seconds` (second, minute,
  hour, day).

An action's own rule (or its `*.verb`) counts that action alone; `*` counts every other request
of the caller together. An action run through `POST /api/actions` counts as that action too. The
caller is the principal (`get_principal`'s id), else the peer's address.

Counted in a moving window, in this process (`RATE_LIMIT_STORAGE` unset: `memory://`) or in a
store every process of the app shares (`redis://host:6379/0`; needs the `redis` package: the
project's `redis` extra). A store that does not answer lets requests through (logged): the limit
protects the API, it must not take it down.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .contract import (
    ANY_ACTION,
    DEFAULT_RATE_LIMIT_STORAGE,
    RATE_LIMIT_STORAGE_SETTING,
    RATE_LIMITS_SETTING,
    action_problem,
    rule_problem,
)
from .errors import ApiError

if TYPE_CHECKING:
    from limits import RateLimitItem

    from .edges import EdgeSettings

log = logging.getLogger(__name__)


class Limiter:
    """The rules of one app over one store: `hit(action, caller)` counts a request or refuses it."""

    def __init__(
        self,
        rules: Mapping[str, str],
        storage: str = DEFAULT_RATE_LIMIT_STORAGE,
        *,
        namespace: str = "app",
        actions: Iterable[str] = (),
    ) -> None:
        """`actions`: the app's action names; a rule naming another (or a verb none has) is a
        ValueError, as a typo in a setting should be."""
        # Imported here: an app without limits never loads the library.
        from limits import parse
        from limits.storage import Storage, storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        known = tuple(actions)
        self.items: dict[str, RateLimitItem] = {}
        for action, limit in rules.items():
            problem = rule_problem(action, limit)
            if problem is None and known:
                problem = action_problem(action, known)
            if problem is not None:
                raise ValueError(f"{RATE_LIMITS_SETTING}: {problem}")
            self.items[action] = parse(limit)
        try:
            made = storage_from_string(storage)
        except Exception as error:  # noqa: BLE001 - any store the library cannot open is a setting's mistake
            raise ValueError(
                f"{RATE_LIMIT_STORAGE_SETTING}: cannot use {storage!r} ({error})"
            ) from None
        if not isinstance(made, Storage):  # an async:// store: the routes count synchronously
            message = f"{RATE_LIMIT_STORAGE_SETTING}: {storage!r} is asynchronous; name a plain one"
            raise ValueError(message)  # noqa: TRY004 (a setting's mistake, as the others)
        self.storage = made
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.namespace = namespace

    def rule(self, action: str, *, fallback: bool = True) -> tuple[str, RateLimitItem] | None:
        """The rule that counts `action`: its own, its verb's, else (with `fallback`) `*`."""
        verb = "*." + action.rpartition(".")[2]
        for key in (action, verb, *((ANY_ACTION,) if fallback else ())):
            item = self.items.get(key)
            if item is not None:
                return (ANY_ACTION if key == ANY_ACTION else action), item
        return None

    def hit(self, action: str, caller: str, *, fallback: bool = True) -> None:
        """Count one request of `caller` to `action`; past the limit, the 429."""
        found = self.rule(action, fallback=fallback)
        if found is None:
            return
        bucket, item = found
        identity = (self.namespace, bucket, caller)
        try:
            if self.strategy.hit(item, *identity):
                return
            reset = self.strategy.get_window_stats(item, *identity).reset_time
        except Exception:  # the store is down: let the request through, and say so
            log.warning("rate limit store unavailable; %s not counted", action, exc_info=True)
            return
        wait = max(1, math.ceil(reset - time.time()))
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests: {item} for {'this caller' if bucket == ANY_ACTION else action}; "
            f"retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )


def limiter(settings: EdgeSettings, *, namespace: str, actions: Iterable[str]) -> Limiter | None:
    """The app's limits as its settings say (`app.state.rate_limiter`), or None without a rule:
    then nothing is counted and the library is not loaded."""
    if not settings.rate_limits:
        return None
    return Limiter(
        dict(settings.rate_limits),
        settings.rate_limit_storage,
        namespace=namespace,
        actions=actions,
    )
