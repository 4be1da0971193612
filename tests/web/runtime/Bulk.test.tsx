import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { AutoTable } from "../runtime/web/AutoTable.js";
import { office, world } from "./fixtures.js";
import { entry, renderWith } from "./harness.js";

const three = () => [office("o1", "Alpha"), office("o2", "Bravo", { status: "inactive" }), office("o3", "Charlie")];

describe("bulk changes", () => {
  it("delete what the filters match: counted, confirmed, then undone from the toast", async () => {
    const { resources, offices } = world(three());
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const user = userEvent.setup();
    await screen.findByRole("row", { name: /Alpha/ });
    await user.selectOptions(within(screen.getByRole("group", { name: "Filters" })).getByLabelText("Status"), "inactive");
    await waitFor(() => expect(screen.queryByRole("row", { name: /Alpha/ })).toBeNull());
    await user.click(screen.getByRole("button", { name: "Delete matching" }));
    // The dry run counts first; nothing is deleted yet.
    const confirm = await screen.findByRole("alertdialog", { name: "Delete 1 office?" });
    expect(offices.callsOf("bulk").map((call) => call.args[0])).toEqual([{ operation: "delete", filter: { status: "inactive" }, dry_run: true }]);
    expect(offices.rows.every((row) => row.deleted_at === null)).toBe(true);
    await user.click(within(confirm).getByRole("button", { name: "Delete 1" }));
    await waitFor(() => expect(screen.queryByRole("row", { name: /Bravo/ })).toBeNull());
    expect(offices.rows.find((row) => row.id === "o2")?.deleted_at).not.toBeNull();
    const toast = screen.getByRole("status");
    expect(toast.textContent).toContain("1 office deleted");
    await user.click(within(toast).getByRole("button", { name: "Undo" }));
    await screen.findByRole("row", { name: /Bravo/ });
    expect(offices.callsOf("undoBulk")[0]?.args[0]).toEqual({ undo_token: "undo-100" });
  });

  it("update what the filters match with the values filled in", async () => {
    const { resources, offices } = world(three());
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const user = userEvent.setup();
    await screen.findByRole("row", { name: /Alpha/ });
    await user.click(screen.getByRole("button", { name: "Update matching" }));
    const dialog = screen.getByRole("dialog", { name: "Update matching: Offices" });
    // Nothing is filled in: only what the user sets is sent.
    expect(within(dialog).getByLabelText("Name")).toHaveProperty("value", "");
    await user.selectOptions(within(dialog).getByLabelText("Status"), "inactive");
    await user.click(within(dialog).getByRole("button", { name: "Continue" }));
    const confirm = await screen.findByRole("alertdialog", { name: "Update 3 offices?" });
    await user.click(within(confirm).getByRole("button", { name: "Update 3" }));
    await waitFor(() => expect(offices.rows.map((row) => row.status)).toEqual(["inactive", "inactive", "inactive"]));
    expect(offices.callsOf("bulk").at(-1)?.args[0]).toEqual({ operation: "update", filter: {}, values: { status: "inactive" } });
    expect(screen.getByRole("status").textContent).toContain("3 offices updated");
  });

  it("says when nothing matches, and waits for the search to be cleared", async () => {
    const { resources, offices } = world(three());
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const user = userEvent.setup();
    await screen.findByRole("row", { name: /Alpha/ });
    await user.type(screen.getByRole("searchbox", { name: "Search Offices" }), "alp");
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete matching" })).toHaveProperty("disabled", true));
    await user.clear(screen.getByRole("searchbox", { name: "Search Offices" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete matching" })).toHaveProperty("disabled", false));
    const filters = screen.getByRole("group", { name: "Filters" });
    await user.selectOptions(within(filters).getByLabelText("Region operator"), "isnull");
    await user.selectOptions(within(filters).getByLabelText("Region"), "false");
    await user.click(screen.getByRole("button", { name: "Delete matching" }));
    expect(await screen.findByText(/No office matches the filters/)).toBeTruthy();
    expect(offices.callsOf("bulk")).toHaveLength(1);
  });
});
