"""Exports (`runtime.exports`) on SQLite, PostgreSQL and MariaDB: every row the list would give,
in its order, through its filters, search and scoping, read in keyset pages; CSV cells as the
API's JSON gives the values, formulas neutralised; XLSX typed cells on as many sheets as needed;
parameters checked before the first byte; the memory an export holds does not grow with its rows."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re
import tracemalloc
import uuid
import zipfile
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree import ElementTree

import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from world import NOTE, OFFICE, TENANT, USER, Base, Note, Office, Region, Tag, office_tags

from schemagen.runtime import exports, lists
from schemagen.runtime.context import RequestContext
from schemagen.runtime.db import make_engine, session_factory
from schemagen.runtime.errors import ApiError
from schemagen.runtime.resources import Resource

DIALECTS = ("sqlite", "postgresql", "mysql")
TABLES = ("notes", "regions", "offices", "tags", "office_tags")
CALLER = RequestContext(tenant_id=TENANT, user_id=USER)
Factory = sessionmaker[Session]
# No microseconds: the test world's MariaDB DATETIME keeps none.
AT = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)


@pytest.fixture(params=DIALECTS)
def factory(
    request: pytest.FixtureRequest, database_url: Callable[[str], str]
) -> Iterator[Factory]:
    engine = make_engine(database_url(request.param))
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[t] for t in TABLES])
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 2 rows, so that a handful of rows crosses several page boundaries."""
    monkeypatch.setattr(exports, "EXPORT_PAGE_SIZE", 2)


def add_notes(factory: Factory) -> None:
    rows = [
        Note(title="alpha", rank=3, price=decimal.Decimal("12.50"), kind="high", done=True),
        Note(title="=SUM(A1:A9)", rank=-5, body="@cmd", kind="low", tags=["-x", "y"]),
        Note(title="beta", rank=None, at=AT, due=datetime.date(2026, 1, 2), meta={"a": [1, 2]}),
        Note(title="gamma", rank=3, score=2.5, alarm=datetime.time(9, 30), ref=uuid.UUID(int=7)),
        Note(title="+delta", rank=None, big=2**60, price=decimal.Decimal("-0.07")),
        Note(title="\tepsilon", rank=1, kind="urgent", body="\rtext", meta="=1+1"),
        Note(title="zeta", rank=8, body="plain", price=decimal.Decimal("1234567890.12")),
    ]
    with factory() as session, session.begin():
        session.add_all(rows)


def csv_rows(chunks: Iterator[bytes]) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8"), newline="")))


def export_csv(factory: Factory, resource: Resource, params: dict[str, Any]) -> list[list[str]]:
    with factory() as session:
        export = exports.prepare_export(resource, session, CALLER, params)
    with factory() as session:
        return csv_rows(exports.csv_chunks(export, session))


def listed(factory: Factory, resource: Resource, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of the list, page after page, as `GET /api/<table>` gives them."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        with factory() as session:
            page = lists.list_rows(
                resource,
                session,
                CALLER,
                {**params, "limit": "2", **({"cursor": cursor} if cursor else {})},
            )
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def as_cells(resource: Resource, items: list[dict[str, Any]]) -> list[list[str]]:
    kinds = exports.kinds(resource)
    header = [*resource.columns, *resource.many_to_many]
    return [header, *([exports.cell(kinds[n], item[n]) for n in header] for item in items)]


@pytest.mark.usefixtures("small_pages")
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "-rank"},  # NULLs at page boundaries
        {"sort": "rank,-title"},
        {"sort": "kind"},
        {"sort": "-price", "done": "false"},
        {"q": "ta"},
        {"rank__gte": "1", "sort": "-at"},
    ],
    ids=["default", "nulls", "two-keys", "enum", "decimal-filtered", "search", "filter"],
)
def test_an_export_is_the_whole_list(factory: Factory, params: dict[str, Any]) -> None:
    add_notes(factory)
    exported = export_csv(factory, NOTE, params)
    assert exported == as_cells(NOTE, listed(factory, NOTE, params))
    assert len(exported) > 1


def test_cells_are_the_apis_json_values(factory: Factory) -> None:
    add_notes(factory)
    header, *rows = export_csv(factory, NOTE, {"sort": "title"})
    by_title = {row[header.index("title")]: dict(zip(header, row, strict=True)) for row in rows}
    alpha, beta = by_title["alpha"], by_title["beta"]
    assert (alpha["price"], alpha["kind"], alpha["done"], alpha["body"]) == (
        "12.50",
        "high",
        "true",
        "",
    )
    assert beta["at"] == "2026-03-04T05:06:07+00:00"  # ISO 8601, in UTC, every database
    assert (beta["due"], beta["meta"], beta["done"]) == ("2026-01-02", '{"a":[1,2]}', "false")
    gamma = by_title["gamma"]
    assert (gamma["score"], gamma["alarm"]) == ("2.5", "09:30:00")
    assert gamma["ref"] == "00000000-0000-0000-0000-000000000007"
    zeta = by_title["zeta"]
    assert zeta["price"] == "1234567890.12"  # every digit: no float on the way
    # Text a spreadsheet would run as a formula starts with an apostrophe; numbers keep their sign.
    formula = by_title["'=SUM(A1:A9)"]
    assert (formula["rank"], formula["body"], formula["tags"]) == ("-5", "'@cmd", '["-x","y"]')
    delta = by_title["'+delta"]
    assert (delta["price"], delta["big"]) == ("-0.07", str(2**60))
    epsilon = by_title["'\tepsilon"]
    assert epsilon["body"] == "'\rtext"
    assert epsilon["meta"] == '"=1+1"'  # a JSON string is JSON text: quoted, never a formula


def add_offices(factory: Factory) -> dict[str, uuid.UUID]:
    ids = {name: uuid.uuid4() for name in ("lima", "oslo", "rome", "gone", "theirs")}
    with factory() as session, session.begin():
        session.add_all(
            [
                Region(id=1, name="north", tenant_id=TENANT),
                Region(id=2, name="n", tenant_id="other"),
            ]
        )
        session.add_all(
            [Tag(id=1, name="t1", tenant_id=TENANT), Tag(id=2, name="t2", tenant_id=TENANT)]
        )
        session.flush()
        for name, key in ids.items():
            tenant = "other" if name == "theirs" else TENANT
            deleted = AT.replace(tzinfo=None) if name == "gone" else None
            session.add(
                Office(id=key, name=name, tenant_id=tenant, region_id=1, deleted_at=deleted)
            )
        session.flush()
        links = [("lima", 2), ("lima", 1), ("rome", 1), ("theirs", 2)]
        session.execute(
            sa.insert(office_tags), [{"office_id": ids[o], "tag_id": t} for o, t in links]
        )
    return ids


@pytest.mark.usefixtures("small_pages")
def test_scoping_and_links_are_the_lists(factory: Factory) -> None:
    ids = add_offices(factory)
    header, *rows = export_csv(factory, OFFICE, {"sort": "name"})
    assert header == [*OFFICE.columns, "tag_ids"]
    names = [row[header.index("name")] for row in rows]
    assert names == ["lima", "oslo", "rome"]  # not the other tenant's, nor the deleted one
    assert rows[0][header.index("tag_ids")] == "[1,2]" and rows[1][-1] == "[]"
    assert rows[0][header.index("id")] == str(ids["lima"])
    for params in ({"sort": "name", "include_deleted": "true"}, {"tag_ids": "1"}):
        assert export_csv(factory, OFFICE, params) == as_cells(
            OFFICE, listed(factory, OFFICE, params)
        )
    assert len(export_csv(factory, OFFICE, {"include_deleted": "true"})) == 5
    assert len(export_csv(factory, OFFICE, {"tag_ids": "1"})) == 3


def refusal(
    factory: Factory, resource: Resource, params: dict[str, Any], caller: RequestContext = CALLER
) -> ApiError:
    with factory() as session, pytest.raises(ApiError) as refused:
        exports.prepare_export(resource, session, caller, params)
    return refused.value


def test_bad_parameters_are_refused_before_any_byte(factory: Factory) -> None:
    cases = [
        ({"format": "pdf"}, "format"),
        ({"format": ["csv", "xlsx"]}, "format"),
        ({"limit": "5"}, "limit"),
        ({"cursor": "abc"}, "cursor"),
        ({"colour": "red"}, "colour"),
        ({"sort": "body"}, "sort"),
        ({"rank": "one"}, "rank"),
    ]
    for params, field in cases:
        error = refusal(factory, NOTE, params)
        assert (error.status, error.error_code, error.field) == (422, "validation_error", field)
    missing = refusal(factory, OFFICE, {}, RequestContext(user_id=USER))
    assert (missing.status, missing.error_code) == (400, "tenant_required")


def xlsx_sheets(data: bytes) -> list[list[list[object]]]:
    """Each sheet's rows: inline strings as text, numbers as floats, booleans as bools."""
    namespace = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = sorted(
            (n for n in book.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
            key=lambda n: int(re.sub(r"\D", "", n)),
        )
        sheets = []
        for name in names:
            rows = []
            for row in ElementTree.fromstring(book.read(name)).iterfind(".//x:row", namespace):
                cells: list[object] = []
                for c in row.iterfind("x:c", namespace):
                    column = ord(re.sub(r"\d", "", c.get("r", "A"))) - ord("A")
                    cells += [None] * (column - len(cells))
                    kind = c.get("t")
                    if kind == "inlineStr":
                        cells.append("".join(c.itertext()))
                    elif kind == "b":
                        cells.append(c.findtext("x:v", namespaces=namespace) == "1")
                    else:
                        cells.append(float(c.findtext("x:v", namespaces=namespace) or "nan"))
                rows.append(cells)
            sheets.append(rows)
        return sheets


def export_xlsx(factory: Factory, params: dict[str, Any]) -> bytes:
    with factory() as session:
        export = exports.prepare_export(NOTE, session, CALLER, {**params, "format": "xlsx"})
    with factory() as session:
        return b"".join(exports.xlsx_chunks(export, session))


@pytest.mark.usefixtures("small_pages")
def test_xlsx_cells_are_typed_and_rows_fill_more_sheets(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_notes(factory)
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 4)  # a header and 3 rows a sheet
    sheets = xlsx_sheets(export_xlsx(factory, {"sort": "title"}))
    header = [*NOTE.columns]
    assert [len(sheet) for sheet in sheets] == [4, 4, 2]
    assert all(sheet[0] == header for sheet in sheets)
    rows = [
        dict(zip(header, row + [None] * (len(header) - len(row)), strict=True))
        for s in sheets
        for row in s[1:]
    ]
    by_title = {row["title"]: row for row in rows}
    assert [row["title"] for row in rows] == [
        item["title"] for item in listed(factory, NOTE, {"sort": "title"})
    ]
    alpha = by_title["alpha"]
    assert (alpha["rank"], alpha["price"], alpha["done"], alpha["kind"]) == (
        3.0,
        12.5,
        True,
        "high",
    )
    # Text is a string cell, which a spreadsheet never evaluates: kept as it is.
    assert by_title["=SUM(A1:A9)"]["rank"] == -5.0
    assert by_title["+delta"]["big"] == str(2**60)  # beyond a double's exact integers: text
    assert by_title["beta"]["at"] == "2026-03-04T05:06:07+00:00"
    assert by_title["beta"]["meta"] == '{"a":[1,2]}'
    assert by_title["zeta"]["price"] == 1234567890.12


def test_an_empty_xlsx_has_its_header(factory: Factory) -> None:
    sheets = xlsx_sheets(export_xlsx(factory, {}))
    assert sheets == [[[*NOTE.columns]]]


def test_the_route_streams_with_a_session_of_its_own(factory: Factory) -> None:
    add_notes(factory)
    app = FastAPI()
    app.state.engine = factory.kw["bind"]
    app.state.sessionmaker = factory

    @app.get("/api/notes/export")
    def export_notes(request: Request) -> exports.ExportResponse:
        with factory() as session:  # the request's session, closed before the stream runs
            export = exports.prepare_export(NOTE, session, CALLER, dict(request.query_params))
        return exports.respond(request, export)

    with TestClient(app) as client:
        answer = client.get("/api/notes/export", params={"sort": "title"})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert answer.headers["content-disposition"] == 'attachment; filename="note.csv"'
        assert csv_rows(iter([answer.content])) == as_cells(
            NOTE, listed(factory, NOTE, {"sort": "title"})
        )
        book = client.get("/api/notes/export", params={"format": "xlsx"})
        assert book.headers["content-type"] == exports.FORMATS["xlsx"]
        assert book.headers["content-disposition"] == 'attachment; filename="note.xlsx"'
        assert len(xlsx_sheets(book.content)[0]) == 8


def peak_bytes(factory: Factory, fmt: str) -> int:
    with factory() as session:
        export = exports.prepare_export(NOTE, session, CALLER, {"format": fmt, "sort": "rank"})
    tracemalloc.start()
    try:
        with factory() as session:
            write = exports.csv_chunks if fmt == "csv" else exports.xlsx_chunks
            for _ in write(export, session):
                pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_memory_does_not_grow_with_the_rows(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(exports, "EXPORT_PAGE_SIZE", 100)
    engine = make_engine(f"sqlite:///{tmp_path / 'many.db'}")
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["notes"]])
    factory = session_factory(engine)
    peaks = []
    for total in (1_000, 8_000):
        with engine.begin() as connection:
            have = connection.scalar(sa.select(sa.func.count()).select_from(Note)) or 0
            connection.execute(
                sa.insert(Note),
                [
                    {
                        "id": uuid.uuid4(),
                        "title": f"note {n}" * 5,
                        "rank": n,
                        "done": False,
                        "price": decimal.Decimal(n) / 100,
                        "tags": ["a", "b"],
                    }
                    for n in range(have, total)
                ],
            )
        peaks.append(peak_bytes(factory, fmt))
    engine.dispose()
    # Eight times the rows: the same pages in memory (a list of every row would be 8x).
    assert peaks[1] < peaks[0] * 1.5, peaks
