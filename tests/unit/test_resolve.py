"""Resolve: the IR that every target reads. Real schema files in tmp_path, the real pipeline."""

from __future__ import annotations

import dataclasses
import hashlib
import textwrap
from pathlib import Path

import pytest

from schemagen import ir
from schemagen.build import compile_project
from schemagen.naming import constraint_name

CONFIG = '[project]\nname = "acme"\npackage = "acme"\n'


def resolve_files(tmp_path: Path, files: dict[str, str]) -> ir.Project:
    """Write `files` (name without .yaml -> YAML text) into a project and compile it to the IR."""
    (tmp_path / "schemagen.toml").write_text(CONFIG, encoding="utf-8")
    schemas = tmp_path / "schemas"
    schemas.mkdir(exist_ok=True)
    for name, text in files.items():
        (schemas / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    compiled = compile_project(tmp_path)
    assert compiled.warnings == []
    return compiled.project


def column(resource: ir.Resource, name: str) -> ir.Column:
    return next(c for c in resource.columns if c.name == name)


REGION = "resource: region\nfields:\n  name: string required\n"
PERSON = "resource: person\nfields:\n  name: string required\n"


# --- inverse relations ----------------------------------------------------------------------------


def test_inverse_is_the_plural_of_the_declaring_resource(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  region: {type: relation, to: region}\n",
            "region": REGION,
        },
    )
    (inverse,) = project.resource("region").inverse_relations
    assert (inverse.name, inverse.attr, inverse.kind, inverse.source, inverse.via) == (
        "offices",
        "offices",
        "one_to_many",
        "office",
        "region",
    )
    (relation,) = project.resource("office").relations
    assert (relation.inverse, relation.kind, relation.column, relation.target) == (
        "offices",
        "many_to_one",
        "region_id",
        "region",
    )


def test_self_relation_inverse_is_qualified(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  parent: {type: relation, to: office, on_delete: set_null}\n"
        },
    )
    (inverse,) = project.resource("office").inverse_relations
    assert (inverse.name, inverse.via, inverse.on_delete) == (
        "offices_as_parent",
        "parent",
        "set_null",
    )


def test_two_relations_to_the_same_target_are_qualified(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "deal": "resource: deal\nfields:\n  owner: {type: relation, to: person}\n  reviewer: {type: relation, to: person}\n  region: {type: relation, to: region}\n",
            "person": PERSON,
            "region": REGION,
        },
    )
    assert [i.name for i in project.resource("person").inverse_relations] == [
        "deals_as_owner",
        "deals_as_reviewer",
    ]
    assert [i.name for i in project.resource("region").inverse_relations] == ["deals"]


def test_irregular_plural_in_inverse_and_table(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "person": "resource: person\nfields:\n  region: {type: relation, to: region}\n",
            "region": REGION,
        },
    )
    assert project.resource("person").table == "people"
    assert [i.name for i in project.resource("region").inverse_relations] == ["people"]


def test_inverse_override_and_keyword_inverse_attr(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  region: {type: relation, to: region, inverse: global}\n",
            "region": REGION,
        },
    )
    (inverse,) = project.resource("region").inverse_relations
    assert (inverse.name, inverse.attr) == ("global", "global_")
    assert project.resource("office").relations[0].inverse_attr == "global_"


def test_many_to_many_inverse(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  people: {type: many_to_many, to: person}\n",
            "person": PERSON,
        },
    )
    (inverse,) = project.resource("person").inverse_relations
    assert (inverse.name, inverse.kind, inverse.via, inverse.on_delete) == (
        "offices",
        "many_to_many",
        "people",
        None,
    )


def test_inverse_relations_are_sorted_by_name(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "zoo": "resource: zoo\nfields:\n  region: {type: relation, to: region}\n",
            "apple": "resource: apple\nfields:\n  region: {type: relation, to: region}\n",
            "region": REGION,
        },
    )
    assert [i.name for i in project.resource("region").inverse_relations] == ["apples", "zoos"]


# --- junction tables ------------------------------------------------------------------------------


def test_junction_table_and_columns(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  people: {type: many_to_many, to: person}\n",
            "person": PERSON,
        },
    )
    (junction,) = project.junctions
    assert junction == ir.Junction(
        table="offices_people",
        left_column="office_id",
        right_column="person_id",
        left_table="offices",
        right_table="people",
        left_type="uuid",
        right_type="uuid",
        primary_key_name="pk_offices_people",
        left_foreign_key="fk_offices_people_office_id_offices",
        right_foreign_key="fk_offices_people_person_id_people",
        right_index="ix_offices_people_person_id",
    )
    field = project.resource("office").field("people")
    assert (field.api_name, field.column, field.relation.junction) == ("person_ids", None, junction)
    assert "people" not in [c.name for c in project.resource("office").columns]


def test_self_many_to_many_junction(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "person": "resource: person\nprimary_key: integer\nfields:\n  friends: {type: many_to_many, to: person}\n"
        },
    )
    (junction,) = project.junctions
    assert (junction.table, junction.left_column, junction.right_column) == (
        "people_friends",
        "person_id",
        "related_person_id",
    )
    assert (junction.left_table, junction.right_table, junction.left_type, junction.right_type) == (
        "people",
        "people",
        "integer",
        "integer",
    )
    assert [i.name for i in project.resource("person").inverse_relations] == ["people_as_friends"]


def test_junction_through_and_mixed_key_types(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nprimary_key: integer\nfields:\n  people: {type: many_to_many, to: person, through: staffing}\n",
            "person": PERSON,
        },
    )
    (junction,) = project.junctions
    assert (junction.table, junction.left_type, junction.right_type) == (
        "staffing",
        "integer",
        "uuid",
    )
    assert junction.primary_key_name == "pk_staffing"


def test_junction_to_a_branching_resource_has_no_foreign_key_on_that_side(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  people: {type: many_to_many, to: person}\n",
            "person": "resource: person\ntraits: [branching]\n",
        },
    )
    (junction,) = project.junctions
    assert junction.left_foreign_key == "fk_offices_people_office_id_offices"
    assert junction.right_foreign_key is None


# --- foreign keys ---------------------------------------------------------------------------------

RELATIONS = """\
resource: office
fields:
  optional: {type: relation, to: region}
  required: {type: relation, to: region, required: true}
  cascade: {type: relation, to: region, on_delete: cascade}
  no_action: {type: relation, to: region, on_delete: no_action, required: true}
  forced_optional: {type: relation, to: region, required: true, nullable: true}
  defaults_nullable_false: {type: relation, to: region, nullable: false}
"""


def test_foreign_key_on_delete_defaults(tmp_path):
    office = resolve_files(tmp_path, {"office": RELATIONS, "region": REGION}).resource("office")
    on_delete = {c.name: c.foreign_key.on_delete for c in office.columns if c.foreign_key}
    assert on_delete == {
        "optional_id": "SET NULL",
        "required_id": "RESTRICT",
        "cascade_id": "CASCADE",
        "no_action_id": "NO ACTION",
        "forced_optional_id": "SET NULL",
        "defaults_nullable_false_id": "RESTRICT",
    }
    fk = column(office, "optional_id").foreign_key
    assert fk == ir.ForeignKey(
        "fk_offices_optional_id_regions", "optional_id", "regions", "id", "SET NULL"
    )
    assert office.field("required").relation.on_delete == "restrict"


def test_relation_to_a_branching_resource_is_not_enforced(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  region: {type: relation, to: region}\n",
            "region": "resource: region\ntraits: [branching]\n",
        },
    )
    office = project.resource("office")
    assert office.relations[0].enforced is False
    assert column(office, "region_id").foreign_key is None


def test_relation_column_takes_the_target_key_type(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  region: {type: relation, to: region}\n  person: {type: relation, to: person}\n",
            "region": "resource: region\nprimary_key: integer\n",
            "person": PERSON,
        },
    )
    office = project.resource("office")
    assert column(office, "region_id").type == "integer"
    assert column(office, "region_id").sql_types == {
        "sqlite": "INTEGER",
        "postgresql": "BIGINT",
        "mysql": "BIGINT",
    }
    assert column(office, "person_id").type == "uuid"
    assert project.resource("region").pk.sql_types["postgresql"] == "BIGINT"
    assert office.pk.default == ir.Default(None, None, "factory")


def test_renamed_relation_renames_its_column(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  area: {type: relation, to: region, renamed_from: zone}\n",
            "region": REGION,
        },
    )
    assert column(project.resource("office"), "area_id").renamed_from == "zone_id"


# --- nullability ----------------------------------------------------------------------------------


def test_nullable_rules(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": """\
            resource: office
            fields:
              plain: string
              required: string required
              defaulted: {type: integer, default: 3}
              forced_null: {type: string, required: true, nullable: true}
              forced_not_null: {type: string, nullable: false}
              defaulted_nullable: {type: boolean, default: false, nullable: true}
              people: {type: many_to_many, to: person, nullable: true}
              region: {type: relation, to: region}
            """,
            "person": PERSON,
            "region": REGION,
        },
    ).resource("office")
    nullable = {f.name: f.nullable for f in office.fields}
    assert nullable == {
        "plain": True,
        "required": False,
        "defaulted": False,
        "forced_null": True,
        "forced_not_null": False,
        "defaulted_nullable": True,
        "people": False,
        "region": True,
    }
    assert {c.name: c.nullable for c in office.columns if c.origin in ("field", "relation")} == {
        k if k != "region" else "region_id": v for k, v in nullable.items() if k != "people"
    }
    # Required on create means `required: true`, with a default or without.
    required = {f.name: f.required for f in office.fields}
    assert required["required"] is True and required["forced_null"] is True
    assert required["defaulted"] is False and required["plain"] is False


def test_required_with_default_is_still_required_on_create(tmp_path):
    # README: required is "must be given on create; NOT NULL"; the default stays the column's.
    office = resolve_files(
        tmp_path,
        {"office": "resource: office\nfields:\n  n: {type: integer, required: true, default: 1}\n"},
    ).resource("office")
    assert (office.field("n").required, office.field("n").nullable) == (True, False)
    assert office.field("n").default is not None


def test_temporal_and_uuid_defaults_take_the_form_the_api_writes(tmp_path):
    # Python reads `20240101`, `2024-W01-1` and `{…}`; the documents (format date, uuid), zod and
    # the API's own filters do not, and the defaults once went out as written.
    text = """\
        resource: office
        fields:
          d: {type: date, default: "20240101"}
          w: {type: date, default: "2024-W01-2"}
          t: {type: time, default: "12:30:00.1234567"}
          u: {type: uuid, default: "{12345678-1234-5678-1234-56781234ABCD}"}
          n: {type: uuid, default: "urn:uuid:12345678-1234-5678-1234-567812345678"}
          m: {type: datetime, default: "2024-01-01T12:00:00+02:00"}
          ds: {type: array, of: date, default: ["20240101"]}
          ms: {type: array, of: datetime, default: ["2024-01-01T12:00:00+02:00"]}
    """
    office = resolve_files(tmp_path, {"office": text}).resource("office")
    assert {name: office.field(name).default.value for name in "dwtunm"} | {
        "ds": office.field("ds").default.value,
        "ms": office.field("ms").default.value,
    } == {
        "d": "2024-01-01",
        "w": "2024-01-02",
        "t": "12:30:00.123456",
        "u": "12345678-1234-5678-1234-56781234abcd",
        "n": "12345678-1234-5678-1234-567812345678",
        "m": "2024-01-01T10:00:00+00:00",
        "ds": ["2024-01-01"],
        "ms": ["2024-01-01T10:00:00+00:00"],
    }
    assert office.field("d").default.sql == "'2024-01-01'"


# --- traits ---------------------------------------------------------------------------------------


def test_trait_columns_and_their_order(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": "resource: office\ntraits: [versioned, audit, soft_delete, timestamps, owned, tenant, branching]\nfields:\n  name: string\n  region: {type: relation, to: region}\n",
            "region": REGION,
        },
    ).resource("office")
    assert [c.name for c in office.columns] == [
        "id",
        "branch_id",
        "tenant_id",
        "owner_id",
        "name",
        "region_id",
        "is_system",
        "created_at",
        "updated_at",
        "deleted_at",
        "version",
        "branch_deleted",
    ]
    assert office.traits == (
        "timestamps",
        "soft_delete",
        "tenant",
        "versioned",
        "audit",
        "branching",
        "owned",
    )
    by_name = {c.name: c for c in office.columns}
    assert (
        by_name["tenant_id"].nullable,
        by_name["tenant_id"].max_length,
        by_name["tenant_id"].origin,
    ) == (False, 64, "tenant")
    assert by_name["owner_id"].nullable is True
    assert by_name["is_system"].default == ir.Default(False, "false")
    assert by_name["created_at"].default == ir.Default(None, "CURRENT_TIMESTAMP", "now")
    assert by_name["updated_at"].nullable is False
    assert by_name["deleted_at"].nullable is True and by_name["deleted_at"].default is None
    assert by_name["version"].default == ir.Default(1, "1")
    assert by_name["branch_id"].default == ir.Default("main", "'main'")
    # The branch tombstone is bookkeeping: NOT NULL false, and never part of the API.
    deleted = by_name["branch_deleted"]
    assert (deleted.type, deleted.nullable, deleted.default, deleted.exposed) == (
        "boolean",
        False,
        ir.Default(False, "false"),
        False,
    )
    assert all(c.exposed for c in office.columns if c.name != "branch_deleted")
    assert office.has("tenant") and not office.has("nothing")


def test_no_traits_means_only_id_and_fields(tmp_path):
    office = resolve_files(
        tmp_path, {"office": "resource: office\nfields:\n  name: string\n"}
    ).resource("office")
    assert [c.name for c in office.columns] == ["id", "name"]
    assert office.pk.primary_key and office.primary_key_name == "pk_offices"


# --- uniques and indexes --------------------------------------------------------------------------


def test_uniques_and_indexes_without_tenant(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": """\
            resource: office
            traits: [soft_delete]
            fields:
              name: string unique
              code: string index
              region: {type: relation, to: region}
              owner: {type: relation, to: person, unique: true}
              status: {type: enum, values: [a, b]}
            indexes:
              - {fields: [status, name]}
            """,
            "region": REGION,
            "person": PERSON,
        },
    ).resource("office")
    # soft_delete: the uniques hold over the live rows, as partial unique indexes; a foreign key
    # column keeps an index of its own, since a partial one cannot serve every lookup.
    assert office.uniques == ()
    assert office.indexes == (
        ir.Index("ix_offices_code", ("code",)),
        ir.Index("ix_offices_deleted_at", ("deleted_at",)),
        ir.Index("ix_offices_owner_id", ("owner_id",)),
        ir.Index("ix_offices_region_id", ("region_id",)),
        ir.Index("ix_offices_status_name", ("status", "name")),
        ir.Index("ux_offices_name", ("name",), unique=True, where="deleted_at IS NULL"),
        ir.Index("ux_offices_owner_id", ("owner_id",), unique=True, where="deleted_at IS NULL"),
    )


def test_per_tenant_uniques_and_indexes(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": """\
            resource: office
            traits: [tenant]
            fields:
              name: string unique
              code: string index
              region: {type: relation, to: region}
            indexes:
              - {fields: [code, name], unique: true}
              - {fields: [tenant_id, name], name: by_tenant_name}
            """,
            "region": REGION,
        },
    ).resource("office")
    assert office.uniques == (ir.UniqueConstraint("uq_offices_name", ("tenant_id", "name")),)
    assert office.indexes == (
        ir.Index("by_tenant_name", ("tenant_id", "name")),
        # Foreign keys lead their index: MySQL needs one that starts with the referencing column.
        ir.Index("ix_offices_region_id_tenant_id", ("region_id", "tenant_id")),
        # The list's pages in id order (keyset_index).
        ir.Index("ix_offices_tenant_id_id", ("tenant_id", "id")),
        ir.Index("ux_offices_tenant_id_code_name", ("tenant_id", "code", "name"), unique=True),
    )
    # `code` index is covered by the unique index that starts with (tenant_id, code); tenant_id
    # alone is covered by every index.


def test_soft_delete_uniques_are_per_tenant_over_the_live_rows(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": "resource: office\ntraits: [tenant, soft_delete, branching]\nfields:\n  name: string unique\n"
        },
    ).resource("office")
    assert office.uniques == ()
    assert [i for i in office.indexes if i.unique] == [
        ir.Index(
            "ux_offices_tenant_id_branch_id_name",
            ("tenant_id", "branch_id", "name"),
            unique=True,
            where="deleted_at IS NULL AND NOT branch_deleted",
        )
    ]


def test_a_row_deleted_on_a_branch_frees_its_unique_values(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": "resource: office\ntraits: [branching]\nfields:\n  name: string unique\n"
            "indexes:\n  - {fields: [name], unique: true, where: \"name <> ''\"}\n"
        },
    ).resource("office")
    assert office.uniques == ()
    # Per branch as well: a branch's copy repeats its main row's values.
    assert sorted((i.columns, i.where) for i in office.indexes if i.unique) == [
        (("branch_id", "name"), "(name <> '') AND NOT branch_deleted"),
        (("branch_id", "name"), "NOT branch_deleted"),
    ]


def test_an_indexed_array_gets_a_gin_index_on_postgresql_only(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": "resource: office\ntraits: [tenant]\nfields:\n  tags: {type: array, of: string, index: true}\n  codes: array(integer)\n"
        },
    ).resource("office")
    # Alone, without the tenant scope: GIN on a VARCHAR needs the btree_gin extension.
    assert office.indexes == (
        ir.Index("ix_offices_tags", ("tags",), using="gin", dialects=("postgresql",)),
        ir.Index("ix_offices_tenant_id_id", ("tenant_id", "id")),
    )


def test_the_keyset_index_takes_the_place_of_a_tenant_only_index(tmp_path):
    office = resolve_files(
        tmp_path, {"office": "resource: office\ntraits: [tenant]\nfields:\n  name: string\n"}
    ).resource("office")
    assert office.indexes == (ir.Index("ix_offices_tenant_id_id", ("tenant_id", "id")),)
    # Without a list there are no pages to read, and the tenant's rows get their plain index.
    office = resolve_files(
        tmp_path,
        {
            "office": "resource: office\ntraits: [tenant]\nfields:\n  name: string\n"
            "actions: {list: false}\n"
        },
    ).resource("office")
    assert office.indexes == (ir.Index("ix_offices_tenant_id", ("tenant_id",)),)


@pytest.mark.parametrize(
    ("traits", "sort", "columns", "where"),
    [
        ("[]", None, None, None),  # pages in id order: the primary key serves them
        ("[]", "[-id]", None, None),
        ("[timestamps]", None, ("created_at", "id"), None),  # the default sort: -created_at
        ("[tenant]", "[-name, region]", ("tenant_id", "name", "region_id", "id"), None),
        (
            "[tenant, soft_delete]",
            "[name, id, region]",
            ("tenant_id", "name", "id"),
            "deleted_at IS NULL",
        ),
        ("[tenant, branching]", "[name]", ("tenant_id", "branch_id", "name", "id"), None),
        ("[owned]", "[name]", ("name", "id"), None),  # an owner's OR is no prefix
    ],
)
def test_a_list_gets_the_index_its_pages_read_in_order(tmp_path, traits, sort, columns, where):
    listing = f"actions: {{list: {{sort: {sort}}}}}\n" if sort else ""
    office = resolve_files(
        tmp_path,
        {
            "office": f"resource: office\ntraits: {traits}\nfields:\n  name: string required\n"
            f"  region: {{type: relation, to: region}}\n{listing}",
            "region": REGION,
        },
    ).resource("office")
    derived = [i for i in office.indexes if i.columns[-1:] == ("id",)]
    if columns is None:
        assert derived == []
    else:
        assert [(i.columns, i.where, i.unique) for i in derived] == [(columns, where, False)]


def test_branching_uniques_are_per_branch(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": "resource: office\ntraits: [tenant, branching]\nfields:\n  name: string unique\n"
        },
    ).resource("office")
    assert office.uniques == ()
    assert [i for i in office.indexes if i.unique] == [
        ir.Index(
            "ux_offices_tenant_id_branch_id_name",
            ("tenant_id", "branch_id", "name"),
            unique=True,
            where="NOT branch_deleted",
        )
    ]


def test_foreign_key_column_indexed_once(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": """\
            resource: office
            traits: [owned]
            fields:
              name: string
              region: {type: relation, to: region, index: true}
              area: {type: relation, to: region}
              zone: {type: relation, to: region}
              hub: {type: relation, to: region, unique: true}
            indexes:
              - {fields: [region, name]}
              - {fields: [owner_id, name]}
              - {fields: [zone], where: "zone_id IS NOT NULL"}
            """,
            "region": REGION,
        },
    ).resource("office")
    assert [(i.columns, i.where) for i in office.indexes] == [
        (("area_id",), None),
        (("owner_id", "name"), None),
        (("region_id", "name"), None),  # covers region_id, even with `index: true` on the relation
        (("zone_id",), "zone_id IS NOT NULL"),
        (("zone_id",), None),  # a partial index does not cover every row, so zone_id gets its own
    ]
    names = [i.name for i in office.indexes]
    assert len(set(names)) == len(names)
    assert "ix_offices_hub_id" not in names  # covered by the unique constraint
    assert sum(i.columns == ("area_id",) for i in office.indexes) == 1


# --- dependency order -----------------------------------------------------------------------------


def test_tables_in_dependency_order(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "apple": "resource: apple\nfields:\n  tree: {type: relation, to: tree}\n",
            "tree": "resource: tree\nfields:\n  orchard: {type: relation, to: orchard}\n  parent: {type: relation, to: tree}\n",
            "orchard": "resource: orchard\nfields:\n  people: {type: many_to_many, to: person}\n",
            "person": PERSON,
        },
    )
    assert project.table_order == (
        "orchards",
        "people",
        "trees",
        "apples",
        "orchards_people",
        *EVERY_PROJECT,  # the system tables come last
    )
    assert project.cycles == ()
    assert [r.name for r in project.resources] == ["apple", "orchard", "person", "tree"]


def test_dependency_cycle_is_broken_by_name_and_reported(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "author": "resource: author\nfields:\n  best_book: {type: relation, to: book}\n",
            "book": "resource: book\nfields:\n  author: {type: relation, to: author}\n  shelf: {type: relation, to: shelf, required: true}\n",
            "shelf": "resource: shelf\n",
        },
    )
    assert project.table_order == ("shelves", "authors", "books", *EVERY_PROJECT)
    assert project.cycles == (("authors", "books"),)


def test_branching_target_breaks_no_cycle_because_there_is_no_foreign_key(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "a": "resource: a\nfields:\n  b: {type: relation, to: b}\n",
            "b": "resource: b\ntraits: [branching]\nfields:\n  a: {type: relation, to: a}\n",
        },
    )
    assert project.table_order == ("as", "bs", *EVERY_PROJECT)
    assert project.cycles == ()


# --- names ----------------------------------------------------------------------------------------


def test_constraint_name_short_names_untouched():
    assert constraint_name("fk", "books", "author_id", "authors") == "fk_books_author_id_authors"


def test_constraint_name_shortened_with_a_stable_hash():
    parts = (
        "fk",
        "a_rather_long_table_name_here",
        "another_rather_long_column_id",
        "target_table_name",
    )
    full = "_".join(parts)
    name = constraint_name(*parts)
    assert len(full) > 60 and len(name) == 60
    assert name == full[:51] + "_" + hashlib.sha1(full.encode()).hexdigest()[:8]
    assert constraint_name(*parts) == name
    assert constraint_name(*parts[:-1], "target_table_namf") != name  # the hash tells them apart
    assert len(constraint_name(*parts, limit=63)) == 63


def test_long_constraint_names_in_the_ir(tmp_path):
    resource_name = "a_rather_long_resource_name_for_tests"
    field_name = "another_quite_long_relation_field"
    project = resolve_files(
        tmp_path,
        {
            resource_name: f"resource: {resource_name}\nfields:\n  {field_name}: {{type: relation, to: region}}\n  uniq_long_field_name_with_many_chars: string unique\n  long_status_field_name_for_enum_type: enum(a, b)\n",
            "region": REGION,
        },
    )
    resource = project.resource(resource_name)
    names = [
        *(c.foreign_key.name for c in resource.columns if c.foreign_key),
        *(u.name for u in resource.uniques),
        *(i.name for i in resource.indexes),
        resource.primary_key_name,
    ]
    assert all(len(n) <= 60 for n in names), names
    fk = column(resource, f"{field_name}_id").foreign_key
    assert fk.name == constraint_name("fk", resource.table, f"{field_name}_id", "regions")
    assert len({n for n in names}) == len(names)
    (enum,) = resource.enums
    assert len(enum.name) <= 63
    assert enum.name == constraint_name(
        resource_name, "long_status_field_name_for_enum_type", limit=63
    )


def test_python_attrs_for_keywords_and_reserved_names(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  class: string\n  metadata: json\n  from: {type: relation, to: region}\n  import: {type: many_to_many, to: region}\n  registry: string\n  type: string\n  match: string\n  name: string\n",
            "region": REGION,
        },
    ).resource("office")
    attrs = {f.name: f.attr for f in office.fields}
    assert (
        attrs
        == {
            "class": "class_",
            "metadata": "metadata_",
            "from": "from_",
            "import": "import_",
            "registry": "registry_",
            "type": "type",  # a soft keyword only since 3.12; names must not depend on the Python version
            "match": "match_",
            "name": "name",
        }
    )
    assert column(office, "class").attr == "class_"
    assert column(office, "metadata").attr == "metadata_"
    assert column(office, "from_id").attr == "from_id"
    assert office.field("from").api_name == "from_id"
    assert office.field("class").api_name == "class"
    assert office.relations[0].attr == "from_"


def test_enum_type_names_and_labels(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  status: {type: enum, values: [active, on_hold, {value: x, label: Closed}]}\n  kind: enum(a, b)\n"
        },
    )
    office = project.resource("office")
    assert [e.name for e in office.enums] == ["office_status", "office_kind"]
    assert [(o.value, o.label) for o in office.enums[0].options] == [
        ("active", "Active"),
        ("on_hold", "On hold"),
        ("x", "Closed"),
    ]
    assert project.enums == office.enums
    assert column(office, "status").sql_types == {
        "sqlite": "VARCHAR(7)",
        "postgresql": "office_status",
        "mysql": "ENUM",
    }


# --- names, labels, defaults ----------------------------------------------------------------------


def test_resource_names_and_labels(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "menu_item": "resource: menu_item\n",
            "box": "resource: box\ntable: crates\nmodel: Crate\nlabel: Crate\n",
            "city": "resource: city\nlabel: Town\nlabel_plural: Townships\n",
        },
    )
    menu = project.resource("menu_item")
    assert (menu.plural, menu.table, menu.model, menu.label, menu.label_plural) == (
        "menu_items",
        "menu_items",
        "MenuItem",
        "Menu item",
        "Menu items",
    )
    box = project.resource("box")
    assert (box.plural, box.table, box.model, box.label, box.label_plural) == (
        "boxes",
        "crates",
        "Crate",
        "Crate",
        "Crates",
    )
    city = project.resource("city")
    assert (city.table, city.label, city.label_plural) == ("cities", "Town", "Townships")
    assert menu.source == "schemas/menu_item.yaml"


def test_defaults_in_the_ir(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": """\
            resource: office
            fields:
              name: {type: string, default: "O'Brien"}
              budget: {type: decimal, default: 10.5}
              count: {type: integer, default: 3}
              ratio: {type: float, default: 0.5}
              active: {type: boolean, default: true}
              opened: {type: date, default: today}
              seen: {type: datetime, default: now}
              tags: {type: array, of: string, default: [a, b]}
              extra: {type: json, default: {a: 1}}
              status: {type: enum, values: [a, b], default: b}
            """
        },
    ).resource("office")
    defaults = {f.name: f.default for f in office.fields}
    assert defaults == {
        "name": ir.Default("O'Brien", "'O''Brien'"),
        "budget": ir.Default("10.5", "10.5"),
        "count": ir.Default(3, "3"),
        "ratio": ir.Default(0.5, "0.5"),
        "active": ir.Default(True, "true"),
        "opened": ir.Default(None, "CURRENT_DATE", "today"),
        "seen": ir.Default(None, "CURRENT_TIMESTAMP", "now"),
        "tags": ir.Default(["a", "b"], None, "factory"),
        "extra": ir.Default({"a": 1}, None, "factory"),
        "status": ir.Default("b", "'b'"),
    }


def test_column_types_and_lengths(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  a: string\n  b: email\n  c: url\n  d: string(80)\n  e: decimal\n  f: decimal(12,4)\n  g: {type: array, of: integer}\n  h: text\n"
        },
    ).resource("office")
    assert [column(office, n).max_length for n in "abcdh"] == [255, 320, 2048, 80, None]
    assert (column(office, "e").precision, column(office, "e").scale) == (18, 2)
    assert column(office, "f").sql_types["postgresql"] == "NUMERIC(12, 4)"
    assert column(office, "g").sql_types == {
        "sqlite": "JSON",
        "postgresql": "INTEGER[]",
        "mysql": "JSON",
    }
    assert office.field("h").max_length is None and office.field("h").widget == "textarea"


# --- list, sort and UI defaults -------------------------------------------------------------------


def test_default_list_config_without_timestamps(tmp_path):
    office = resolve_files(
        tmp_path, {"office": "resource: office\nfields:\n  name: string\n"}
    ).resource("office")
    assert office.actions.list == ir.ListConfig(
        page_size=50,
        max_page_size=500,
        sort=("id",),
        sortable=("id",),
        searchable=(),
        filterable=(),
    )
    assert (
        office.actions.get,
        office.actions.create,
        office.actions.update,
        office.actions.delete,
        office.actions.bulk,
    ) == (True, True, True, True, None)
    assert office.ui.table_default_sort == ()


def test_default_list_config_with_timestamps(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": "resource: office\ntraits: [timestamps]\nfields:\n  name: {type: string, sortable: true, searchable: true, filterable: true}\n"
        },
    ).resource("office")
    lst = office.actions.list
    assert lst.sort == ("-created_at",)
    assert lst.sortable == ("name", "created_at")
    assert (lst.searchable, lst.filterable) == (("name",), ("name",))
    assert office.ui.table_default_sort == ("-created_at",)


def test_list_config_maps_relations_to_columns(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  name: string\n  region: {type: relation, to: region}\nactions:\n  list: {page_size: 10, max_page_size: 20, sort: [-region, name], sortable: [region], searchable: [name], filterable: [region]}\n  bulk: true\n  delete: false\n",
            "region": REGION,
        },
    ).resource("office")
    lst = office.actions.list
    assert (lst.page_size, lst.max_page_size) == (10, 20)
    assert lst.sort == ("-region_id", "name")
    assert lst.sortable == ("region_id", "name")
    assert (lst.searchable, lst.filterable) == (("name",), ("region",))
    assert office.actions.bulk == ir.BulkConfig(True, True, 500, 3600)
    assert office.actions.delete is False
    assert office.ui.table_page_size == 10


def test_list_disabled(tmp_path):
    office = resolve_files(
        tmp_path, {"office": "resource: office\nactions:\n  list: false\n"}
    ).resource("office")
    assert office.actions.list is None


def test_default_ui_columns_form_and_title(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": """\
            resource: office
            fields:
              code: string
              body: text
              settings: json
              tags: {type: array, of: string}
              people: {type: many_to_many, to: person}
              a: integer
              b: integer
              c: integer
              d: {type: integer, readonly: true}
              e: integer
              title: string
            """,
            "person": PERSON,
        },
    ).resource("office")
    assert office.ui.table_columns == ("code", "a", "b", "c", "d", "e")
    assert office.ui.form_fields == (
        "code",
        "body",
        "settings",
        "tags",
        "people",
        "a",
        "b",
        "c",
        "e",
        "title",
    )
    assert office.display.title_field == "title"  # name, title or label beat the first string


@pytest.mark.parametrize(
    ("fields", "title"),
    [
        ("code: string\n  name: string\n", "name"),
        ("code: string\n  label: string\n", "label"),
        ("n: integer\n  mail: email\n", "mail"),
        ("n: integer\n", "id"),
    ],
)
def test_title_field_fallbacks(tmp_path, fields, title):
    office = resolve_files(tmp_path, {"office": f"resource: office\nfields:\n  {fields}"}).resource(
        "office"
    )
    assert office.display.title_field == title


def test_custom_action_defaults(tmp_path):
    office = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nactions:\n  close:\n    input: {reason: text required}\n  reopen:\n    handler: ext.mod:reopen\n    invalidates: [office, region]\n    scope: collection\n",
            "region": REGION,
        },
    ).resource("office")
    close, reopen = office.actions.custom
    assert (
        close.name,
        close.action,
        close.handler,
        close.invalidates,
        close.scope,
        close.label,
    ) == ("close", "office.close", "acme_ext.offices:close", ("office",), "item", "Close")
    assert [(f.name, f.required, f.column) for f in close.inputs] == [("reason", True, None)]
    assert (reopen.handler, reopen.invalidates, reopen.scope) == (
        "ext.mod:reopen",
        ("office", "region"),
        "collection",
    )


def test_ir_is_frozen(tmp_path):
    project = resolve_files(tmp_path, {"office": "resource: office\n"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        project.resources[0].name = "x"  # type: ignore[misc]
    assert isinstance(project.resources, tuple) and isinstance(project.resources[0].columns, tuple)


def test_resolve_is_deterministic(tmp_path):
    files = {"office": RELATIONS, "region": REGION}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert resolve_files(tmp_path / "a", files) == resolve_files(tmp_path / "b", files)


# --- PostgreSQL objects and the project's own tables ---------------------------------------------


def test_timestamps_get_an_updated_at_trigger_running_one_shared_function(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\ntraits: [timestamps]\n",
            "person": "resource: person\ntraits: [timestamps]\n",
            "region": REGION,
        },
    )
    (function,) = project.functions
    assert function.name == "schemagen_touch_updated_at"
    assert "IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN" in function.body
    assert "NEW.updated_at := now();" in function.body
    assert project.resource("office").triggers == (
        ir.Trigger("trg_offices_updated_at", function.name),
    )
    assert project.resource("person").triggers == (
        ir.Trigger("trg_people_updated_at", function.name),
    )
    assert project.resource("region").triggers == ()


def test_no_timestamps_no_function(tmp_path):
    assert resolve_files(tmp_path, {"region": REGION}).functions == ()


TENANT = "tenant_id = current_setting('app.tenant_id', true)"
USER = "current_setting('app.user_id', true)"
MINE = f"owner_id = {USER} AND NOT is_system"  # writable: the caller's own, never a system row
SEEN = f"is_system OR owner_id = {USER}"


def policies(table: str, visible: str, writable: str, reads: tuple[str, ...] = ()) -> tuple:
    return (
        ir.Policy(f"{table}_select", "SELECT", visible, None, reads),
        ir.Policy(f"{table}_insert", "INSERT", None, writable, reads),
        ir.Policy(f"{table}_update", "UPDATE", writable, writable, reads),
        ir.Policy(f"{table}_delete", "DELETE", writable, None, reads),
    )


@pytest.mark.parametrize(
    ("traits", "visible", "writable"),
    [
        ("[tenant]", TENANT, TENANT),
        ("[owned]", SEEN, MINE),
        ("[owned, tenant]", f"{TENANT} AND ({SEEN})", f"{TENANT} AND {MINE}"),
    ],
)
def test_row_level_security_has_a_policy_per_command(tmp_path, traits, visible, writable):
    office = resolve_files(tmp_path, {"office": f"resource: office\ntraits: {traits}\n"}).resource(
        "office"
    )
    assert office.policies == policies("offices", visible, writable)


def test_no_policy_without_tenant_or_owned(tmp_path):
    office = resolve_files(
        tmp_path, {"office": "resource: office\ntraits: [timestamps, soft_delete, audit]\n"}
    ).resource("office")
    assert office.policies == ()


def test_policy_names_stay_within_the_identifier_limit(tmp_path):
    table = "t" * 50
    office = resolve_files(
        tmp_path, {"office": f"resource: office\ntable: {table}\ntraits: [tenant]\n"}
    ).resource("office")
    assert [p.name for p in office.policies] == [
        constraint_name(table, command) for command in ("select", "insert", "update", "delete")
    ]
    assert all(len(p.name) <= 60 for p in office.policies)
    assert len({p.name for p in office.policies}) == 4


AUDIT_SCOPE = (
    "(tenant_id = current_setting('app.tenant_id', true) OR (tenant_id IS NULL AND "
    "coalesce(current_setting('app.tenant_id', true), '') = ''))"
)
BY_CALLER = f"coalesce(actor, '') = coalesce({USER}, '')"
# The system tables of every project, after the ones features add.
EVERY_PROJECT = ("idempotency_keys", "change_feed", "change_feed_clock")


def test_audit_log_entries_of_owned_resources_are_their_writers_and_never_change(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\ntraits: [audit, owned]\n",
            "note": "resource: note\ntraits: [audit, tenant]\n",
        },
    )
    [audit] = [t for t in project.system_tables if t.name == "audit_log"]
    assert audit.policies == (
        ir.Policy(
            "audit_log_select",
            "SELECT",
            f"{AUDIT_SCOPE} AND (resource NOT IN ('office') OR actor = {USER})",
        ),
        ir.Policy("audit_log_insert", "INSERT", None, f"{AUDIT_SCOPE} AND {BY_CALLER}"),
    )  # no UPDATE or DELETE policy: the trail is append-only for every role but the owner


def test_bulk_runs_are_their_tenants_and_runners(tmp_path):
    project = resolve_files(tmp_path, {"office": "resource: office\nactions:\n  bulk: true\n"})
    [runs] = [t for t in project.system_tables if t.name == "bulk_runs"]
    rule = f"(tenant_id IS NULL OR {TENANT}) AND {BY_CALLER}"
    # The background worker reads every run, and writes one only as the run's caller.
    worker = "current_setting('app.bulk_worker', true) = 'on'"
    visible = f"({rule}) OR {worker}"
    assert runs.policies == policies("bulk_runs", visible, rule)[:3]  # never deleted by the app


def test_a_link_is_as_visible_as_its_rows_and_written_by_who_may_write_its_row(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\ntraits: [tenant, branching]\nfields:\n"
            "  people: {type: many_to_many, to: person}\n  tags: {type: many_to_many, to: tag}\n",
            "person": "resource: person\ntraits: [owned]\n",
            "tag": "resource: tag\n",
        },
    )
    office = project.resource("office")
    people, tags = (
        next(r.junction for r in office.relations if r.name == n) for n in ("people", "tags")
    )

    def row(table, column, rule):
        return (
            f'EXISTS (SELECT 1 FROM "{table}" p WHERE p.id = "{people.table}".{column} AND {rule})'
        )

    office_row = row("offices", "office_id", f"p.{TENANT}")
    seen_person = row("people", "person_id", f"p.is_system OR p.owner_id = {USER}")
    assert people.policies == policies(
        "offices_people",
        f"{office_row} AND {seen_person}",
        f"{office_row} AND {seen_person}",
        ("offices", "people"),
    )
    # A tag is everyone's: its links follow the office alone.
    assert [p.using or p.check for p in tags.policies] == [
        f'EXISTS (SELECT 1 FROM "offices" p WHERE p.id = "offices_tags".office_id AND p.{TENANT})'
    ] * 4
    assert tags.policies[0].reads == ("offices",)


def test_links_between_rows_without_tenant_or_owner_have_no_policy(tmp_path):
    project = resolve_files(
        tmp_path,
        {
            "office": "resource: office\nfields:\n  tags: {type: many_to_many, to: tag}\n",
            "tag": "resource: tag\n",
        },
    )
    assert project.junctions[0].policies == ()


def test_no_audit_and_no_bulk_means_only_the_tables_of_every_project(tmp_path):
    """Every project keeps its Idempotency-Keys (POST /api/actions writes, whatever the
    resources), each its caller's in its tenant, for every command; and its change feed, scoped
    as the rows it records, append-only, ordered by a clock that holds no one's data."""
    project = resolve_files(tmp_path, {"region": REGION})
    assert tuple(t.name for t in project.system_tables) == EVERY_PROJECT
    keys = project.system_tables[0]
    assert (keys.name, keys.model, keys.origin) == (
        "idempotency_keys",
        "IdempotencyKey",
        "schemagen.idempotency_keys",
    )
    assert [u.columns for u in keys.uniques] == [("digest",)]
    rule = f"{AUDIT_SCOPE} AND {BY_CALLER}"
    assert keys.policies == policies("idempotency_keys", rule, rule)
    feed, clock = project.system_tables[1:]
    scope = f"(tenant_id IS NULL OR {TENANT}) AND (owner_id IS NULL OR owner_id = {USER})"
    assert feed.policies == policies("change_feed", scope, scope)[:2]  # SELECT, INSERT only
    assert clock.policies == ()


def test_audit_adds_the_audit_log_table(tmp_path):
    project = resolve_files(
        tmp_path, {"office": "resource: office\ntraits: [audit]\n", "region": REGION}
    )
    table = project.system_tables[0]
    assert tuple(t.name for t in project.system_tables[1:]) == EVERY_PROJECT
    assert (table.name, table.model, table.origin, table.primary_key_name) == (
        "audit_log",
        "AuditLogEntry",
        "schemagen.audit_log",
        "pk_audit_log",
    )
    assert [(c.name, c.type, c.nullable, c.max_length) for c in table.columns] == [
        ("id", "integer", False, None),
        ("resource", "string", False, 100),
        ("row_id", "string", False, 64),
        ("action", "string", False, 64),
        ("before", "json", True, None),
        ("after", "json", True, None),
        ("actor", "string", True, 255),
        ("tenant_id", "string", True, 64),
        ("branch_id", "string", True, 64),
        ("ip_address", "string", True, 45),
        ("user_agent", "string", True, 512),
        ("at", "datetime", False, None),
    ]
    assert table.primary_key == ("id",)
    assert table.columns[-1].default == ir.Default(None, "CURRENT_TIMESTAMP", "now")
    assert table.indexes == (
        ir.Index("ix_audit_log_resource_row_id", ("resource", "row_id")),
        ir.Index("ix_audit_log_tenant_id_at", ("tenant_id", "at")),
    )
    assert table.uniques == ()
    assert project.table_order[-4:] == ("audit_log", *EVERY_PROJECT)


def test_a_bulk_action_adds_the_bulk_runs_table(tmp_path):
    project = resolve_files(
        tmp_path, {"office": "resource: office\nactions:\n  bulk: {undo: true}\n"}
    )
    table = project.system_tables[0]
    assert tuple(t.name for t in project.system_tables[1:]) == EVERY_PROJECT
    assert (table.name, table.model, table.origin) == (
        "bulk_runs",
        "BulkRun",
        "schemagen.bulk_runs",
    )
    columns = {c.name: c for c in table.columns}
    assert list(columns) == [
        "id",
        "resource",
        "operation",
        "filter",
        "values",
        "dry_run",
        "matched",
        "affected",
        "failed",
        "actor",
        "tenant_id",
        "branch_id",
        "ip_address",
        "user_agent",
        "created_at",
        "undo_token",
        "undo_expires_at",
        "undone_at",
        "undo_data",
        "status",
        "last_key",
        "errors",
        "started_at",
        "finished_at",
        "confirmation_token",
    ]
    # A run answered in its request is done at once; a run in the background moves on from queued.
    assert (columns["status"].default, columns["status"].nullable) == (
        ir.Default("done", "'done'"),
        False,
    )
    assert columns["last_key"].max_length == 64 and columns["errors"].nullable
    assert (columns["id"].type, columns["id"].primary_key, columns["id"].default.kind) == (
        "uuid",
        True,
        "factory",
    )
    assert (columns["operation"].max_length, columns["filter"].nullable) == (16, False)
    assert (columns["values"].nullable, columns["dry_run"].nullable) == (True, False)
    assert {columns[n].default for n in ("matched", "affected", "failed")} == {ir.Default(0, "0")}
    assert columns["created_at"].default.kind == "now"
    assert table.uniques == (
        ir.UniqueConstraint("uq_bulk_runs_undo_token", ("undo_token",)),
        ir.UniqueConstraint("uq_bulk_runs_confirmation_token", ("confirmation_token",)),
    )
    assert table.indexes == (
        ir.Index("ix_bulk_runs_resource_created_at", ("resource", "created_at")),
        ir.Index("ix_bulk_runs_status", ("status",)),
    )


def test_both_system_tables_in_name_order(tmp_path):
    project = resolve_files(
        tmp_path,
        {"office": "resource: office\ntraits: [audit]\nactions:\n  bulk: true\n"},
    )
    assert tuple(t.name for t in project.system_tables) == (
        "audit_log",
        "bulk_runs",
        *EVERY_PROJECT,
    )
