/* A resource's list: sort by a header both ways, search, load the next page, and a relation
 * picked from the related resource's list in a form. */

import { expect, test } from "@playwright/test";
import { cases } from "./cases.js";
import {
  TENANT,
  createRow,
  createRowsByApi,
  deleteRowsByApi,
  dialog,
  expectAccessible,
  fill,
  find,
  openResource,
  row,
  search,
  stamp,
  start,
  titleOf,
  unique,
  valuesFor,
} from "./support.js";

const creatable = cases.filter((c) => c.create !== null && c.title !== null);

test("sort by a header, both ways", async ({ page }) => {
  const resource = creatable.find((c) => c.sortable.includes(c.title ?? ""));
  test.skip(resource === undefined, "no resource the suite can fill sorts by its title");
  if (resource === undefined) return;
  await start(page);
  await openResource(page, resource);
  // Two rows of one search (where the list has one): the list shows just them.
  const tag = unique("Sort");
  const titles = [await createRow(page, resource, tag), await createRow(page, resource, tag)];
  if (resource.searchable) await search(page, resource, tag);
  const header = page.getByRole("columnheader", { name: resource.title ?? "", exact: true });
  const order = async (): Promise<number> => {
    const texts = await page.getByRole("row").allInnerTexts();
    const [a = -1, b = -1] = titles.map((title) => texts.findIndex((text) => text.includes(title)));
    return a < 0 || b < 0 ? 0 : Math.sign(a - b);
  };
  const before = await header.getAttribute("aria-sort");
  await header.getByRole("button").click();
  // A click sorts by the column; on a column the list is sorted by already, the other way.
  const first = before === "ascending" ? "descending" : "ascending";
  await expect(header).toHaveAttribute("aria-sort", first);
  await expect.poll(order).not.toBe(0);
  const firstOrder = await order();
  await header.getByRole("button").click();
  await expect(header).toHaveAttribute("aria-sort", first === "ascending" ? "descending" : "ascending");
  await expect.poll(order).toBe(-firstOrder);
  await expectAccessible(page);
});

test("search narrows the list to the rows that match", async ({ page }) => {
  const resource = creatable.find((c) => c.searchable);
  test.skip(resource === undefined, "no resource the suite can fill is searchable");
  if (resource === undefined) return;
  await start(page);
  await openResource(page, resource);
  const wanted = await createRow(page, resource);
  const other = await createRow(page, resource);
  await page.getByRole("searchbox", { name: `Search ${resource.labelPlural}`, exact: true }).fill(wanted);
  await expect(row(page, other)).toHaveCount(0);
  await expect(row(page, wanted)).toBeVisible();
});

test("Load more reads the next page", async ({ page }) => {
  const fillable = creatable.filter((c) => (c.create ?? []).every((f) => f.unique === true || f.json !== undefined));
  // A resource per tenant, in a tenant of its own, leaves the other scenarios' lists as they are.
  const resource = fillable.find((c) => c.tenant) ?? fillable[0];
  test.skip(resource === undefined, "no resource the suite can make rows of through the API");
  if (resource === undefined) return;
  const tenant = resource.tenant ? `paging-${stamp()}` : TENANT;
  await start(page, tenant);
  const ids = await createRowsByApi(page, resource, resource.pageSize + 1, tenant);
  await openResource(page, resource);
  const rows = page.getByRole("row");
  // One page of rows under the header row, then more.
  await expect(rows).toHaveCount(resource.pageSize + 1);
  await page.getByRole("button", { name: "Load more", exact: true }).click();
  await expect.poll(() => rows.count()).toBeGreaterThan(resource.pageSize + 1);
  // Outside a tenant of its own, the rows go again: the other scenarios page through shorter lists.
  if (!resource.tenant && resource.deletable) await deleteRowsByApi(page, resource, ids, tenant);
});

test("a relation is picked from the related resource's list", async ({ page }) => {
  const pair = creatable
    .flatMap((source) => source.relations.map((relation) => ({ source, relation })))
    .find(({ relation }) => creatable.some((c) => c.key === relation.resource));
  test.skip(pair === undefined, "no relation between resources the suite can fill");
  if (pair === undefined) return;
  const { source, relation } = pair;
  const target = creatable.find((c) => c.key === relation.resource);
  if (target === undefined) return;
  await start(page);
  await openResource(page, target);
  const related = await createRow(page, target);
  await openResource(page, source);
  await page.getByRole("button", { name: `New ${source.label}`, exact: true }).click();
  const values = valuesFor(source);
  for (const [field, text] of values) await fill(dialog(page), field, text);
  // The picker searches the related list when it can: the row is found however long the list.
  const picker = dialog(page).getByRole("searchbox", { name: `Search ${relation.label}`, exact: true });
  if ((await picker.count()) > 0) await picker.fill(related);
  await dialog(page).getByLabel(relation.label, { exact: true }).selectOption({ label: related });
  await expectAccessible(page);
  await dialog(page).getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog(page)).toBeHidden();
  const created = await find(page, source, titleOf(source, values));
  await expect(created.getByRole("link", { name: related, exact: true })).toBeVisible();
});
