/* AutoTable: a resource's list, from its generated table definition: formatted cells (enum
 * labels, decimals, dates, related rows by their title, linked), sort by a sortable header, search,
 * a filter per filterable column with its operators, keyset paging ("Load more"), "Show deleted"
 * for soft-deleted resources, and the row actions (edit, delete, restore, each custom action).
 * A long list draws only the rows in and near the window (TanStack Virtual), still a table: the
 * rows it leaves out are counted by `aria-rowcount`, and each row drawn says its place. */

import { useInfiniteQuery } from "@tanstack/react-query";
import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { BulkAction, TableAction, TableColumn } from "../client/tables.js";
import { formatCell } from "../client/tables.js";
import { AutoModal, ConfirmDialog } from "./AutoModal.js";
import { BulkDialog } from "./Bulk.js";
import { useInvalidate, useRow } from "./data.js";
import { RelationSelect } from "./RelationSelect.js";
import type { ListParams, ResourceEntry, Row, RowId } from "./resources.js";
import { href } from "./router.js";
import { useSession, useToast } from "./session.js";
import { asRowId, fieldOf, messageOf, titleOf } from "./values.js";

export interface AutoTableProps {
  readonly resource: ResourceEntry;
  /** List parameters every page is read with, which the user cannot change: a detail page's
   * `{region_id: id}` for the offices of one region. */
  readonly fixed?: { readonly [param: string]: unknown } | undefined;
  /** The table's caption; default the resource's plural label. */
  readonly caption?: string | undefined;
}

/** What one filter holds: its operator, and the value as its control holds it. */
interface FilterState {
  readonly op: string;
  readonly value: string | readonly RowId[];
}

const OPERATOR_LABELS: { readonly [op: string]: string } = {
  eq: "is",
  in: "is one of",
  gte: "at least",
  lte: "at most",
  isnull: "is empty",
};

/** How long the search box waits for typing to pause before it asks the server. */
const SEARCH_DELAY_MS = 250;

/** A filter as list parameters: `status`, `status__in`, `budget__gte`, `region_id__isnull`. */
export function filterParams(column: TableColumn, filter: FilterState): ListParams {
  const { op, value } = filter;
  const name = op === "eq" ? column.accessor : column.accessor + "__" + op;
  if (typeof value !== "string") {
    if (value.length === 0) return {};
    return { [name]: op === "in" ? [...value] : value[0] };
  }
  const text = value.trim();
  if (text === "") return {};
  if (op === "isnull") return { [name]: text === "true" };
  if (op === "in") return { [name]: text.split(",").map((item) => item.trim()).filter(Boolean) };
  if (column.format === "datetime") {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? {} : { [name]: date.toISOString() };
  }
  return { [name]: text };
}

/** The sort after a click on a column's header: ascending first, then the other way. */
export function nextSort(current: readonly string[], accessor: string): string[] {
  return current[0] === accessor ? ["-" + accessor] : [accessor];
}

function ariaSort(sort: readonly string[], accessor: string): "ascending" | "descending" | "none" {
  if (sort[0] === accessor) return "ascending";
  if (sort[0] === "-" + accessor) return "descending";
  return "none";
}

function isDeleted(row: Row): boolean {
  const deleted = fieldOf(row, "deleted_at");
  return deleted !== undefined && deleted !== null;
}

type Pending =
  | { readonly kind: "create" }
  | { readonly kind: "edit"; readonly row: Row }
  | { readonly kind: "action"; readonly action: TableAction; readonly row: Row }
  | { readonly kind: "delete"; readonly row: Row }
  | { readonly kind: "bulk"; readonly action: BulkAction };

export function AutoTable(props: AutoTableProps) {
  const { resource, fixed } = props;
  const table = resource.table;
  const { queryKey, options } = useSession();
  const toast = useToast();
  const invalidate = useInvalidate();
  const [sort, setSort] = useState<readonly string[]>(table.defaultSort);
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const [filters, setFilters] = useState<{ readonly [accessor: string]: FilterState }>({});
  const [showDeleted, setShowDeleted] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);

  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search]);

  const filterable = table.columns.filter((column) => column.filterable !== false && fixed?.[column.accessor] === undefined);
  // The filters alone are also what a bulk run takes (no paging, sort, search or deleted rows).
  let filter: ListParams = { ...fixed };
  for (const column of filterable) {
    const state = filters[column.accessor];
    if (state !== undefined) filter = { ...filter, ...filterParams(column, state) };
  }
  const params: ListParams = { ...filter, limit: table.pageSize };
  if (sort.length > 0) params.sort = [...sort];
  if (q !== "") params.q = q;
  if (showDeleted) params.include_deleted = true;

  const list = useInfiniteQuery({
    queryKey: [...queryKey, resource.key, "list", params],
    queryFn: ({ pageParam, signal }) => resource.list(pageParam === null ? params : { ...params, cursor: pageParam }, { ...options, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
  });
  const rows = list.data?.pages.flatMap((page) => page.items) ?? [];
  useRenderMeasure(resource.key, list.isSuccess ? rows.length : null);
  const actions = useMemo(
    () =>
      table.rowActions.filter((action) => {
        if (action.kind === "update") return resource.update !== undefined;
        if (action.kind === "delete") return resource.remove !== undefined;
        if (action.kind === "restore") return resource.restore !== undefined;
        return resource.actions[action.action] !== undefined;
      }),
    [table.rowActions, resource],
  );

  async function remove(row: Row) {
    setPending(null);
    try {
      await resource.remove?.(row.id, options);
      await invalidate();
      const message = resource.label + " deleted: " + titleOf(row, resource.titleField);
      // A soft delete can be taken back: the toast offers it.
      if (table.softDelete && resource.restore !== undefined) {
        toast({ message, action: { label: "Undo", run: () => void restore(row) } });
      } else {
        toast({ message });
      }
    } catch (error) {
      toast({ message: messageOf(error), tone: "error" });
    }
  }

  async function restore(row: Row) {
    try {
      await resource.restore?.(row.id, options);
      await invalidate();
      toast({ message: resource.label + " restored: " + titleOf(row, resource.titleField) });
    } catch (error) {
      toast({ message: messageOf(error), tone: "error" });
    }
  }

  function runAction(action: TableAction, row: Row) {
    if (action.kind === "update") setPending({ kind: "edit", row });
    else if (action.kind === "delete") setPending({ kind: "delete", row });
    else if (action.kind === "restore") void restore(row);
    else setPending({ kind: "action", action, row });
  }

  // One callback for every row, whatever it closes over now: a row already drawn is not drawn
  // again when the next page arrives (a list read to 1,000 rows stays quick).
  const latestRunAction = useRef(runAction);
  useLayoutEffect(() => {
    latestRunAction.current = runAction;
  });
  const onAction = useCallback((action: TableAction, row: Row) => latestRunAction.current(action, row), []);

  const caption = props.caption ?? table.labelPlural;
  return (
    <section className="sg-table-section" aria-label={caption}>
      <div className="sg-toolbar">
        {resource.create !== undefined && (
          <button type="button" className="sg-primary" onClick={() => setPending({ kind: "create" })}>
            {"New " + resource.label}
          </button>
        )}
        {table.searchable && (
          <input type="search" aria-label={"Search " + table.labelPlural} placeholder="Search…" value={search} onChange={(event) => setSearch(event.target.value)} />
        )}
        {resource.bulk !== undefined &&
          table.bulkActions.map((action) => (
            <button
              key={action.action + "." + action.operation}
              type="button"
              className={action.operation === "delete" ? "sg-danger" : undefined}
              disabled={q !== ""}
              title={q !== "" ? "A bulk change follows the filters, not the search: clear the search first." : undefined}
              onClick={() => setPending({ kind: "bulk", action })}
            >
              {action.label}
            </button>
          ))}
        {table.softDelete && resource.restore !== undefined && (
          <label className="sg-check">
            <input type="checkbox" checked={showDeleted} onChange={(event) => setShowDeleted(event.target.checked)} /> Show deleted
          </label>
        )}
      </div>
      {filterable.length > 0 && (
        <fieldset className="sg-filters">
          <legend>Filters</legend>
          {filterable.map((column) => (
            <FilterControl
              key={column.accessor}
              column={column}
              filter={filters[column.accessor]}
              onChange={(filter) => setFilters((current) => ({ ...current, [column.accessor]: filter }))}
            />
          ))}
        </fieldset>
      )}
      <div className="sg-table-wrap">
        <table className={rows.length >= VIRTUAL_FROM ? "sg-table sg-virtual" : "sg-table"} aria-busy={list.isFetching || search.trim() !== q} aria-rowcount={rows.length + 1}>
          <caption>{caption}</caption>
          <thead>
            <tr aria-rowindex={1}>
              {table.columns.map((column) => (
                <th key={column.accessor} scope="col" aria-sort={column.sortable ? ariaSort(sort, column.accessor) : undefined}>
                  {column.sortable ? (
                    <button type="button" className="sg-sort" onClick={() => setSort(nextSort(sort, column.accessor))}>
                      {column.header}
                      <span aria-hidden="true">{{ ascending: " ▲", descending: " ▼", none: "" }[ariaSort(sort, column.accessor)]}</span>
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              ))}
              {actions.length > 0 && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <TableBody rows={rows} resource={resource} actions={actions} onAction={onAction} />
        </table>
      </div>
      {list.isPending && (
        <p role="status" className="sg-status">
          Loading {table.labelPlural.toLowerCase()}…
        </p>
      )}
      {list.isError && (
        <div role="alert" className="sg-form-error">
          {messageOf(list.error)}{" "}
          <button type="button" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      )}
      {list.isSuccess && rows.length === 0 && <p className="sg-empty">No {table.labelPlural.toLowerCase()} {q !== "" || Object.keys(filters).length > 0 ? "match." : "yet."}</p>}
      {list.hasNextPage && (
        <button type="button" className="sg-more" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {list.isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      )}
      {pending?.kind === "create" && <AutoModal mode="create" resource={resource} onClose={() => setPending(null)} />}
      {pending?.kind === "edit" && <AutoModal mode="edit" resource={resource} row={pending.row} onClose={() => setPending(null)} />}
      {pending?.kind === "action" && <AutoModal mode="action" resource={resource} action={pending.action} row={pending.row} onClose={() => setPending(null)} />}
      {pending?.kind === "bulk" && <BulkDialog resource={resource} action={pending.action} filter={filter} onClose={() => setPending(null)} />}
      {pending?.kind === "delete" && (
        <ConfirmDialog
          title={"Delete " + resource.label + "?"}
          message={"Delete “" + titleOf(pending.row, resource.titleField) + "”?" + (table.softDelete ? " You can restore it later." : " This cannot be undone.")}
          confirmLabel="Delete"
          onConfirm={() => void remove(pending.row)}
          onClose={() => setPending(null)}
        />
      )}
    </section>
  );
}

/** The name of the `performance.measure` entries a list records: `schemagen:list <resource>`. */
export const LIST_MEASURE = "schemagen:list";

/** Record when the list has drawn `count` rows, as a `performance.measure` from the page's
 * navigation to the frame that shows them, its `detail` the row count: how long a page of a
 * long list takes to appear, read by the browser suite (or anyone, in the browser's tools). */
function useRenderMeasure(resource: string, count: number | null): void {
  useEffect(() => {
    if (count === null || typeof performance.measure !== "function") return;
    const frame = requestAnimationFrame(() => {
      performance.measure(LIST_MEASURE + " " + resource, { start: 0, end: performance.now(), detail: { rows: count } });
    });
    return () => cancelAnimationFrame(frame);
  }, [resource, count]);
}

/** From how many rows read a list draws only those in and near the window: a shorter one is
 * drawn whole (the browser's find in page sees every row), a longer one stays quick to draw,
 * scroll and read another page into. */
export const VIRTUAL_FROM = 200;
/** A row's height before it is drawn and measured, in pixels (one line of text). */
const ROW_ESTIMATE = 38;
/** Rows drawn beyond each edge of the window, so a scroll shows rows already there. */
const OVERSCAN = 12;

interface TableBodyProps {
  readonly rows: readonly Row[];
  readonly resource: ResourceEntry;
  readonly actions: readonly TableAction[];
  readonly onAction: (action: TableAction, row: Row) => void;
}

/** The rows: every one, or from VIRTUAL_FROM on those the window shows (and OVERSCAN more each
 * way) between two spacer rows that keep the table as tall as all of them, so the page scrolls
 * as it would. The spacers are hidden from assistive technology; the table's `aria-rowcount`
 * and each row's `aria-rowindex` tell where a row is. */
function TableBody(props: TableBodyProps) {
  const { rows, resource, actions, onAction } = props;
  const body = useRef<HTMLTableSectionElement>(null);
  const virtual = rows.length >= VIRTUAL_FROM;
  // Where the rows start on the page: the window's scroll position is measured from there.
  const [offset, setOffset] = useState(0);
  useLayoutEffect(() => {
    if (!virtual || body.current === null) return;
    const top = body.current.getBoundingClientRect().top + window.scrollY;
    setOffset((current) => (Math.abs(current - top) < 1 ? current : top));
  });
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: () => ROW_ESTIMATE,
    overscan: OVERSCAN,
    scrollMargin: offset,
    enabled: virtual,
    getItemKey: (index) => String(rows[index]?.id ?? index),
  });
  if (!virtual) {
    return (
      <tbody ref={body}>
        {rows.map((row, index) => (
          <TableRow key={String(row.id)} index={index} row={row} resource={resource} actions={actions} onAction={onAction} />
        ))}
      </tbody>
    );
  }
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items[items.length - 1];
  const before = first === undefined ? 0 : first.start - offset;
  const after = last === undefined ? 0 : virtualizer.getTotalSize() - (last.end - offset);
  const columns = resource.table.columns.length + (actions.length > 0 ? 1 : 0);
  return (
    <tbody ref={body}>
      {before > 0 && <Spacer height={before} columns={columns} />}
      {items.map((item) => {
        const row = rows[item.index];
        return row === undefined ? null : (
          <TableRow key={item.key} index={item.index} measure={virtualizer.measureElement} row={row} resource={resource} actions={actions} onAction={onAction} />
        );
      })}
      {after > 0 && <Spacer height={after} columns={columns} />}
    </tbody>
  );
}

/** Room for the rows not drawn. */
function Spacer(props: { readonly height: number; readonly columns: number }) {
  return (
    <tr className="sg-spacer" aria-hidden="true">
      <td colSpan={props.columns} style={{ height: props.height }} />
    </tr>
  );
}

interface TableRowProps {
  /** Its place among the rows read (0 the first): `aria-rowindex` counts the header row as 1. */
  readonly index: number;
  /** Measures the row once drawn (a virtual list's rows differ in height). */
  readonly measure?: ((element: HTMLTableRowElement | null) => void) | undefined;
  readonly row: Row;
  readonly resource: ResourceEntry;
  readonly actions: readonly TableAction[];
  readonly onAction: (action: TableAction, row: Row) => void;
}

/** One row: its first cell heads it and links to the row's page; then the cells and the buttons
 * of the actions that apply (Restore only on a deleted row, the others only on a live one). */
const TableRow = memo(function TableRow(props: TableRowProps) {
  const { index, measure, row, resource, actions, onAction } = props;
  const deleted = isDeleted(row);
  return (
    <tr ref={measure} data-index={index} className={deleted ? "sg-deleted" : undefined} aria-rowindex={index + 2}>
      {resource.table.columns.map((column, index) =>
        index === 0 ? (
          <th key={column.accessor} scope="row">
            <a href={href(resource.path, row.id)}>{formatCell(row, column) || String(row.id)}</a>
          </th>
        ) : (
          <td key={column.accessor} className={"sg-cell-" + column.format}>
            <Cell row={row} column={column} />
          </td>
        ),
      )}
      {actions.length > 0 && (
        <td className="sg-actions">
          {actions
            .filter((action) => (action.onlyDeleted === true || action.kind === "restore") === deleted)
            .map((action) => (
              <button key={action.action} type="button" className={action.kind === "delete" ? "sg-danger" : undefined} onClick={() => onAction(action, row)}>
                {action.label}
              </button>
            ))}
        </td>
      )}
    </tr>
  );
});

/** A cell: related rows by their title and linked to their page, links as links, the rest as
 * `formatCell` writes it. */
function Cell(props: { readonly row: Row; readonly column: TableColumn }) {
  const { row, column } = props;
  const value = fieldOf(row, column.accessor);
  if (column.relation !== undefined) {
    const ids = (Array.isArray(value) ? value : [value]).flatMap((item) => {
      const id = asRowId(item);
      return id === null ? [] : [id];
    });
    return (
      <>
        {ids.map((id, index) => (
          <span key={String(id)}>
            {index > 0 && ", "}
            <RelatedTitle resource={column.relation?.resource ?? ""} id={id} />
          </span>
        ))}
      </>
    );
  }
  if (column.format === "url" && typeof value === "string" && /^https?:\/\//i.test(value)) {
    return (
      <a href={value} rel="noopener noreferrer" target="_blank">
        {value}
      </a>
    );
  }
  return <>{formatCell(row, column)}</>;
}

/** A related row's title, linked to its page (its id until it is read). */
export function RelatedTitle(props: { readonly resource: string; readonly id: RowId }) {
  const { resources } = useSession();
  const entry = resources.get(props.resource);
  const row = useRow(entry, props.id);
  const text = row.data !== undefined && entry !== undefined ? titleOf(row.data, entry.titleField) : String(props.id);
  return entry === undefined ? <>{text}</> : <a href={href(entry.path, props.id)}>{text}</a>;
}

/** Whether a filter's value still fits after its operator changes: one value to one value. */
function sameKindOfValue(before: string, after: string): boolean {
  return before !== "isnull" && after !== "isnull" && (before === "in") === (after === "in");
}

function FilterControl(props: { readonly column: TableColumn; readonly filter: FilterState | undefined; readonly onChange: (filter: FilterState) => void }) {
  const { column, onChange } = props;
  const id = useId();
  const operators = column.filterable === false ? [] : column.filterable.operators;
  const op = props.filter?.op ?? operators[0] ?? "eq";
  const value = props.filter?.value ?? "";
  const text = typeof value === "string" ? value : "";
  const ids = typeof value === "string" ? [] : value;
  let control;
  if (op === "isnull") {
    control = (
      <select id={id} value={text} onChange={(event) => onChange({ op, value: event.target.value })}>
        <option value="">Any</option>
        <option value="true">Empty</option>
        <option value="false">Not empty</option>
      </select>
    );
  } else if (column.relation !== undefined && (op === "eq" || op === "in")) {
    const entry = column.relation;
    control = (
      <RelationSelect id={id} label={column.header} resource={entry.resource} titleField={entry.titleField} multiple={op === "in"} value={ids} onChange={(chosen) => onChange({ op, value: chosen })} />
    );
  } else if (column.options !== undefined || column.format === "boolean") {
    const choices = column.options ?? [
      { value: "true", label: "Yes" },
      { value: "false", label: "No" },
    ];
    control =
      op === "in" ? (
        <select id={id} multiple value={ids.map(String)} onChange={(event) => onChange({ op, value: Array.from(event.target.selectedOptions, (option) => option.value) })}>
          {choices.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      ) : (
        <select id={id} value={text} onChange={(event) => onChange({ op, value: event.target.value })}>
          <option value="">Any</option>
          {choices.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      );
  } else {
    const type = op === "in" ? "text" : ({ number: "number", decimal: "number", date: "date", datetime: "datetime-local", time: "time" } as const)[column.format as string] ?? "text";
    control = <input id={id} type={type} value={text} placeholder={op === "in" ? "a, b, c" : undefined} onChange={(event) => onChange({ op, value: event.target.value })} />;
  }
  return (
    <div className="sg-filter">
      <label htmlFor={id}>{column.header}</label>
      {operators.length > 1 && (
        <select
          aria-label={column.header + " operator"}
          value={op}
          onChange={(event) => onChange({ op: event.target.value, value: sameKindOfValue(op, event.target.value) ? value : "" })}
        >
          {operators.map((operator) => (
            <option key={operator} value={operator}>
              {OPERATOR_LABELS[operator] ?? operator}
            </option>
          ))}
        </select>
      )}
      {control}
    </div>
  );
}
