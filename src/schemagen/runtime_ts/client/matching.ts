/* Which rows a list's parameters select, and where a row goes in it: the server's filter, search
 * and sort semantics, so a mutation can place a row in every cached list it belongs to without a
 * refetch (OmniSync's predicate matching). */

import { asText } from "./text.js";

/** How values of a property compare: text, number, datetime (ISO strings as instants), boolean,
 * key (ids), array and many (a value among the row's), json (only null or not). */
export type MatchKind = "text" | "number" | "datetime" | "boolean" | "key" | "array" | "many" | "json";

/** What a resource's list parameters can name: filters, search and sort, as the API reads them. */
export interface QuerySpec {
  readonly filters: { readonly [name: string]: MatchKind };
  readonly search: readonly string[];
  /** How each sortable property orders: its kind, or an enum's values in their declared order. */
  readonly sortable: { readonly [name: string]: MatchKind | readonly string[] };
  readonly defaultSort: readonly string[];
  /** The rows have deleted_at (soft_delete): a list shows deleted ones only with `include_deleted`. */
  readonly softDelete: boolean;
}

type Row = { readonly [name: string]: unknown };
const PAGING: readonly string[] = ["limit", "cursor", "sort", "q", "include_deleted"];

function entriesOf(values: object): Row {
  return { ...values };
}

/** Whether a row belongs in a list with these parameters: not deleted (unless the list includes
 * deleted rows), every filter and the search. */
export function matchesParams(row: object, params: object, spec: QuerySpec): boolean {
  const values = entriesOf(row);
  const wanted = entriesOf(params);
  if (spec.softDelete && values["deleted_at"] != null && !isTrue(wanted["include_deleted"])) return false;
  for (const [param, expected] of Object.entries(wanted)) {
    if (expected === undefined || expected === null) continue;
    if (param === "q") {
      const text = asText(expected).toLowerCase();
      if (text && !spec.search.some((name) => values[name] != null && asText(values[name]).toLowerCase().includes(text))) return false;
      continue;
    }
    if (PAGING.includes(param)) continue;
    const { name, op } = filterOf(param);
    const kind = spec.filters[name];
    if (kind === undefined) continue; // not a filter this client knows: the server decides
    if (!matchesFilter(values[name], op, expected, kind)) return false;
  }
  return true;
}

/** A filter parameter's field and operator: `budget__gte` is budget and gte, `status` status and eq. */
function filterOf(param: string): { readonly name: string; readonly op: string } {
  const split = param.indexOf("__");
  return split < 0 ? { name: param, op: "eq" } : { name: param.slice(0, split), op: param.slice(split + 2) };
}

const OPERATORS: readonly string[] = ["eq", "in", "gte", "lte", "isnull"];

/** Whether `matchesParams` and `compareRows` decide a list with these parameters exactly as the
 * server would: every filter, operator and sort key is one the spec knows. A copy of the rows
 * answers such a list itself; any other goes to the server. */
export function decidable(params: object, spec: QuerySpec): boolean {
  for (const [param, value] of Object.entries(entriesOf(params))) {
    if (value === undefined || value === null || PAGING.includes(param)) continue;
    const { name, op } = filterOf(param);
    if (spec.filters[name] === undefined || !OPERATORS.includes(op)) return false;
  }
  return sortTokens(params, spec).every((token) => {
    const name = token.replace(/^-/, "");
    return name === "id" || spec.sortable[name] !== undefined;
  });
}

function matchesFilter(actual: unknown, op: string, expected: unknown, kind: MatchKind): boolean {
  if (op === "isnull") return (actual === null || actual === undefined) === isTrue(expected);
  const wanted: readonly unknown[] = op === "in" ? (Array.isArray(expected) ? expected : asText(expected).split(",")) : [expected];
  if (kind === "array" || kind === "many") {
    const items: readonly unknown[] = Array.isArray(actual) ? actual : [];
    return wanted.some((value) => items.some((item) => compareValues(item, value, "text") === 0));
  }
  if (actual === null || actual === undefined) return false;
  if (op === "gte") return compareValues(actual, expected, kind) >= 0;
  if (op === "lte") return compareValues(actual, expected, kind) <= 0;
  return wanted.some((value) => compareValues(actual, value, kind) === 0);
}

/** The order of two values of a kind: -1, 0 or 1. */
export function compareValues(a: unknown, b: unknown, kind: MatchKind): number {
  let x: string | number;
  let y: string | number;
  if (kind === "number") [x, y] = [Number(a), Number(b)];
  else if (kind === "datetime") [x, y] = [instant(a), instant(b)];
  else if (kind === "boolean") [x, y] = [asText(a) === "true" ? 1 : 0, asText(b) === "true" ? 1 : 0];
  else if (kind === "key") [x, y] = [asText(a).toLowerCase(), asText(b).toLowerCase()];
  else [x, y] = [asText(a), asText(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** A datetime as milliseconds: an ISO 8601 string, or "now", which the API reads as its current time. */
function instant(value: unknown): number {
  return value === "now" ? Date.now() : Date.parse(asText(value));
}

function sortTokens(params: object, spec: QuerySpec): string[] {
  const sort = entriesOf(params)["sort"];
  const tokens = sort === undefined || sort === null ? [...spec.defaultSort] : Array.isArray(sort) ? sort.map(asText) : asText(sort).split(",");
  return tokens.map((token) => token.trim()).filter(Boolean);
}

/** The order of two rows in a list with these parameters, as the API sorts: NULLs last ascending
 * and first descending, then the id. */
export function compareRows(a: object, b: object, params: object, spec: QuerySpec): number {
  const x = entriesOf(a);
  const y = entriesOf(b);
  const tokens = sortTokens(params, spec);
  if (!tokens.some((token) => token.replace(/^-/, "") === "id")) tokens.push("id");
  for (const token of tokens) {
    const descending = token.startsWith("-");
    const name = descending ? token.slice(1) : token;
    const [left, right] = [x[name], y[name]];
    const leftNull = left === null || left === undefined;
    const rightNull = right === null || right === undefined;
    let order = 0;
    if (leftNull || rightNull) order = leftNull === rightNull ? 0 : leftNull ? 1 : -1;
    else {
      const kind = spec.sortable[name] ?? "text";
      order = typeof kind === "string" ? compareValues(left, right, kind) : kind.indexOf(asText(left)) - kind.indexOf(asText(right));
    }
    if (order !== 0) return descending ? -order : order;
    if (name === "id") break;
  }
  return 0;
}
