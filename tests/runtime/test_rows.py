"""Writes, reads and lists of rows (`writes`, `rows`, `lists`, `softdelete`, `versions`), on
SQLite, with resources that have each trait and resources that have none."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session
from world import (
    BADGE,
    MEMO,
    NOTE,
    OFFICE,
    PERSON,
    REGION,
    TAG,
    TENANT,
    AuditLogEntry,
    Badge,
    Memo,
    Note,
)

from schemagen.runtime import lists, rows, softdelete, versions, writes
from schemagen.runtime.context import RequestContext, require_principal
from schemagen.runtime.errors import ApiError
from schemagen.runtime.lists import list_rows, operators
from schemagen.runtime.resources import Column
from schemagen.runtime.rows import decode_value, dump_row, encode_value
from schemagen.runtime.values import parse_key


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


def body(**values: Any) -> Body:
    return Body(**values)


def error_of(call: Any, *args: Any, **kwargs: Any) -> ApiError:
    with pytest.raises(ApiError) as raised:
        call(*args, **kwargs)
    return raised.value


NOTES = [
    {
        "title": "alpha",
        "rank": 3,
        "price": "1.50",
        "kind": "high",
        "tags": ["a", "b"],
        "done": True,
    },
    {"title": "beta", "rank": 1, "price": "10.25", "kind": "low", "tags": ["b"], "done": False},
    {"title": "gamma", "rank": None, "kind": "urgent", "tags": [], "meta": {"x": 1}, "done": False},
    {"title": "delta", "rank": 2, "body": "has 100% of it_", "kind": None, "done": True},
    {"title": "epsilon", "rank": 2, "big": 2**40, "score": 0.5, "done": False},
]


def make_notes(session: Session, context: RequestContext) -> list[dict[str, Any]]:
    extra: list[dict[str, Any]] = [
        {
            "due": datetime.date(2024, 1, day),
            "at": datetime.datetime(2024, 1, day, 8, tzinfo=datetime.UTC),
        }
        for day in range(1, 6)
    ]
    made = []
    for values, more in zip(NOTES, extra, strict=True):
        data = {**values, **more}
        if "price" in data:
            data["price"] = decimal.Decimal(data["price"])
        made.append(writes.create_row(NOTE, session, context, body(**data)))
    return made


def titles(page: dict[str, Any]) -> list[str]:
    return [item["title"] for item in page["items"]]


def every(session: Session, context: RequestContext, **params: Any) -> list[str]:
    """Every row's title through every page."""
    found: list[str] = []
    cursor = None
    while True:
        page = list_rows(
            NOTE, session, context, {**params, **({"cursor": cursor} if cursor else {})}
        )
        found += titles(page)
        cursor = page["next_cursor"]
        if cursor is None:
            return found


# -- create, read, update, delete without traits


def test_create_read_update_delete(session: Session, context: RequestContext) -> None:
    made = writes.create_row(NOTE, session, context, body(title="one", done=False))
    assert made["title"] == "one" and isinstance(made["id"], uuid.UUID)
    assert rows.get_row(NOTE, session, context, str(made["id"]))["title"] == "one"
    changed = writes.update_row(NOTE, session, context, made["id"], body(title="two"))
    assert changed["title"] == "two"
    writes.delete_row(NOTE, session, context, made["id"])
    assert error_of(rows.get_row, NOTE, session, context, made["id"]).status == 404


def test_what_no_column_holds_is_refused(session: Session, context: RequestContext) -> None:
    assert (
        error_of(writes.create_row, NOTE, session, context, body(title="a\x00b")).field == "title"
    )
    refused = error_of(writes.create_row, NOTE, session, context, body(title=None, done=False))
    assert refused.detail == "title cannot be null"
    # A uuid key may be the client's: a UUID, once.
    assert (
        error_of(writes.create_row, NOTE, session, context, body(title="x", id="no")).field == "id"
    )
    chosen = uuid.uuid4()
    made = writes.create_row(NOTE, session, context, body(title="x", done=False, id=str(chosen)))
    assert made["id"] == chosen
    taken = error_of(writes.create_row, NOTE, session, context, body(title="y", id=str(chosen)))
    assert (taken.status, taken.error_code, taken.field) == (409, "conflict", "id")
    # An integer key is the database's: an id sent is not a value of the row.
    made = writes.create_row(REGION, session, context, body(name="R", id=999))
    assert made["id"] != 999


def test_ids_that_are_not_ids(session: Session, context: RequestContext) -> None:
    assert error_of(rows.get_row, NOTE, session, context, "nope").status == 422
    assert error_of(rows.get_row, REGION, session, context, True).status == 422
    assert error_of(rows.get_row, REGION, session, context, 2**70).status == 404
    assert parse_key(REGION, "12") == 12


def test_dates_round_trip_as_utc(session: Session, context: RequestContext) -> None:
    at = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    made = writes.create_row(NOTE, session, context, body(title="t", done=False, at=at))
    assert made["at"] == at and made["at"].tzinfo is not None


def test_snapshots_encode_every_value_exactly(session: Session, context: RequestContext) -> None:
    made = make_notes(session, context)[0]
    row = session.get(Note, made["id"])
    dump = dump_row(NOTE, row, rows.load_links(NOTE, session, [row]))
    values = {attr: decode_value(encoded) for attr, encoded in dump["values"].items()}
    assert values["price"] == decimal.Decimal("1.50") and values["tags"] == ["a", "b"]
    assert decode_value(encode_value(datetime.time(1, 2))) == datetime.time(1, 2)
    assert decode_value(json.loads(json.dumps(encode_value(uuid.UUID(int=5))))) == uuid.UUID(int=5)


# -- lists


def test_pages_never_skip_or_repeat(session: Session, context: RequestContext) -> None:
    make_notes(session, context)
    expected = sorted(n["title"] for n in NOTES)
    assert every(session, context) == expected
    for sort in (
        "rank",
        "-rank",
        "price",
        "-price",
        "kind",
        "-kind",
        "at",
        "-at",
        "-id",
        "done,-title",
        "score",
    ):
        got = every(session, context, sort=sort)
        assert sorted(got) == expected and len(got) == len(set(got)), sort
    ranks = every(session, context, sort="rank,title")
    assert ranks == ["beta", "delta", "epsilon", "alpha", "gamma"]  # NULL last ascending
    assert every(session, context, sort="-rank,title")[0] == "gamma"  # NULL first descending
    assert every(session, context, sort="kind")[:3] == ["beta", "alpha", "gamma"]  # declared order


def test_filters_of_every_kind(session: Session, context: RequestContext) -> None:
    made = make_notes(session, context)
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"title": "alpha"}, {"alpha"}),
        ({"title__in": "alpha,beta"}, {"alpha", "beta"}),
        ({"title__in": ["alpha", "gamma,delta"]}, {"alpha", "gamma", "delta"}),
        ({"rank__gte": "2"}, {"alpha", "delta", "epsilon"}),
        ({"rank__lte": 1}, {"beta"}),
        ({"rank__isnull": "true"}, {"gamma"}),
        ({"rank__isnull": "false", "done": "true"}, {"alpha", "delta"}),
        ({"price__gte": "2"}, {"beta"}),
        ({"score": "0.5"}, {"epsilon"}),
        ({"big": str(2**40)}, {"epsilon"}),
        ({"kind": "urgent"}, {"gamma"}),
        ({"kind__in": "low,high"}, {"alpha", "beta"}),
        ({"tags": "b"}, {"alpha", "beta"}),
        ({"tags__in": "a,zz"}, {"alpha"}),
        ({"meta__isnull": "false"}, {"gamma"}),
        ({"due__lte": "2024-01-02"}, {"alpha", "beta"}),
        ({"at__gte": "2024-01-04T08:00:00Z"}, {"delta", "epsilon"}),
        ({"at__lte": "now"}, {n["title"] for n in NOTES}),
        ({"id": str(made[1]["id"])}, {"beta"}),
        ({"q": "ALP"}, {"alpha"}),
        ({"q": "100%"}, {"delta"}),
        ({"q": "it_"}, {"delta"}),
        ({"q": "3"}, {"alpha"}),
        ({"q": ""}, {n["title"] for n in NOTES}),
    ]
    for params, wanted in cases:
        assert set(every(session, context, **params)) == wanted, params


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"nope": "1"}, "nope"),
        ({"title__gt": "a"}, "title__gt"),
        ({"meta": "1"}, "meta"),
        ({"rank": "x"}, "rank"),
        ({"rank": "1.5"}, "rank"),
        ({"rank": str(2**40)}, "rank"),
        ({"big": str(2**70)}, "big"),
        ({"price": "1e999"}, "price"),
        ({"price": "1e200"}, "price"),
        ({"done": "yes"}, "done"),
        ({"kind": "medium"}, "kind"),
        ({"due": "0"}, "due"),
        ({"at": "2024-01-01"}, "at"),
        ({"title": ["a", "b"]}, "title"),
        ({"title__in": ",".join(["x"] * 1001)}, "title__in"),
        ({"title__in": []}, "title__in"),
        ({"title": "a\x00"}, "title"),
        ({"rank__isnull": "maybe"}, "rank__isnull"),
        ({"title": None}, "title"),
        ({"limit": "0"}, "limit"),
        ({"limit": "11"}, "limit"),
        ({"limit": "+1"}, "limit"),
        ({"limit": True}, "limit"),
        ({"sort": "body"}, "sort"),
        ({"sort": 5}, "sort"),
        ({"q": "x" * 501}, "q"),
        ({"q": ["a", "b"]}, "q"),
        ({"cursor": "!!"}, "cursor"),
    ],
)
def test_what_a_list_refuses(
    session: Session, context: RequestContext, params: dict[str, Any], field: str
) -> None:
    refused = error_of(list_rows, NOTE, session, context, params)
    assert (refused.status, refused.field) == (422, field)


def test_forged_cursors_are_refused(session: Session, context: RequestContext) -> None:
    make_notes(session, context)
    page = list_rows(NOTE, session, context, {"sort": "kind", "limit": "1"})
    real = json.loads(lists.base64.urlsafe_b64decode(page["next_cursor"] + "=="))
    forged = [
        {"sort": real["sort"], "values": ["nope", real["values"][1]]},
        {"sort": real["sort"], "values": [[1], real["values"][1]]},
        {"sort": real["sort"], "values": [None, "not-a-uuid"]},
        {"sort": real["sort"], "values": 5},
        {"sort": ["title", "id"], "values": ["a", "b"]},
        {"values": []},
    ]
    for payload in forged:
        cursor = lists.base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
        refused = error_of(list_rows, NOTE, session, context, {"sort": "kind", "cursor": cursor})
        assert refused.field == "cursor", payload
    sorted_by_rank = list_rows(NOTE, session, context, {"sort": "rank", "limit": "1"})
    real = json.loads(lists.base64.urlsafe_b64decode(sorted_by_rank["next_cursor"] + "=="))
    cursor = lists.base64.urlsafe_b64encode(
        json.dumps({"sort": real["sort"], "values": [True, real["values"][1]]}).encode()
    ).decode()
    assert (
        error_of(list_rows, NOTE, session, context, {"sort": "rank", "cursor": cursor}).field
        == "cursor"
    )


def test_operators_follow_the_column_kind() -> None:
    assert operators(None) == ("eq", "in")
    assert operators(Column("x", "json")) == ("isnull",)
    assert operators(Column("x", "uuid")) == ("eq", "in", "isnull")
    assert "gte" in operators(Column("x", "date"))


def test_a_resource_without_search_refuses_q(session: Session, context: RequestContext) -> None:
    assert error_of(list_rows, MEMO, session, context, {"q": "x"}).field == "q"


# -- relations, links and delete rules


def region(session: Session, context: RequestContext, name: str = "North") -> dict[str, Any]:
    return writes.create_row(REGION, session, context, body(name=name))


def test_references_must_exist_for_the_caller(session: Session, context: RequestContext) -> None:
    north = region(session, context)
    other = RequestContext(tenant_id="other", user_id="bob")
    refused = error_of(
        writes.create_row, OFFICE, session, other, body(name="o", region_id=north["id"])
    )
    assert (refused.status, refused.error_code, refused.field) == (
        422,
        "invalid_reference",
        "region_id",
    )
    no_tenant = RequestContext(user_id="bob")
    assert (
        error_of(writes.create_row, OFFICE, session, no_tenant, body(name="o")).error_code
        == "tenant_required"
    )
    tag = writes.create_row(TAG, session, context, body(name="t"))
    made = writes.create_row(
        OFFICE,
        session,
        context,
        body(name="o", region_id=north["id"], tag_ids=[tag["id"], tag["id"]]),
    )
    assert made["tag_ids"] == [tag["id"]]
    refused = error_of(
        writes.update_row, OFFICE, session, context, made["id"], body(tag_ids=[tag["id"], 999])
    )
    assert refused.field == "tag_ids"
    assert (
        error_of(writes.update_row, OFFICE, session, context, made["id"], body(tag_ids=None)).field
        == "tag_ids"
    )
    assert (
        writes.update_row(OFFICE, session, context, made["id"], body(tag_ids=[]))["tag_ids"] == []
    )
    person = writes.create_row(PERSON, session, context, body(name="p"))
    managed = writes.update_row(OFFICE, session, context, made["id"], body(manager_id=person["id"]))
    assert managed["manager_id"] == person["id"]
    writes.update_row(OFFICE, session, context, made["id"], body(tag_ids=[tag["id"]]))
    assert set(every_id(session, context, OFFICE, tag_ids=str(tag["id"]))) == {made["id"]}
    assert every_id(session, context, OFFICE, tag_ids__in=f"{tag['id']},77") == [made["id"]]
    assert error_of(list_rows, OFFICE, session, context, {"tag_ids": "x"}).field == "tag_ids"
    assert (
        error_of(list_rows, OFFICE, session, context, {"tag_ids__gte": "1"}).field == "tag_ids__gte"
    )


def every_id(session: Session, context: RequestContext, resource: Any, **params: Any) -> list[Any]:
    return [item["id"] for item in list_rows(resource, session, context, params)["items"]]


def test_delete_rules_without_foreign_keys(session: Session, context: RequestContext) -> None:
    north = region(session, context)
    person = writes.create_row(PERSON, session, context, body(name="p"))
    office = writes.create_row(
        OFFICE, session, context, body(name="o", region_id=north["id"], manager_id=person["id"])
    )
    badge = writes.create_row(BADGE, session, context, body(person_id=person["id"]))
    refused = error_of(writes.delete_row, PERSON, session, context, person["id"])
    assert (refused.status, refused.error_code) == (409, "conflict")
    writes.delete_row(BADGE, session, context, badge["id"])
    writes.delete_row(PERSON, session, context, person["id"])
    assert rows.get_row(OFFICE, session, context, office["id"])["manager_id"] is None  # set_null
    assert session.scalar(sa.select(sa.func.count()).select_from(Badge)) == 0


def test_tenants_do_not_meet(session: Session, context: RequestContext) -> None:
    north = region(session, context)
    other = RequestContext(tenant_id="other", user_id=None)
    assert error_of(rows.get_row, REGION, session, other, north["id"]).status == 404
    assert list_rows(REGION, session, other, {})["items"] == []
    assert (
        error_of(rows.get_row, REGION, session, RequestContext(), north["id"]).error_code
        == "tenant_required"
    )


# -- soft delete and versions


def test_soft_delete_cascades_and_restore_brings_back_exactly_it(
    session: Session, context: RequestContext
) -> None:
    north = region(session, context)
    early = writes.create_row(OFFICE, session, context, body(name="early", region_id=north["id"]))
    late = writes.create_row(OFFICE, session, context, body(name="late", region_id=north["id"]))
    writes.delete_row(OFFICE, session, context, early["id"])  # deleted before its region
    writes.delete_row(REGION, session, context, north["id"])
    assert list_rows(OFFICE, session, context, {})["items"] == []
    hidden = list_rows(OFFICE, session, context, {"include_deleted": "true"})["items"]
    assert {item["name"] for item in hidden} == {"early", "late"}
    assert error_of(softdelete.restore_row, OFFICE, session, context, late["id"]).status == 409
    restored = softdelete.restore_row(REGION, session, context, north["id"])
    assert restored["deleted_at"] is None and restored["version"] == 3
    assert [item["name"] for item in list_rows(OFFICE, session, context, {})["items"]] == ["late"]
    again = softdelete.restore_row(REGION, session, context, north["id"])  # not deleted: as it is
    assert again["version"] == restored["version"]
    actions = [
        e.action for e in session.scalars(sa.select(AuditLogEntry).order_by(AuditLogEntry.id))
    ]
    assert actions.count("delete") == 3 and actions.count("restore") == 2


def test_soft_deleted_references_still_count_for_a_hard_delete(
    session: Session, context: RequestContext
) -> None:
    north = region(session, context)
    tag = writes.create_row(TAG, session, context, body(name="t"))
    office = writes.create_row(
        OFFICE, session, context, body(name="o", region_id=north["id"], tag_ids=[tag["id"]])
    )
    writes.delete_row(OFFICE, session, context, office["id"])
    writes.delete_row(TAG, session, context, tag["id"])  # the junction's foreign key cascades


def test_restrict_refuses_a_soft_delete(session: Session, context: RequestContext) -> None:
    refusing = REGION.inbound[0].__class__("office", "region_id", "restrict")
    strict_region = REGION.__class__(**{**REGION.__dict__, "inbound": (refusing,)})
    north = region(session, context)
    writes.create_row(OFFICE, session, context, body(name="o", region_id=north["id"]))
    refused = error_of(writes.delete_row, strict_region, session, context, north["id"])
    assert (refused.status, refused.error_code) == (409, "conflict")


def test_versions(session: Session, context: RequestContext) -> None:
    north = region(session, context)
    assert north["version"] == 1
    stale = RequestContext(tenant_id=TENANT, if_match='"7"')
    assert (
        error_of(writes.update_row, REGION, session, stale, north["id"], body(name="x")).error_code
        == "version_conflict"
    )
    assert (
        error_of(writes.update_row, REGION, session, context, north["id"], body(name="x")).status
        == 428
    )
    star = RequestContext(tenant_id=TENANT, if_match="*")
    assert (
        error_of(writes.update_row, REGION, session, star, north["id"], body(name="x")).status
        == 428
    )
    junk = RequestContext(tenant_id=TENANT, if_match="W/abc")
    assert (
        error_of(writes.update_row, REGION, session, junk, north["id"], body(name="x")).status
        == 409
    )
    weak = RequestContext(tenant_id=TENANT, if_match='W/"1"')
    assert writes.update_row(REGION, session, weak, north["id"], body(name="x"))["version"] == 2
    assert (
        writes.update_row(REGION, session, context, north["id"], body(name="y", version=2))[
            "version"
        ]
        == 3
    )
    assert versions.expected_version(REGION, star, None, required=False) is None
    assert versions.expected_version(NOTE, stale, None, required=True) is None
    writes.delete_row(REGION, session, star, north["id"])


def test_unique_refusals_name_their_field(session: Session, context: RequestContext) -> None:
    from schemagen.runtime import errors

    errors.CONSTRAINTS = errors.ConstraintFields(
        unique_columns={("regions", ("tenant_id", "name")): "name"}
    )
    try:
        region(session, context)
        refused = error_of(region, session, context)
        assert (refused.status, refused.error_code, refused.field) == (409, "conflict", "name")
    finally:
        errors.CONSTRAINTS = errors.ConstraintFields()


# -- owners


def test_owned_rows_are_their_owners(session: Session, context: RequestContext) -> None:
    mine = writes.create_row(MEMO, session, context, body(text="mine"))
    assert mine["owner_id"] == "ann" and mine["is_system"] is False
    bob = RequestContext(user_id="bob")
    assert error_of(rows.get_row, MEMO, session, bob, mine["id"]).status == 404
    assert (
        error_of(writes.create_row, MEMO, session, RequestContext(), body(text="x")).status == 401
    )
    assert (
        error_of(require_principal, MEMO, RequestContext()).error_code == "authentication_required"
    )
    session.execute(sa.update(Memo).values(is_system=True))
    session.commit()
    assert rows.get_row(MEMO, session, bob, mine["id"])["text"] == "mine"
    assert (
        error_of(writes.update_row, MEMO, session, context, mine["id"], body(text="y")).status
        == 403
    )
    assert [m["text"] for m in list_rows(MEMO, session, RequestContext(), {})["items"]] == ["mine"]
