/* A resource's list: filter with an operator, sort by a header both ways, search, load the next
 * page; a relation picked from the related resource's list in a form, and many picked at once. */

import { expect, test, type Page } from "@playwright/test";
import { cases } from "./cases.js";
import {
  TENANT,
  createRow,
  createRowByApi,
  createRowsByApi,
  deleteRowsByApi,
  dialog,
  expectAbsent,
  expectAccessible,
  fill,
  find,
  listTable,
  openResource,
  row,
  search,
  settled,
  stamp,
  start,
  titleOf,
  unique,
  valuesFor,
  type FilterCase,
  type FilterValue,
  type ResourceCase,
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
  const fillable = creatable.filter((c) => (c.create ?? []).every((f) => f.unique === true || f.json !== undefined || f.relation !== undefined));
  // A resource per tenant, in a tenant of its own, leaves the other scenarios' lists as they are.
  const resource = fillable.find((c) => c.tenant) ?? fillable[0];
  test.skip(resource === undefined, "no resource the suite can make rows of through the API");
  if (resource === undefined) return;
  const tenant = resource.tenant ? `paging-${stamp()}` : TENANT;
  await start(page, tenant);
  const ids = await createRowsByApi(page, resource, resource.pageSize + 1, tenant);
  await openResource(page, resource);
  // One page of rows under the header row, then more (counted by the table, which draws only
  // the rows near the window of a long list).
  const table = listTable(page, resource);
  await expect(table).toHaveAttribute("aria-rowcount", String(resource.pageSize + 1));
  await page.getByRole("button", { name: "Load more", exact: true }).click();
  await expect.poll(async () => Number(await table.getAttribute("aria-rowcount"))).toBeGreaterThan(resource.pageSize + 1);
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
  const values = await valuesFor(page, source);
  await page.getByRole("button", { name: `New ${source.label}`, exact: true }).click();
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

/** Set a filter as a person does: its operator (where the column has more than one), then its
 * value in the control the column's header labels. */
async function setFilter(page: Page, resource: ResourceCase, filter: FilterCase, operator: string, value: FilterValue): Promise<void> {
  const filters = page.getByRole("group", { name: "Filters", exact: true });
  if (filter.operators.length > 1) {
    await filters.getByRole("combobox", { name: `${filter.header} operator`, exact: true }).selectOption({ label: OPERATORS[operator] ?? operator });
  }
  const control = filters.getByLabel(filter.header, { exact: true });
  const chosen = await control.evaluate((element) => element.tagName === "SELECT");
  if (chosen) await control.selectOption(operator === "in" ? [{ label: value.text }] : { label: value.text });
  else await control.fill(value.text);
  await settled(page, resource);
}

/** The operators' names in the filter's operator select. */
const OPERATORS: { readonly [op: string]: string } = { eq: "is", in: "is one of", gte: "at least", lte: "at most", isnull: "is empty" };

test("a filter with an operator narrows the list", async ({ page }) => {
  const usable = cases.filter((c) => c.create !== null && c.title !== null && c.filters.length > 0);
  // In a tenant of its own where it can: the list holds just the rows made here.
  const resource = usable.find((c) => c.tenant) ?? usable[0];
  const filter = resource?.filters.find((f) => f.operators.includes("gte") || f.operators.includes("in")) ?? resource?.filters[0];
  test.skip(resource === undefined || filter === undefined, "no filterable field the suite can make rows with");
  if (resource === undefined || filter === undefined) return;
  const tenant = resource.tenant ? `filter-${stamp()}` : TENANT;
  const [low, high] = filter.values;
  await start(page, tenant);
  const lowRow = await createRowByApi(page, resource, { tenant, extra: { [filter.name]: low.json } });
  const highRow = await createRowByApi(page, resource, { tenant, extra: { [filter.name]: high.json } });
  await openResource(page, resource);
  await expect(await find(page, resource, lowRow.title)).toBeVisible();
  // "at least" the second value, or "is one of" it: the row with the first goes.
  const operator = filter.operators.includes("gte") ? "gte" : filter.operators.includes("in") ? "in" : "eq";
  await setFilter(page, resource, filter, operator, high);
  await expect(await find(page, resource, highRow.title)).toBeVisible();
  await expectAbsent(page, resource, lowRow.title);
  await expectAccessible(page);
  // "is" the first value: the other way round.
  if (operator !== "eq") {
    await setFilter(page, resource, filter, "eq", low);
    await expect(await find(page, resource, lowRow.title)).toBeVisible();
    await expectAbsent(page, resource, highRow.title);
  }
});

test("many related rows are picked at once in a multi-picker", async ({ page }) => {
  const pair = creatable
    .flatMap((source) => source.manyRelations.map((relation) => ({ source, relation })))
    .find(({ relation }) => creatable.some((c) => c.key === relation.resource));
  test.skip(pair === undefined, "no many-to-many relation between resources the suite can fill");
  if (pair === undefined) return;
  const { source, relation } = pair;
  const target = creatable.find((c) => c.key === relation.resource);
  if (target === undefined) return;
  await start(page);
  await openResource(page, target);
  // Two rows of one search: the picker's search finds both.
  const tag = unique("Pick");
  const picked = [await createRow(page, target, tag), await createRow(page, target, tag)];
  await openResource(page, source);
  const values = await valuesFor(page, source);
  await page.getByRole("button", { name: `New ${source.label}`, exact: true }).click();
  for (const [field, text] of values) await fill(dialog(page), field, text);
  const picker = dialog(page).getByRole("searchbox", { name: `Search ${relation.label}`, exact: true });
  if ((await picker.count()) > 0) await picker.fill(tag);
  const select = dialog(page).getByRole("listbox", { name: relation.label, exact: true });
  await select.selectOption(picked.map((label) => ({ label })));
  await expectAccessible(page);
  await dialog(page).getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog(page)).toBeHidden();
  // The row's page shows each related row, linked.
  const title = titleOf(source, values);
  await (await find(page, source, title)).getByRole("rowheader").getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name: title, exact: true })).toBeVisible();
  for (const label of picked) await expect(page.getByRole("link", { name: label, exact: true }).first()).toBeVisible();
  await expectAccessible(page);
});
