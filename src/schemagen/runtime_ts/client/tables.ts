/* What a table definition is, the shape of each generated `<resource>Table` in `tables.ts`, and
 * how a cell is shown. */

import { asText } from "./text.js";

export type ColumnFormat = "text" | "url" | "number" | "decimal" | "boolean" | "date" | "datetime" | "time" | "enum" | "relation" | "list" | "json";

export interface TableColumn {
  /** The property of the Read shape (`region_id` for a relation `region`). */
  readonly accessor: string;
  readonly header: string;
  /** The schema type. */
  readonly type: string;
  readonly format: ColumnFormat;
  /** Decimal places, for decimals. */
  readonly scale?: number;
  readonly sortable: boolean;
  /** The filter operators of `<accessor>__<op>` list parameters (eq is the bare name), or false. */
  readonly filterable: false | { readonly operators: readonly string[] };
  readonly options?: readonly { readonly value: string; readonly label: string }[];
  readonly relation?: { readonly resource: string; readonly titleField: string; readonly multiple: boolean };
}

export interface TableAction {
  readonly action: string;
  readonly label: string;
  readonly kind: "update" | "delete" | "restore" | "custom";
  readonly confirm?: boolean;
  /** Offered on deleted rows only (deleted_at set), which a list shows with `include_deleted`. */
  readonly onlyDeleted?: boolean;
}

export interface BulkAction {
  readonly action: string;
  readonly operation: "update" | "delete";
  readonly label: string;
  readonly dryRun: boolean;
  /** The answer carries an undo_token. */
  readonly undo: boolean;
  /** The action that takes the change back with that token until its undo_expires_at (`<resource>.bulk_undo`); null without undo. */
  readonly undoAction: string | null;
}

/** A named view of a resource's list (the schema's `views:`): a saved list query with its own
 * columns and row actions; a tree view shows each row under its parent by a self relation. */
export interface ListView {
  /** The view's name in the schema: "due_actions". */
  readonly name: string;
  readonly title: string;
  readonly description: string | null;
  /** The list parameters it reads with (`next_action_at__lte: "now"`, `stage__in: [...]`): the
   * list's own filters; "now" is the server's time when the list is read. */
  readonly params: { readonly [param: string]: unknown };
  /** Its order, '-' for descending; a tree's siblings are in this order. */
  readonly sort: readonly string[];
  readonly columns: readonly TableColumn[];
  readonly rowActions: readonly TableAction[];
  /** Rows shown under their parent: `parent` is the self relation's accessor ("parent_id"). */
  readonly tree: { readonly parent: string } | null;
}

/** A resource's table: `R` is the resource's name. */
export interface TableDefinition<R extends string = string> {
  readonly resource: R;
  readonly label: string;
  readonly labelPlural: string;
  readonly columns: readonly TableColumn[];
  readonly defaultSort: readonly string[];
  readonly pageSize: number;
  readonly searchable: boolean;
  /** Deleted rows are hidden, and shown with the list parameter `include_deleted: true`. */
  readonly softDelete: boolean;
  readonly rowActions: readonly TableAction[];
  readonly bulkActions: readonly BulkAction[];
  /** Custom actions on the whole collection rather than a row. */
  readonly collectionActions: readonly TableAction[];
  readonly listHook: ((...args: never[]) => unknown) | null;
  readonly listQueryOptions: ((...args: never[]) => unknown) | null;
  /** The named views of the list; a generated table always has the list, a hand-made one may
   * leave it out. */
  readonly views?: readonly ListView[];
}

const numbers = new Map<number, Intl.NumberFormat>();

function text(value: unknown): string {
  return value == null ? "" : asText(value);
}

/** A cell's text, by the column's format; "" for null. */
export const formatters: { readonly [F in ColumnFormat]: (value: unknown, column: TableColumn) => string } = {
  text,
  url: text,
  number: (value) => (value == null ? "" : new Intl.NumberFormat().format(Number(value))),
  decimal: (value, column) => {
    if (value == null) return "";
    const scale = column.scale ?? 2;
    let format = numbers.get(scale);
    if (format === undefined) {
      format = new Intl.NumberFormat(undefined, { minimumFractionDigits: scale, maximumFractionDigits: scale });
      numbers.set(scale, format);
    }
    return format.format(Number(value));
  },
  boolean: (value) => (value == null ? "" : value ? "Yes" : "No"),
  // A date has no time zone: shown as the API gives it, never shifted by the viewer's zone.
  date: text,
  datetime: (value) => (value == null ? "" : new Date(asText(value)).toLocaleString()),
  time: text,
  enum: (value, column) => (value == null ? "" : (column.options?.find((option) => option.value === value)?.label ?? asText(value))),
  relation: text,
  list: (value) => (Array.isArray(value) ? value.map(asText).join(", ") : text(value)),
  json: (value) => (value === undefined ? "" : JSON.stringify(value)),
};

/** A cell's text: `formatCell(row, column)`. */
export function formatCell(row: object, column: TableColumn): string {
  const values: { readonly [name: string]: unknown } = { ...row };
  return formatters[column.format](values[column.accessor], column);
}
