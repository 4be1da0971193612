/* IndexedDB with stores described as plain data: `openStores()` opens a database and brings its
 * stores and indexes in line with the definitions (a store whose key path changed is recreated:
 * it is a cache, the server has the rows), and typed get, put and delete over it. The generated
 * `idb.ts` holds the project's store definitions. */

export interface IndexDefinition {
  name: string;
  keyPath: string | readonly string[];
  unique: boolean;
  /** For arrays: one index entry per item. */
  multiEntry: boolean;
}

export interface StoreDefinition {
  /** The object store's name: the resource's table. */
  name: string;
  resource: string;
  keyPath: string | readonly string[];
  indexes: readonly IndexDefinition[];
}

/** An IndexedDB error as an Error (a request's `error` may be null). */
function failure(error: DOMException | null, what: string): Error {
  return error ?? new Error("IndexedDB: " + what + " failed");
}

function done<V>(request: IDBRequest<V>): Promise<V> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(failure(request.error, "a request"));
  });
}

function samePath(a: string | readonly string[] | null, b: string | readonly string[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameIndex(found: IDBIndex, index: IndexDefinition): boolean {
  return samePath(found.keyPath, index.keyPath) && found.unique === index.unique && found.multiEntry === index.multiEntry;
}

function differs(db: IDBDatabase, wanted: readonly StoreDefinition[]): boolean {
  if (db.objectStoreNames.length !== wanted.length) return true;
  if (!wanted.every((definition) => db.objectStoreNames.contains(definition.name))) return true;
  const reading = db.transaction(
    wanted.map((definition) => definition.name),
    "readonly",
  );
  return wanted.some((definition) => {
    const existing = reading.objectStore(definition.name);
    if (!samePath(existing.keyPath, definition.keyPath) || existing.indexNames.length !== definition.indexes.length) return true;
    return definition.indexes.some((index) => !existing.indexNames.contains(index.name) || !sameIndex(existing.index(index.name), index));
  });
}

function upgrade(db: IDBDatabase, transaction: IDBTransaction, definitions: readonly StoreDefinition[]): void {
  const wanted = new Map<string, StoreDefinition>(definitions.map((definition) => [definition.name, definition]));
  for (const name of Array.from(db.objectStoreNames)) {
    const definition = wanted.get(name);
    if (definition === undefined || !samePath(transaction.objectStore(name).keyPath, definition.keyPath)) db.deleteObjectStore(name);
  }
  for (const definition of wanted.values()) {
    const store = db.objectStoreNames.contains(definition.name)
      ? transaction.objectStore(definition.name)
      : db.createObjectStore(definition.name, { keyPath: typeof definition.keyPath === "string" ? definition.keyPath : keyPathOf(definition.keyPath) });
    for (const name of Array.from(store.indexNames)) {
      const index = definition.indexes.find((candidate) => candidate.name === name);
      if (index === undefined || !sameIndex(store.index(name), index)) store.deleteIndex(name);
    }
    for (const index of definition.indexes) {
      if (store.indexNames.contains(index.name)) continue;
      const keyPath = typeof index.keyPath === "string" ? index.keyPath : [...index.keyPath];
      store.createIndex(index.name, keyPath, { unique: index.unique, multiEntry: index.multiEntry });
    }
  }
}

/** A store's key path: one name on its own, several as an array. */
function keyPathOf(path: readonly string[]): string | string[] {
  return path.length === 1 && path[0] !== undefined ? path[0] : [...path];
}

function open(factory: IDBFactory, name: string, definitions: readonly StoreDefinition[], version?: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = version === undefined ? factory.open(name) : factory.open(name, version);
    request.onupgradeneeded = () => {
      if (request.transaction !== null) upgrade(request.result, request.transaction, definitions);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(failure(request.error, "opening " + name));
    request.onblocked = () => reject(new Error("IndexedDB " + name + ": an older connection blocks the upgrade; close other tabs"));
  });
}

export interface OpenOptions {
  /** The database's name. */
  name: string;
  /** default: the global `indexedDB`. */
  factory?: IDBFactory | undefined;
}

/** The database with every store and index as defined: upgraded (one version up) when they differ. */
export async function openStores(definitions: readonly StoreDefinition[], options: OpenOptions): Promise<IDBDatabase> {
  const factory = options.factory ?? globalThis.indexedDB;
  const db = await open(factory, options.name, definitions);
  if (!differs(db, definitions)) return db;
  const version = db.version + 1;
  db.close();
  return open(factory, options.name, definitions, version);
}

/** One request in a transaction of its own on one store. */
export function inStore<V>(db: IDBDatabase, store: string, mode: IDBTransactionMode, action: (objects: IDBObjectStore) => IDBRequest<V>): Promise<V> {
  return done(action(db.transaction(store, mode).objectStore(store)));
}

/** Rows as the store holds them: the generated `idb.ts` names their type per store. */
export async function getRow<V>(db: IDBDatabase, store: string, key: IDBValidKey): Promise<V | undefined> {
  const found: unknown = await inStore(db, store, "readonly", (objects) => objects.get(key));
  return found as V | undefined;
}

export async function getRows<V>(db: IDBDatabase, store: string, query?: IDBValidKey | IDBKeyRange | null, index?: string): Promise<V[]> {
  const found: unknown[] = await inStore(db, store, "readonly", (objects) => (index === undefined ? objects : objects.index(index)).getAll(query));
  return found as V[];
}

export async function putRow(db: IDBDatabase, store: string, row: unknown): Promise<void> {
  await inStore(db, store, "readwrite", (objects) => objects.put(row));
}

export async function deleteRow(db: IDBDatabase, store: string, key: IDBValidKey): Promise<void> {
  await inStore(db, store, "readwrite", (objects) => objects.delete(key));
}
