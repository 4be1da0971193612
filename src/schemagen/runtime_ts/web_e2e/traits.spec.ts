/* What the traits give the app, for each resource that has them: a bulk delete's dry run, run,
 * its row on the Bulk runs page and its Undo there; a version conflict answered both ways (reload, keep my change); rows of one tenant
 * only; a branch whose rows main sees once merged (and never once discarded). */

import { expect, test } from "@playwright/test";
import { cases } from "./cases.js";
import {
  TENANT,
  createRow,
  createRowByApi,
  dialog,
  expectAbsent,
  expectAccessible,
  find,
  openResource,
  row,
  settled,
  stamp,
  start,
  switchScope,
  toasts,
  unique,
  updateRowByApi,
} from "./support.js";

const creatable = cases.filter((c) => c.create !== null && c.title !== null);

test("bulk delete: the dry run's count, the run, then Undo", async ({ page }) => {
  const usable = creatable.filter((c) => c.bulkDelete !== null);
  // In a tenant of its own where it can: the filters then match just the rows made here.
  const resource = usable.find((c) => c.tenant) ?? usable[0];
  const bulk = resource?.bulkDelete ?? null;
  test.skip(resource === undefined || bulk === null, "no resource the suite can fill has a bulk delete with a dry run");
  if (resource === undefined || bulk === null) return;
  const tenant = resource.tenant ? `bulk-${stamp()}` : TENANT;
  await start(page, tenant);
  const made = [];
  for (let index = 0; index < 3; index++) made.push(await createRowByApi(page, resource, { tenant }));
  await openResource(page, resource);
  for (const { title } of made) await expect(await find(page, resource, title)).toBeVisible();
  // A bulk change follows the filters, not the search: the search is cleared first.
  if (resource.searchable) await page.getByRole("searchbox", { name: `Search ${resource.labelPlural}`, exact: true }).fill("");
  await settled(page, resource);
  const posts: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST") posts.push(request.postData() ?? "");
  });
  await page.getByRole("button", { name: bulk.label, exact: true }).click();
  // The dry run counts what the filters match (here, in a tenant of its own, the three rows),
  // and nothing is deleted until the count is confirmed.
  const plural = resource.labelPlural.toLowerCase();
  const confirm = page.getByRole("alertdialog", { name: resource.tenant ? `Delete 3 ${plural}?` : new RegExp(`^Delete \\d+ `) });
  await expect(confirm).toBeVisible();
  expect(posts.map((body) => JSON.parse(body) as { readonly dry_run?: boolean })).toEqual([expect.objectContaining({ dry_run: true })]);
  await expectAccessible(page);
  await confirm.getByRole("button", { name: /^Delete \d+$/ }).click();
  await expect(confirm).toBeHidden();
  await settled(page, resource);
  for (const { title } of made) await expect(row(page, title)).toHaveCount(0);
  // The run is on the Bulk runs page: done, all it matched processed, and its Undo there.
  await page.getByRole("navigation", { name: "Resources" }).getByRole("link", { name: "Bulk runs", exact: true }).click();
  const latest = page.getByRole("table", { name: "Your bulk runs, newest first" }).getByRole("row").nth(1);
  await expect(latest).toContainText(resource.labelPlural);
  await expect(latest).toContainText("Done");
  if (resource.tenant) await expect(latest).toContainText("3 of 3");
  await expectAccessible(page);
  if (!bulk.undo) return;
  await latest.getByRole("button", { name: "Undo", exact: true }).click();
  await expect(toasts(page)).toContainText("Run undone");
  await expect(latest.getByRole("button", { name: "Undo", exact: true })).toHaveCount(0);
  await openResource(page, resource);
  for (const { title } of made) await expect(await find(page, resource, title)).toBeVisible();
});

test("a version conflict: Reload shows their change, Keep my change saves mine", async ({ page }) => {
  const resource = creatable.find((c) => c.versioned);
  test.skip(resource === undefined, "no versioned resource the suite can fill and edit");
  if (resource === undefined) return;
  const titleField = (resource.create ?? []).find((field) => field.label === resource.title);
  if (titleField === undefined || resource.title === null) return;
  const label = resource.title;
  await start(page);
  const made = await createRowByApi(page, resource);
  await openResource(page, resource);
  const edit = async (title: string) => {
    await (await find(page, resource, title)).getByRole("button", { name: "Edit", exact: true }).click();
    await expect(dialog(page)).toBeVisible();
  };
  const conflict = dialog(page).getByRole("alert").filter({ has: page.getByRole("button", { name: "Reload", exact: true }) });

  // Someone else saves while the form is open: Save is refused; Reload shows their title.
  await edit(made.title);
  const theirs = unique("Theirs", titleField.maxLength);
  await updateRowByApi(page, resource, made.id, { [titleField.name]: theirs });
  await dialog(page).getByLabel(label, { exact: true }).fill(unique("Mine", titleField.maxLength));
  await dialog(page).getByRole("button", { name: "Save", exact: true }).click();
  await expect(conflict).toBeVisible();
  await expectAccessible(page);
  await conflict.getByRole("button", { name: "Reload", exact: true }).click();
  await expect(conflict).toBeHidden();
  await expect(dialog(page).getByLabel(label, { exact: true })).toHaveValue(theirs);
  await dialog(page).getByRole("button", { name: "Cancel", exact: true }).click();
  await expect(dialog(page)).toBeHidden();

  // Again, and this time my change is kept: it is saved over theirs. (The page read afresh: the
  // list shows their title.)
  await page.reload();
  await settled(page, resource);
  await edit(theirs);
  await updateRowByApi(page, resource, made.id, { [titleField.name]: unique("Theirs", titleField.maxLength) });
  const mine = unique("Mine", titleField.maxLength);
  await dialog(page).getByLabel(label, { exact: true }).fill(mine);
  await dialog(page).getByRole("button", { name: "Save", exact: true }).click();
  await conflict.getByRole("button", { name: "Keep my change", exact: true }).click();
  await expect(dialog(page)).toBeHidden();
  await expect(await find(page, resource, mine)).toBeVisible();
});

test("tenant switching: a tenant's rows only in that tenant", async ({ page }) => {
  const resource = creatable.find((c) => c.tenant);
  test.skip(resource === undefined, "no resource per tenant the suite can fill");
  if (resource === undefined) return;
  const [first, second] = [`tenant-a-${stamp()}`, `tenant-b-${stamp()}`];
  await start(page, first);
  await openResource(page, resource);
  const mine = await createRow(page, resource);
  await switchScope(page, "Tenant", second);
  // The other tenant's list: its own row shows, the first tenant's does not.
  const theirs = await createRow(page, resource);
  await expectAbsent(page, resource, mine);
  await expectAccessible(page);
  await switchScope(page, "Tenant", first);
  await expect(await find(page, resource, mine)).toBeVisible();
  await expectAbsent(page, resource, theirs);
});

test("branch switching: a branch's rows reach main when merged, never when discarded", async ({ page }) => {
  const resource = creatable.find((c) => c.branching && c.tenant) ?? creatable.find((c) => c.branching);
  test.skip(resource === undefined, "no branching resource the suite can fill (or no merge in the API)");
  if (resource === undefined) return;
  const tenant = resource.tenant ? `branch-${stamp()}` : TENANT;
  await start(page, tenant);
  await openResource(page, resource);
  const onMain = await createRow(page, resource);
  const branchField = page.getByRole("textbox", { name: "Branch", exact: true });

  // A row made on a branch is not main's until the branch is merged; main's rows show there too.
  const merged = `e2e-${stamp()}`;
  await switchScope(page, "Branch", merged);
  await expect(await find(page, resource, onMain)).toBeVisible();
  const fromBranch = await createRow(page, resource);
  await switchScope(page, "Branch", "");
  await expectAbsent(page, resource, fromBranch);
  await switchScope(page, "Branch", merged);
  await expect(await find(page, resource, fromBranch)).toBeVisible();
  await page.getByRole("button", { name: "Merge branch", exact: true }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toBeVisible();
  await expectAccessible(page);
  await confirm.getByRole("button", { name: "Merge", exact: true }).click();
  // Merged, the app is back on main, which has the row.
  await expect(branchField).toHaveValue("");
  await expect(toasts(page)).toContainText(`Branch ${merged} merged into main`);
  await expect(await find(page, resource, fromBranch)).toBeVisible();

  // A discarded branch's row never reaches main.
  await switchScope(page, "Branch", `e2e-${stamp()}`);
  const discarded = await createRow(page, resource);
  await page.getByRole("button", { name: "Discard branch", exact: true }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Discard", exact: true }).click();
  await expect(branchField).toHaveValue("");
  await expectAbsent(page, resource, discarded);
});
