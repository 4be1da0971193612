/* runtime/idb.ts on fake-indexeddb: stores created, upgraded in place, rows kept by key. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { IDBFactory } from "fake-indexeddb";
import { deleteRow, getRow, getRows, openStores, putRow, type StoreDefinition } from "../runtime/client/idb.js";

const notes: StoreDefinition = {
  name: "notes",
  resource: "note",
  keyPath: ["tenant_id", "id"],
  indexes: [{ name: "by_tags", keyPath: "tags", unique: false, multiEntry: true }],
};

test("stores are created, then upgraded one version up when their definitions change", async () => {
  const factory = new IDBFactory();
  const first = await openStores([{ ...notes, keyPath: "id", indexes: [] }, { name: "stale", resource: "stale", keyPath: "id", indexes: [] }], { name: "t", factory });
  assert.equal(first.version, 1);
  first.close();
  const db = await openStores([notes], { name: "t", factory });
  assert.equal(db.version, 2);
  assert.deepEqual(Array.from(db.objectStoreNames), ["notes"]);
  const store = db.transaction("notes", "readonly").objectStore("notes");
  assert.deepEqual(store.keyPath, ["tenant_id", "id"]);
  assert.equal(store.index("by_tags").multiEntry, true);
  await putRow(db, "notes", { tenant_id: "t1", id: "n1", tags: ["a", "b"] });
  await putRow(db, "notes", { tenant_id: "t2", id: "n1", tags: ["b"] });
  assert.deepEqual(await getRow<{ tags: string[] }>(db, "notes", ["t1", "n1"]), { tenant_id: "t1", id: "n1", tags: ["a", "b"] });
  assert.equal((await getRows(db, "notes", "b", "by_tags")).length, 2);
  await deleteRow(db, "notes", ["t2", "n1"]);
  assert.equal((await getRows(db, "notes")).length, 1);
  db.close();
  const same = await openStores([notes], { name: "t", factory });
  assert.equal(same.version, 2); // nothing changed: no upgrade
  same.close();
});
