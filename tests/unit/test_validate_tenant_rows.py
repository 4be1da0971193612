"""Tenants as rows (`tenant_key`): what validate refuses, and what the IR makes of a tenant
resource once the project keeps its tenants in a resource of its own."""

from __future__ import annotations

import pytest
from test_validate import compile_ok, errors

TENANTS = "resource: org\ntenant_key: code\nfields:\n  code: slug(64) required unique\n  name: string(80)\n"
DEAL = "resource: deal\ntraits: [tenant]\nfields:\n  title: string(80) required\n"


def test_a_tenant_row_points_at_its_tenant(tmp_path):
    project = compile_ok(tmp_path, {"org.yaml": TENANTS, "deal.yaml": DEAL}).project
    assert project.tenants is not None and project.tenants.name == "org"
    deal = project.resource("deal")
    column = next(c for c in deal.columns if c.name == "tenant_id")
    fk = column.foreign_key
    assert fk is not None
    assert (fk.target_table, fk.target_column, fk.on_delete) == ("orgs", "code", "RESTRICT")
    order = project.table_order
    assert order.index("orgs") < order.index("deals")  # the tenants are made first


def test_without_tenant_rows_tenant_id_points_nowhere(tmp_path):
    project = compile_ok(tmp_path, {"deal.yaml": DEAL}).project
    assert project.tenants is None
    column = next(c for c in project.resource("deal").columns if c.name == "tenant_id")
    assert column.foreign_key is None


@pytest.mark.parametrize(
    ("tenants", "path", "message"),
    [
        (
            TENANTS.replace("tenant_key: code", "tenant_key: slug"),
            "tenant_key",
            "'slug' is not a field of org",
        ),
        (
            TENANTS.replace("slug(64) required unique", "string(64) required unique"),
            "fields.code.type",
            "must be a slug field",
        ),
        (
            TENANTS.replace("slug(64) required unique", "slug(64) required"),
            "fields.code",
            "must be required and unique",
        ),
        (
            TENANTS.replace("slug(64) required unique", "slug(65) required unique"),
            "fields.code",
            "at most 64 characters",
        ),
        (
            TENANTS.replace("slug(64) required unique", "slug required unique"),
            "fields.code",
            "at most 64 characters",
        ),
        (TENANTS + "traits: [tenant]\n", "traits[0]", "cannot have the 'tenant' trait"),
        (TENANTS + "traits: [soft_delete]\n", "traits[0]", "cannot have the 'soft_delete' trait"),
    ],
)
def test_what_the_tenants_resource_must_be(tmp_path, tenants, path, message):
    found = errors(tmp_path, {"org.yaml": tenants, "deal.yaml": DEAL})
    assert any(d.key_path == path and message in d.message for d in found), "\n".join(
        map(str, found)
    )
    assert all(d.file == "schemas/org.yaml" for d in found)


def test_one_resource_holds_the_tenants(tmp_path):
    other = TENANTS.replace("resource: org", "resource: club")
    found = errors(tmp_path, {"org.yaml": TENANTS, "club.yaml": other, "deal.yaml": DEAL})
    assert [(d.file, d.key_path) for d in found] == [("schemas/org.yaml", "tenant_key")]
    assert "only one resource can hold the tenants: club does" in found[0].message


def test_tenants_nobody_points_at_are_a_warning(tmp_path):
    compiled = compile_ok(tmp_path, {"org.yaml": TENANTS})
    assert [w.key_path for w in compiled.warnings] == ["tenant_key"]
    assert "no resource has the 'tenant' trait" in compiled.warnings[0].message
