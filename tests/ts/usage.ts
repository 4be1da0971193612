/* Type-level tests of the showcase's generated client: compiled with it by tests/e2e/test_client.py,
 * never run. Each `expectType<Equal<A, B>>()` fails to compile unless A and B are the same type;
 * each `@ts-expect-error` fails to compile unless the line below it is an error. */

import { QueryClient } from "@tanstack/react-query";
import * as client from "./showcase/client/src/index.js";
import type { AuditPage, BulkUndoResult, MergeResult, Office, OfficePage, Opportunity } from "./showcase/client/src/types.js";

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | undefined {
  return undefined;
}

export function usage(): void {
  const list = client.useOfficeList({ status: "active", sort: ["-created_at", "name"], region_id__in: ["a", "b"] });
  expectType<Equal<typeof list.data, OfficePage | undefined>>();
  // @ts-expect-error: "closed" is not an office status
  client.useOfficeList({ status: "closed" });
  // @ts-expect-error: offices cannot be sorted by code
  client.useOfficeList({ sort: "code" });

  const detail = client.useOffice("id");
  expectType<Equal<typeof detail.data, Office | undefined>>();

  const byName = client.useActionQuery("office.list", { q: "north" });
  expectType<Equal<typeof byName.data, OfficePage | undefined>>();
  const oneByName = client.useActionQuery("office.get", "id");
  expectType<Equal<typeof oneByName.data, Office | undefined>>();
  // @ts-expect-error: not a query action
  client.useActionQuery("office.create", {});
  // Query options after the input: `enabled` and the rest; `select` changes what `data` is.
  const waiting = client.useActionQuery("office.get", "id", { enabled: false, staleTime: 1000 });
  expectType<Equal<typeof waiting.data, Office | undefined>>();
  const counted = client.useActionQuery("office.list", { q: "north" }, { select: (page) => page.items.length });
  expectType<Equal<typeof counted.data, number | undefined>>();
  const everyOffice = client.useActionQuery("office.list");
  expectType<Equal<typeof everyOffice.data, OfficePage | undefined>>();
  client.useActionQuery("office.list", undefined, { enabled: false });
  // @ts-expect-error: a detail needs its id
  client.useActionQuery("office.get");
  // @ts-expect-error: enabled is a boolean (or a function of the query)
  client.useActionQuery("office.get", "id", { enabled: "yes" });
  const names = client.useOfficeList({}, { select: (page) => page.items.map((office) => office.name) });
  expectType<Equal<typeof names.data, string[] | undefined>>();
  const title = client.useOffice("id", { select: (office) => office.name, enabled: true });
  expectType<Equal<typeof title.data, string | undefined>>();
  const pageCount = client.useOfficeInfiniteList({}, { select: (data) => data.pages.length });
  expectType<Equal<typeof pageCount.data, number | undefined>>();
  const entries = client.useAuditEntries({}, { select: (page) => page.items });
  expectType<Equal<typeof entries.data, AuditPage["items"] | undefined>>();

  const create = client.useActionMutation("office.create", {
    onSuccess: (row) => {
      expectType<Equal<typeof row, Office>>();
    },
  });
  create.mutate({ name: "HQ", person_ids: [] });
  // @ts-expect-error: name is required
  create.mutate({ status: "active" });

  const update = client.useUpdateOffice({
    skipInvalidation: true,
    onError: (error) => {
      expectType<Equal<typeof error, client.ApiError>>();
    },
  });
  update.mutate({ id: "id", patch: { status: "inactive", region_id: null } });
  client.useDeleteOffice().mutate("id");
  client.useCloseOffice().mutate({ id: "id", input: { reason: "moved" } });

  const pages = client.useOfficeInfiniteList({ limit: 10 });
  expectType<Equal<NonNullable<typeof pages.data>["pages"][number], OfficePage>>();

  const queryClient = new QueryClient();
  const cached = queryClient.getQueryData(client.officeKeys.detail("id"));
  expectType<Equal<typeof cached, Office | undefined>>();
  const cachedList = queryClient.getQueryData(client.officeKeys.list({ status: "active" }));
  expectType<Equal<typeof cachedList, OfficePage | undefined>>();

  void client.runAction("office.update", "id", { name: "x" }).then((row) => expectType<Equal<typeof row, Office>>());
  // @ts-expect-error: an update needs its patch
  void client.runAction("office.update", "id");

  const field = client.officeForm.fields.find((f) => f.name === "region_id");
  expectType<Equal<typeof client.officeForm.resource, "office">>();
  void field;
  // Every field's rules are typed, whichever rules it has: no casts.
  for (const f of client.officeForm.fields) {
    expectType<Equal<typeof f.rules.maxLength, number | undefined>>();
    expectType<Equal<typeof f.rules.pattern, string | undefined>>();
    const relation = f.relation;
    if (relation !== undefined) expectType<Equal<typeof relation.titleField, string>>();
  }
  expectType<Equal<(typeof client.officeTable.columns)[number]["format"], client.ColumnFormat>>();
  expectType<typeof client.RUNTIME_VERSION extends string ? true : false>();
  expectType<Equal<keyof typeof client.invalidationMap, client.MutationAction>>();

  // Traits: restore and bulk undo (opportunity), the audit log, branches (region, office, person).
  client.useOpportunityList({ include_deleted: true, next_action_at__lte: "now" });
  // @ts-expect-error: todos are not soft-deleted
  client.useTodoList({ include_deleted: true });
  const restore = client.useRestoreOpportunity({ onSuccess: (row) => expectType<Equal<typeof row, Opportunity>>() });
  restore.mutate("id");
  const undo = client.useUndoBulkOpportunities();
  undo.mutate({ undo_token: "token" });
  expectType<Equal<typeof undo.data, BulkUndoResult | undefined>>();
  void client.runAction("opportunity.restore", "id").then((row) => expectType<Equal<typeof row, Opportunity>>());
  client.useUpdateOpportunity().mutate({ id: "id", patch: { stage: "won", version: 3 } });
  const audit = client.useAuditEntries({ resource: "opportunity", limit: 20 });
  expectType<Equal<typeof audit.data, AuditPage | undefined>>();
  const merge = client.useMergeBranch();
  merge.mutate("feature-1");
  expectType<Equal<typeof merge.data, MergeResult | undefined>>();
  // @ts-expect-error: a branch is named by a string
  merge.mutate(1);
  client.useDiscardBranch().mutate("feature-1");
  expectType<Equal<(typeof client.invalidationMap)["branches.merge"], readonly client.QueryKeyPrefix[]>>();
}
