/* runtime/replica.ts on fake-indexeddb, against an in-memory API that keeps a change feed and
 * honours Idempotency-Key as the generated server does (the browser suite runs it against the
 * real one): lists answered from the copy, writes kept in the outbox across a reload and sent
 * once, refusals and conflicts, and the feed applied. */

import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { test } from "node:test";
import { IDBFactory } from "fake-indexeddb";
import { ApiClient, ApiError, type RequestOptions } from "../runtime/client/http.js";
import type { QuerySpec } from "../runtime/client/matching.js";
import { fieldOf, Replica, type Change, type ReplicaResource, type Row, type RowPage } from "../runtime/client/replica.js";

interface Note {
  id: string;
  title: string;
  kind: string;
  version: number;
  deleted_at: string | null;
}

const spec: QuerySpec = { filters: { kind: "text" }, search: ["title"], sortable: { title: "text", id: "text" }, defaultSort: ["title"], softDelete: true };

/** The API of one resource with a change feed: what the replica talks to. */
class Api {
  rows = new Map<string, Note>();
  feed: Change[] = [];
  /** Answers by idempotency key: a write sent again gets its first answer. */
  answers = new Map<string, Note | null>();
  applied = 0;
  down = false;
  /** The next write is applied but its answer is lost on the way back. */
  loseNextAnswer = false;
  listCalls = 0;

  private reachable(): void {
    if (this.down) throw new TypeError("fetch failed");
  }

  private record(row: Note | null, id: string): void {
    this.feed.push({ position: this.feed.length + 1, resource: "note", row_id: id, action: "x", deleted: row === null, row, branch_id: null });
  }

  private once(options: RequestOptions | undefined, apply: () => Note | null): Note | null {
    this.reachable();
    const key = new Headers(options?.headers).get("Idempotency-Key");
    if (key !== null && this.answers.has(key)) return this.answers.get(key) ?? null;
    const answer = apply();
    this.applied += 1;
    if (key !== null) this.answers.set(key, answer);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new TypeError("the connection dropped");
    }
    return answer;
  }

  put(note: Note): Note {
    this.rows.set(note.id, note);
    this.record(note, note.id);
    return note;
  }

  resource(): ReplicaResource {
    return {
      key: "note",
      spec,
      clientIds: true,
      list: (params: object): Promise<RowPage> => {
        this.reachable();
        this.listCalls += 1;
        const values: { readonly [name: string]: unknown } = { ...params };
        const all = Array.from(this.rows.values()).sort((a, b) => (a.id < b.id ? -1 : 1));
        const start = typeof values["cursor"] === "string" ? Number(values["cursor"]) : 0;
        const limit = typeof values["limit"] === "number" ? values["limit"] : 50;
        const items = all.slice(start, start + limit);
        return Promise.resolve({ items, next_cursor: start + limit < all.length ? String(start + limit) : null });
      },
      get: (id: string | number): Promise<Row> => {
        this.reachable();
        const row = this.rows.get(String(id));
        return row === undefined ? Promise.reject(new ApiError(404, { error_code: "not_found" })) : Promise.resolve(row);
      },
      create: (body: object, options?: RequestOptions): Promise<Row> => {
        if (this.down) return Promise.reject(new TypeError("fetch failed"));
        const values: { readonly [name: string]: unknown } = { ...body };
        const title = String(values["title"]);
        if (title === "") return Promise.reject(new ApiError(422, { detail: "title is required", error_code: "validation_error", field: "title" }));
        const note: Note = { id: String(values["id"]), title, kind: String(values["kind"] ?? "memo"), version: 1, deleted_at: null };
        return Promise.resolve(this.once(options, () => this.put(note)) ?? note);
      },
      update: (id: string | number, patch: object, options?: RequestOptions): Promise<Row> => {
        const values: { readonly [name: string]: unknown } = { ...patch };
        try {
          const answer = this.once(options, () => {
            const row = this.rows.get(String(id));
            if (row === undefined) throw new ApiError(404, { error_code: "not_found" });
            if (values["version"] !== row.version) throw new ApiError(409, { detail: "stale", error_code: "version_conflict" });
            const title = typeof values["title"] === "string" ? values["title"] : row.title;
            return this.put({ ...row, title, version: row.version + 1 });
          });
          return answer === null ? Promise.reject(new Error("no row")) : Promise.resolve(answer);
        } catch (error) {
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
      remove: (id: string | number, options?: RequestOptions): Promise<void> => {
        try {
          this.once(options, () => {
            const row = this.rows.get(String(id));
            if (row === undefined) throw new ApiError(404, { error_code: "not_found" });
            return this.put({ ...row, deleted_at: "2026-01-01T00:00:00Z" });
          });
          return Promise.resolve();
        } catch (error) {
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
    };
  }

  /** The change feed's routes, as fetch answers them. */
  readonly fetch = (input: string | URL | Request): Promise<Response> => {
    this.reachable();
    const url = new URL(String(input), "http://api.test");
    if (url.pathname !== "/api/changes") return Promise.resolve(new Response("", { status: 404 }));
    const since = Number(url.searchParams.get("since") ?? "0");
    const limit = Number(url.searchParams.get("limit") ?? "100");
    const after = this.feed.filter((change) => change.position > since);
    const items = after.slice(0, limit);
    const body = { items, position: items[items.length - 1]?.position ?? since, more: after.length > limit };
    return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } }));
  };
}

function replicaOf(api: Api, factory: IDBFactory): Replica {
  const client = new ApiClient({ baseUrl: "http://api.test", fetch: api.fetch });
  return new Replica({ name: "notes", scope: { tenantId: "t1", userId: "", branchId: "" }, resources: [api.resource()], client, factory, live: false });
}

function note(id: string, title: string, kind = "memo"): Note {
  return { id, title, kind, version: 1, deleted_at: null };
}

async function copied(replica: Replica, params: object = {}): Promise<readonly Row[]> {
  await replica.list("note", params);
  await replica.copy("note");
  return (await replica.list("note", params)).items;
}

function titles(rows: readonly Row[]): unknown[] {
  return rows.map((row) => fieldOf(row, "title"));
}

test("a resource is copied once, then its lists are filtered, sorted and paged from the copy", async () => {
  const api = new Api();
  for (const [i, title] of ["pear", "apple", "fig", "kiwi"].entries()) api.put(note("n" + String(i), title, i % 2 ? "todo" : "memo"));
  const replica = replicaOf(api, new IDBFactory());
  await replica.open();
  assert.deepEqual(titles(await copied(replica)), ["apple", "fig", "kiwi", "pear"]);
  const calls = api.listCalls;
  assert.deepEqual(titles((await replica.list("note", { kind: "todo" })).items), ["apple", "kiwi"]);
  assert.deepEqual(titles((await replica.list("note", { sort: "-title", q: "I" })).items), ["kiwi", "fig"]);
  const first = await replica.list("note", { limit: 3 });
  assert.equal(first.items.length, 3);
  assert.ok(first.next_cursor?.startsWith("local:"));
  assert.deepEqual(titles((await replica.list("note", { limit: 3, cursor: first.next_cursor })).items), ["pear"]);
  assert.equal(api.listCalls, calls, "answered from the copy");
  // A filter the spec does not know goes to the server.
  await replica.list("note", { owner_id: "u1" });
  assert.equal(api.listCalls, calls + 1);
  replica.close();
});

test("a write made offline is kept across a reload and sent once when the network is back", async () => {
  const api = new Api();
  api.put(note("n1", "first"));
  const factory = new IDBFactory();
  const replica = replicaOf(api, factory);
  await replica.open();
  await copied(replica);
  api.down = true;
  await assert.rejects(replica.pull());
  const made = await replica.create("note", { title: "offline" });
  assert.equal(typeof made.id, "string", "a uuid made here");
  await replica.update("note", "n1", { title: "renamed", version: 1 });
  assert.deepEqual(titles((await replica.list("note", {})).items), ["offline", "renamed"]);
  assert.equal(replica.status().pending, 2);
  assert.equal(replica.status().online, false);
  replica.close();

  const reloaded = replicaOf(api, factory);
  await reloaded.open();
  assert.equal(reloaded.status().pending, 2, "the outbox survived the reload");
  assert.deepEqual(titles((await reloaded.list("note", {})).items), ["offline", "renamed"]);
  api.down = false;
  api.loseNextAnswer = true; // the create is applied, its answer lost: sent again with its key
  await reloaded.flush();
  await new Promise((resolve) => setTimeout(resolve, 600));
  await reloaded.flush();
  assert.equal(reloaded.status().pending, 0);
  assert.equal(api.applied, 2, "each write applied once");
  assert.deepEqual(Array.from(api.rows.values(), (row) => row.title).sort(), ["offline", "renamed"]);
  assert.equal(api.rows.get("n1")?.version, 2);
  reloaded.close();
});

test("online, a refused write throws to its caller and leaves the rows as the server has them", async () => {
  const api = new Api();
  const replica = replicaOf(api, new IDBFactory());
  await replica.open();
  await copied(replica);
  await assert.rejects(replica.create("note", { title: "" }), (error: unknown) => error instanceof ApiError && error.field === "title");
  assert.equal((await replica.list("note", {})).items.length, 0);
  assert.equal(replica.status().pending, 0);
  replica.close();
});

test("a queued write refused later is dropped and reported; a stale one waits as a conflict", async () => {
  const api = new Api();
  api.put(note("n1", "first"));
  const replica = replicaOf(api, new IDBFactory());
  const refused: string[] = [];
  replica.subscribe({ refused: ({ error }) => refused.push(error.error_code) });
  await replica.open();
  await copied(replica);
  api.down = true;
  await assert.rejects(replica.pull());
  await replica.create("note", { title: "" });
  await replica.update("note", "n1", { title: "mine", version: 1 });
  // Someone else changes n1 meanwhile.
  api.down = false;
  api.put({ ...note("n1", "theirs"), version: 2 });
  await replica.flush();
  assert.deepEqual(refused, ["validation_error"]);
  const [conflict] = replica.status().conflicts;
  assert.equal(conflict?.error?.error_code, "version_conflict");
  assert.deepEqual(titles((await replica.list("note", {})).items), ["mine"], "my change is still shown");
  assert.equal(fieldOf(await replica.get("note", "n1"), "version"), 2, "on the server's row, read at the conflict");
  await replica.keepMine(conflict?.seq ?? -1);
  assert.equal(replica.status().conflicts.length, 0);
  assert.equal(api.rows.get("n1")?.title, "mine");
  assert.equal(api.rows.get("n1")?.version, 3);

  // The other way: take theirs.
  api.down = true;
  await replica.update("note", "n1", { title: "mine again", version: 3 });
  api.down = false;
  api.put({ ...note("n1", "theirs again"), version: 4 });
  await replica.flush();
  const [second] = replica.status().conflicts;
  await replica.takeTheirs(second?.seq ?? -1);
  assert.deepEqual(titles((await replica.list("note", {})).items), ["theirs again"]);
  replica.close();
});

test("the feed brings other writers' creates, updates and deletes into the copy", async () => {
  const api = new Api();
  api.put(note("n1", "one"));
  const replica = replicaOf(api, new IDBFactory());
  const changed: string[][] = [];
  replica.subscribe({ changed: (resources) => changed.push([...resources]) });
  await replica.open();
  await copied(replica);
  api.put(note("n2", "two"));
  api.put({ ...note("n1", "uno"), version: 2 });
  api.put({ ...note("n2", "two"), deleted_at: "2026-01-02T00:00:00Z" });
  api.feed.push({ position: api.feed.length + 1, resource: "note", row_id: "n3", action: "delete", deleted: true, row: null, branch_id: null });
  await replica.pull();
  assert.deepEqual(titles((await replica.list("note", {})).items), ["uno"]);
  assert.deepEqual(titles((await replica.list("note", { include_deleted: true })).items), ["two", "uno"]);
  assert.equal(replica.status().position, api.feed.length);
  assert.ok(changed.some((resources) => resources.includes("note")));
  assert.equal(fieldOf(await replica.get("note", "n1"), "version"), 2);
  await assert.rejects(replica.get("note", "n3"), (error: unknown) => error instanceof ApiError && error.status === 404);
  replica.close();
});
