"""Seed data: N rows per resource, made by Faker, written through the runtime's own write path.

The generated `seed.py` describes each resource's writable fields once (`FieldSeed`, from the
schema: kind, lengths, bounds, choices, pattern values drawn at build time) with its Create model;
everything else is here. Resources are seeded parents first (the relations in the registry say
the order; a cycle of optional relations is cut at an optional edge, whose rows then point at
nothing). Every row is validated by the Create model, as an API create is, then written as
`writes.create_row` writes it (references checked in the caller's scope, audit and change feed),
a transaction per batch (a batch the database refuses is done again a row at a time, each in a
savepoint). Tenant rows go to each tenant given, owned rows to
the user given, and `system` of an owned resource's rows become system rows (`is_system`), which
no API call can make. Rows go to the main branch and are live (a soft-deleted row is never made).

Deterministic: the same seed on the same database state makes the same rows (ids included; the
server's clock sets `created_at`). Values of a field in a unique constraint carry a serial
counted from the rows already in the table, so a second run adds rows beside the first's; a row
the database still refuses (a check constraint, a unique no serial covers) is drawn again, up to
`ATTEMPTS` times, then the run stops with the database's reason.
"""

from __future__ import annotations

import argparse
import datetime
import decimal
import hashlib
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any, NoReturn

import sqlalchemy as sa
from faker import Faker
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from . import tenants
from .context import MAIN_BRANCH, RequestContext, enter, scoped
from .db import session_factory as sessionmaker
from .db import writer
from .errors import ApiError
from .resources import REGISTRY, Resource, Row
from .rows import fresh
from .trail import audit
from .writes import apply_values, values_of

ATTEMPTS = 20  # draws of one row before the run gives up on it
NULL_SHARE = 8  # one optional value in NULL_SHARE is left null
MANY_TO_MANY_LINKS = 3  # at most this many links per many-to-many field
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
EPOCH = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)  # dates and times fall in 2020-2029
SPAN_SECONDS = 10 * 365 * 24 * 3600
# Faker providers for fields whose name says what they hold; any other string is a few words.
NAMED: Mapping[str, Callable[[Faker], str]] = {
    "name": lambda f: f.name(),
    "full_name": lambda f: f.name(),
    "first_name": lambda f: f.first_name(),
    "last_name": lambda f: f.last_name(),
    "username": lambda f: f.user_name(),
    "company": lambda f: f.company(),
    "company_name": lambda f: f.company(),
    "title": lambda f: f.sentence(nb_words=4).rstrip("."),
    "label": lambda f: f.sentence(nb_words=2).rstrip("."),
    "city": lambda f: f.city(),
    "country": lambda f: f.country(),
    "address": lambda f: f.address(),
    "street": lambda f: f.street_address(),
    "postcode": lambda f: f.postcode(),
    "zip": lambda f: f.postcode(),
    "job": lambda f: f.job(),
    "color": lambda f: f.color_name(),
    "currency": lambda f: f.currency_code(),
    "code": lambda f: f.bothify("??-####").upper(),
    "description": lambda f: f.paragraph(nb_sentences=2),
    "notes": lambda f: f.paragraph(nb_sentences=2),
}


class _Refused(Exception):
    """The database refused a row of a batch written without savepoints: it is done again."""


class SeedError(Exception):
    """The run cannot go on; the message names the resource and says why."""


class ValuesExhausted(SeedError):
    """A unique field has no distinct value left (a boolean, an enum, a pattern, bounds).

    An optional, nullable field takes NULL instead, which no unique constraint counts; a
    required one ends the run with this message."""


@dataclass(frozen=True)
class FieldSeed:
    """A writable field of a resource, as the seed needs it (API name; schema type and options)."""

    name: str
    kind: str  # the schema type: string, email, relation, many_to_many, ...
    required: bool = False
    nullable: bool = False
    unique: bool = False  # alone or in a unique constraint with other fields: values get a serial
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | int | None = None
    maximum: float | int | None = None
    precision: int | None = None
    scale: int | None = None
    choices: tuple[str, ...] = ()
    item: str | None = None  # arrays: the item type
    patterned: bool = False  # values come from `pattern_values` only
    pattern_values: tuple[str, ...] = ()  # values matching the field's pattern, drawn at build time


@dataclass(frozen=True)
class ResourceSeed:
    name: str
    create: type[BaseModel]  # the Create model every seeded row passes
    fields: tuple[FieldSeed, ...]


@dataclass(frozen=True)
class SeedOptions:
    rows: int = 10  # per resource, and per tenant for tenant resources
    seed: int = 0
    tenants: tuple[str, ...] = ("demo",)
    user: str = "seed"  # owner of the rows of owned resources
    system: int = 0  # rows of each owned resource made system rows (is_system)
    batch_size: int = 500  # rows per transaction
    only: tuple[str, ...] = ()  # these resources (and no others); empty: all


@dataclass
class SeedReport:
    """Rows made, by resource (summed over tenants), and the seconds each took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def order(seeds: Sequence[ResourceSeed]) -> list[ResourceSeed]:
    """Parents before children: a resource after every resource its relations and links point
    at (self relations aside). A cycle is cut at a relation the resource may leave empty."""
    by_name = {s.name: s for s in seeds}
    needs: dict[str, dict[str, bool]] = {}  # resource -> target -> required
    for s in seeds:
        targets: dict[str, bool] = {}
        for f in s.fields:
            target = _target(s.name, f)
            if target is not None and target != s.name and target in by_name:
                targets[target] = targets.get(target, False) or f.required
        needs[s.name] = targets
    done: list[str] = []
    pending = sorted(by_name)
    while pending:
        ready = [n for n in pending if all(t in done for t in needs[n])]
        if not ready:  # a cycle: take the first resource whose unmet needs are all optional
            ready = [
                n for n in pending if not any(r for t, r in needs[n].items() if t not in done)
            ][:1]
            if not ready:
                raise SeedError(f"required relations form a cycle: {', '.join(pending)}")
        for name in ready:
            done.append(name)
            pending.remove(name)
    return [by_name[n] for n in done]


def _target(resource: str, f: FieldSeed) -> str | None:
    api = REGISTRY[resource]
    if f.kind == "many_to_many":
        return api.many_to_many[f.name].target
    if f.kind == "relation":
        return api.columns[f.name].references
    return None


def seed(
    session_factory: Callable[[], Session],
    seeds: Sequence[ResourceSeed],
    options: SeedOptions,
    progress: Callable[[str, str | None, int, float], None] | None = None,
) -> SeedReport:
    """Seed every resource of `seeds` (or `options.only`), parents first. `progress(resource,
    tenant, rows, seconds)` hears of each resource and tenant done."""
    if options.rows < 0 or options.system < 0 or options.batch_size < 1:
        raise SeedError("rows and system must be 0 or more, batch_size 1 or more")
    if options.system > options.rows:
        raise SeedError(f"system ({options.system}) cannot exceed rows ({options.rows})")
    if not options.tenants:
        raise SeedError("at least one tenant is needed")
    known = {s.name for s in seeds}
    unknown = [n for n in options.only if n not in known]
    if unknown:
        raise SeedError(
            f"unknown resource {unknown[0]!r}; expected one of {', '.join(sorted(known))}"
        )
    report = SeedReport()
    admit_tenants(session_factory, seeds, options)
    for resource_seed in order(seeds):
        if options.only and resource_seed.name not in options.only:
            continue
        resource = REGISTRY[resource_seed.name]
        tenants: tuple[str | None, ...] = options.tenants if resource.has("tenant") else (None,)
        for tenant in tenants:
            started = time.perf_counter()
            context = RequestContext(tenant_id=tenant, branch_id=MAIN_BRANCH, user_id=options.user)
            with session_factory() as session:
                made = ResourceSeeder(resource, resource_seed, session, context, options).run()
            seconds = time.perf_counter() - started
            report.rows[resource.name] = report.rows.get(resource.name, 0) + made
            report.seconds[resource.name] = report.seconds.get(resource.name, 0.0) + seconds
            if progress is not None:
                progress(resource.name, tenant, made, seconds)
    return report


def admit_tenants(
    session_factory: Callable[[], Session], seeds: Sequence[ResourceSeed], options: SeedOptions
) -> None:
    """Tenants as rows: each tenant the seed fills gets its row first (unless it has one), as
    tenant rows point at it; the tenants' resource then gets its `rows` rows like any other."""
    for resource_seed in seeds:
        resource = REGISTRY[resource_seed.name]
        if resource.tenant_key is None:
            continue
        context = RequestContext(branch_id=MAIN_BRANCH, user_id=options.user)
        for tenant in options.tenants:
            with session_factory() as session:
                ResourceSeeder(resource, resource_seed, session, context, options).admit(tenant)


class ResourceSeeder:
    """The rows of one resource for one caller (tenant and user)."""

    def __init__(
        self,
        resource: Resource,
        resource_seed: ResourceSeed,
        session: Session,
        context: RequestContext,
        options: SeedOptions,
    ) -> None:
        self.resource = resource
        self.seed = resource_seed
        self.session = session
        self.context = context
        self.options = options
        self.faker = Faker("en_US")
        self.fixed: dict[str, object] = {}  # values every row gets, by API name

    @property
    def random(self) -> Random:
        """The Faker instance's own generator once seeded (before, Faker's is the global one)."""
        generator: Random = self.faker.random
        return generator

    def run(self) -> int:
        enter(self.resource, self.session, self.context)
        existing = self.count()
        # The rows already there are part of the seed: a second run draws other ids and values.
        self.faker.seed_instance(
            stable_seed(
                self.options.seed, self.resource.name, self.context.tenant_id or "", str(existing)
            )
        )
        pools = {f.name: self.pool(f) for f in self.seed.fields if _target(self.resource.name, f)}
        system = set(self.random.sample(range(self.options.rows), self.options.system))
        made = 0
        for start in range(0, self.options.rows, self.options.batch_size):
            stop = min(start + self.options.batch_size, self.options.rows)
            # A batch goes without a savepoint a row; one the database refuses is done again
            # from the same draws, a row at a time, so the refused row alone is drawn anew.
            state = self.random.getstate()
            kept = {name: list(keys) for name, keys in pools.items()}
            try:
                self.batch(range(start, stop), existing, pools, system, careful=False)
            except _Refused:
                self.session.rollback()
                self.random.setstate(state)
                for name, keys in kept.items():
                    pools[name][:] = keys
                self.batch(range(start, stop), existing, pools, system, careful=True)
            self.session.commit()
            made += stop - start
        return made

    def admit(self, tenant: str) -> None:
        """The tenants' own row of `tenant`, made unless it exists."""
        key = self.resource.tenant_key
        assert key is not None, f"{self.resource.name} holds no tenants"
        found = sa.select(sa.literal(1)).where(tenants.key_column(self.resource) == tenant)
        if self.session.scalar(found) is not None:
            return
        self.faker.seed_instance(stable_seed(self.options.seed, self.resource.name, key, tenant))
        pools = {f.name: self.pool(f) for f in self.seed.fields if _target(self.resource.name, f)}
        self.fixed = {key: tenant}
        self.write(0, pools, is_system=False, careful=True)
        self.fixed = {}
        self.session.commit()

    def batch(
        self,
        numbers: range,
        existing: int,
        pools: Mapping[str, list[Any]],
        system: set[int],
        *,
        careful: bool,
    ) -> None:
        for n in numbers:
            row = self.write(existing + n, pools, is_system=n in system, careful=careful)
            for f in self.seed.fields:  # a unique relation's target is taken now
                if f.kind == "relation" and f.unique and pools[f.name]:
                    column = self.resource.columns[f.name].attr
                    if getattr(row, column) == pools[f.name][0]:
                        pools[f.name].pop(0)
            for f in self.seed.fields:  # a self relation: later rows may point at this one
                if f.kind == "relation" and _target(self.resource.name, f) == self.resource.name:
                    pools[f.name].append(row.id)

    def count(self) -> int:
        """The rows this caller already has: serials of unique values start after them."""
        statement = scoped(
            self.resource, self.context, sa.select(sa.func.count()), include_deleted=True
        ).select_from(self.resource.model)
        return int(self.session.scalar(statement) or 0)

    def pool(self, f: FieldSeed) -> list[Any]:
        """The ids a relation or link may point at: the target's rows this caller sees, by id."""
        target = REGISTRY[_target(self.resource.name, f) or ""]
        context = self.context
        if target.has("tenant") and not context.tenant_id:
            return []
        statement = scoped(target, context, sa.select(target.id)).order_by(target.id)
        keys = list(self.session.scalars(statement))
        if f.kind == "relation" and f.unique:  # one row each: the targets no row points at yet
            column = getattr(self.resource.model, self.resource.columns[f.name].attr)
            used = set(self.session.scalars(sa.select(column).where(column.is_not(None))))
            keys = [key for key in keys if key not in used]
            self.random.shuffle(keys)
        return keys

    def write(
        self, serial: int, pools: Mapping[str, list[Any]], *, is_system: bool, careful: bool
    ) -> Row:
        problem = ""
        for attempt in range(ATTEMPTS):
            values = self.values(serial + attempt * max(self.options.rows, 1), pools)
            try:
                data = self.seed.create.model_validate(values)
            except ValidationError as error:
                problem = _first_error(error)
                continue
            if not careful:
                try:
                    return self.insert(data, is_system=is_system)
                except (sa.exc.IntegrityError, sa.exc.DataError, ApiError):
                    raise _Refused from None
            savepoint = self.session.begin_nested()
            try:
                row = self.insert(data, is_system=is_system)
            except (sa.exc.IntegrityError, sa.exc.DataError) as error:
                savepoint.rollback()
                problem = _first_line(error.orig)
                continue
            except ApiError as error:
                savepoint.rollback()
                problem = error.detail
                continue
            savepoint.commit()
            return row
        raise SeedError(
            f"{self.resource.name}: no valid row in {ATTEMPTS} draws; the last was refused: {problem}"
        )

    def insert(self, data: BaseModel, *, is_system: bool) -> Row:
        """What `writes.create_row` does, in the run's transaction; system rows marked after."""
        resource, context = self.resource, self.context
        values = values_of(data)
        row = resource.model()
        chosen = values.pop("id", None)
        if chosen is not None:
            row.id = chosen
        if resource.has("tenant"):
            row.tenant_id = context.tenant_id
        if resource.has("owned"):
            row.owner_id = context.user_id
            row.is_system = is_system
        if resource.has("branching"):
            row.branch_id = context.branch_id
        apply_values(resource, self.session, context, row, values, creating=True)
        item = fresh(resource, self.session, row)
        audit(resource, self.session, context, "create", [(row.id, None, item)])
        return row

    def values(self, serial: int, pools: Mapping[str, list[Any]]) -> dict[str, Any]:
        """One row's values by API name."""
        values: dict[str, Any] = {}
        if self.resource.key == "uuid" and "id" in self.seed.create.model_fields:
            values["id"] = str(uuid.UUID(int=self.random.getrandbits(128), version=4))
        for f in self.seed.fields:
            if f.kind == "many_to_many":
                pool = pools[f.name]
                links = self.random.randint(0, min(MANY_TO_MANY_LINKS, len(pool)))
                values[f.name] = [_as_json(key) for key in self.random.sample(pool, links)]
                continue
            if f.kind == "relation":
                pool = pools[f.name]
                if not pool or (
                    not f.required and not f.unique and self.random.randrange(NULL_SHARE) == 0
                ):
                    if f.required:
                        raise SeedError(
                            f"{self.resource.name}.{f.name}: no {_target(self.resource.name, f)} "
                            + (
                                "row left that no row points at yet (the relation is unique)"
                                if f.unique
                                else "row to point at"
                            )
                        )
                    values[f.name] = None
                else:
                    values[f.name] = _as_json(pool[0] if f.unique else self.random.choice(pool))
                continue
            if (
                not f.required
                and f.nullable
                and not f.unique
                and self.random.randrange(NULL_SHARE) == 0
            ):
                values[f.name] = None
                continue
            try:
                values[f.name] = self.value(f, f.kind, serial if f.unique else None)
            except ValuesExhausted:
                if f.required or not f.nullable:
                    raise
                values[f.name] = None
        return {**values, **self.fixed}

    def value(self, f: FieldSeed, kind: str, serial: int | None) -> object:
        """A value of `kind` within the field's rules, distinct for each `serial` when given."""
        fake, rnd = self.faker, self.random
        if f.patterned:
            if not f.pattern_values:
                raise SeedError(
                    f"{self.resource.name}.{f.name}: no value could be drawn from its pattern"
                )
            if serial is None:
                return rnd.choice(f.pattern_values)
            if serial >= len(f.pattern_values):
                raise ValuesExhausted(
                    f"{self.resource.name}.{f.name}: unique, and its pattern gave only "
                    f"{len(f.pattern_values)} values"
                )
            return f.pattern_values[serial]
        if kind == "enum":
            if serial is None:
                return rnd.choice(f.choices)
            if serial >= len(f.choices):
                raise ValuesExhausted(
                    f"{self.resource.name}.{f.name}: unique with {len(f.choices)} values; "
                    "no more rows can be made"
                )
            return f.choices[serial]
        if kind == "boolean":
            if serial is not None:
                if serial > 1:
                    raise ValuesExhausted(
                        f"{self.resource.name}.{f.name}: unique boolean; 2 rows at most"
                    )
                return bool(serial)
            return rnd.random() < 0.5
        if kind in ("integer", "bigint"):
            return self.integer(f, INT32 if kind == "integer" else INT64, serial)
        if kind == "float":
            low, high = _bounds(f, (-1e9, 1e9))
            if serial is not None:
                return (
                    low + serial + rnd.random() * 0.5 if low + serial + 1 <= high else self.full(f)
                )
            return round(rnd.uniform(low, high), 4)
        if kind == "decimal":
            return self.decimal(f, serial)
        if kind == "date":
            days = serial if serial is not None else rnd.randrange(SPAN_SECONDS // 86400)
            return (EPOCH.date() + datetime.timedelta(days=days)).isoformat()
        if kind == "datetime":
            seconds = serial if serial is not None else rnd.randrange(SPAN_SECONDS)
            return (EPOCH + datetime.timedelta(seconds=seconds)).isoformat()
        if kind == "time":
            seconds = (serial if serial is not None else rnd.randrange(86400)) % 86400
            return (datetime.datetime.min + datetime.timedelta(seconds=seconds)).time().isoformat()
        if kind == "uuid":
            return str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        if kind == "json":
            return {"word": fake.word(), "n": rnd.randrange(1000), "flag": rnd.random() < 0.5}
        if kind == "array":
            item = FieldSeed(f.name, f.item or "string", max_length=40)
            count = rnd.randint(1, 3)
            return [self.value(item, item.kind, None) for _ in range(count)]
        return self.text(f, kind, serial)

    def integer(self, f: FieldSeed, limits: tuple[int, int], serial: int | None) -> int:
        bounds = _bounds(f, (0, 1000))
        low, high = max(int(bounds[0]), limits[0]), min(int(bounds[1]), limits[1])
        if serial is None:
            return int(self.random.randint(low, high))
        if low + serial > high:
            self.full(f)
        return low + serial

    def decimal(self, f: FieldSeed, serial: int | None) -> str:
        scale = f.scale if f.scale is not None else 2
        precision = f.precision if f.precision is not None else 18
        step = decimal.Decimal(1).scaleb(-scale)
        limit = decimal.Decimal(10) ** (precision - scale) - step
        low, high = _bounds(f, (0, 100000))
        lowest = max(decimal.Decimal(str(low)), -limit)
        highest = min(decimal.Decimal(str(high)), limit)
        if serial is not None:
            value = lowest + serial
            if value > highest:
                self.full(f)
        else:
            fraction = decimal.Decimal(str(self.random.random()))
            value = lowest + (highest - lowest) * fraction
        value = value.quantize(step, rounding=decimal.ROUND_DOWN)
        return str(min(max(value, lowest.quantize(step, rounding=decimal.ROUND_UP)), highest))

    def text(self, f: FieldSeed, kind: str, serial: int | None) -> str:
        fake = self.faker
        suffix = "" if serial is None else str(serial)
        if kind == "email":
            return _fit(fake.user_name(), (f".{suffix}" if suffix else "") + "@example.com", f)
        if kind == "url":
            head = f"https://{fake.domain_name()}/{fake.slug()}"
            return _fit(head, f"-{suffix}" if suffix else "", f)
        if kind == "slug":
            text = _fit("-".join(fake.words(2)).lower(), f"-{suffix}" if suffix else "", f)
            return "-".join(part for part in text.split("-") if part) or "x"
        if kind == "phone":
            number = serial if serial is not None else self.random.randrange(10**9)
            return f"+1{self.random.randint(2, 9)}{number:09d}"[:16]
        make = NAMED.get(f.name)
        if make is not None:
            text = make(fake)
        elif kind == "text":
            text = fake.paragraph(nb_sentences=2)
        else:
            text = fake.sentence(nb_words=4).rstrip(".")
        return _fit(text, f" {suffix}" if suffix else "", f)

    def full(self, f: FieldSeed) -> NoReturn:
        raise ValuesExhausted(
            f"{self.resource.name}.{f.name}: unique, and its bounds hold no more distinct values"
        )


def _bounds(f: FieldSeed, default: tuple[float, float]) -> tuple[float, float]:
    low = (
        f.minimum
        if f.minimum is not None
        else (
            default[0] if f.maximum is None or f.maximum >= default[0] else f.maximum - default[1]
        )
    )
    high = f.maximum if f.maximum is not None else max(low, default[0]) + default[1]
    return low, high


def _fit(head: str, end: str, f: FieldSeed) -> str:
    """`head + end` within the field's lengths: `head` is cut (`end` holds a serial, or a
    domain, that must stay), and padded with letters when short."""
    if f.max_length is not None:
        head = head[: max(f.max_length - len(end), 0)].rstrip()
    text = (head + end)[: f.max_length] if f.max_length is not None else head + end
    low = max(f.min_length or 0, 1)
    if len(text) < low:
        text = text + "x" * (low - len(text))
    return text


def _as_json(key: object) -> object:
    """An id as a client sends it: uuids as text, integers as they are."""
    return str(key) if isinstance(key, uuid.UUID) else key


def stable_seed(seed_value: int, *parts: str) -> int:
    """A seed for one resource and tenant, the same on every machine and Python."""
    digest = hashlib.sha256("\x00".join((str(seed_value), *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}"


def main(
    argv: Sequence[str] | None,
    seeds: Sequence[ResourceSeed],
    make_engine: Callable[[str | None], sa.Engine],
    program: str,
) -> int:
    """The generated `seed` command: parse `argv`, seed the database, print what was made.
    Exit 0, or 1 with one line on stderr (2 for bad arguments, from argparse)."""
    parser = argparse.ArgumentParser(
        prog=program,
        description="Fill the database (DATABASE_URL) with seed data: ROWS rows per resource, "
        "parents first, the same rows for the same --seed.",
    )
    parser.add_argument("--rows", type=int, default=10, help="rows per resource (per tenant)")
    parser.add_argument("--seed", type=int, default=0, help="the same seed makes the same rows")
    parser.add_argument(
        "--tenant",
        action="append",
        dest="tenants",
        metavar="TENANT",
        help="a tenant that gets ROWS rows of each tenant resource (repeat it; default: demo)",
    )
    parser.add_argument("--user", default="seed", help="owner of the owned rows (default: seed)")
    parser.add_argument(
        "--system", type=int, default=0, help="rows of each owned resource made system rows"
    )
    parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
    parser.add_argument(
        "--only", action="append", default=[], metavar="RESOURCE", help="seed only these"
    )
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    args = parser.parse_args(argv)
    options = SeedOptions(
        rows=args.rows,
        seed=args.seed,
        tenants=tuple(args.tenants or ("demo",)),
        user=args.user,
        system=args.system,
        batch_size=args.batch_size,
        only=tuple(args.only),
    )

    def show(resource: str, tenant: str | None, rows: int, seconds: float) -> None:
        where = f" (tenant {tenant})" if tenant is not None else ""
        print(f"{resource}{where}: {rows} rows in {seconds:.2f} s", flush=True)

    started = time.perf_counter()
    engine = make_engine(args.database_url)
    try:
        report = seed(sessionmaker(writer(engine)), seeds, options, show)
    except SeedError as error:
        print(f"seed: {error}", file=sys.stderr)
        return 1
    except sa.exc.DBAPIError as error:
        print(f"seed: the database refused: {_first_line(error.orig)}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"{report.total} rows in {time.perf_counter() - started:.2f} s")
    return 0


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
