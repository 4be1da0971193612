/* Reading rows and API errors whose types the components only know structurally. */

import type { Row, RowId } from "./resources.js";

/** A row's field by its API name (`region_id`), undefined when it has none. */
export function fieldOf(row: object, name: string): unknown {
  const values: { readonly [name: string]: unknown } = { ...row };
  return values[name];
}

/** The text a row is known by: its title field, else its id. */
export function titleOf(row: Row, titleField: string): string {
  const title = fieldOf(row, titleField);
  return typeof title === "string" && title !== "" ? title : typeof title === "number" ? String(title) : String(row.id);
}

/** A value as a row id, when it is one. */
export function asRowId(value: unknown): RowId | null {
  return typeof value === "string" || typeof value === "number" ? value : null;
}

/** An API error, `{status, detail, error_code, field}` (the client's `ApiError`). Read by its
 * shape: the generated client and the web app each carry a copy of the client runtime, so
 * `instanceof` would compare two classes. */
export interface ApiErrorShape {
  readonly status: number;
  readonly detail: string;
  readonly error_code: string;
  readonly field: string | null;
}

export function apiErrorOf(error: unknown): ApiErrorShape | null {
  if (typeof error !== "object" || error === null) return null;
  const status = fieldOf(error, "status");
  const detail = fieldOf(error, "detail");
  const code = fieldOf(error, "error_code");
  const field = fieldOf(error, "field");
  if (typeof status !== "number" || typeof detail !== "string" || typeof code !== "string") return null;
  return { status, detail, error_code: code, field: typeof field === "string" ? field : null };
}

/** What to tell the user about a failure. */
export function messageOf(error: unknown): string {
  const api = apiErrorOf(error);
  if (api !== null) return api.detail;
  return error instanceof Error ? error.message : "Something went wrong.";
}
