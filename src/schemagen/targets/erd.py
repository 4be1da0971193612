"""`erd` target: `erd.md`, the entity-relationship diagram of the project as Mermaid (GitHub
renders it), and the same diagram as Graphviz DOT for `schemagen erd --format dot|svg`.

Both are drawn from one `Diagram`: a box per table (each resource's, each many-to-many junction)
with its columns, their types and keys (PK, FK, UK), and a line per foreign key with its
cardinality and `on_delete`. A resource's traits name its box. The tables every project gets for
itself (audit log, change feed, ...) are listed under the diagram, not drawn: they are the same in
every project and would crowd it.

Every schema string reaches the text through `literals.mermaid_string`, `literals.dot_string` or
`literals.html_text`, and every name through `literals.mermaid_name` or one of those.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemagen import ir
from schemagen.files import RenderedFile
from schemagen.literals import (
    dot_string,
    html_text,
    md_code,
    md_text,
    mermaid_name,
    mermaid_string,
)
from schemagen.render import with_header
from schemagen.targets.base import RenderContext, Target
from schemagen.types import FieldType

PATH = "erd.md"


@dataclass(frozen=True)
class Attribute:
    """A column as the diagram shows it."""

    name: str
    type: str  # a Mermaid attribute type: letters, digits, `_`, `()` and `[]`
    keys: tuple[str, ...]  # PK, FK, UK
    notes: tuple[str, ...]  # nullable, enum values, the trait that adds it, the description


@dataclass(frozen=True)
class Entity:
    table: str
    title: str  # the table, with its resource's traits
    attributes: tuple[Attribute, ...]
    resource: ir.Resource | None  # None for a junction table


@dataclass(frozen=True)
class Link:
    """A foreign key: many `child` rows point at one `parent` row."""

    parent: str
    child: str
    column: str  # the child's foreign-key column
    parent_column: str
    label: str
    parent_required: bool  # a child row always has a parent (NOT NULL)
    child_unique: bool  # at most one child per parent (a unique foreign key)
    identifying: bool  # the foreign key is part of the child's primary key (a junction's)


@dataclass(frozen=True)
class Diagram:
    project: str
    entities: tuple[Entity, ...]
    links: tuple[Link, ...]
    system_tables: tuple[ir.Table, ...]


def _type(column: ir.Column) -> str:
    if column.array_of is not None:
        return f"{column.array_of}[]"
    if column.max_length is not None:
        return f"{column.type}({column.max_length})"
    return str(column.type)


def _unique_alone(resource: ir.Resource, column: ir.Column) -> bool:
    """Whether the column alone is unique: a constraint or (soft_delete: among live rows) an index."""
    alone = (column.name,)
    return (
        column.unique
        or any(u.columns == alone for u in resource.uniques)
        or any(i.unique and i.columns == alone for i in resource.indexes)
    )


def _notes(column: ir.Column, unchecked: str | None = None) -> tuple[str, ...]:
    notes = []
    if unchecked is not None:
        notes.append(f"points at {unchecked}, checked by the API")
    if column.nullable:
        notes.append("nullable")
    if column.enum is not None:
        notes.append("one of " + ", ".join(column.enum.values))
    if column.type == FieldType.DECIMAL and column.precision is not None:
        notes.append(f"precision {column.precision}, scale {column.scale or 0}")
    if column.origin not in ("field", "primary_key", "relation"):
        notes.append(f"from {column.origin}")
    if column.comment:
        notes.append(column.comment)
    return tuple(notes)


def _resource_entity(project: ir.Project, resource: ir.Resource) -> Entity:
    # A relation to a branching resource has no database foreign key (see Relation.enforced).
    unchecked = {
        r.column: project.resource(r.target).table
        for r in resource.relations
        if r.column is not None and not r.enforced
    }
    attributes = []
    for column in resource.columns:
        keys = []
        if column.primary_key:
            keys.append("PK")
        if column.foreign_key is not None:
            keys.append("FK")
        if not column.primary_key and _unique_alone(resource, column):
            keys.append("UK")
        notes = _notes(column, unchecked.get(column.name))
        attributes.append(Attribute(column.name, _type(column), tuple(keys), notes))
    title = resource.table + (f" ({', '.join(resource.traits)})" if resource.traits else "")
    return Entity(resource.table, title, tuple(attributes), resource)


def _junction_entity(junction: ir.Junction) -> Entity:
    sides = (
        (junction.left_column, junction.left_type, junction.left_foreign_key, junction.left_table),
        (
            junction.right_column,
            junction.right_type,
            junction.right_foreign_key,
            junction.right_table,
        ),
    )
    attributes = [
        Attribute(
            column,
            kind,
            ("PK", "FK") if foreign_key else ("PK",),
            () if foreign_key else (f"points at {table}, checked by the API",),
        )
        for column, kind, foreign_key, table in sides
    ]
    if junction.branch_column is not None:
        branch = junction.branch_column
        attributes.append(Attribute(branch.name, _type(branch), ("PK",), _notes(branch)))
    return Entity(junction.table, f"{junction.table} (many-to-many)", tuple(attributes), None)


def _links(project: ir.Project) -> list[Link]:
    links = []
    for resource in project.resources:
        for relation in resource.relations:
            if relation.kind == "many_to_one":
                assert relation.column is not None
                target = project.resource(relation.target)
                column = next(c for c in resource.columns if c.name == relation.column)
                checked = "" if relation.enforced else ", checked by the API"
                links.append(
                    Link(
                        parent=target.table,
                        child=resource.table,
                        column=column.name,
                        parent_column=target.pk.name,
                        label=f"{relation.name}, on delete {(relation.on_delete or 'no_action').replace('_', ' ')}{checked}",
                        parent_required=not column.nullable,
                        child_unique=_unique_alone(resource, column),
                        identifying=False,
                    )
                )
            else:
                junction = relation.junction
                assert junction is not None
                target = project.resource(relation.target)
                for table, column, parent_column, label, foreign_key in (
                    (
                        resource.table,
                        junction.left_column,
                        resource.pk.name,
                        relation.name,
                        junction.left_foreign_key,
                    ),
                    (
                        target.table,
                        junction.right_column,
                        target.pk.name,
                        relation.inverse,
                        junction.right_foreign_key,
                    ),
                ):
                    checked = "" if foreign_key else ", checked by the API"
                    links.append(
                        Link(
                            parent=table,
                            child=junction.table,
                            column=column,
                            parent_column=parent_column,
                            label=f"{label}, on delete cascade{checked}",
                            parent_required=True,
                            child_unique=False,
                            identifying=True,
                        )
                    )
    return links


def diagram(project: ir.Project) -> Diagram:
    """What the diagram shows, in a stable order: resources by name, then junctions."""
    entities = [_resource_entity(project, r) for r in project.resources]
    entities += [_junction_entity(j) for j in project.junctions]
    return Diagram(project.name, tuple(entities), tuple(_links(project)), project.system_tables)


# ---------------------------------------------------------------------------------------------
# Mermaid


def mermaid(project: ir.Project) -> str:
    """The `erDiagram` source (without a Markdown fence)."""
    drawn = diagram(project)
    lines = ["erDiagram"]
    for entity in drawn.entities:
        lines.append(f"    {mermaid_name(entity.table)}[{mermaid_string(entity.title)}] {{")
        for a in entity.attributes:
            keys = f" {', '.join(a.keys)}" if a.keys else ""
            note = f" {mermaid_string('; '.join(a.notes))}" if a.notes else ""
            lines.append(f"        {a.type} {mermaid_name(a.name)}{keys}{note}")
        lines.append("    }")
    for link in drawn.links:
        parent_end = "||" if link.parent_required else "|o"
        child_end = "o|" if link.child_unique else "o{"
        line = "--" if link.identifying else ".."
        lines.append(
            f"    {mermaid_name(link.parent)} {parent_end}{line}{child_end} {mermaid_name(link.child)} : {mermaid_string(link.label)}"
        )
    return "\n".join(lines) + "\n"


def markdown(project: ir.Project, source: str) -> str:
    """`erd.md`: a title, the Mermaid diagram, and a table of what each box is."""
    drawn = diagram(project)
    out = [
        f"# {md_text(project.name)}: entity-relationship diagram",
        "",
        "Every table of the schemas with its columns (PK, FK, UK: primary, foreign and unique keys)",
        "and every foreign key with its cardinality and what deleting the row it points at does.",
        "`schemagen erd --format svg -o erd.svg` draws the same diagram with Graphviz.",
        "",
        "```mermaid",
        mermaid(project).rstrip("\n"),
        "```",
        "",
        "| Table | Resource | Traits | Description |",
        "| --- | --- | --- | --- |",
    ]
    for entity in drawn.entities:
        resource = entity.resource
        if resource is None:
            out.append(f"| {md_code(entity.table)} | many-to-many links | | |")
            continue
        traits = ", ".join(md_code(t) for t in resource.traits)
        out.append(
            f"| {md_code(entity.table)} | {md_text(resource.label)} | {traits} | {md_text(resource.description)} |"
        )
    if drawn.system_tables:
        names = ", ".join(md_code(t.name) for t in drawn.system_tables)
        out += ["", f"Not drawn: the tables schemagen adds to every such project, {names}."]
    return with_header(PATH, "\n".join(out) + "\n", source)


# ---------------------------------------------------------------------------------------------
# Graphviz DOT

# Crow's-foot ends: `tee` is one, `odot` zero, `crow` many (read from the line towards the box).
_HEADER_COLOUR = "#dbe7f3"


def dot(project: ir.Project) -> str:
    """The diagram as a Graphviz `digraph`: HTML-like table nodes, crow's-foot edges."""
    drawn = diagram(project)
    lines = [
        "digraph erd {",
        f"    graph [rankdir=LR, fontname=Helvetica, label={dot_string(drawn.project)}, labelloc=t];",
        "    node [shape=plain, fontname=Helvetica, fontsize=11];",
        "    edge [fontname=Helvetica, fontsize=9, dir=both];",
    ]
    for entity in drawn.entities:
        rows = [
            f'<tr><td colspan="3" bgcolor="{_HEADER_COLOUR}"><b>{html_text(entity.title)}</b></td></tr>'
        ]
        if entity.resource is not None and entity.resource.description:
            rows.append(
                f'<tr><td colspan="3"><i>{html_text(entity.resource.description)}</i></td></tr>'
            )
        for a in entity.attributes:
            note = (
                f'<br/><font point-size="9">{html_text("; ".join(a.notes))}</font>'
                if a.notes
                else ""
            )
            rows.append(
                f'<tr><td port="{html_text(a.name)}" align="left">{html_text(a.name)}{note}</td>'
                f'<td align="left">{html_text(a.type)}</td><td>{html_text(", ".join(a.keys))}</td></tr>'
            )
        table = '<table border="0" cellborder="1" cellspacing="0" cellpadding="4">'
        lines.append(f"    {dot_string(entity.table)} [label=<{table}{''.join(rows)}</table>>];")
    for link in drawn.links:
        parent_end = "teetee" if link.parent_required else "teeodot"
        child_end = "teeodot" if link.child_unique else "crowodot"
        style = "solid" if link.identifying else "dashed"
        lines.append(
            f"    {dot_string(link.child)}:{dot_string(link.column)} -> "
            f"{dot_string(link.parent)}:{dot_string(link.parent_column)} "
            f"[label={dot_string(link.label)}, arrowtail={child_end}, arrowhead={parent_end}, style={style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    return [RenderedFile(PATH, markdown(project, context.schemas_label))]


TARGET = Target("erd", render, "erd.md: the entity-relationship diagram, as Mermaid")
