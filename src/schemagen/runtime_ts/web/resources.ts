/* The contract between the web runtime and a generated web app: the generated `resources.ts` is a
 * list of `ResourceEntry`, one per resource, each a thin list of references to the generated
 * client (its table and form definitions and its plain api functions), and `AppOptions` says which
 * traits the project has. The components call the api functions through TanStack Query themselves,
 * so the generated app passes no hooks.
 *
 * In a generated web app this folder is `src/runtime/web/` and the client runtime it reads the
 * definitions' types from is `src/runtime/client/`: the same layout as src/schemagen/runtime_ts/. */

import type { FormDefinition } from "../client/forms.js";
import type { RequestOptions } from "../client/http.js";
import type { QuerySpec } from "../client/matching.js";
import type { TableDefinition } from "../client/tables.js";

/** A primary key: a uuid as text, or an integer. */
export type RowId = string | number;

/** A row as the API reads it: every resource's Read shape has its `id`. */
export interface Row {
  readonly id: RowId;
}

/** One page of a list: the rows and the cursor of the next page (null on the last). */
export interface Page {
  readonly items: readonly Row[];
  readonly next_cursor: string | null;
}

/** What the components send to a list function: paging, sort, search, `include_deleted` and the
 * filters `<field>` / `<field>__<op>` the table definition names. (`list` takes it as an `object`:
 * a generated `OfficeListParams` has no index signature, so neither type is assignable to the
 * other, and the table definition is what keeps the names right.) */
export interface ListParams {
  limit?: number;
  cursor?: string;
  sort?: string | readonly string[];
  q?: string;
  include_deleted?: boolean;
  [filter: string]: unknown;
}

/** The answer of a bulk run (the client's `BulkResult`). */
export interface BulkResult {
  readonly matched: number;
  readonly affected: number;
  readonly failed: number;
  readonly undo_token: string | null;
  readonly undo_expires_at: string | null;
  /** A dry run of a large delete: what the delete sends back. */
  readonly confirmation_token?: string | null | undefined;
  /** A run the API took to the background (202): its status (`GET /api/bulk_runs/{id}`). */
  readonly status?: string;
}

/** A custom row action: its input form (null when it takes no input) and the client's function
 * (`closeOffice(id, input, options)`). Keyed by the table action's `action` ("office.close"). */
export interface ActionEntry {
  readonly input: FormDefinition | null;
  run(id: RowId, input: object, options?: RequestOptions): Promise<unknown>;
}

/* The data functions are declared as methods, whose parameters TypeScript compares both ways: the
 * generated entry passes `listOffices(params: OfficeListParams, ...)` as it is, no cast. */

/** One resource of the generated app. */
export interface ResourceEntry {
  /** The resource's name: "office". */
  readonly key: string;
  /** Its URL segment: "offices" (`#/offices`, `#/offices/<id>`). */
  readonly path: string;
  readonly label: string;
  readonly labelPlural: string;
  /** The schema's `display.icon` and `display.color`, when it has them. */
  readonly icon?: string;
  readonly color?: string;
  /** The field naming a row (`display.title_field`): a relation cell and picker show it. */
  readonly titleField: string;
  readonly table: TableDefinition;
  readonly form: FormDefinition;
  /** How its lists filter, search and sort (the client's `<resource>QuerySpec`): a local-first
   * app keeps a copy of the resource and answers its lists itself. */
  readonly spec?: QuerySpec;
  /** Its ids are uuids, so a create made offline can name its row. */
  readonly clientIds?: boolean;
  /** Custom row actions by action name (`office.close`); {} when there are none. */
  readonly actions: { readonly [action: string]: ActionEntry };
  list(params: object, options?: RequestOptions): Promise<Page>;
  get(id: RowId, options?: RequestOptions): Promise<Row>;
  create?(body: object, options?: RequestOptions): Promise<Row>;
  update?(id: RowId, patch: object, options?: RequestOptions): Promise<Row>;
  remove?(id: RowId, options?: RequestOptions): Promise<void>;
  /** soft_delete resources only. */
  restore?(id: RowId, options?: RequestOptions): Promise<Row>;
  /** The resource has the `audit` trait: its rows' pages show their trail (`AppOptions.audit`). */
  readonly audited?: boolean;
  /** Resources with bulk actions only. */
  bulk?(body: object, options?: RequestOptions): Promise<BulkResult>;
  undoBulk?(body: { undo_token: string }, options?: RequestOptions): Promise<unknown>;
}

/** What the whole app needs beside its resources. */
export interface AppOptions {
  /** The app's title, in the header and the document title. */
  readonly title: string;
  /** Where the API lives; default "" (the page's own origin, as when the backend serves the app). */
  readonly baseUrl?: string;
  /** Show a tenant switcher (some resource has the `tenant` trait): sent as X-Tenant-ID. */
  readonly tenant: boolean;
  /** Show a user switcher (some resource is `owned`): sent as X-User-ID. */
  readonly user: boolean;
  /** Show a branch switcher (some resource is `branching`): sent as X-Branch-ID. */
  readonly branch: boolean;
  /** The client's `mergeBranch` and `discardBranch`, when the project has branching: the switcher
   * offers to merge the current branch into main, or to throw it away. */
  readonly branches?: BranchFunctions;
  /** The client's `listAuditEntries`, when some resource is audited: a row's page shows its trail. */
  readonly audit?: AuditFunctions;
  /** The client's bulk runs, when some resource has bulk: a "Bulk runs" page with live progress,
   * Cancel and Undo. */
  readonly bulkRuns?: BulkRunFunctions;
  /** Keep a local copy of every scope in IndexedDB, under this database name (the client's
   * `DATABASE_NAME`): lists read locally, writes queued offline, changes fed live. */
  readonly localFirst?: string;
}

/** One bulk run (the client's `BulkRun`): its progress, and its undo token once it has finished. */
export interface BulkRun {
  readonly id: string;
  /** The resource's name (a `ResourceEntry`'s `key`). */
  readonly resource: string;
  readonly operation: "update" | "delete";
  readonly status: "queued" | "running" | "done" | "cancelled" | "failed";
  readonly dry_run: boolean;
  readonly matched: number;
  readonly processed: number;
  readonly affected: number;
  readonly failed: number;
  readonly errors: readonly { readonly detail: string }[];
  readonly created_at: string;
  readonly undo_token: string | null;
  readonly undo_expires_at: string | null;
}

/** The client's `listBulkRuns` and `cancelBulkRun`, when some resource has bulk: a page of runs. */
export interface BulkRunFunctions {
  list(params: object, options?: RequestOptions): Promise<{ readonly items: readonly BulkRun[]; readonly next_cursor: string | null }>;
  cancel(id: string, options?: RequestOptions): Promise<unknown>;
}

export interface BranchFunctions {
  merge(name: string, options?: RequestOptions): Promise<unknown>;
  discard(name: string, options?: RequestOptions): Promise<void>;
}

/** One write in the audit trail (the client's `AuditEntry`). */
export interface AuditEntry {
  readonly id: number;
  readonly resource: string;
  readonly row_id: string;
  /** create, update, delete, restore, bulk_update, bulk_delete, bulk_undo, merge or a custom action's name. */
  readonly action: string;
  readonly before: { readonly [field: string]: unknown } | null;
  readonly after: { readonly [field: string]: unknown } | null;
  readonly actor: string | null;
  readonly at: string;
}

export interface AuditFunctions {
  list(params: object, options?: RequestOptions): Promise<{ readonly items: readonly AuditEntry[]; readonly next_cursor: string | null }>;
}
