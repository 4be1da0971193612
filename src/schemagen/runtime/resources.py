"""What a resource is, as the runtime needs it: its columns, links and relations, by name.

Each generated route module describes its resource once (a `Resource`) and `register`s it, so
relations can find their target and every function here reads the same description.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

# A row: an instance of a resource's model, whose columns the runtime reaches by name.
Row = Any
# A row's id: what `parse_key` makes of a path, a body or a cursor.
Key = uuid.UUID | int
# A row in its Read shape: the API name of each column and link, with its Python value.
Item = dict[str, object]
# A condition of a statement's WHERE, and a column (or what stands for it) as it is compared.
Clause = sa.ColumnElement[bool]
Expression = sa.ColumnElement[Any]


@dataclass(frozen=True)
class Column:
    """A column as the API sees it: its attribute on the model, its schema type and its rules."""

    attr: str
    type: str  # the schema type; relations carry the target's key type (uuid or integer)
    nullable: bool = False
    writable: bool = True  # False for the key, trait columns and readonly fields
    item: str | None = None  # arrays: the item type
    choices: tuple[str, ...] = ()  # enums: the values
    references: str | None = None  # relations: the target resource
    enforced: bool = True  # relations: False when no database foreign key stands behind it


@dataclass(frozen=True)
class ManyToMany:
    """A many-to-many field (`genres` → `genre_ids`) and the junction table behind it."""

    junction: sa.Table
    left: str  # the column pointing at this resource
    right: str  # the column pointing at the target
    target: str  # the target resource
    key: str  # the target's key type: uuid or integer
    left_enforced: bool = True
    right_enforced: bool = True
    branch: str | None = None  # branching resources: each branch's copy of a row has its own links

    @property
    def branch_column(self) -> str:
        """The junction's branch column: the links of a branching resource all have one."""
        assert self.branch is not None, f"{self.junction.name} keeps its links on no branch"
        return self.branch

    def of(self, row: Row) -> Clause:
        """The junction rows holding `row`'s links (on its own branch)."""
        clause = self.junction.c[self.left] == row.id
        return (
            sa.and_(clause, self.junction.c[self.branch] == row.branch_id)
            if self.branch
            else clause
        )

    def link(self, row: Row, key: object) -> dict[str, Any]:
        return {
            self.left: row.id,
            self.right: key,
            **({self.branch: row.branch_id} if self.branch else {}),
        }


@dataclass(frozen=True)
class Inbound:
    """A many-to-one relation of another resource that points here."""

    source: str
    attr: str
    on_delete: str  # cascade, set_null, restrict or no_action
    enforced: bool = True  # False: no database foreign key, so a hard delete applies on_delete here


@dataclass(frozen=True)
class Resource:
    name: str
    label: str
    model: Any
    key: str  # uuid or integer
    columns: Mapping[str, Column]  # by API name, in the order of the Read shape
    many_to_many: Mapping[str, ManyToMany] = field(default_factory=dict)
    filterable: tuple[str, ...] = ()
    sortable: tuple[str, ...] = ()
    searchable: tuple[str, ...] = ()
    default_sort: tuple[str, ...] = ("id",)
    page_size: int = 50
    max_page_size: int = 500
    inbound: tuple[Inbound, ...] = ()
    traits: tuple[str, ...] = ()
    # Junction columns pointing here without a foreign key, and the junction's branch column
    # when the links belong to this resource's branches.
    unlinks: tuple[tuple[sa.Table, str, str | None], ...] = ()
    # The project keeps its tenants as rows: on tenant resources, the resource holding them; on
    # that resource, the API name of the column X-Tenant-ID names a tenant by.
    tenants: str | None = None
    tenant_key: str | None = None

    def has(self, trait: str) -> bool:
        return trait in self.traits

    @property
    def id(self) -> Expression:
        id_column: Expression = self.model.id
        return id_column


class Registry(MutableMapping[str, Resource]):
    """The resources by name. A resource registers itself when its module is imported; a module
    `declare`d here is imported the first time its resource is asked for (by name, or all of them
    by iteration), so an app imports a resource's module when a request needs it, not at start."""

    def __init__(self) -> None:
        self._resources: dict[str, Resource] = {}
        self._modules: dict[str, str] = {}

    def declare(self, modules: Mapping[str, str]) -> None:
        """`modules`: the module that registers each resource, by the resource's name."""
        self._modules.update(modules)

    def __setitem__(self, name: str, resource: Resource) -> None:
        self._resources[name] = resource

    def __delitem__(self, name: str) -> None:
        del self._resources[name]

    def __getitem__(self, name: str) -> Resource:
        found = self._resources.get(name)
        if found is None and name in self._modules:
            importlib.import_module(self._modules[name])
            found = self._resources.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def _all(self) -> dict[str, Resource]:
        for name in self._modules:
            self[name]
        return self._resources

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self._all()))

    def __len__(self) -> int:
        return len(self._all())

    def __contains__(self, name: object) -> bool:
        return name in self._resources or name in self._modules


REGISTRY = Registry()


def register(resource: Resource) -> Resource:
    """Make a resource known by name, so relations can find their target."""
    REGISTRY[resource.name] = resource
    return resource
