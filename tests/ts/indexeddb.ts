/* openDatabase() of the kitchen sink's client on fake-indexeddb: a database left by an older
 * schema is upgraded to the generated stores and indexes, rows go in and come out by their scoped
 * key paths and indexes, and a second open changes nothing. Prints JSON for test_client.py. */

import { indexedDB } from "fake-indexeddb";
import * as idb from "./kitchen_sink/client/src/idb.js";
import type { Draft, Gadget } from "./kitchen_sink/client/src/types.js";

declare const process: { stdout: { write(text: string): boolean } };

const name = "kitchen-sink-test";
// What an older client left: a store that is gone from the schema, and gadgets keyed by id alone.
await new Promise<void>((resolve, reject) => {
  const request = indexedDB.open(name, 1);
  request.onupgradeneeded = () => {
    request.result.createObjectStore("stale");
    request.result.createObjectStore("gadgets", { keyPath: "id" }).createIndex("by_old", "old");
  };
  request.onsuccess = () => {
    request.result.close();
    resolve();
  };
  request.onerror = () => reject(request.error);
});

const db = await idb.openDatabase({ name, factory: indexedDB });
const reading = db.transaction(Array.from(db.objectStoreNames), "readonly");
const gadgets = reading.objectStore("gadgets");
const drafts = reading.objectStore("drafts");
const upgraded = {
  version: db.version,
  stores: Array.from(db.objectStoreNames),
  gadgetKeyPath: gadgets.keyPath,
  gadgetIndexes: Array.from(gadgets.indexNames),
  kindIndex: gadgets.index("by_kind").keyPath,
  tagsIndex: { keyPath: gadgets.index("by_tags").keyPath, multiEntry: gadgets.index("by_tags").multiEntry },
  draftKeyPath: drafts.keyPath,
};

const gadget = (id: string, tenant: string, kind: Gadget["kind"], tags: string[]) => ({ id, tenant_id: tenant, kind, tags, name: id }) as unknown as Gadget;
await idb.idbPut(db, "gadget", gadget("g1", "t1", "it's", ["new", "say \"hi\""]));
await idb.idbPut(db, "gadget", gadget("g1", "t2", "economy", ["new"]));
await idb.idbPut(db, "gadget", gadget("g2", "t1", "economy", []));
await idb.idbPut(db, "draft", { id: "d1", branch_id: "feature", title: "On a branch" } as unknown as Draft);
const rows = {
  byKey: (await idb.idbGet(db, "gadget", ["t1", "g1"]))?.kind ?? null,
  otherTenant: (await idb.idbGet(db, "gadget", ["t2", "g1"]))?.kind ?? null,
  byKind: (await idb.idbGetAll(db, "gadget", ["t1", "economy"], "by_kind")).map((row) => row.id),
  byTag: (await idb.idbGetAll(db, "gadget", "new", "by_tags")).map((row) => row.tenant_id + "/" + row.id),
  draft: (await idb.idbGet(db, "draft", ["feature", "d1"]))?.title ?? null,
};
await idb.idbDelete(db, "gadget", ["t2", "g1"]);
const remaining = (await idb.idbGetAll(db, "gadget")).length;
db.close();

const again = await idb.openDatabase({ name, factory: indexedDB });
const reopened = { version: again.version, rows: (await idb.idbGetAll(again, "gadget")).length };
again.close();

// A database that does not exist yet is made at version 1 with every store.
const fresh = await idb.openDatabase({ name: "kitchen-sink-fresh", factory: indexedDB });
const created = { version: fresh.version, stores: Array.from(fresh.objectStoreNames) };
fresh.close();

process.stdout.write(JSON.stringify({ upgraded, rows, remaining, reopened, created }) + "\n");
