/* The web runtime: `renderApp(root, resources, options)` mounts a generated app; `App`, the
 * components and the contract types are here for a page of one's own. */

import { createElement } from "react";
import { createRoot, type Root } from "react-dom/client";
import { App } from "./App.js";
import type { AppOptions, ResourceEntry } from "./resources.js";
import "./styles.css";

export { App, ErrorBoundary, type AppProps } from "./App.js";
export { AutoForm, type AutoFormProps, type FormMode } from "./AutoForm.js";
export { AutoModal, ConfirmDialog, Dialog, type AutoModalProps } from "./AutoModal.js";
export { AutoTable, type AutoTableProps } from "./AutoTable.js";
export { BulkDialog, type BulkDialogProps } from "./Bulk.js";
export { isActive, RUNS_PATH, RunsPage, undoTokenOf } from "./Runs.js";
export { RelationSelect } from "./RelationSelect.js";
export type { ActionEntry, AppOptions, AuditEntry, AuditFunctions, BranchFunctions, BulkResult, BulkRun, BulkRunFunctions, ListParams, Page, ResourceEntry, Row, RowId } from "./resources.js";
export { href, navigate, useRoute, viewHref, type Route } from "./router.js";
export { useSession, useToast, type Scope } from "./session.js";
export { buildTree, TreeView, type TreeNode, type TreeViewProps } from "./TreeView.js";
export { ViewPage, viewTable, type ViewPageProps } from "./ViewPage.js";

/** Mount the app on an element (the generated `main.tsx` calls it with `#root`). */
export function renderApp(root: HTMLElement, resources: readonly ResourceEntry[], options: AppOptions): Root {
  const app = createRoot(root);
  app.render(createElement(App, { resources, options }));
  return app;
}
