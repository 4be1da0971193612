"""PostgreSQL only: trigger functions, triggers, row-level security. Each renders the statements
the models' create_all runs (`schemagen.sql`), behind `if dialect == "postgresql"`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from schemagen import sql as ddl
from schemagen.migrations.operations.base import (
    ADD_CONSTRAINTS,
    DROP_CONSTRAINTS,
    DROP_ENUM_TYPES,
    ENUM_TYPES,
    Block,
    Operation,
    on_postgresql,
)
from schemagen.migrations.snapshot import PolicyState, TriggerState


@dataclass(frozen=True)
class CreateFunction(Operation):
    """A trigger function, or its new body (CREATE OR REPLACE): before any trigger needs it."""

    phase: ClassVar[int] = ENUM_TYPES
    rank: ClassVar[int] = 4
    name: str
    body: str

    @property
    def table(self) -> str:
        return ""

    def sort_key(self) -> tuple[Any, ...]:
        return (self.name,)

    def describe(self) -> str:
        return f"create function {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        return [Block(on_postgresql([ddl.create_function_sql(self.name, self.body)]))]


@dataclass(frozen=True)
class DropFunction(Operation):
    """After the tables and triggers that used it are gone."""

    phase: ClassVar[int] = DROP_ENUM_TYPES
    rank: ClassVar[int] = 4
    name: str

    @property
    def table(self) -> str:
        return ""

    def sort_key(self) -> tuple[Any, ...]:
        return (self.name,)

    def describe(self) -> str:
        return f"drop function {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        return [Block(on_postgresql([ddl.drop_function_sql(self.name)]))]


@dataclass(frozen=True)
class AddTrigger(Operation):
    """Once the columns it touches exist."""

    phase: ClassVar[int] = ADD_CONSTRAINTS
    rank: ClassVar[int] = 3
    name: str
    trigger: TriggerState

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.trigger.name,)

    def describe(self) -> str:
        return f"add trigger {self.trigger.name} on {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        sql = ddl.create_trigger_sql(self.name, self.trigger.name, self.trigger.function)
        return [Block(on_postgresql([sql]))]


@dataclass(frozen=True)
class DropTrigger(Operation):
    """Before the columns it touches go (a dropped table takes its triggers along)."""

    phase: ClassVar[int] = DROP_CONSTRAINTS
    rank: ClassVar[int] = 3
    name: str
    trigger: TriggerState

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.trigger.name,)

    def describe(self) -> str:
        return f"drop trigger {self.trigger.name} on {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        return [Block(on_postgresql([ddl.drop_trigger_sql(self.name, self.trigger.name)]))]


@dataclass(frozen=True)
class AddPolicy(Operation):
    """Row-level security enabled (again: it is idempotent) and one policy."""

    phase: ClassVar[int] = ADD_CONSTRAINTS
    rank: ClassVar[int] = 4
    name: str
    policy: PolicyState

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.policy.name,)

    def describe(self) -> str:
        return f"add row-level security policy {self.policy.name} on {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        p = self.policy
        statements = [
            ddl.enable_row_security_sql(self.name),
            ddl.create_policy_sql(self.name, p.name, p.command, p.using, p.check),
        ]
        return [Block(on_postgresql(statements))]


@dataclass(frozen=True)
class DropPolicy(Operation):
    """One policy; with the table's last one, row-level security is disabled too (else the
    table would show no row at all to the roles it held)."""

    phase: ClassVar[int] = DROP_CONSTRAINTS
    rank: ClassVar[int] = 4
    name: str
    policy: PolicyState
    disable: bool = False

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.policy.name,)

    def describe(self) -> str:
        return f"drop row-level security policy {self.policy.name} on {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        statements = [ddl.drop_policy_sql(self.name, self.policy.name)]
        if self.disable:
            statements.append(ddl.disable_row_security_sql(self.name))
        return [Block(on_postgresql(statements))]
