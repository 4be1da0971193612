/* The bulk runs page (`#/bulk_runs`): the caller's runs in the current scope, newest first, with
 * their progress live while one is queued or running (the list is asked again every second until
 * none is), Cancel for those (the run stops before its next batch), and Undo for a finished run
 * whose undo token lives. What a run changes is read again when it ends, is cancelled or undone. */

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useInvalidate } from "./data.js";
import type { BulkRun, BulkRunFunctions, ResourceEntry } from "./resources.js";
import { useSession, useToast } from "./session.js";
import { messageOf } from "./values.js";

/** The runs page's path (`#/bulk_runs`): a table name no resource can take (the runs' own). */
export const RUNS_PATH = "bulk_runs";
/** How often a list holding a run still to end is asked again, in milliseconds. */
export const RUNS_POLL_MS = 1000;

/** A run still to end. */
export function isActive(run: BulkRun): boolean {
  return run.status === "queued" || run.status === "running";
}

/** A finished run's undo token, while it lives and the run was not undone. */
export function undoTokenOf(run: BulkRun, now: number = Date.now()): string | null {
  if (isActive(run) || run.undo_token === null || run.undo_expires_at === null) return null;
  return Date.parse(run.undo_expires_at) > now ? run.undo_token : null;
}

const STATUS: { readonly [status in BulkRun["status"]]: string } = {
  queued: "Queued",
  running: "Running",
  done: "Done",
  cancelled: "Cancelled",
  failed: "Failed",
};

export function RunsPage(props: { readonly runs: BulkRunFunctions }) {
  const { runs } = props;
  const { resources, queryKey, options } = useSession();
  const toast = useToast();
  const invalidate = useInvalidate();
  const listed = useQuery({
    queryKey: [...queryKey, RUNS_PATH],
    queryFn: ({ signal }) => runs.list({ limit: 50 }, { ...options, signal }),
    refetchInterval: (query) => (query.state.data?.items.some(isActive) === true ? RUNS_POLL_MS : false),
  });
  const [busy, setBusy] = useState<string | null>(null);
  // Runs undone here: their token is used (the API says so too, 409 undo_used).
  const [undone, setUndone] = useState<ReadonlySet<string>>(new Set());

  // A run that ended since the last look changed rows: what the app shows of them is read again.
  const active = new Set(listed.data?.items.filter(isActive).map((run) => run.id) ?? []);
  const wasActive = useRef<ReadonlySet<string>>(new Set());
  useEffect(() => {
    const ended = [...wasActive.current].some((id) => !active.has(id));
    wasActive.current = active;
    if (ended) void invalidate();
  });

  const byKey = (name: string): ResourceEntry | undefined => resources.get(name);
  async function act(run: BulkRun, what: "cancel" | "undo"): Promise<void> {
    setBusy(run.id);
    try {
      if (what === "cancel") {
        await runs.cancel(run.id, options);
        toast({ message: "Run cancelled: what it changed so far stays" });
      } else {
        const token = undoTokenOf(run);
        const entry = byKey(run.resource);
        if (token === null || entry?.undoBulk === undefined) return;
        await entry.undoBulk({ undo_token: token }, options);
        setUndone((before) => new Set([...before, run.id]));
        toast({ message: "Run undone" });
      }
      await invalidate();
    } catch (error) {
      toast({ message: messageOf(error), tone: "error" });
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <h1>Bulk runs</h1>
      {listed.isPending && <p role="status">Loading the runs…</p>}
      {listed.isError && (
        <div role="alert" className="sg-form-error">
          {messageOf(listed.error)}{" "}
          <button type="button" onClick={() => void listed.refetch()}>
            Try again
          </button>
        </div>
      )}
      {listed.isSuccess && listed.data.items.length === 0 && <p className="sg-empty">No bulk runs yet.</p>}
      {listed.isSuccess && listed.data.items.length > 0 && (
        <table className="sg-table">
          <caption>Your bulk runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Resource</th>
              <th scope="col">Change</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Changed</th>
              <th scope="col">Refused</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {listed.data.items.map((run) => {
              const entry = byKey(run.resource);
              const label = entry?.labelPlural ?? run.resource;
              const token = undone.has(run.id) ? null : undoTokenOf(run);
              return (
                <tr key={run.id}>
                  <th scope="row">{new Date(run.created_at).toLocaleString()}</th>
                  <td>{label}</td>
                  <td>{(run.dry_run ? "Dry run: " : "") + (run.operation === "update" ? "Update" : "Delete")}</td>
                  <td>{STATUS[run.status]}</td>
                  <td>
                    <progress max={Math.max(run.matched, 1)} value={run.processed} aria-label={`Progress of the ${run.operation} of ${label}`} />{" "}
                    {String(run.processed)} of {String(run.matched)}
                  </td>
                  <td>{String(run.affected)}</td>
                  <td title={run.errors.map((error) => error.detail).join("\n")}>{String(run.failed)}</td>
                  <td>
                    {isActive(run) && (
                      <button type="button" className="sg-danger" disabled={busy === run.id} onClick={() => void act(run, "cancel")}>
                        Cancel
                      </button>
                    )}
                    {token !== null && entry?.undoBulk !== undefined && (
                      <button type="button" disabled={busy === run.id} onClick={() => void act(run, "undo")}>
                        Undo
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
