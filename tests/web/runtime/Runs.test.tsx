import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { RequestOptions } from "../runtime/client/http.js";
import type { BulkRun, BulkRunFunctions } from "../runtime/web/resources.js";
import { isActive, RunsPage, undoTokenOf } from "../runtime/web/Runs.js";
import { office, world } from "./fixtures.js";
import { renderWith } from "./harness.js";

const LATER = "2999-01-01T00:00:00Z";

function run(id: string, more: Partial<BulkRun> = {}): BulkRun {
  return {
    id,
    resource: "office",
    operation: "update",
    status: "done",
    dry_run: false,
    matched: 4,
    processed: 4,
    affected: 4,
    failed: 0,
    errors: [],
    created_at: "2026-03-01T10:00:00Z",
    undo_token: null,
    undo_expires_at: null,
    ...more,
  };
}

/** A server's runs: a running one moves two rows a look until it is done. */
function server(runs: BulkRun[]): BulkRunFunctions & { readonly calls: string[]; readonly runs: BulkRun[] } {
  const calls: string[] = [];
  return {
    calls,
    runs,
    list: async (params: object, options?: RequestOptions) => {
      calls.push("list " + JSON.stringify(params) + " " + String(options?.client !== undefined));
      for (const [index, item] of runs.entries()) {
        if (item.status !== "running") continue;
        const processed = Math.min(item.processed + 2, item.matched);
        const done = processed === item.matched;
        runs[index] = { ...item, processed, affected: processed, status: done ? "done" : "running", ...(done && { undo_token: "undo-" + item.id, undo_expires_at: LATER }) };
      }
      return Promise.resolve({ items: runs.map((item) => ({ ...item })), next_cursor: null });
    },
    cancel: async (id: string) => {
      calls.push("cancel " + id);
      const index = runs.findIndex((item) => item.id === id);
      runs[index] = { ...runs[index]!, status: "cancelled" };
      return Promise.resolve(runs[index]);
    },
  };
}

describe("the bulk runs page", () => {
  it("shows each run's progress, live while one runs, and reads the rows again when it ends", async () => {
    const { resources, offices } = world([office("o1", "Alpha")]);
    const api = server([run("r1", { status: "running", processed: 0, affected: 0, matched: 4 }), run("r0", { operation: "delete", created_at: "2026-02-01T10:00:00Z" })]);
    renderWith(resources, <RunsPage runs={api} />);
    const table = await screen.findByRole("table", { name: "Your bulk runs, newest first" });
    const first = () => within(table).getAllByRole("row")[1]!;
    expect(first().textContent).toContain("Offices");
    // Polled each second until it is done: 2 of 4, then 4 of 4.
    await waitFor(() => expect(first().textContent).toContain("Done"), { timeout: 5000 });
    expect(first().textContent).toContain("4 of 4");
    expect(within(first()).getByRole("progressbar", { name: "Progress of the update of Offices" })).toHaveProperty("value", 4);
    expect(within(table).getAllByRole("row")[2]!.textContent).toContain("Delete");
    const looks = api.calls.filter((call) => call.startsWith("list")).length;
    expect(looks).toBeGreaterThanOrEqual(3);
    // The run ended: what the app shows of its rows is read again (no more polling after).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(api.calls.filter((call) => call.startsWith("list")).length).toBe(looks);
    expect(offices.callsOf("list")).toHaveLength(0); // no table on this page: nothing else to read
  });

  it("cancels a running run and undoes a finished one while its token lives", async () => {
    const { resources, offices } = world([office("o1", "Alpha"), office("o2", "Bravo")]);
    const api = server([run("r2", { status: "queued", processed: 0, affected: 0 }), run("r1", { undo_token: "undo-100", undo_expires_at: LATER })]);
    // The undo token is the office resource's: its bulk first made it.
    await entryBulk(resources);
    renderWith(resources, <RunsPage runs={api} />);
    const user = userEvent.setup();
    const table = await screen.findByRole("table");
    const [, queued, finished] = within(table).getAllByRole("row");
    expect(within(finished!).queryByRole("button", { name: "Cancel" })).toBeNull();
    await user.click(within(queued!).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Run cancelled"));
    expect(api.calls).toContain("cancel r2");
    await user.click(within(finished!).getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Run undone"));
    expect(offices.callsOf("undoBulk")[0]?.args[0]).toEqual({ undo_token: "undo-100" });
    await waitFor(() => expect(within(finished!).queryByRole("button", { name: "Undo" })).toBeNull());
  });

  it("says when there are no runs", async () => {
    const { resources } = world([]);
    renderWith(resources, <RunsPage runs={server([])} />);
    expect(await screen.findByText("No bulk runs yet.")).toBeTruthy();
  });
});

async function entryBulk(resources: ReturnType<typeof world>["resources"]): Promise<void> {
  const offices = resources.find((resource) => resource.key === "office");
  await offices?.bulk?.({ operation: "update", filter: {}, values: { status: "inactive" } });
}

describe("what a run offers", () => {
  it("Cancel while it is to end; Undo once it has ended, while its token lives", () => {
    expect(isActive(run("a", { status: "queued" })) && isActive(run("b", { status: "running" }))).toBe(true);
    expect(isActive(run("c"))).toBe(false);
    const done = run("d", { undo_token: "t", undo_expires_at: "2026-01-01T00:00:00Z" });
    expect(undoTokenOf(done, Date.parse("2025-12-31T00:00:00Z"))).toBe("t");
    expect(undoTokenOf(done, Date.parse("2026-01-02T00:00:00Z"))).toBeNull();
    expect(undoTokenOf({ ...done, status: "running" }, 0)).toBeNull();
  });
});
