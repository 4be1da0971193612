"""Exports: every row a list's parameters select, as CSV or XLSX, in constant memory.

`GET /api/<table>/export?format=csv|xlsx&<the list's parameters>` reads what the list would
(`lists.list_query`: the same scoping, filters, `q`, `sort` and `include_deleted`), in keyset
pages of `EXPORT_PAGE_SIZE` rows, each page a statement of its own that an index on the sort
serves, and the response is streamed: however many rows match, the server holds one page.

A cell is the value as the API's JSON gives it: decimals exact (their own digits, never a
float's), times in ISO 8601, enums their values, arrays, JSON and many-to-many ids as JSON text,
null an empty cell. A CSV text cell that a spreadsheet would read as a formula (it starts with
= + - @, a tab or a carriage return) starts with an apostrophe, as OWASP's guidance on CSV
injection says. An XLSX text cell is written as a string, which a spreadsheet never evaluates,
so it keeps its text as it is.
"""

from __future__ import annotations

import csv
import decimal
import io
import json
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from .context import RequestContext, enter
from .contract import EXPORT_FORMATS, EXPORT_SCHEMAS
from .errors import validation_error
from .lists import Query, after, list_query, single
from .resources import Item, Resource
from .rows import serialize
from .values import json_default, jsonable

FORMATS = EXPORT_FORMATS
CSV_MEDIA = FORMATS["csv"]
ANSWER_SCHEMAS = EXPORT_SCHEMAS  # the route's answers, by media type (api_models.error_responses)
EXPORT_PAGE_SIZE = 1000  # rows read per statement (and kept in memory at once)
# Text a spreadsheet would take for a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel's limits: rows of a sheet (the header included), characters of a cell.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_TEXT = 32_767
# JSON numbers a spreadsheet's double holds exactly: larger integers are written as text.
EXACT_INTEGER = 2**53
FILE_CHUNK = 64 * 1024

OpenSession = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class Export:
    """What an export reads, checked before the first byte is sent (a bad parameter is a 422)."""

    resource: Resource
    context: RequestContext
    query: Query
    format: str

    @property
    def media_type(self) -> str:
        return FORMATS[self.format]

    @property
    def filename(self) -> str:
        return f"{self.resource.name}.{self.format}"

    @property
    def header(self) -> list[str]:
        """The columns: the API's field names, in the order of the Read shape."""
        return [*self.resource.columns, *self.resource.many_to_many]


def prepare_export(
    resource: Resource, session: Session, context: RequestContext, params: Mapping[str, object]
) -> Export:
    """An export of the rows `params` (a list's, without `limit` and `cursor`, with `format`)
    select; every parameter is checked here, before anything is streamed."""
    enter(resource, session, context)
    params = dict(params)
    chosen = params.pop("format", None)
    fmt = "csv" if chosen in (None, "") else single(chosen, "format")
    if fmt not in FORMATS:
        raise validation_error(f"format: {fmt!r} is not one of {', '.join(FORMATS)}", "format")
    for name in ("limit", "cursor"):
        if name in params:
            raise validation_error(f"{name}: an export has every row, in no pages", name)
    return Export(resource, context, list_query(resource, session, context, params), fmt)


def pages(export: Export, session: Session) -> Iterator[list[Item]]:
    """The selected rows in their Read shape, a keyset page at a time, in the list's order."""
    resource, keys = export.resource, export.query.keys
    enter(resource, session, export.context)
    last: list[object] | None = None
    while True:
        statement = export.query.statement
        if last is not None:
            statement = statement.where(after(keys, last))
        rows = list(session.scalars(export.query.ordered(statement).limit(EXPORT_PAGE_SIZE)))
        if not rows:
            return
        last = [getattr(rows[-1], key.attr) for key in keys]
        items = serialize(resource, session, rows)
        session.expunge_all()  # the rows are read: nothing of them stays in the session
        yield items
        if len(rows) < EXPORT_PAGE_SIZE:
            return


def kinds(resource: Resource) -> dict[str, str]:
    """The schema type of each exported field (many-to-many fields: `many_to_many`)."""
    return {name: column.type for name, column in resource.columns.items()} | {
        name: "many_to_many" for name in resource.many_to_many
    }


def text(kind: str, value: object) -> str:
    """A value as the API's JSON gives it, without a JSON string's quotes; null is empty."""
    if value is None:
        return ""
    if kind in ("json", "array", "many_to_many"):
        return json.dumps(
            jsonable(value), ensure_ascii=False, allow_nan=False, separators=(",", ":")
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return format(value, "f")  # every digit the column holds, never an exponent
    if isinstance(value, int | float):
        return json.dumps(value, allow_nan=False)
    return value if isinstance(value, str) else str(json_default(value))


def cell(kind: str, value: object) -> str:
    """A value as a CSV cell: its text, and text that could be read as a formula neutralised
    (a number's minus sign is not: a number holds no formula)."""
    shown = text(kind, value)
    return neutralised(shown) if isinstance(value, str) and kind != "json" else shown


def neutralised(text: str) -> str:
    """Text a spreadsheet shows as text: a leading formula character gets an apostrophe first."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_chunks(export: Export, session: Session) -> Iterator[bytes]:
    """The CSV file: a header of field names, then a line per row; one chunk per page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180
    writer.writerow([neutralised(name) for name in export.header])
    by_name = kinds(export.resource)
    for items in pages(export, session):
        writer.writerows([cell(by_name[n], item[n]) for n in export.header] for item in items)
        yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")


class _Sheets:
    """XlsxWriter's workbook in constant-memory mode (each row goes to disk once written), a
    sheet after another when one is full, each starting with the header."""

    def __init__(self, target: Any, header: list[str]) -> None:  # noqa: ANN401 (a file object)
        self.workbook: Any = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                # write() is never called, but a default must not turn text into anything else
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.header = header
        self.sheet: Any = None
        self.row = XLSX_MAX_ROWS

    def append(self, values: list[tuple[str, object]]) -> None:
        if self.row == XLSX_MAX_ROWS:
            self.sheet = self.workbook.add_worksheet()
            for column, name in enumerate(self.header):
                self.sheet.write_string(0, column, name)
            self.row = 1
        for column, (kind, value) in enumerate(values):
            self._write(column, kind, value)
        self.row += 1

    def _write(self, column: int, kind: str, value: object) -> None:
        if value is None:
            return
        number = _number(kind, value)
        if isinstance(value, bool) and kind == "boolean":
            self.sheet.write_boolean(self.row, column, value)
        elif number is not None:
            self.sheet.write_number(self.row, column, number)
        else:  # Excel cuts a cell's text at its limit; the CSV export has it whole
            self.sheet.write_string(self.row, column, text(kind, value)[:XLSX_MAX_TEXT])

    def close(self) -> None:
        self.workbook.close()


def _number(kind: str, value: object) -> float | None:
    """A value a spreadsheet's number holds exactly, as that number; None: write it as text."""
    if isinstance(value, bool) or kind in ("json", "array", "many_to_many"):
        return None
    if isinstance(value, int) and abs(value) <= EXACT_INTEGER:
        return float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, decimal.Decimal) and value.is_finite():
        as_float = float(value)
        if decimal.Decimal(repr(as_float)) == value and len(value.as_tuple().digits) <= 15:
            return as_float
    return None


def xlsx_chunks(export: Export, session: Session) -> Iterator[bytes]:
    """The XLSX file. Its zip is complete only once every row is written: the rows go to a
    temporary file (XlsxWriter keeps each sheet's on disk), which is then sent in chunks."""
    by_name = kinds(export.resource)
    with tempfile.TemporaryFile() as target:
        sheets = _Sheets(target, export.header)
        for items in pages(export, session):
            for item in items:
                sheets.append([(by_name[n], item[n]) for n in export.header])
        if sheets.sheet is None:
            sheets.append([])  # no row: the header alone
            sheets.row -= 1
        sheets.close()
        target.seek(0)
        while chunk := target.read(FILE_CHUNK):
            yield chunk


class ExportResponse(StreamingResponse):
    """A file streamed as it is made; its media type is the format's."""

    media_type = CSV_MEDIA


def stream(export: Export, open_session: OpenSession) -> ExportResponse:
    """The export as a streamed download; it reads with a session of its own (`open_session`),
    which lives as long as the stream, not as the request's."""

    def chunks() -> Iterator[bytes]:
        with open_session() as session:
            write = csv_chunks if export.format == "csv" else xlsx_chunks
            yield from write(export, session)

    return ExportResponse(
        chunks(),
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


def respond(request: Request, export: Export) -> ExportResponse:
    """The route's answer: `export` streamed with a session of the app's own engine."""
    state = request.app.state

    def open_session() -> AbstractContextManager[Session]:
        session: AbstractContextManager[Session] = state.sessionmaker(bind=state.engine)
        return session

    return stream(export, open_session)
