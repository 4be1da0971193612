/* Rendering a component as the app would: a query client that does not retry, the session over
 * the test's resources, and the toasts. */

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactNode } from "react";
import type { ResourceEntry } from "../runtime/web/resources.js";
import { SessionProvider, ToastProvider, type Scope } from "../runtime/web/session.js";

export function renderWith(resources: readonly ResourceEntry[], ui: ReactNode, scope?: Partial<Scope>): RenderResult {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <SessionProvider resources={resources} initialScope={scope}>
        <ToastProvider>{ui}</ToastProvider>
      </SessionProvider>
    </QueryClientProvider>,
  );
}

/** The first resource of a world by key, failing the test when it is not there. */
export function entry(resources: readonly ResourceEntry[], key: string): ResourceEntry {
  const found = resources.find((resource) => resource.key === key);
  if (found === undefined) throw new Error("no resource " + key);
  return found;
}
