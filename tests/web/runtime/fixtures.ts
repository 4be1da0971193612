/* Two resources over an in-memory API, for the web runtime's tests: offices (every kind of field,
 * soft delete, a version, a custom action) and the regions they belong to. The stores do what the
 * generated backend does with list parameters, versions and deletes, and record every call. */

import { z } from "zod";
import type { FormDefinition } from "../runtime/client/forms.js";
import { ApiError, type RequestOptions } from "../runtime/client/http.js";
import type { TableDefinition } from "../runtime/client/tables.js";
import type { ResourceEntry, Row, RowId } from "../runtime/web/resources.js";

export interface Region {
  id: string;
  name: string;
}

export interface Office {
  id: string;
  name: string;
  status: "active" | "inactive";
  region_id: string | null;
  budget: number | null;
  tags: string[] | null;
  settings: unknown;
  opened_on: string | null;
  created_at: string;
  deleted_at: string | null;
  version: number;
}

export interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
  readonly options: RequestOptions | undefined;
}

function valueOf(row: object, name: string): unknown {
  const values: { readonly [name: string]: unknown } = { ...row };
  return values[name];
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  // Numbers compare as numbers, as the database does, whether the filter's value came as text.
  if (typeof a === "number" || typeof b === "number") return Number(a) - Number(b);
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
}

/** Rows in memory, listed as the generated API lists them. */
export class Store<R extends Row> {
  rows: R[];
  readonly calls: Call[] = [];

  constructor(rows: R[], private readonly titleField: string) {
    this.rows = rows;
  }

  record(method: string, options: RequestOptions | undefined, ...args: unknown[]): void {
    this.calls.push({ method, args, options });
  }

  callsOf(method: string): Call[] {
    return this.calls.filter((call) => call.method === method);
  }

  list(params: object): { items: R[]; next_cursor: string | null } {
    const p: { readonly [name: string]: unknown } = { ...params };
    let rows = this.rows.filter((row) => p["include_deleted"] === true || valueOf(row, "deleted_at") == null);
    for (const [name, value] of Object.entries(p)) {
      if (["limit", "cursor", "sort", "q", "include_deleted"].includes(name)) continue;
      const [field = name, op = "eq"] = name.split("__");
      rows = rows.filter((row) => {
        const cell = valueOf(row, field);
        if (op === "in") return Array.isArray(value) && value.includes(cell);
        if (op === "isnull") return (cell == null) === value;
        if (op === "gte") return compare(cell, value) >= 0;
        if (op === "lte") return compare(cell, value) <= 0;
        return cell === value;
      });
    }
    const q = p["q"];
    if (typeof q === "string") rows = rows.filter((row) => String(valueOf(row, this.titleField)).toLowerCase().includes(q.toLowerCase()));
    const sort = p["sort"];
    const keys = (Array.isArray(sort) ? sort : typeof sort === "string" ? [sort] : []).map(String);
    for (const key of [...keys].reverse()) {
      const field = key.replace(/^-/, "");
      const sign = key.startsWith("-") ? -1 : 1;
      rows = [...rows].sort((a, b) => sign * compare(valueOf(a, field), valueOf(b, field)));
    }
    const start = typeof p["cursor"] === "string" ? Number(p["cursor"]) : 0;
    const limit = typeof p["limit"] === "number" ? p["limit"] : 50;
    // Copies, as JSON over the wire would be: a later change must not reach rows already read.
    const items = rows.slice(start, start + limit).map((row) => ({ ...row }));
    return { items, next_cursor: start + limit < rows.length ? String(start + limit) : null };
  }

  find(id: RowId): R {
    const row = this.rows.find((candidate) => candidate.id === id);
    if (row === undefined) throw new ApiError(404, { detail: "Not found", error_code: "not_found", field: null });
    return row;
  }
}

export const regionTable: TableDefinition<"region"> = {
  resource: "region",
  label: "Region",
  labelPlural: "Regions",
  columns: [{ accessor: "name", header: "Name", type: "string", format: "text", sortable: true, filterable: false }],
  defaultSort: ["name"],
  pageSize: 50,
  searchable: true,
  softDelete: false,
  rowActions: [],
  bulkActions: [],
  collectionActions: [],
  listHook: null,
  listQueryOptions: null,
};

const regionSchema = z.strictObject({ name: z.string().max(100) });

export const regionForm: FormDefinition<"region"> = {
  resource: "region",
  label: "Region",
  fields: [
    { name: "name", field: "name", label: "Name", widget: "text", type: "string", required: true, nullable: false, rules: { required: true, maxLength: 100 }, readOnly: { create: false, update: false } },
  ],
  schemas: { create: regionSchema, update: regionSchema.partial() },
};

const statusOptions = [
  { value: "active", label: "Active" },
  { value: "inactive", label: "Inactive" },
] as const;

export const officeTable: TableDefinition<"office"> = {
  resource: "office",
  label: "Office",
  labelPlural: "Offices",
  columns: [
    { accessor: "name", header: "Name", type: "string", format: "text", sortable: true, filterable: false },
    { accessor: "status", header: "Status", type: "enum", format: "enum", sortable: false, filterable: { operators: ["eq", "in", "isnull"] }, options: statusOptions },
    { accessor: "region_id", header: "Region", type: "relation", format: "relation", sortable: false, filterable: { operators: ["eq", "in", "isnull"] }, relation: { resource: "region", titleField: "name", multiple: false } },
    { accessor: "budget", header: "Budget", type: "decimal", format: "decimal", scale: 2, sortable: true, filterable: { operators: ["eq", "in", "gte", "lte", "isnull"] } },
  ],
  defaultSort: ["name"],
  pageSize: 2,
  searchable: true,
  softDelete: true,
  rowActions: [
    { action: "office.update", label: "Edit", kind: "update" },
    { action: "office.delete", label: "Delete", kind: "delete", confirm: true },
    { action: "office.restore", label: "Restore", kind: "restore", onlyDeleted: true },
    { action: "office.close", label: "Close", kind: "custom" },
  ],
  bulkActions: [
    { action: "office.bulk", operation: "update", label: "Update matching", dryRun: true, undo: true, undoAction: "office.bulk_undo" },
    { action: "office.bulk", operation: "delete", label: "Delete matching", dryRun: true, undo: true, undoAction: "office.bulk_undo" },
  ],
  collectionActions: [],
  listHook: null,
  listQueryOptions: null,
};

const officeFields = {
  name: z.string().max(20),
  status: z.enum(["active", "inactive"]).optional(),
  region_id: z.string().nullable().optional(),
  budget: z.number().min(0).nullable().optional(),
  tags: z.array(z.string()).nullable().optional(),
  settings: z.json().optional(),
  opened_on: z.iso.date().nullable().optional(),
};
const officeCreate = z.strictObject(officeFields);
const officeUpdate = z.strictObject({ ...officeFields, name: officeFields.name.optional() });

export const officeForm: FormDefinition<"office"> = {
  resource: "office",
  label: "Office",
  fields: [
    { name: "name", field: "name", label: "Name", widget: "text", type: "string", required: true, nullable: false, rules: { required: true, maxLength: 20 }, readOnly: { create: false, update: false } },
    { name: "status", field: "status", label: "Status", widget: "select", type: "enum", required: false, nullable: false, rules: {}, default: "active", options: statusOptions, readOnly: { create: false, update: false } },
    {
      name: "region_id",
      field: "region",
      label: "Region",
      widget: "select",
      type: "relation",
      required: false,
      nullable: true,
      rules: {},
      relation: { resource: "region", multiple: false, valueField: "id", titleField: "name", listHook: null, listQueryOptions: null },
      readOnly: { create: false, update: false },
    },
    { name: "budget", field: "budget", label: "Budget", help: "Per year.", widget: "number", type: "decimal", required: false, nullable: true, rules: { min: 0, step: 0.01 }, readOnly: { create: false, update: false } },
    { name: "tags", field: "tags", label: "Tags", widget: "tags", type: "array", of: "string", required: false, nullable: true, rules: {}, readOnly: { create: false, update: false } },
    { name: "settings", field: "settings", label: "Settings", widget: "json", type: "json", required: false, nullable: true, rules: {}, readOnly: { create: false, update: false } },
    { name: "opened_on", field: "opened_on", label: "Opened on", widget: "date", type: "date", required: false, nullable: true, rules: {}, readOnly: { create: false, update: false } },
  ],
  schemas: { create: officeCreate, update: officeUpdate },
};

const closeInput = z.strictObject({ reason: z.string().nullable().optional() });

export const closeForm: FormDefinition<"office"> = {
  resource: "office",
  label: "Close",
  fields: [{ name: "reason", field: "reason", label: "Reason", widget: "textarea", type: "text", required: false, nullable: true, rules: {}, readOnly: { create: false, update: false } }],
  schemas: { create: closeInput, update: closeInput },
};

export function office(id: string, name: string, more: Partial<Office> = {}): Office {
  return { id, name, status: "active", region_id: null, budget: null, tags: null, settings: null, opened_on: null, created_at: "2026-01-02T03:04:05Z", deleted_at: null, version: 1, ...more };
}

export interface World {
  readonly offices: Store<Office>;
  readonly regions: Store<Region>;
  readonly resources: readonly ResourceEntry[];
}

/** The two resources over fresh stores. */
export function world(offices: Office[] = [], regions: Region[] = [{ id: "r1", name: "North" }, { id: "r2", name: "South" }]): World {
  const officeStore = new Store<Office>(offices, "name");
  const regionStore = new Store<Region>(regions, "name");
  let next = 100;
  // The rows as they were before each bulk run, by its undo token.
  const undo = new Map<string, Office[]>();
  const regionEntry: ResourceEntry = {
    key: "region",
    path: "regions",
    label: "Region",
    labelPlural: "Regions",
    icon: "map",
    color: "#2b7a0b",
    titleField: "name",
    table: regionTable,
    form: regionForm,
    actions: {},
    list: async (params: object, options?: RequestOptions) => {
      regionStore.record("list", options, params);
      return Promise.resolve(regionStore.list(params));
    },
    get: async (id: RowId, options?: RequestOptions) => {
      regionStore.record("get", options, id);
      return Promise.resolve({ ...regionStore.find(id) });
    },
  };
  const officeEntry: ResourceEntry = {
    key: "office",
    path: "offices",
    label: "Office",
    labelPlural: "Offices",
    icon: "building",
    color: "#0b5cad",
    titleField: "name",
    table: officeTable,
    form: officeForm,
    actions: {
      "office.close": {
        input: closeForm,
        run: async (id: RowId, input: object, options?: RequestOptions) => {
          officeStore.record("close", options, id, input);
          const row = officeStore.find(id);
          row.status = "inactive";
          return Promise.resolve(row);
        },
      },
    },
    list: async (params: object, options?: RequestOptions) => {
      officeStore.record("list", options, params);
      return Promise.resolve(officeStore.list(params));
    },
    get: async (id: RowId, options?: RequestOptions) => {
      officeStore.record("get", options, id);
      return Promise.resolve({ ...officeStore.find(id) });
    },
    create: async (body: object, options?: RequestOptions) => {
      officeStore.record("create", options, body);
      const name = valueOf(body, "name");
      if (officeStore.rows.some((row) => row.name === name)) {
        throw new ApiError(409, { detail: "An office with this name exists.", error_code: "conflict", field: "name" });
      }
      const row = office("o" + String(next++), String(name), { ...body });
      officeStore.rows.push(row);
      return Promise.resolve(row);
    },
    update: async (id: RowId, patch: object, options?: RequestOptions) => {
      officeStore.record("update", options, id, patch);
      const row = officeStore.find(id);
      const { version, ...changes } = { version: undefined, ...patch };
      if (version !== undefined && version !== row.version) {
        throw new ApiError(409, { detail: "The office was changed since.", error_code: "version_conflict", field: null });
      }
      Object.assign(row, changes, { version: row.version + 1 });
      return Promise.resolve({ ...row });
    },
    remove: async (id: RowId, options?: RequestOptions) => {
      officeStore.record("remove", options, id);
      officeStore.find(id).deleted_at = "2026-02-01T00:00:00Z";
      return Promise.resolve();
    },
    bulk: async (body: object, options?: RequestOptions) => {
      officeStore.record("bulk", options, body);
      const filter = valueOf(body, "filter");
      const matched = officeStore.list({ ...(typeof filter === "object" && filter !== null ? filter : {}), limit: 1_000_000 }).items;
      const none = { matched: matched.length, affected: 0, failed: 0, undo_token: null, undo_expires_at: null };
      if (valueOf(body, "dry_run") === true) return Promise.resolve(none);
      const token = "undo-" + String(next++);
      undo.set(token, matched);
      for (const { id } of matched) {
        const row = officeStore.find(id);
        if (valueOf(body, "operation") === "delete") row.deleted_at = "2026-02-01T00:00:00Z";
        else Object.assign(row, valueOf(body, "values"));
      }
      return Promise.resolve({ ...none, affected: matched.length, undo_token: token, undo_expires_at: "2026-02-01T00:10:00Z" });
    },
    undoBulk: async (body: { undo_token: string }, options?: RequestOptions) => {
      officeStore.record("undoBulk", options, body);
      const before = undo.get(body.undo_token) ?? [];
      for (const row of before) Object.assign(officeStore.find(row.id), row);
      return Promise.resolve({ restored: before.length, skipped: 0 });
    },
    restore: async (id: RowId, options?: RequestOptions) => {
      officeStore.record("restore", options, id);
      const row = officeStore.find(id);
      row.deleted_at = null;
      return Promise.resolve({ ...row });
    },
  };
  return { offices: officeStore, regions: regionStore, resources: [officeEntry, regionEntry] };
}
