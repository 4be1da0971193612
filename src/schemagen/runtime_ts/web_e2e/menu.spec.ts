/* The app loads at / and its menu lists every resource, each link opening that resource's page. */

import { expect, test } from "@playwright/test";
import { cases } from "./cases.js";
import { expectAccessible, menu, openResource, start } from "./support.js";

test("the menu lists every resource and opens its page", async ({ page }) => {
  await start(page);
  for (const resource of cases) {
    await expect(menu(page).getByRole("link", { name: resource.labelPlural, exact: true })).toBeVisible();
  }
  await expectAccessible(page);
  for (const resource of cases) {
    await openResource(page, resource);
    await expect(page.getByRole("table")).toBeVisible();
    await expectAccessible(page);
  }
});
