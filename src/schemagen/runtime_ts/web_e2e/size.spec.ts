/* A long list: 1,000 rows read page by page ("Load more") until every one is in the table. The
 * times it took are recorded as the test's annotations (the JSON report carries them); nothing
 * asserts on them, as a slow machine is no bug. */

import { expect, test } from "@playwright/test";
import { cases } from "./cases.js";
import { TENANT, createRowsByApi, deleteRowsByApi, stamp, start } from "./support.js";

const ROWS = 1000;

test(`a list of ${ROWS} rows renders every row`, async ({ page }, testInfo) => {
  const fillable = cases.filter(
    (c) => c.create !== null && c.create.every((f) => f.unique === true || f.json !== undefined || f.relation !== undefined),
  );
  // In a tenant of its own where it can: the other scenarios' lists stay short.
  const resource = fillable.find((c) => c.tenant) ?? fillable[0];
  test.skip(resource === undefined, "no resource the suite can make rows of through the API");
  if (resource === undefined) return;
  test.setTimeout(180_000);
  const tenant = resource.tenant ? `size-${stamp()}` : TENANT;
  await start(page, tenant);
  const ids = await createRowsByApi(page, resource, ROWS, tenant);
  const rows = page.getByRole("row");
  const more = page.getByRole("button", { name: "Load more", exact: true });

  // From a blank page: the app loads, reads the first page, then each next one on "Load more".
  await page.goto("about:blank");
  const started = Date.now();
  await page.goto("/" + resource.page);
  await expect(rows.nth(1)).toBeVisible();
  const firstPage = Date.now() - started;
  for (;;) {
    const shown = await rows.count();
    if (!(await more.isVisible())) break;
    await more.click();
    await expect.poll(() => rows.count()).toBeGreaterThan(shown);
  }
  const everyRow = Date.now() - started;
  // The header row and every row made (and, outside a tenant of its own, the others' rows too).
  expect(await rows.count()).toBeGreaterThanOrEqual(ROWS + 1);
  if (resource.tenant) await expect(rows).toHaveCount(ROWS + 1);
  // Outside a tenant of its own, the rows go again: the other scenarios page through shorter lists.
  if (!resource.tenant && resource.deletable) await deleteRowsByApi(page, resource, ids, tenant);
  testInfo.annotations.push({
    type: "timing",
    description: `${resource.labelPlural}: first page ${firstPage} ms, all ${ROWS} rows ${everyRow} ms after navigation`,
  });
});
