"""`runtime.ratelimits`: the rules' grammar, which rule counts an action, the 429 past a limit,
and limits shared by two processes through the machine's Redis (127.0.0.1:6379)."""

from __future__ import annotations

import logging
import os
import uuid

import pytest

from schemagen.runtime import ratelimits
from schemagen.runtime.contract import parse_rules, rule_problem
from schemagen.runtime.edges import EdgeSettings
from schemagen.runtime.errors import ApiError

REDIS = "redis://127.0.0.1:6379/0"
ACTIONS = ("office.create", "office.list", "office.bulk", "region.bulk", "region.create")


def refused(limiter: ratelimits.Limiter, action: str, caller: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        limiter.hit(action, caller)
    return caught.value


@pytest.mark.parametrize(
    ("action", "limit"),
    [("*", "600/minute"), ("*.bulk", "10/minute"), ("office.create", "5/10 seconds")]
    + [("a_b.c_d", "1/day"), ("*", "100 / hour"), ("*", "7/2 minutes")],
)
def test_rules_the_grammar_takes(action: str, limit: str) -> None:
    assert rule_problem(action, limit) is None


@pytest.mark.parametrize(
    ("action", "limit", "wrong"),
    [
        ("Office.create", "1/minute", "no action"),
        ("office", "1/minute", "no action"),
        ("*.", "1/minute", "no action"),
        ("office.create ", "1/minute", "no action"),
        ("*", "0/minute", "no limit"),
        ("*", "1/fortnight", "no limit"),
        ("*", "lots", "no limit"),
        ("*", "1e3/minute", "no limit"),
        ("*", "1/minute\n", "no limit"),
    ],
)
def test_rules_the_grammar_refuses(action: str, limit: str, wrong: str) -> None:
    problem = rule_problem(action, limit)
    assert problem is not None and wrong in problem


def test_the_setting_is_action_equals_limit_pairs() -> None:
    assert parse_rules(" *=600/minute , *.bulk=10/minute,,office.create = 5/10 seconds") == {
        "*": "600/minute",
        "*.bulk": "10/minute",
        "office.create": "5/10 seconds",
    }
    with pytest.raises(ValueError, match=r"RATE_LIMITS: '\*\.bulk' is not action=limit"):
        parse_rules("*.bulk")


def test_an_actions_own_rule_then_its_verbs_then_the_default() -> None:
    limiter = ratelimits.Limiter(
        {"office.create": "1/minute", "*.bulk": "1/minute", "*": "2/minute"},
        namespace=uuid.uuid4().hex,
        actions=ACTIONS,
    )
    limiter.hit("office.create", "user:ann")
    error = refused(limiter, "office.create", "user:ann")
    assert (error.status, error.error_code, error.field) == (429, "rate_limited", None)
    assert error.headers is not None and 1 <= int(error.headers["Retry-After"]) <= 60
    assert "1 per 1 minute for office.create" in error.detail
    # `*.bulk` counts each resource's bulk on its own.
    limiter.hit("office.bulk", "user:ann")
    limiter.hit("region.bulk", "user:ann")
    assert refused(limiter, "region.bulk", "user:ann").status == 429
    # `*` counts the other actions together, and each caller on their own.
    limiter.hit("office.list", "user:ann")
    limiter.hit("region.create", "user:ann")
    assert "for this caller" in refused(limiter, "office.list", "user:ann").detail
    limiter.hit("office.list", "user:bob")
    limiter.hit("office.list", "address:127.0.0.1")


def test_without_the_default_only_named_actions_are_counted() -> None:
    limiter = ratelimits.Limiter({"*.bulk": "1/minute"}, namespace=uuid.uuid4().hex)
    for _ in range(5):
        limiter.hit("office.list", "user:ann")
    limiter.hit("office.bulk", "user:ann", fallback=False)
    assert refused(limiter, "office.bulk", "user:ann").status == 429
    assert limiter.rule("office.list", fallback=False) is None


@pytest.mark.parametrize(
    ("rules", "storage", "message"),
    [
        ({"office.craete": "1/minute"}, "memory://", "'office.craete': this app has no such"),
        ({"*.nope": "1/minute"}, "memory://", "no action of this app is a 'nope'"),
        ({"*": "lots"}, "memory://", "RATE_LIMITS: 'lots' is no limit"),
        ({"*": "1/minute"}, "nosuch://x", "RATE_LIMIT_STORAGE: cannot use 'nosuch://x'"),
        ({"*": "1/minute"}, "async+memory://", "is asynchronous"),
    ],
)
def test_a_wrong_setting_stops_the_start_naming_it(
    rules: dict[str, str], storage: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("*", r"\*")):
        ratelimits.Limiter(rules, storage, actions=ACTIONS)


def test_no_rule_no_limiter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RATE_LIMITS", raising=False)
    settings = EdgeSettings.from_environment(EdgeSettings(rate_limits=()))
    assert ratelimits.limiter(settings, namespace="app", actions=ACTIONS) is None
    monkeypatch.setenv("RATE_LIMITS", "office.create=3/minute")
    monkeypatch.setenv("RATE_LIMIT_STORAGE", "memory://")
    settings = EdgeSettings.from_environment(EdgeSettings(rate_limits=(("*", "9/minute"),)))
    assert settings.rate_limits == (("office.create", "3/minute"),)  # the environment wins
    made = ratelimits.limiter(settings, namespace="app", actions=ACTIONS)
    assert made is not None and set(made.items) == {"office.create"}


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis, or a skip (a failure with SCHEMAGEN_REQUIRE_DBS=1)."""
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis at {REDIS} is unreachable: {error}"
        if os.environ.get("SCHEMAGEN_REQUIRE_DBS") == "1":
            pytest.fail(f"{reason} (SCHEMAGEN_REQUIRE_DBS=1)", pytrace=False)
        pytest.skip(reason)
    return REDIS


def test_processes_sharing_redis_share_the_limit(redis_url: str) -> None:
    """Two limiters on one Redis (as two worker processes of one app): one count."""
    namespace = f"test-{uuid.uuid4().hex}"
    first, second = (
        ratelimits.Limiter({"office.create": "3/minute"}, redis_url, namespace=namespace)
        for _ in range(2)
    )
    first.hit("office.create", "user:ann")
    second.hit("office.create", "user:ann")
    first.hit("office.create", "user:ann")
    assert refused(second, "office.create", "user:ann").status == 429
    second.hit("office.create", "user:bob")
    # Another app on the same Redis counts apart.
    other = ratelimits.Limiter({"office.create": "3/minute"}, redis_url, namespace=namespace + "x")
    other.hit("office.create", "user:ann")


def test_a_store_that_does_not_answer_lets_requests_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The limit protects the API; a Redis that is down must not take it down (logged)."""
    limiter = ratelimits.Limiter(
        {"*": "1/minute"}, "redis://127.0.0.1:1/0?socket_connect_timeout=1", namespace="down"
    )
    with caplog.at_level(logging.WARNING, logger=ratelimits.__name__):
        for _ in range(3):
            limiter.hit("office.create", "user:ann")
    assert "rate limit store unavailable" in caplog.text
