/* Local-first in the app: the resources' functions routed through a `Replica` (client runtime,
 * replica.ts) of the scope, so lists and rows are read from memory and IndexedDB, writes wait in
 * a durable outbox when the network is down, and other writers' changes arrive by the change
 * feed; and the bar that shows it: online or offline, writes pending, and conflicts to settle.
 *
 * Only resources whose lists the client can evaluate (`spec`) are copied; custom actions, bulk
 * runs and the rest go to the server as before, after which the feed is read. When IndexedDB
 * cannot be opened (a private window, an old browser) every function goes to the server. */

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ApiClient } from "../client/http.js";
import { Replica, type ReplicaResource, type ReplicaStatus, type Write } from "../client/replica.js";
import { Dialog } from "./AutoModal.js";
import type { ResourceEntry, Row } from "./resources.js";
import { useSession, useToast, type Scope } from "./session.js";
import { messageOf } from "./values.js";

/** What the replica needs of an entry: null for a resource it does not copy. */
export function replicaResource(entry: ResourceEntry): ReplicaResource | null {
  if (entry.spec === undefined) return null;
  return {
    key: entry.key,
    spec: entry.spec,
    clientIds: entry.clientIds === true,
    list: entry.list.bind(entry),
    get: entry.get.bind(entry),
    ...(entry.create && { create: entry.create.bind(entry) }),
    ...(entry.update && { update: entry.update.bind(entry) }),
    ...(entry.remove && { remove: entry.remove.bind(entry) }),
    ...(entry.restore && { restore: entry.restore.bind(entry) }),
  };
}

/** The replica of a scope, for the entries it can copy. */
export function replicaOf(name: string, scope: Scope, entries: readonly ResourceEntry[], client: ApiClient): Replica {
  const resources = entries.map(replicaResource).filter((resource): resource is ReplicaResource => resource !== null);
  return new Replica({ name, scope, resources, client });
}

/** The entries with their reads and writes going through the replica (while it can be opened). */
export function localEntries(entries: readonly ResourceEntry[], replica: Replica): ResourceEntry[] {
  return entries.map((entry) => {
    const key = entry.key;
    const direct = <T,>(send: () => Promise<T>) => replica.direct(key, send);
    const actions = Object.fromEntries(
      Object.entries(entry.actions).map(([name, action]) => [name, { input: action.input, run: (id: Row["id"], input: object, options?: Parameters<typeof action.run>[2]) => direct(() => action.run(id, input, options)) }]),
    );
    const bulk = entry.bulk?.bind(entry);
    const undoBulk = entry.undoBulk?.bind(entry);
    const server = { ...entry, actions, ...(bulk && { bulk: (body: object, options?: Parameters<typeof bulk>[1]) => direct(() => bulk(body, options)) }), ...(undoBulk && { undoBulk: (body: { undo_token: string }, options?: Parameters<typeof undoBulk>[1]) => direct(() => undoBulk(body, options)) }) };
    if (entry.spec === undefined) return server;
    const list = entry.list.bind(entry);
    const get = entry.get.bind(entry);
    const create = entry.create?.bind(entry);
    const update = entry.update?.bind(entry);
    const remove = entry.remove?.bind(entry);
    const restore = entry.restore?.bind(entry);
    const local = () => replica.ready();
    return {
      ...server,
      list: async (params: object, options?: Parameters<typeof list>[1]) => ((await local()) ? replica.list(key, params, options) : list(params, options)),
      get: async (id: Row["id"], options?: Parameters<typeof get>[1]) => ((await local()) ? replica.get(key, id, options) : get(id, options)),
      ...(create && { create: async (body: object, options?: Parameters<typeof create>[1]) => ((await local()) ? replica.create(key, body) : create(body, options)) }),
      ...(update && { update: async (id: Row["id"], patch: object, options?: Parameters<typeof update>[2]) => ((await local()) ? replica.update(key, id, patch) : update(id, patch, options)) }),
      ...(remove && { remove: async (id: Row["id"], options?: Parameters<typeof remove>[1]) => ((await local()) ? replica.remove(key, id) : remove(id, options)) }),
      ...(restore && { restore: async (id: Row["id"], options?: Parameters<typeof restore>[1]) => ((await local()) ? replica.restore(key, id) : restore(id, options)) }),
    };
  });
}

/** The replica's status, kept current. */
function useReplicaStatus(replica: Replica | null): ReplicaStatus | null {
  const [status, setStatus] = useState<ReplicaStatus | null>(() => replica?.status() ?? null);
  useEffect(() => {
    if (replica === null) return;
    setStatus(replica.status());
    return replica.subscribe({ changed: () => setStatus(replica.status()) });
  }, [replica]);
  return status;
}

/** How long a change of the copy waits for the scope's reads in flight before it is shown. */
const BUSY_WAIT_MS = 50;

/** The scope's lists and rows are read again (from the copy) when the copy changes, at most once a
 * frame however many changes the feed brings at once, and never by cancelling a read in flight
 * (a "Load more" clicked as a change arrives would be lost); a queued write the server refused
 * is told. */
function useReplicaBridge(replica: Replica | null): void {
  const queryClient = useQueryClient();
  const { queryKey } = useSession();
  const toast = useToast();
  useEffect(() => {
    if (replica === null) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refresh = () => {
      if (queryClient.isFetching({ queryKey }) > 0) {
        timer = setTimeout(refresh, BUSY_WAIT_MS);
        return;
      }
      timer = null;
      void queryClient.invalidateQueries({ queryKey }, { cancelRefetch: false });
    };
    const unsubscribe = replica.subscribe({
      changed: (resources) => {
        if (resources.length === 0 || timer !== null) return;
        timer = setTimeout(refresh, 0);
      },
      refused: ({ write, error }) => toast({ message: "A " + writeLabel(write) + " was refused: " + error.detail, tone: "error" }),
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [replica, queryClient, queryKey, toast]);
}

function writeLabel(write: Write): string {
  const what = { create: "new", update: "change to", remove: "delete of", restore: "restore of" }[write.kind];
  return what + " " + write.resource.replaceAll("_", " ") + (write.kind === "create" ? "" : " " + String(write.id));
}

/** Online or offline, writes waiting to be sent, and conflicts: each with keep mine or take theirs. */
export function SyncStatus() {
  const { replica, keepsCopy, setKeepsCopy } = useSession();
  useReplicaBridge(replica);
  const status = useReplicaStatus(replica);
  const [open, setOpen] = useState(false);
  const toast = useToast();
  if (keepsCopy === null) return null;
  // A choice of this browser's: its rows stay on the device (and work offline) once it is on.
  const choice = (
    <label className="sg-sync-choice">
      <input type="checkbox" checked={keepsCopy} onChange={(event) => setKeepsCopy(event.target.checked)} /> Work offline
    </label>
  );
  if (replica === null || status === null) {
    return (
      <div className="sg-sync" role="status" aria-label="Sync">
        {choice}
      </div>
    );
  }
  const settle = (run: () => Promise<void>) => {
    run().catch((error: unknown) => toast({ message: messageOf(error), tone: "error" }));
  };
  return (
    <div className="sg-sync" role="status" aria-label="Sync">
      {choice}
      <span className={status.online ? "sg-online" : "sg-offline"}>{status.online ? "Online" : "Offline"}</span>
      {status.pending > 0 && <span>{status.pending === 1 ? "1 change to send" : String(status.pending) + " changes to send"}</span>}
      {status.conflicts.length > 0 && (
        <button type="button" className="sg-danger" onClick={() => setOpen(true)}>
          {status.conflicts.length === 1 ? "1 conflict" : String(status.conflicts.length) + " conflicts"}
        </button>
      )}
      {open && status.conflicts.length > 0 && (
        <Dialog title="Conflicts" onClose={() => setOpen(false)}>
          <ul className="sg-conflicts">
            {status.conflicts.map((write) => (
              <li key={write.seq}>
                <p>
                  Your {writeLabel(write)} was made on a version someone else has changed since.
                </p>
                <div className="sg-form-buttons">
                  <button type="button" className="sg-primary" onClick={() => settle(() => replica.keepMine(write.seq))}>
                    Keep mine
                  </button>
                  <button type="button" onClick={() => settle(() => replica.takeTheirs(write.seq))}>
                    Take theirs
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </Dialog>
      )}
    </div>
  );
}
