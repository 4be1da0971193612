"""The feature matrix: schema projects that together cover every pair of language features.

Each factor below is one dimension of the language (a trait on or off, the primary key, the kind
of relation and its `on_delete` rule, bulk, custom actions, field options); `all_pairs` picks a
small set of rows such that every level of every factor meets every level of every other factor
in at least one row, and `project_files` turns a row into a schema project: a `parent` and a
`child` resource that carry the row's features, with every field type on the child. The matrix
test builds each project with the real CLI and runs the project's own generated suite on it.

Combinations that `schemagen validate` refuses on purpose are listed in `REFUSALS` with the reason:
the generator never puts one in a runnable row, and the matrix test proves each is refused with a
clean error (exit 1, file and key path), so a refusal can never hide a pair from the run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

TRAITS = ("timestamps", "soft_delete", "tenant", "versioned", "audit", "branching", "owned")

# The relation the child has, as `<kind>` or `<kind>-<on_delete>`; `self-*` points at the child
# itself, `m2m` is a many-to-many to the parent.
RELATIONS = (
    "none",
    "m2o-cascade",
    "m2o-set_null",
    "m2o-restrict",
    "m2o-no_action",
    "m2o_required-restrict",
    "self-set_null",
    "self-cascade",
    "m2m",
)

FACTORS: dict[str, tuple[str, ...]] = {
    **{trait: ("off", "on") for trait in TRAITS},
    "parent_traits": ("same", "none"),
    "primary_key": ("uuid", "integer"),
    "relation": RELATIONS,
    "bulk": ("off", "on"),
    "action": ("none", "item", "collection"),
    "fields": ("plain", "required_unique", "defaults", "filter_sort_search"),
    # Tenants as rows: an `org` resource whose rows are the tenants (`tenant_key`).
    "tenant_rows": ("off", "on"),
}

Row = dict[str, str]


@dataclass(frozen=True)
class Refusal:
    """Rows whose factors all hold one of the listed levels are refused by `schemagen validate`."""

    when: dict[str, frozenset[str]]
    reason: str  # a stable part of the error message

    def matches(self, row: Mapping[str, str]) -> bool:
        return all(row.get(factor) in levels for factor, levels in self.when.items())

    def example(self, base: Row) -> Row:
        return {**base, **{factor: min(levels) for factor, levels in self.when.items()}}

    @property
    def name(self) -> str:
        return "-".join(f"{f}={'|'.join(sorted(v))}" for f, v in self.when.items())


def _refusal(reason: str, **when: str | tuple[str, ...]) -> Refusal:
    levels = {f: frozenset((v,) if isinstance(v, str) else v) for f, v in when.items()}
    return Refusal(levels, reason)


# What the language refuses on purpose, each proven by the matrix test to be a clean error.
REFUSALS = (
    _refusal(
        "a branching resource needs 'primary_key: uuid'", branching="on", primary_key="integer"
    ),
    # A soft delete cascades by soft-deleting the children; it does not follow rows across branches.
    _refusal(
        "does not work with branching",
        soft_delete="on",
        branching="on",
        relation="self-cascade",
    ),
    _refusal(
        "does not work with branching",
        soft_delete="on",
        branching="on",
        parent_traits="same",
        relation="m2o-cascade",
    ),
)


def _refused(row: Mapping[str, str]) -> bool:
    return any(refusal.matches(row) for refusal in REFUSALS)


def refused_pairs() -> set[tuple[str, str, str, str]]:
    """The pairs no row may hold: refusals of exactly two factors."""
    names = list(FACTORS)
    pairs = set()
    for refusal in REFUSALS:
        if len(refusal.when) == 2:
            (a, xs), (b, ys) = refusal.when.items()
            pairs |= {_pair(a, x, b, y, names) for x in xs for y in ys}
    return pairs


def all_pairs(
    factors: Mapping[str, tuple[str, ...]] = FACTORS,
    refused: Callable[[Mapping[str, str]], bool] = _refused,
) -> list[Row]:
    """A deterministic greedy covering array of strength 2 (every allowed pair in some row).

    AETG-style: each new row starts from the first uncovered pair and gives every other factor
    the level that covers most uncovered pairs with the levels chosen so far.
    """
    names = list(factors)
    uncovered = {
        (a, x, b, y)
        for a, b in itertools.combinations(names, 2)
        for x in factors[a]
        for y in factors[b]
        if not refused({a: x, b: y})
    }
    uncovered -= refused_pairs() if refused is _refused else set()
    rows: list[Row] = []
    while uncovered:
        a, x, b, y = min(uncovered, key=lambda p: (names.index(p[0]), names.index(p[2]), p))
        row: Row = {a: x, b: y}
        for name in names:
            if name not in row:
                row[name] = _best_level(factors[name], name, row, uncovered, names, refused)
        row = {name: row[name] for name in names}
        if refused(row):
            raise AssertionError(f"every level of some factor is refused with {row}")
        covered = {_pair(p, row[p], q, row[q], names) for p, q in itertools.combinations(names, 2)}
        if not covered & uncovered:
            raise AssertionError(f"no progress at {row}")  # cannot happen: the seed pair is new
        uncovered -= covered
        rows.append(row)
    return rows


def _best_level(
    levels: tuple[str, ...],
    name: str,
    row: Row,
    uncovered: set[tuple[str, str, str, str]],
    names: list[str],
    refused: Callable[[Mapping[str, str]], bool],
) -> str:
    """The level of `name` that covers most uncovered pairs with `row`; the first among equals."""

    def gain(level: str) -> int:
        if refused({**row, name: level}):
            return -1
        return sum(
            1
            for other, value in row.items()
            if _pair(name, level, other, value, names) in uncovered
        )

    return max(levels, key=gain)


def _pair(a: str, x: str, b: str, y: str, names: list[str]) -> tuple[str, str, str, str]:
    return (a, x, b, y) if names.index(a) < names.index(b) else (b, y, a, x)


def covered_pairs(rows: Iterable[Row]) -> set[tuple[str, str, str, str]]:
    names = list(FACTORS)
    return {
        _pair(a, row[a], b, row[b], names)
        for row in rows
        for a, b in itertools.combinations(names, 2)
    }


def row_name(index: int, row: Row) -> str:
    traits = "+".join(t for t in TRAITS if row[t] == "on") or "plain"
    traits += "+orgs" if row["tenant_rows"] == "on" else ""
    return f"m{index:02d}-{row['primary_key']}-{row['relation']}-{traits}"


# ---------------------------------------------------------------------------------------------
# A row as a schema project


@dataclass(frozen=True)
class Project:
    name: str
    row: Row
    files: dict[str, str]  # relative path -> text

    @property
    def package(self) -> str:
        return "matrix_app"


def _scalar_fields(style: str) -> dict[str, str]:
    """Every scalar field type, written in the row's style of options."""
    fields = {
        "title": "string(120)",
        "body": "text",
        "count": "integer",
        "big": "bigint",
        "ratio": "float",
        "price": "decimal(10,2)",
        "active": "boolean",
        "day": "date",
        "moment": "datetime",
        "clock": "time",
        "ref": "uuid",
        "mail": "email",
        "link": "url",
        "handle": "slug(60)",
        "phone": "phone",
        "data": "json",
        "level": "enum(low,mid,high)",
        "tags": "array(string)",
        "scores": "array(integer)",
    }
    if style == "required_unique":
        fields["title"] = "string(120) required unique"
        fields["mail"] = "email unique"
        fields["handle"] = "slug(60) required unique"
        fields["count"] = "integer required"
        fields["level"] = "enum(low,mid,high) required"
    elif style == "defaults":
        fields["title"] = "{type: string, max_length: 120, default: untitled}"
        fields["count"] = "{type: integer, default: 3, min: 0, max: 100}"
        fields["active"] = "{type: boolean, default: true}"
        fields["day"] = "{type: date, default: today}"
        fields["moment"] = "{type: datetime, default: now}"
        fields["level"] = "{type: enum, values: [low, mid, high], default: mid}"
        fields["tags"] = "{type: array, of: string, default: [a, b]}"
        fields["handle"] = "{type: slug, default: hello-world-2}"
        fields["data"] = "{type: json, default: {k: [1, 2]}}"
        fields["price"] = "{type: decimal, precision: 10, scale: 2, default: 1.5, min: 0}"
    elif style == "filter_sort_search":
        fields["title"] = "string(120) required searchable sortable"
        fields["count"] = "integer filterable sortable"
        fields["level"] = "{type: enum, values: [high, low, mid], filterable: true, sortable: true}"
        fields["day"] = "date filterable sortable"
        fields["moment"] = "datetime filterable sortable"
        fields["handle"] = "slug searchable filterable sortable"
        fields["phone"] = "phone filterable sortable"
        fields["price"] = (
            "{type: decimal, precision: 10, scale: 2, filterable: true, sortable: true}"
        )
        fields["tags"] = "{type: array, of: string, filterable: true}"
        fields["active"] = "boolean filterable"
        fields["body"] = "text searchable"
    return fields


def _yaml(name: str, traits: list[str], pk: str, fields: Mapping[str, str], tail: str = "") -> str:
    lines = [f"resource: {name}", f"primary_key: {pk}"]
    if traits:
        lines.append(f"traits: [{', '.join(traits)}]")
    lines.append("fields:")
    lines += [f"  {field}: {spec}" for field, spec in fields.items()]
    return "\n".join(lines) + "\n" + tail


def project_files(name: str, row: Row) -> Project:
    """The schema project of one row: schemagen.toml, schemas/parent.yaml and schemas/child.yaml."""
    traits = [t for t in TRAITS if row[t] == "on"]
    parent_traits = traits if row["parent_traits"] == "same" else []
    pk = row["primary_key"]
    fields = dict(_scalar_fields(row["fields"]))
    kind, _, rule = row["relation"].partition("-")
    if kind in ("m2o", "m2o_required"):
        required = ", required: true" if kind == "m2o_required" else ""
        fields["parent"] = f"{{type: relation, to: parent, on_delete: {rule}{required}}}"
    elif kind == "self":
        fields["above"] = f"{{type: relation, to: child, on_delete: {rule}}}"
    elif kind == "m2m":
        fields["parents"] = "{type: many_to_many, to: parent}"

    actions = ["actions:", "  list: true", "  get: true", "  create: true", "  update: true"]
    actions.append("  delete: true")
    if row["bulk"] == "on":
        actions.append("  bulk: {dry_run: true, undo: true, batch_size: 2}")
    if row["action"] != "none":
        scope = "" if row["action"] == "item" else ", scope: collection"
        actions.append(
            f"  nudge: {{input: {{note: string(40) required, when: date}}{scope}, "
            "handler: matrix_app_ext.children:nudge}"
        )
    child = _yaml("child", traits, pk, fields, "\n".join(actions) + "\n")
    parent = _yaml("parent", parent_traits, pk, {"name": "string(80) required", "rank": "integer"})
    toml = (
        f'[project]\nname = "{name}"\npackage = "matrix_app"\nschemas = "schemas"\n'
        'output = "generated"\ntargets = ["all"]\n\n'
        '[database]\ndialects = ["sqlite", "postgresql", "mysql"]\n'
    )
    files = {
        "schemagen.toml": toml,
        "schemas/parent.yaml": parent,
        "schemas/child.yaml": child,
    }
    if row["tenant_rows"] == "on":
        files["schemas/org.yaml"] = (
            _yaml("org", [], pk, {"code": "slug(64) required unique", "name": "string(80)"})
            + "tenant_key: code\n"
        )
    return Project(name, row, files)
