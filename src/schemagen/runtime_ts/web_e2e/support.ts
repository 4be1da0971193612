/* What the browser suite's scenarios share: the shape of a resource's case (e2e/cases.ts, generated
 * per project from the client's form and table definitions) and the steps they repeat, each done
 * as a person does it: by role and label. */

import AxeBuilder from "@axe-core/playwright";
import { expect, type Locator, type Page } from "@playwright/test";
import { cases } from "./cases.js";

/** How a scenario fills one form field: typed text made unique per run, or a fixed value. */
export interface FieldFill {
  readonly label: string;
  /** Its name in the API's Create shape, for rows made without the form. */
  readonly name: string;
  readonly widget: string;
  /** Text typed into the field, made unique (within `maxLength`) each time. */
  readonly unique?: boolean;
  readonly maxLength?: number;
  /** The value to type, or the option to choose (its label)... */
  readonly value?: string;
  /** ...and the same value as the API takes it. */
  readonly json?: string | number | boolean;
  /** A required relation: a row of this resource (its key) is made first, then picked. */
  readonly relation?: string;
}

/** One resource as the app shows it, and what the scenarios may do with it. */
export interface ResourceCase {
  /** The resource's name in the schema and the client (`office`). */
  readonly key: string;
  /** Its label and plural label: "New <label>", the menu's link and the page's heading. */
  readonly label: string;
  readonly labelPlural: string;
  /** Its page in the app: `#/offices`. */
  readonly page: string;
  /** Its list's path in the API, where rows are made without the form. */
  readonly apiPath: string;
  /** Its rows are per tenant. */
  readonly tenant: boolean;
  /** The fields a valid create fills (null: the scenarios cannot fill this form). */
  readonly create: readonly FieldFill[] | null;
  /** The label of the field that names a row (typed, unique): how a row is found again. */
  readonly title: string | null;
  /** A required text field: left empty, the form shows an error before it sends anything. */
  readonly required: string | null;
  readonly editable: boolean;
  readonly deletable: boolean;
  readonly softDelete: boolean;
  /** The app keeps a local copy of its rows and gives a create its id: it can be made offline. */
  readonly clientIds: boolean;
  /** Its list searches the title field: the search box finds a row by its title. */
  readonly searchable: boolean;
  /** The headers of the sortable columns. */
  readonly sortable: readonly string[];
  readonly pageSize: number;
  /** Its custom row actions: the button's label, the labels of its input form's fields, and how
   * to fill that form to run it (null: a required input the scenarios cannot fill). */
  readonly actions: readonly ActionCase[];
  /** Its single relations: the form field's label, and the related resource's key. */
  readonly relations: readonly RelationCase[];
  /** Its many-to-many relations, each a multi-picker in the form. */
  readonly manyRelations: readonly RelationCase[];
  /** The filters the scenarios can drive, with two values rows can be made with. */
  readonly filters: readonly FilterCase[];
  /** The toolbar's bulk delete whose dry run counts the rows (null: none), and whether its result
   * can be undone. */
  readonly bulkDelete: { readonly label: string; readonly undo: boolean } | null;
  /** An edit sends the version it read: a change made meanwhile is a conflict. */
  readonly versioned: boolean;
  /** Its rows live on branches, which the app switches between and merges into main. */
  readonly branching: boolean;
}

export interface ActionCase {
  readonly label: string;
  readonly inputs: readonly string[];
  readonly fill: readonly FieldFill[] | null;
}

export interface RelationCase {
  /** The form field's label. */
  readonly label: string;
  /** The related resource's key. */
  readonly resource: string;
}

/** A value of a filter: as its control takes it (an option's label, typed text) and as the API. */
export interface FilterValue {
  readonly text: string;
  readonly json: string | number | boolean;
}

export interface FilterCase {
  /** The column's header, which labels its filter control. */
  readonly header: string;
  /** The field's name in the API's Create shape. */
  readonly name: string;
  readonly format: string;
  readonly operators: readonly string[];
  /** Two values, the second at least the first. */
  readonly values: readonly [FilterValue, FilterValue];
}

/** The scope the scenarios act in, typed into the app's switchers and sent with rows made
 * without the form. */
export const TENANT = "e2e-tenant";
export const USER = "e2e-user";

/** A text no earlier run made. */
export function stamp(): string {
  return Date.now().toString(36) + Math.floor(Math.random() * 1e8).toString(36);
}

/** A value no earlier run typed, as the field's widget takes it: rows are found again by it. */
export function unique(prefix: string, maxLength = 255, widget = "text"): string {
  if (widget === "email") return `e2e.${stamp()}@example.com`;
  if (widget === "url") return `https://example.com/${stamp()}`;
  const text = prefix + " " + stamp();
  return text.length <= maxLength ? text : text.slice(text.length - maxLength);
}

/** The impacts that fail a page: axe-core's "serious" and "critical". */
const FAILING = new Set(["serious", "critical"]);

/** axe-core finds no serious or critical violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const failing = results.violations
    .filter((violation) => FAILING.has(violation.impact ?? ""))
    .map((violation) => {
      const where = violation.nodes.map((node) => node.target.join(" ")).join("; ");
      return `${violation.impact}: ${violation.id} (${violation.help}) at ${where}`;
    });
  expect(failing, "axe-core: serious or critical violations").toEqual([]);
}

/** The menu: the app's navigation landmark. */
export function menu(page: Page): Locator {
  return page.getByRole("navigation", { name: "Resources" });
}

/** Open the app at / and act in the scenarios' scope (or in `tenant`): each switcher the app
 * shows (tenant, user) gets its value, as a person types it. */
export async function start(page: Page, tenant = TENANT): Promise<void> {
  await page.goto("/");
  await expect(menu(page)).toBeVisible();
  for (const [label, value] of [
    ["Tenant", tenant],
    ["User", USER],
  ] as const) {
    const field = page.getByRole("textbox", { name: label, exact: true });
    if ((await field.count()) > 0) {
      await field.fill(value);
      await field.press("Enter");
    }
  }
}

/** Open the resource's page from the menu, and wait for its heading. */
export async function openResource(page: Page, resource: ResourceCase): Promise<void> {
  await menu(page).getByRole("link", { name: resource.labelPlural, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: resource.labelPlural, exact: true })).toBeVisible();
}

/** Fill one field of a form the way a person does: found by its label (a related row searched
 * for by its title where the picker has a search, then chosen). */
export async function fill(form: Locator, field: FieldFill, text: string): Promise<void> {
  const input = form.getByLabel(field.label, { exact: true });
  if (field.widget === "relation") {
    const picker = form.getByRole("searchbox", { name: `Search ${field.label}`, exact: true });
    if ((await picker.count()) > 0) {
      await picker.fill(text);
      await input.selectOption({ label: text });
    } else {
      // No search: the picker offers the first rows of the list; the row made for this form
      // when it is among them, else the first (a required relation needs a row, any row).
      const choices = input.getByRole("option");
      await expect(choices.nth(1)).toBeAttached();
      const wanted = input.getByRole("option", { name: text, exact: true });
      await input.selectOption((await wanted.count()) > 0 ? { label: text } : { index: 1 });
    }
  } else if (field.widget === "select") {
    await input.selectOption({ label: text });
  } else if (field.widget === "checkbox") {
    await input.check();
  } else {
    await input.fill(text);
  }
}

/** The scope the page acts in: what its Tenant and Branch switchers hold. */
export async function scopeOf(page: Page): Promise<{ readonly tenant: string; readonly branch?: string }> {
  const read = async (label: string) => {
    const field = page.getByRole("textbox", { name: label, exact: true });
    return (await field.count()) > 0 ? await field.inputValue() : "";
  };
  const [tenant, branch] = [await read("Tenant"), await read("Branch")];
  return { tenant: tenant || TENANT, ...(branch === "" ? {} : { branch }) };
}

/** The case of a related resource, by its key. */
function related(key: string): ResourceCase {
  const found = cases.find((c) => c.key === key);
  if (found === undefined) throw new Error(`no case for the related resource ${key}`);
  return found;
}

/** Values for a create form: unique text where the field is typed (the title starting with
 * `prefix` when given), the fixed value elsewhere, and for a required relation the title of a
 * related row made first (through the API, in the page's scope). */
export async function valuesFor(page: Page, resource: ResourceCase, prefix?: string): Promise<Map<FieldFill, string>> {
  const values = new Map<FieldFill, string>();
  for (const field of resource.create ?? []) {
    const start = field.label === resource.title && prefix !== undefined ? prefix : field.label;
    if (field.relation !== undefined) {
      values.set(field, (await createRowByApi(page, related(field.relation), await scopeOf(page))).title);
    } else {
      values.set(field, field.unique ? unique(start, field.maxLength, field.widget) : (field.value ?? ""));
    }
  }
  return values;
}

/** The title among a create form's values. */
export function titleOf(resource: ResourceCase, values: Map<FieldFill, string>): string {
  for (const [field, text] of values) if (field.label === resource.title) return text;
  throw new Error(`${resource.key}: its case fills no title field`);
}

/** The table's row that shows `text` in a cell (or in its row header). */
export function row(page: Page, text: string): Locator {
  const named = { name: text, exact: true };
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", named).or(page.getByRole("cell", named)) });
}

/** The open dialog. */
export function dialog(page: Page): Locator {
  return page.getByRole("dialog");
}

/** Search the list for `text` where the resource is searchable; the rows that show it. */
export async function search(page: Page, resource: ResourceCase, text: string): Promise<Locator> {
  if (resource.searchable) {
    await page.getByRole("searchbox", { name: `Search ${resource.labelPlural}`, exact: true }).fill(text);
  }
  return row(page, text);
}

/** The row that shows `text`, found as a person finds it in a long list (other scenarios may have
 * filled pages before it): by a search where the list has one, else page by page ("Load more"),
 * and down the page where a long list draws only the rows near the window. */
export async function find(page: Page, resource: ResourceCase, text: string): Promise<Locator> {
  const found = await search(page, resource, text);
  const more = page.getByRole("button", { name: "Load more", exact: true });
  for (;;) {
    // The list has been read: the row shows, or there is a next page to look in; or neither, in
    // a long list whose rows near the window are others.
    const shown = await expect(found.or(more).first())
      .toBeVisible()
      .then(() => true)
      .catch(() => false);
    await settled(page, resource);
    if (await found.isVisible()) return found;
    if (shown && (await more.isVisible())) {
      await more.click();
      continue;
    }
    const moved = await page.evaluate(() => {
      const before = window.scrollY;
      window.scrollBy(0, window.innerHeight);
      return window.scrollY !== before;
    });
    if (!moved) break;
  }
  await expect(found, `no row shows ${text}`).toBeVisible();
  return found;
}

/** Create a row through "New <label>", and find it in the list; the title it was given. */
export async function createRow(page: Page, resource: ResourceCase, prefix?: string): Promise<string> {
  const values = await valuesFor(page, resource, prefix);
  await page.getByRole("button", { name: `New ${resource.label}`, exact: true }).click();
  for (const [field, text] of values) await fill(dialog(page), field, text);
  await dialog(page).getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog(page)).toBeHidden();
  const title = titleOf(resource, values);
  await expect(await find(page, resource, title)).toBeVisible();
  return title;
}

/** A row made through the API: its id, and the title it was given. */
export interface MadeRow {
  readonly id: unknown;
  readonly title: string;
}

/** Where a row made through the API goes, and what it is made with. */
export interface MadeWith {
  readonly tenant?: string;
  readonly branch?: string;
  /** The start of its title. */
  readonly prefix?: string;
  /** Values over the create form's. */
  readonly extra?: { readonly [name: string]: unknown };
  /** The related rows its required relations point at, by field name (default: made for it). */
  readonly links?: { readonly [name: string]: unknown };
}

/** The related rows a create needs (its required relations), made through the API: their ids
 * by field name, for `MadeWith.links`. */
export async function linksFor(page: Page, resource: ResourceCase, scope: MadeWith = {}): Promise<{ [name: string]: unknown }> {
  const links: { [name: string]: unknown } = {};
  for (const field of resource.create ?? []) {
    if (field.relation !== undefined) {
      const where = { ...(scope.tenant === undefined ? {} : { tenant: scope.tenant }), ...(scope.branch === undefined ? {} : { branch: scope.branch }) };
      links[field.name] = (await createRowByApi(page, related(field.relation), where)).id;
    }
  }
  return links;
}

/** Make a row through the API, as another user of the same scope would: the create form's
 * values (the title starting with `prefix` when given) and `extra` over them. */
export async function createRowByApi(page: Page, resource: ResourceCase, options: MadeWith = {}): Promise<MadeRow> {
  const body: { [name: string]: unknown } = { ...(options.links ?? (await linksFor(page, resource, options))) };
  let title = "";
  for (const field of resource.create ?? []) {
    if (field.relation !== undefined) continue;
    const start = field.label === resource.title && options.prefix !== undefined ? options.prefix : field.label;
    body[field.name] = field.unique ? unique(start, field.maxLength, field.widget) : field.json;
    if (field.label === resource.title) title = String(body[field.name]);
  }
  Object.assign(body, options.extra);
  const response = await page.request.post(resource.apiPath, { data: body, headers: scopeHeaders(options.tenant ?? TENANT, options.branch) });
  expect(response.status(), await response.text()).toBe(201);
  const made: unknown = await response.json();
  return { id: typeof made === "object" && made !== null && "id" in made ? made.id : null, title };
}

/** Make `count` rows through the API, as another user of the same scope would; their ids. */
export async function createRowsByApi(page: Page, resource: ResourceCase, count: number, tenant = TENANT): Promise<unknown[]> {
  // One related row for all of them, where a create needs one.
  const links = await linksFor(page, resource, { tenant });
  const ids: unknown[] = [];
  for (let index = 0; index < count; index++) ids.push((await createRowByApi(page, resource, { tenant, links })).id);
  return ids;
}

/** Change a row's fields through the API, as another user would while the app shows it: a
 * versioned row at the version it has now. */
export async function updateRowByApi(page: Page, resource: ResourceCase, id: unknown, changes: { readonly [name: string]: unknown }, tenant = TENANT): Promise<void> {
  const path = `${resource.apiPath}/${encodeURIComponent(String(id))}`;
  const current = await page.request.get(path, { headers: scopeHeaders(tenant) });
  expect(current.status(), await current.text()).toBe(200);
  const row: unknown = await current.json();
  const stored = typeof row === "object" && row !== null && "version" in row ? row.version : undefined;
  const version = typeof stored === "number" ? stored : undefined;
  const headers = { ...scopeHeaders(tenant), ...(version === undefined ? {} : { "If-Match": String(version) }) };
  const data = version === undefined ? changes : { ...changes, version };
  const response = await page.request.patch(path, { data, headers });
  expect(response.status(), await response.text()).toBe(200);
}

/** Delete rows made through the API: a scenario leaves the lists of the others as it found them. */
export async function deleteRowsByApi(page: Page, resource: ResourceCase, ids: readonly unknown[], tenant = TENANT): Promise<void> {
  for (const id of ids) {
    const response = await page.request.delete(`${resource.apiPath}/${encodeURIComponent(String(id))}`, { headers: scopeHeaders(tenant) });
    expect(response.status(), await response.text()).toBe(204);
  }
}

function scopeHeaders(tenant: string, branch?: string): { [name: string]: string } {
  return { "X-Tenant-ID": tenant, "X-User-ID": USER, ...(branch === undefined ? {} : { "X-Branch-ID": branch }) };
}

/** The resource's list on its page: the table named by its caption. */
export function listTable(page: Page, resource: ResourceCase): Locator {
  return page.getByRole("table", { name: resource.labelPlural, exact: true });
}

/** Wait until the list has read what it shows: no request and no typed search pending
 * (the table is `aria-busy` until then). */
export async function settled(page: Page, resource: ResourceCase): Promise<void> {
  await expect(listTable(page, resource)).toHaveAttribute("aria-busy", "false");
}

/** The list shows no row with `text` in the scope it is in: searched for where the list has a
 * search, and read to its end. */
export async function expectAbsent(page: Page, resource: ResourceCase, text: string): Promise<void> {
  await search(page, resource, text);
  await settled(page, resource);
  const more = page.getByRole("button", { name: "Load more", exact: true });
  while (await more.isVisible()) {
    await more.click();
    await settled(page, resource);
  }
  await expect(row(page, text)).toHaveCount(0);
}

/** Type a value into a scope switcher ("Tenant", "Branch") and apply it, as a person does. */
export async function switchScope(page: Page, label: "Tenant" | "User" | "Branch", value: string): Promise<void> {
  const field = page.getByRole("textbox", { name: label, exact: true });
  await field.fill(value);
  await field.press("Enter");
  await expect(field).toHaveValue(value);
}

/** The toast region: the app's status messages, with their buttons (Undo). */
export function toasts(page: Page): Locator {
  return page.getByRole("status", { name: "Notifications", exact: true });
}
