/* A local-first copy of what one caller sees (one tenant, user and branch): reads answered from
 * memory and IndexedDB, writes kept in a durable outbox and sent in order, and the server's
 * change feed applied as it arrives.
 *
 * - Rows. A resource is copied whole the first time one of its lists is read (every page, deleted
 *   rows included), then kept current by the change feed (`GET /api/changes?since=`, read every
 *   half second while the server answers).
 *   From then on a list is filtered, searched, sorted and paged here with the server's own rules
 *   (runtime/matching.ts), when `decidable` says they decide it; any other list goes to the server.
 *   The copy lives in IndexedDB, one database per scope (`<name>/<tenant>/<user>/<branch>`): within
 *   a scope an id names one row, whatever tenant, owner or branch it is kept under on the server.
 * - Writes. A create, update, delete or restore is first added to the outbox store, then shown
 *   (the rows the app reads are the server's with every write still in the outbox applied on
 *   top), then sent, oldest first, each with its own `Idempotency-Key`: sent again after a lost
 *   answer, the server applies it once. A uuid-keyed create gets its id here. Online, the caller
 *   waits for the server's answer, so a refusal reaches the form that made the write; when the
 *   network is down, the write stays queued (it survives a reload) and is sent on reconnect.
 *   A queued write the server refuses is dropped (the rows go back to the server's) and reported;
 *   one refused for a stale version is kept as a conflict until `keepMine` or `takeTheirs`.
 * - Everything else (custom actions, bulk runs, merges) goes to the server as before; `pull`
 *   then brings what it changed.
 *
 * `subscribe` is told after every change of what the app reads, with the resources it touched. */

import { definedOnly } from "./cache.js";
import { ApiError, type ApiClient, type RequestOptions } from "./http.js";
import { compareRows, decidable, matchesParams, type QuerySpec } from "./matching.js";

export type RowId = string | number;
/** A row as the API reads it: its fields are read through `fieldOf`. */
export interface Row {
  readonly id: RowId;
}

/** A field of a row, whatever its shape. */
export function fieldOf(row: Row, name: string): unknown {
  const values: { readonly [field: string]: unknown } = { ...row };
  return values[name];
}

export interface RowPage {
  readonly items: readonly Row[];
  readonly next_cursor: string | null;
}

/** What the replica needs of a resource: the client's functions and how its lists read. */
export interface ReplicaResource {
  readonly key: string;
  /** How its lists filter, search and sort (the client's `<resource>QuerySpec`). */
  readonly spec: QuerySpec;
  /** Its ids are uuids: a create is given its id here, so it can be made offline. */
  readonly clientIds: boolean;
  list(params: object, options?: RequestOptions): Promise<RowPage>;
  get(id: RowId, options?: RequestOptions): Promise<Row>;
  create?(body: object, options?: RequestOptions): Promise<Row>;
  update?(id: RowId, patch: object, options?: RequestOptions): Promise<Row>;
  remove?(id: RowId, options?: RequestOptions): Promise<void>;
  restore?(id: RowId, options?: RequestOptions): Promise<Row>;
}

export type WriteKind = "create" | "update" | "remove" | "restore";

/** One write in the outbox. */
export interface Write {
  /** Its place in the outbox: writes are sent in this order. */
  readonly seq: number;
  readonly resource: string;
  readonly kind: WriteKind;
  readonly id: RowId;
  /** A create's values, an update's patch (with the version it is based on, for versioned rows). */
  readonly body: { readonly [field: string]: unknown } | null;
  readonly idempotencyKey: string;
  /** When it was made (ms): a soft delete shows this as its `deleted_at` until the server answers. */
  readonly at: number;
  /** pending: to be sent; conflict: refused for a stale version, waiting for keepMine or takeTheirs. */
  readonly state: "pending" | "conflict";
  readonly error: { readonly status: number; readonly error_code: string; readonly detail: string; readonly field: string | null } | null;
}

/** One change of the feed as the server sends it. */
export interface Change {
  readonly position: number;
  readonly resource: string;
  readonly row_id: string;
  readonly action: string;
  readonly deleted: boolean;
  readonly row: Row | null;
  readonly branch_id: string | null;
}

export interface ReplicaStatus {
  /** The last request reached the server. */
  readonly online: boolean;
  /** Writes not yet accepted by the server. */
  readonly pending: number;
  readonly conflicts: readonly Write[];
  /** The feed position the copy is at. */
  readonly position: number;
}

/** A queued write the server refused (not for a stale version): it was dropped. */
export interface Refusal {
  readonly write: Write;
  readonly error: ApiError;
}

export interface ReplicaEvents {
  /** The rows of these resources changed (or the status did, with an empty list). */
  changed?: (resources: readonly string[]) => void;
  refused?: (refusal: Refusal) => void;
}

export interface ReplicaOptions {
  /** The database's name before the scope: the client's `DATABASE_NAME`. */
  readonly name: string;
  readonly scope: { readonly tenantId: string; readonly userId: string; readonly branchId: string };
  readonly resources: readonly ReplicaResource[];
  /** Sends the scope's headers: every request of the replica goes through it. */
  readonly client: ApiClient;
  readonly factory?: IDBFactory | undefined;
  /** Rows per page when a resource is copied; default 500 (the API's largest page). */
  readonly pageSize?: number | undefined;
  /** Follow the feed; default true (tests pull by hand). */
  readonly live?: boolean | undefined;
}

const ROWS = "rows";
const OUTBOX = "outbox";
const META = "meta";
const SCHEMA_VERSION = 1;
const MAIN_BRANCH = "main";
const FEED_PAGE = 1000;
const RETRY_MS = [500, 1000, 2000, 5000];
/** How often the copy reads the feed while the server answers. */
const FOLLOW_MS = 500;

interface StoredRow {
  readonly resource: string;
  readonly id: RowId;
  readonly row: Row;
}

function requestDone<V>(request: IDBRequest<V>): Promise<V> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB: a request failed"));
  });
}

function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error("IndexedDB: a transaction failed"));
    transaction.onabort = () => reject(transaction.error ?? new Error("IndexedDB: a transaction was aborted"));
  });
}

function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, SCHEMA_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore(ROWS, { keyPath: ["resource", "id"] });
      db.createObjectStore(OUTBOX, { keyPath: "seq" });
      db.createObjectStore(META);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB: opening " + name + " failed"));
    request.onblocked = () => reject(new Error("IndexedDB " + name + ": an older connection blocks it; close other tabs"));
  });
}

/** A fresh idempotency key: visible ASCII, unique per write. */
function newKey(): string {
  return globalThis.crypto.randomUUID();
}

/** A network failure (no answer), as opposed to an answer that refuses. */
function unreachable(error: unknown): boolean {
  return !(error instanceof ApiError);
}

/** Answers worth sending again later: the server was busy or failing, not refusing the write. */
function transient(error: ApiError): boolean {
  return error.status >= 500 || error.status === 429 || error.status === 408;
}

function idText(id: RowId): string {
  return String(id);
}

/** The page offset a list of this copy hands out as its cursor. */
const LOCAL_CURSOR = "local:";

export class Replica {
  readonly options: ReplicaOptions;
  private readonly resources: ReadonlyMap<string, ReplicaResource>;
  private db: IDBDatabase | null = null;
  /** The server's rows per resource, as last read or fed. */
  private readonly base = new Map<string, Map<string, Row>>();
  private readonly copied = new Set<string>();
  private readonly copying = new Map<string, Promise<void>>();
  private outbox: Write[] = [];
  private nextSeq = 1;
  private position = 0;
  private online = true;
  /** The rows the app reads per resource (base plus outbox), and sorted lists of them. */
  private readonly views = new Map<string, Map<string, Row>>();
  private readonly sorted = new Map<string, readonly Row[]>();
  private readonly listeners = new Set<ReplicaEvents>();
  private flushing: Promise<void> | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private following: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private opened: Promise<boolean> | null = null;

  constructor(options: ReplicaOptions) {
    this.options = options;
    this.resources = new Map(options.resources.map((resource) => [resource.key, resource]));
  }

  /** The database's name: one per scope. */
  get databaseName(): string {
    const { tenantId, userId, branchId } = this.options.scope;
    return [this.options.name, tenantId, userId, branchId || MAIN_BRANCH].map(encodeURIComponent).join("/");
  }

  /** Open the copy: rows, outbox and position as the last session left them; then send what is
   * queued and follow the feed. False when IndexedDB cannot be used here (the app then reads and
   * writes through the server alone). */
  open(): Promise<boolean> {
    this.closed = false;
    this.opened ??= this.load().then(
      () => true,
      (error: unknown) => {
        console.warn("schemagen: no local copy (IndexedDB failed)", error);
        return false;
      },
    );
    return this.opened;
  }

  /** Whether the copy is open and usable (opening it if nothing has). */
  ready(): Promise<boolean> {
    return this.opened ?? this.open();
  }

  /** Close the copy and delete its database: what a merged or discarded branch leaves. */
  async forget(): Promise<void> {
    this.close();
    const factory = this.options.factory ?? globalThis.indexedDB;
    await requestDone(factory.deleteDatabase(this.databaseName));
  }

  private async load(): Promise<void> {
    const db = await openDatabase(this.options.factory ?? globalThis.indexedDB, this.databaseName);
    this.db = db;
    const reading = db.transaction([ROWS, OUTBOX, META], "readonly");
    const [rows, writes, position, copied] = await Promise.all([
      requestDone(reading.objectStore(ROWS).getAll()) as Promise<StoredRow[]>,
      requestDone(reading.objectStore(OUTBOX).getAll()) as Promise<Write[]>,
      requestDone(reading.objectStore(META).get("position")) as Promise<number | undefined>,
      requestDone(reading.objectStore(META).get("copied")) as Promise<string[] | undefined>,
    ]);
    for (const stored of rows) this.baseOf(stored.resource).set(idText(stored.id), stored.row);
    this.outbox = writes.sort((a, b) => a.seq - b.seq);
    this.nextSeq = (this.outbox[this.outbox.length - 1]?.seq ?? 0) + 1;
    this.position = position ?? 0;
    for (const key of copied ?? []) if (this.resources.has(key)) this.copied.add(key);
    if (typeof window !== "undefined") {
      window.addEventListener("online", this.reconnect);
      window.addEventListener("offline", this.disconnect);
    }
    void this.flush();
    if (this.options.live !== false) this.follow();
  }

  /** Stop following the feed and sending; close the database. The outbox stays for next time. */
  close(): void {
    this.closed = true;
    if (this.following !== null) clearTimeout(this.following);
    this.following = null;
    if (this.retry !== null) clearTimeout(this.retry);
    if (typeof window !== "undefined") {
      window.removeEventListener("online", this.reconnect);
      window.removeEventListener("offline", this.disconnect);
    }
    this.db?.close();
    this.db = null;
    this.opened = null;
  }

  subscribe(events: ReplicaEvents): () => void {
    this.listeners.add(events);
    return () => this.listeners.delete(events);
  }

  status(): ReplicaStatus {
    return {
      online: this.online,
      pending: this.outbox.filter((write) => write.state === "pending").length,
      conflicts: this.outbox.filter((write) => write.state === "conflict"),
      position: this.position,
    };
  }

  // --- Reads ------------------------------------------------------------------------------------

  /** A page of a list: from the copy when it holds the resource and decides the parameters, else
   * from the server (and the resource is copied meanwhile, for the next read). */
  async list(resource: string, params: object, options?: RequestOptions): Promise<RowPage> {
    const entry = this.resource(resource);
    const values: { readonly [name: string]: unknown } = { ...params };
    const cursor = typeof values["cursor"] === "string" ? values["cursor"] : null;
    const local = cursor === null || cursor.startsWith(LOCAL_CURSOR);
    if (local && decidable(params, entry.spec)) {
      if (this.copied.has(resource)) return this.localPage(entry, values, cursor === null ? 0 : Number(cursor.slice(LOCAL_CURSOR.length)) || 0);
      // The first read of a resource: the server answers it while the copy is made; the lists are
      // told to read again (`changed`) when it is ready.
      this.copy(resource).catch((error: unknown) => {
        if (unreachable(error)) this.setOnline(false);
      });
    }
    try {
      return await entry.list(params, { ...options, client: this.options.client });
    } catch (error) {
      if (unreachable(error)) this.setOnline(false);
      throw error;
    }
  }

  /** One row: from the copy when it holds the resource, else from the server. */
  async get(resource: string, id: RowId, options?: RequestOptions): Promise<Row> {
    const entry = this.resource(resource);
    if (this.copied.has(resource)) {
      const row = this.view(resource).get(idText(id));
      if (row !== undefined) return row;
      throw new ApiError(404, { detail: entry.key + " " + idText(id) + " not found", error_code: "not_found", field: null });
    }
    return entry.get(id, { ...options, client: this.options.client });
  }

  private localPage(entry: ReplicaResource, params: { readonly [name: string]: unknown }, offset: number): RowPage {
    const started = performance.now();
    const rows = this.sortedRows(entry, params);
    const limit = typeof params["limit"] === "number" && params["limit"] > 0 ? params["limit"] : 50;
    const items = rows.slice(offset, offset + limit);
    const next = offset + limit < rows.length ? LOCAL_CURSOR + String(offset + limit) : null;
    measure("schemagen:local-list:" + entry.key, started);
    return { items, next_cursor: next };
  }

  private sortedRows(entry: ReplicaResource, params: { readonly [name: string]: unknown }): readonly Row[] {
    const selection = without(params, ["cursor", "limit"]);
    const key = entry.key + "\u0000" + JSON.stringify(selection);
    const cached = this.sorted.get(key);
    if (cached !== undefined) return cached;
    const rows = Array.from(this.view(entry.key).values())
      .filter((row) => matchesParams(row, selection, entry.spec))
      .sort((a, b) => compareRows(a, b, selection, entry.spec));
    this.sorted.set(key, rows);
    return rows;
  }

  /** Copy every row of a resource from the server (once at a time), then catch up on the feed
   * from where it was before the copy began. */
  copy(resource: string): Promise<void> {
    const running = this.copying.get(resource);
    if (running !== undefined) return running;
    const work = this.copyNow(resource).finally(() => this.copying.delete(resource));
    this.copying.set(resource, work);
    return work;
  }

  private async copyNow(resource: string): Promise<void> {
    const entry = this.resource(resource);
    await this.pull();
    const rows: Row[] = [];
    let cursor: string | null = null;
    do {
      const params: { [name: string]: unknown } = { limit: this.options.pageSize ?? 500 };
      if (entry.spec.softDelete) params["include_deleted"] = true;
      if (cursor !== null) params["cursor"] = cursor;
      const page = await entry.list(params, { client: this.options.client });
      rows.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor !== null);
    const base = new Map(rows.map((row) => [idText(row.id), row]));
    this.base.set(resource, base);
    this.copied.add(resource);
    await this.store((stores) => {
      stores.rows.delete(IDBKeyRange.bound([resource], [resource, []]));
      for (const row of rows) stores.rows.put({ resource, id: row.id, row } satisfies StoredRow);
      stores.meta.put(Array.from(this.copied), "copied");
    });
    this.touched([resource]);
    // What changed while the pages were read comes after the position the copy started from.
    await this.pull();
  }

  // --- The change feed --------------------------------------------------------------------------

  /** Read the feed from the copy's position to its end and apply it. */
  async pull(): Promise<void> {
    for (;;) {
      let page: { items: Change[]; position: number; more: boolean };
      try {
        page = await this.options.client.request("GET", "/api/changes", { query: { since: this.position, limit: FEED_PAGE } });
      } catch (error) {
        if (unreachable(error)) this.setOnline(false);
        throw error;
      }
      this.setOnline(true);
      await this.apply(page.items, page.position);
      if (!page.more) return;
    }
  }

  /** Apply changes (in feed order) and move the position past them. */
  async apply(changes: readonly Change[], position: number): Promise<void> {
    const touched = new Set<string>();
    const puts: StoredRow[] = [];
    const deletes: [string, RowId][] = [];
    const branch = this.options.scope.branchId || MAIN_BRANCH;
    for (const change of changes) {
      if (!this.copied.has(change.resource)) continue;
      const base = this.baseOf(change.resource);
      const id = change.row?.id ?? change.row_id;
      const kept = base.get(idText(id));
      // Main's changes reach a branch's readers, except for rows the branch has its own copy of.
      if (branch !== MAIN_BRANCH && change.branch_id === MAIN_BRANCH && kept !== undefined && fieldOf(kept, "branch_id") === branch) continue;
      if (change.deleted || change.row === null) {
        base.delete(idText(id));
        deletes.push([change.resource, kept?.id ?? id]);
      } else {
        base.set(idText(id), change.row);
        puts.push({ resource: change.resource, id: change.row.id, row: change.row });
      }
      touched.add(change.resource);
    }
    if (position <= this.position && touched.size === 0) return;
    this.position = Math.max(this.position, position);
    await this.store((stores) => {
      for (const stored of puts) stores.rows.put(stored);
      for (const [resource, id] of deletes) stores.rows.delete([resource, id]);
      stores.meta.put(this.position, "position");
    });
    if (touched.size > 0) this.touched(Array.from(touched));
  }

  /** Follow the feed: read it from the copy's position every `FOLLOW_MS`, less often while the
   * server cannot be reached. (The server's `GET /api/changes/stream` sends the same changes as
   * server-sent events, itself looking every 0.5 s; with that stream held open by a fetch, the
   * browser suite's 1,000-row list stopped drawing in about one run in three, and never with it
   * closed, so the copy asks instead.) */
  private follow(): void {
    if (this.closed || this.following !== null) return;
    const delay = this.online ? FOLLOW_MS : (RETRY_MS[Math.min(this.attempts, RETRY_MS.length - 1)] ?? 5000);
    this.following = setTimeout(() => {
      this.pull().then(
        () => {
          this.attempts = 0;
          this.followNext();
        },
        () => {
          this.attempts += 1;
          this.followNext();
        },
      );
    }, delay);
  }

  private followNext(): void {
    this.following = null;
    this.follow();
  }

  // --- Writes -----------------------------------------------------------------------------------

  /** A create: its id made here for uuid-keyed resources. Online it waits for the server. */
  create(resource: string, body: object): Promise<Row> {
    const entry = this.resource(resource);
    const values: { [field: string]: unknown } = { ...body };
    if (entry.clientIds && (values["id"] === undefined || values["id"] === null)) values["id"] = globalThis.crypto.randomUUID();
    const id = values["id"];
    if (typeof id !== "string" && typeof id !== "number") {
      // Integer ids are the server's to give: such a create cannot wait in the outbox.
      return this.direct(resource, () => {
        if (entry.create === undefined) throw notOffered("create");
        return entry.create(body, { client: this.options.client });
      });
    }
    return this.write(resource, "create", id, values);
  }

  update(resource: string, id: RowId, patch: object): Promise<Row> {
    return this.write(resource, "update", id, { ...patch });
  }

  async remove(resource: string, id: RowId): Promise<void> {
    await this.write(resource, "remove", id, null);
  }

  restore(resource: string, id: RowId): Promise<Row> {
    return this.write(resource, "restore", id, null);
  }

  /** A write that is not kept in the outbox (a custom action, a bulk run, a merge): sent now,
   * then the feed is read so the copy has what it changed. */
  async direct<T>(resource: string | null, send: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await send();
    } catch (error) {
      if (unreachable(error)) this.setOnline(false);
      throw error;
    }
    this.setOnline(true);
    await this.pull().catch(() => undefined);
    if (resource !== null) this.touched([resource]);
    return result;
  }

  private async write(resource: string, kind: WriteKind, id: RowId, body: { readonly [field: string]: unknown } | null): Promise<Row> {
    const write: Write = { seq: this.nextSeq++, resource, kind, id, body, idempotencyKey: newKey(), at: Date.now(), state: "pending", error: null };
    // Shown at once, sent only once it is stored: a write the page did not live to store was
    // never sent either, and one that reached the server is in the outbox until it answers.
    const stored = this.store((stores) => stores.outbox.put(write));
    this.outbox.push(write);
    this.touched([resource]);
    try {
      await stored;
    } catch (error) {
      this.outbox = this.outbox.filter((queued) => queued.seq !== write.seq);
      this.touched([resource]);
      throw error;
    }
    if (this.online) {
      this.waiting.add(write.seq);
      try {
        await this.flush();
      } finally {
        this.waiting.delete(write.seq);
      }
      const left = this.outbox.find((queued) => queued.seq === write.seq);
      if (left?.state === "conflict" && left.error !== null) {
        // The caller is here to decide (the edit form shows its conflict): nothing stays queued.
        await this.drop(left);
        throw new ApiError(left.error.status, left.error);
      }
      const refused = this.refusals.get(write.seq);
      this.refusals.delete(write.seq);
      if (refused !== undefined) throw refused;
    }
    return this.view(resource).get(idText(id)) ?? { id };
  }

  /** Writes whose caller waits for the server: a refusal goes to the caller, not to `refused`. */
  private readonly waiting = new Set<number>();
  private readonly refusals = new Map<number, ApiError>();

  /** Send the outbox in order until it is empty or the server cannot be reached. */
  flush(): Promise<void> {
    if (this.flushing !== null) return this.flushing;
    this.flushing = this.sendAll().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async sendAll(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const write = this.outbox.find((queued) => queued.state === "pending");
      if (write === undefined) return;
      try {
        const row = await this.send(write);
        this.attempts = 0;
        this.setOnline(true);
        await this.settle(write, row);
      } catch (error) {
        if (unreachable(error) || (error instanceof ApiError && transient(error))) {
          if (unreachable(error)) this.setOnline(false);
          this.scheduleRetry();
          return;
        }
        if (!(error instanceof ApiError)) throw error;
        this.setOnline(true);
        if (error.error_code === "version_conflict") {
          // The copy's row is older than the server's: read it now, so a reload or "keep mine"
          // starts from the version the server has, not from what the feed has yet to bring.
          await this.refresh(write.resource, write.id).catch(() => undefined);
          await this.replace(write, { ...write, state: "conflict", error: errorOf(error) });
        }
        else await this.refuse(write, error);
      }
    }
  }

  private send(write: Write): Promise<Row | null> {
    const entry = this.resource(write.resource);
    const options: RequestOptions = { client: this.options.client, headers: { "Idempotency-Key": write.idempotencyKey } };
    const body = write.body ?? {};
    switch (write.kind) {
      case "create":
        if (entry.create === undefined) throw notOffered(write.kind);
        return entry.create(body, options);
      case "update":
        if (entry.update === undefined) throw notOffered(write.kind);
        return entry.update(write.id, body, options);
      case "restore":
        if (entry.restore === undefined) throw notOffered(write.kind);
        return entry.restore(write.id, options);
      case "remove":
        if (entry.remove === undefined) throw notOffered(write.kind);
        return entry.remove(write.id, options).then(() => null);
    }
  }

  /** The server accepted a write: its row (or its absence) becomes the copy's, the write leaves. */
  private async settle(write: Write, row: Row | null): Promise<void> {
    const base = this.baseOf(write.resource);
    const entry = this.resource(write.resource);
    let stored: StoredRow | null = null;
    if (row !== null) {
      base.set(idText(row.id), row);
      stored = { resource: write.resource, id: row.id, row };
    } else if (write.kind === "remove" && entry.spec.softDelete) {
      const kept = base.get(idText(write.id));
      if (kept !== undefined) {
        const deleted = withFields(kept, { deleted_at: new Date(write.at).toISOString() });
        base.set(idText(write.id), deleted);
        stored = { resource: write.resource, id: write.id, row: deleted };
      }
    } else if (write.kind === "remove") {
      base.delete(idText(write.id));
    }
    this.outbox = this.outbox.filter((queued) => queued.seq !== write.seq);
    await this.store((stores) => {
      stores.outbox.delete(write.seq);
      if (stored !== null) stores.rows.put(stored);
      else if (write.kind === "remove") stores.rows.delete([write.resource, write.id]);
    });
    this.touched([write.resource]);
  }

  private async refuse(write: Write, error: ApiError): Promise<void> {
    await this.drop(write);
    if (this.waiting.has(write.seq)) this.refusals.set(write.seq, error);
    else for (const listener of this.listeners) listener.refused?.({ write, error });
  }

  private async drop(write: Write): Promise<void> {
    this.outbox = this.outbox.filter((queued) => queued.seq !== write.seq);
    await this.store((stores) => stores.outbox.delete(write.seq));
    this.touched([write.resource]);
  }

  private async replace(write: Write, next: Write): Promise<void> {
    this.outbox = this.outbox.map((queued) => (queued.seq === write.seq ? next : queued));
    await this.store((stores) => stores.outbox.put(next));
    this.touched([write.resource]);
  }

  /** A conflict resolved for my change: sent again on top of the server's current version. */
  async keepMine(seq: number): Promise<void> {
    const write = this.outbox.find((queued) => queued.seq === seq && queued.state === "conflict");
    if (write === undefined) return;
    const current = await this.refresh(write.resource, write.id);
    const body = { ...write.body, version: fieldOf(current, "version") };
    await this.replace(write, { ...write, body, state: "pending", error: null, idempotencyKey: newKey() });
    await this.flush();
  }

  /** A conflict resolved for theirs: my change is dropped and the server's row read. */
  async takeTheirs(seq: number): Promise<void> {
    const write = this.outbox.find((queued) => queued.seq === seq && queued.state === "conflict");
    if (write === undefined) return;
    await this.drop(write);
    await this.refresh(write.resource, write.id);
  }

  /** The server's row of an id, read now into the copy. */
  private async refresh(resource: string, id: RowId): Promise<Row> {
    const current = await this.resource(resource).get(id, { client: this.options.client });
    this.baseOf(resource).set(idText(current.id), current);
    await this.store((stores) => stores.rows.put({ resource, id: current.id, row: current }));
    this.touched([resource]);
    return current;
  }

  // --- Connection ---------------------------------------------------------------------------------

  private readonly reconnect = (): void => {
    this.attempts = 0;
    void this.flush();
    void this.pull().catch(() => undefined);
  };

  private readonly disconnect = (): void => {
    this.setOnline(false);
  };

  private scheduleRetry(): void {
    if (this.retry !== null || this.closed) return;
    const delay = RETRY_MS[Math.min(this.attempts, RETRY_MS.length - 1)] ?? 5000;
    this.attempts += 1;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.flush();
    }, delay);
  }

  private setOnline(online: boolean): void {
    if (this.online === online) return;
    this.online = online;
    if (online) void this.flush();
    for (const listener of this.listeners) listener.changed?.([]);
  }

  // --- The rows the app reads -------------------------------------------------------------------

  private resource(key: string): ReplicaResource {
    const entry = this.resources.get(key);
    if (entry === undefined) throw new Error("the replica has no resource " + key);
    return entry;
  }

  private baseOf(resource: string): Map<string, Row> {
    let rows = this.base.get(resource);
    if (rows === undefined) {
      rows = new Map();
      this.base.set(resource, rows);
    }
    return rows;
  }

  /** The server's rows with every write still in the outbox applied, oldest first. */
  private view(resource: string): Map<string, Row> {
    const cached = this.views.get(resource);
    if (cached !== undefined) return cached;
    const rows = new Map(this.baseOf(resource));
    const softDelete = this.resource(resource).spec.softDelete;
    for (const write of this.outbox) {
      if (write.resource !== resource) continue;
      const key = idText(write.id);
      const row = rows.get(key);
      if (write.kind === "create") rows.set(key, withFields({ ...row, id: write.id }, without(definedOnly(write.body ?? {}), ["id"])));
      else if (row === undefined) continue;
      else if (write.kind === "update") {
        // The version stays the server's: the patch names the one it is based on.
        rows.set(key, withFields(row, without(definedOnly(write.body ?? {}), ["version"])));
      }
      else if (write.kind === "restore") rows.set(key, withFields(row, { deleted_at: null }));
      else if (softDelete) rows.set(key, withFields(row, { deleted_at: new Date(write.at).toISOString() }));
      else rows.delete(key);
    }
    this.views.set(resource, rows);
    return rows;
  }

  private touched(resources: readonly string[]): void {
    for (const resource of resources) {
      this.views.delete(resource);
      for (const key of Array.from(this.sorted.keys())) if (key.startsWith(resource + "\u0000")) this.sorted.delete(key);
    }
    for (const listener of this.listeners) listener.changed?.(resources);
  }

  private async store(change: (stores: { rows: IDBObjectStore; outbox: IDBObjectStore; meta: IDBObjectStore }) => void): Promise<void> {
    const db = this.db;
    if (db === null) return;
    const transaction = db.transaction([ROWS, OUTBOX, META], "readwrite");
    change({ rows: transaction.objectStore(ROWS), outbox: transaction.objectStore(OUTBOX), meta: transaction.objectStore(META) });
    await transactionDone(transaction);
  }
}

type Fields = { readonly [field: string]: unknown };

function withFields(row: Row, fields: Fields): Row {
  return { ...row, ...fields };
}

function without(values: Fields, names: readonly string[]): Fields {
  return Object.fromEntries(Object.entries(values).filter(([name]) => !names.includes(name)));
}

function notOffered(what: string): ApiError {
  return new ApiError(405, { detail: what + " is not offered for this resource", error_code: "method_not_allowed", field: null });
}


function errorOf(error: ApiError): Write["error"] {
  return { status: error.status, error_code: error.error_code, detail: error.detail, field: error.field };
}

/** A `performance.measure` entry from `started` (a performance.now() or Date.now() time) to now,
 * so a browser test reads real figures. */
function measure(name: string, started: number): void {
  if (typeof performance === "undefined" || typeof performance.measure !== "function") return;
  const start = started > 1e12 ? started - performance.timeOrigin : started;
  try {
    performance.measure(name, { start, end: performance.now() });
  } catch {
    // A start before the page's time origin (a write made in another page): nothing to measure.
  }
}
