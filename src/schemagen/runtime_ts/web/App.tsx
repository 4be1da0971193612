/* The app shell: a menu of every resource (its icon and colour from the schema's `display`) and
 * of every named view, a page per resource list, per view and per row, the scope switchers (tenant, user, branch) whose values every
 * request sends as headers, toasts, and an error boundary around each page. */

import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from "@tanstack/react-query";
import { Component, useEffect, useId, useState, type ErrorInfo, type ReactNode } from "react";
import { AutoModal, ConfirmDialog } from "./AutoModal.js";
import { AutoTable, RelatedTitle } from "./AutoTable.js";
import { formatCell } from "../client/tables.js";
import { useInvalidate, useRow } from "./data.js";
import type { AppOptions, AuditEntry, AuditFunctions, BranchFunctions, ResourceEntry, Row, RowId } from "./resources.js";
import { href, navigate, useRoute, viewHref, type Route } from "./router.js";
import { SessionProvider, ToastProvider, useSession, useToast, type Scope } from "./session.js";
import { asRowId, fieldOf, messageOf, titleOf } from "./values.js";
import { SyncStatus } from "./local.js";
import { ViewPage } from "./ViewPage.js";
import { RUNS_PATH, RunsPage } from "./Runs.js";
import type { ListView } from "../client/tables.js";

export interface AppProps {
  readonly resources: readonly ResourceEntry[];
  readonly options: AppOptions;
  /** The query client; default a new one (tests pass their own). */
  readonly queryClient?: QueryClient | undefined;
  /** The scope to start in, over what the browser remembers. */
  readonly initialScope?: Partial<Scope> | undefined;
}

function defaultQueryClient(): QueryClient {
  // A failed read is shown with its own "Try again": one automatic retry is enough.
  return new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 5_000 } } });
}

export function App(props: AppProps) {
  const [queryClient] = useState(() => props.queryClient ?? defaultQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider resources={props.resources} baseUrl={props.options.baseUrl} initialScope={props.initialScope} localFirst={props.options.localFirst}>
        <ToastProvider>
          <Shell options={props.options} />
        </ToastProvider>
      </SessionProvider>
    </QueryClientProvider>
  );
}

/** Symbols for the icon names schemas use most; any other name shows the label's first letter. */
const ICONS: { readonly [name: string]: string } = {
  building: "🏢",
  office: "🏢",
  user: "👤",
  person: "👤",
  people: "👥",
  users: "👥",
  map: "🗺",
  globe: "🌐",
  check: "✔",
  "check-square": "☑",
  list: "☰",
  menu: "☰",
  briefcase: "💼",
  dollar: "$",
  money: "$",
  star: "★",
  tag: "🏷",
  calendar: "📅",
  bolt: "⚡",
  zap: "⚡",
  file: "📄",
  folder: "📁",
  home: "⌂",
  settings: "⚙",
  cog: "⚙",
};

function ResourceIcon(props: { readonly entry: ResourceEntry }) {
  const { entry } = props;
  const symbol = (entry.icon !== undefined ? ICONS[entry.icon] : undefined) ?? entry.label.charAt(0).toUpperCase();
  return (
    <span className="sg-icon" aria-hidden="true" data-icon={entry.icon} style={entry.color !== undefined ? { background: entry.color } : undefined}>
      {symbol}
    </span>
  );
}

/** Every named view of every resource, in the resources' order. */
function viewsOf(resources: Iterable<ResourceEntry>): { readonly entry: ResourceEntry; readonly view: ListView }[] {
  return [...resources].flatMap((entry) => (entry.table.views ?? []).map((view) => ({ entry, view })));
}

function Shell(props: { readonly options: AppOptions }) {
  const { options } = props;
  const { resources } = useSession();
  const route = useRoute();
  const entry = route.kind === "home" ? undefined : [...resources.values()].find((resource) => resource.path === route.path);
  const view = route.kind === "view" ? entry?.table.views?.find((candidate) => candidate.name === route.view) : undefined;
  const views = viewsOf(resources.values());
  const runs = route.kind === "list" && route.path === RUNS_PATH && options.bulkRuns !== undefined;
  const heading = runs ? "Bulk runs · " + options.title : entry === undefined ? options.title : (view?.title ?? entry.labelPlural) + " · " + options.title;
  useEffect(() => {
    document.title = heading;
  }, [heading]);
  const routeKey = route.kind === "home" ? "home" : route.kind + ":" + route.path + (route.kind === "detail" ? ":" + route.id : route.kind === "view" ? ":" + route.view : "");
  return (
    <div className="sg-app">
      <header className="sg-header">
        <a className="sg-brand" href="#/">
          {options.title}
        </a>
        <ScopeSwitchers options={options} />
        <SyncStatus />
      </header>
      <div className="sg-menu">
        {views.length > 0 && (
          <nav aria-label="Views">
            <ul>
              {views.map(({ entry: owner, view: item }) => (
                <li key={owner.key + "." + item.name}>
                  <a href={viewHref(owner.path, item.name)} aria-current={view === item ? "page" : undefined}>
                    <ResourceIcon entry={owner} /> {item.title}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <nav aria-label="Resources">
          <ul>
            {[...resources.values()].map((resource) => (
              <li key={resource.key}>
                <a href={href(resource.path)} aria-current={entry?.key === resource.key && route.kind !== "view" ? "page" : undefined}>
                  <ResourceIcon entry={resource} /> {resource.labelPlural}
                </a>
              </li>
            ))}
            {options.bulkRuns !== undefined && (
              <li>
                <a href={href(RUNS_PATH)} aria-current={runs ? "page" : undefined}>
                  Bulk runs
                </a>
              </li>
            )}
          </ul>
        </nav>
      </div>
      <main className="sg-main">
        <ErrorBoundary key={routeKey}>
          <Page route={route} entry={entry} view={view} options={options} />
        </ErrorBoundary>
      </main>
    </div>
  );
}

function Page(props: { readonly route: Route; readonly entry: ResourceEntry | undefined; readonly view: ListView | undefined; readonly options: AppOptions }) {
  const { route, entry, view } = props;
  if (route.kind === "home") return <Home title={props.options.title} />;
  if (route.kind === "list" && route.path === RUNS_PATH && props.options.bulkRuns !== undefined) return <RunsPage runs={props.options.bulkRuns} />;
  if (entry === undefined || (route.kind === "view" && view === undefined)) {
    return (
      <>
        <h1>Not found</h1>
        <p>
          There is no page here. <a href="#/">Back to the start</a>
        </p>
      </>
    );
  }
  if (route.kind === "list") {
    return (
      <>
        <h1>
          <ResourceIcon entry={entry} /> {entry.labelPlural}
        </h1>
        <AutoTable resource={entry} />
      </>
    );
  }
  if (route.kind === "view" && view !== undefined) return <ViewPage resource={entry} view={view} />;
  if (route.kind !== "detail") return null;
  return <DetailPage entry={entry} id={route.id} audit={entry.audited === true ? props.options.audit : undefined} />;
}

function Home(props: { readonly title: string }) {
  const { resources } = useSession();
  const views = viewsOf(resources.values());
  return (
    <>
      <h1>{props.title}</h1>
      {views.length > 0 && (
        <>
          <h2>Views</h2>
          <ul className="sg-cards">
            {views.map(({ entry, view }) => (
              <li key={entry.key + "." + view.name}>
                <a href={viewHref(entry.path, view.name)}>
                  <ResourceIcon entry={entry} /> {view.title}
                </a>
              </li>
            ))}
          </ul>
          <h2>Resources</h2>
        </>
      )}
      <ul className="sg-cards">
        {[...resources.values()].map((resource) => (
          <li key={resource.key}>
            <a href={href(resource.path)}>
              <ResourceIcon entry={resource} /> {resource.labelPlural}
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}

/** A row's id from the URL: an integer key's text is the number. */
function idFromRoute(entry: ResourceEntry, text: string): string | number {
  const idColumn = entry.table.columns.find((column) => column.accessor === "id");
  return idColumn?.format === "number" && /^-?\d+$/.test(text) ? Number(text) : text;
}

/** One row: every column and form field with its value, Edit and Delete, and the rows of other
 * resources that point at it (a region shows its offices). */
function DetailPage(props: { readonly entry: ResourceEntry; readonly id: string; readonly audit: AuditFunctions | undefined }) {
  const { entry } = props;
  const { resources, options } = useSession();
  const toast = useToast();
  const invalidate = useInvalidate();
  const id = idFromRoute(entry, props.id);
  const row = useRow(entry, id);
  const [pending, setPending] = useState<"edit" | "delete" | null>(null);
  if (row.isPending) return <p role="status">Loading {entry.label.toLowerCase()}…</p>;
  if (row.isError) {
    return (
      <>
        <h1>{entry.label}</h1>
        <div role="alert" className="sg-form-error">
          {messageOf(row.error)}
        </div>
        <a href={href(entry.path)}>Back to {entry.labelPlural.toLowerCase()}</a>
      </>
    );
  }
  const data: Row = row.data;
  const shown = new Set<string>();
  const items: { label: string; value: ReactNode }[] = [];
  for (const column of entry.table.columns) {
    shown.add(column.accessor);
    const value = fieldOf(data, column.accessor);
    const related = column.relation;
    items.push({
      label: column.header,
      value:
        related !== undefined
          ? (Array.isArray(value) ? value : [value]).map((item) => {
              const relatedId = asRowId(item);
              return relatedId === null ? null : <RelatedTitle key={String(relatedId)} resource={related.resource} id={relatedId} />;
            })
          : formatCell(data, column),
    });
  }
  for (const field of entry.form.fields) {
    if (shown.has(field.name)) continue;
    const value = fieldOf(data, field.name);
    const relation = field.relation;
    items.push({
      label: field.label,
      value:
        relation !== undefined
          ? (Array.isArray(value) ? value : [value]).map((item) => {
              const relatedId = asRowId(item);
              return relatedId === null ? null : <RelatedTitle key={String(relatedId)} resource={relation.resource} id={relatedId} />;
            })
          : value === null || value === undefined
            ? ""
            : typeof value === "string"
              ? value
              : JSON.stringify(value),
    });
  }
  // Lists of other resources with a filterable relation to this one.
  const children = [...resources.values()].flatMap((other) =>
    other.table.columns
      .filter((column) => column.relation?.resource === entry.key && !column.relation.multiple && column.filterable !== false)
      .map((column) => ({ other, column })),
  );
  return (
    <>
      <p>
        <a href={href(entry.path)}>← {entry.labelPlural}</a>
      </p>
      <h1>{titleOf(data, entry.titleField)}</h1>
      <div className="sg-toolbar">
        {entry.update !== undefined && (
          <button type="button" onClick={() => setPending("edit")}>
            Edit
          </button>
        )}
        {entry.remove !== undefined && (
          <button type="button" className="sg-danger" onClick={() => setPending("delete")}>
            Delete
          </button>
        )}
      </div>
      <dl className="sg-details">
        {items.map((item) => (
          <div key={item.label}>
            <dt>{item.label}</dt>
            <dd>{item.value}</dd>
          </div>
        ))}
      </dl>
      {children.map(({ other, column }) => (
        <section key={other.key + "." + column.accessor}>
          <h2>
            {other.labelPlural} ({column.header})
          </h2>
          <AutoTable resource={other} fixed={{ [column.accessor]: data.id }} caption={other.labelPlural + " of this " + entry.label.toLowerCase()} />
        </section>
      ))}
      {props.audit !== undefined && <Trail audit={props.audit} entry={entry} rowId={data.id} />}
      {pending === "edit" && <AutoModal mode="edit" resource={entry} row={data} onClose={() => setPending(null)} />}
      {pending === "delete" && (
        <ConfirmDialog
          title={"Delete " + entry.label + "?"}
          message={"Delete “" + titleOf(data, entry.titleField) + "”?"}
          confirmLabel="Delete"
          onClose={() => setPending(null)}
          onConfirm={() => {
            setPending(null);
            entry
              .remove?.(data.id, options)
              .then(async () => {
                toast({ message: entry.label + " deleted: " + titleOf(data, entry.titleField) });
                navigate(href(entry.path));
                await invalidate();
              })
              .catch((error: unknown) => toast({ message: messageOf(error), tone: "error" }));
          }}
        />
      )}
    </>
  );
}

/** What a trail entry changed: the fields whose value differs before and after. */
export function changesOf(entry: AuditEntry): string {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]) && !["updated_at", "version"].includes(name),
  );
  const show = (value: unknown) => (value === undefined ? "—" : JSON.stringify(value));
  return names.map((name) => (entry.before === null || entry.after === null ? name : `${name}: ${show(before[name])} → ${show(after[name])}`)).join("; ");
}

/** A row's audit trail, newest first. */
function Trail(props: { readonly audit: AuditFunctions; readonly entry: ResourceEntry; readonly rowId: RowId }) {
  const { audit, entry, rowId } = props;
  const { queryKey, options } = useSession();
  const trail = useQuery({
    queryKey: [...queryKey, entry.key, "audit", rowId],
    queryFn: ({ signal }) => audit.list({ resource: entry.key, row_id: String(rowId) }, { ...options, signal }),
  });
  return (
    <section>
      <h2>History</h2>
      {trail.isPending && <p role="status">Loading the history…</p>}
      {trail.isError && (
        <div role="alert" className="sg-form-error">
          {messageOf(trail.error)}
        </div>
      )}
      {trail.isSuccess && trail.data.items.length === 0 && <p className="sg-empty">No changes recorded.</p>}
      {trail.isSuccess && trail.data.items.length > 0 && (
        <table className="sg-table">
          <caption>History of this {entry.label.toLowerCase()}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">By</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {trail.data.items.map((item) => (
              <tr key={item.id}>
                <th scope="row">{new Date(item.at).toLocaleString()}</th>
                <td>{item.action}</td>
                <td>{item.actor ?? ""}</td>
                <td>{changesOf(item)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Merge the current branch into main, or throw it away: each asks first, then acts in main. */
function BranchControls(props: { readonly branches: BranchFunctions; readonly branch: string }) {
  const { branches, branch } = props;
  const { options, setScope, replica } = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState<"merge" | "discard" | null>(null);
  const done = (message: string) => {
    setAsking(null);
    toast({ message });
    // The branch's copy describes a branch that is gone.
    void replica?.forget();
    setScope({ branchId: "" });
    // Main changed (a merge) and the branch is gone: what was read of either is read again,
    // not only the branch's scope (main's lists may be fresh in the cache yet out of date).
    void queryClient.invalidateQueries();
  };
  const failed = (error: unknown) => {
    setAsking(null);
    toast({ message: messageOf(error), tone: "error" });
  };
  return (
    <>
      <button type="button" onClick={() => setAsking("merge")}>
        Merge branch
      </button>
      <button type="button" className="sg-danger" onClick={() => setAsking("discard")}>
        Discard branch
      </button>
      {asking === "merge" && (
        <ConfirmDialog
          title={`Merge branch “${branch}” into main?`}
          message="Its changes become the main branch's."
          confirmLabel="Merge"
          onClose={() => setAsking(null)}
          onConfirm={() => {
            branches.merge(branch, options).then(() => done(`Branch ${branch} merged into main`), failed);
          }}
        />
      )}
      {asking === "discard" && (
        <ConfirmDialog
          title={`Discard branch “${branch}”?`}
          message="Its changes are thrown away; main stays as it is."
          confirmLabel="Discard"
          onClose={() => setAsking(null)}
          onConfirm={() => {
            branches.discard(branch, options).then(() => done(`Branch ${branch} discarded`), failed);
          }}
        />
      )}
    </>
  );
}

/** The tenant, user and branch the app acts as: each a text box, applied on Enter or on leaving it. */
function ScopeSwitchers(props: { readonly options: AppOptions }) {
  const { options } = props;
  const { scope, setScope } = useSession();
  const fields: { key: keyof Scope; label: string; shown: boolean }[] = [
    { key: "tenantId", label: "Tenant", shown: options.tenant },
    { key: "userId", label: "User", shown: options.user },
    { key: "branchId", label: "Branch", shown: options.branch },
  ];
  return (
    <div className="sg-scope">
      {fields
        .filter((field) => field.shown)
        .map((field) => (
          <ScopeField key={field.key} label={field.label} value={scope[field.key]} onApply={(value) => setScope({ [field.key]: value })} />
        ))}
      {options.branch && options.branches !== undefined && scope.branchId !== "" && scope.branchId !== "main" && (
        <BranchControls branches={options.branches} branch={scope.branchId} />
      )}
    </div>
  );
}

function ScopeField(props: { readonly label: string; readonly value: string; readonly onApply: (value: string) => void }) {
  const id = useId();
  const [draft, setDraft] = useState(props.value);
  useEffect(() => setDraft(props.value), [props.value]);
  const apply = () => {
    if (draft.trim() !== props.value) props.onApply(draft.trim());
  };
  return (
    <form
      className="sg-scope-field"
      onSubmit={(event) => {
        event.preventDefault();
        apply();
      }}
    >
      <label htmlFor={id}>{props.label}</label>
      <input id={id} value={draft} onChange={(event) => setDraft(event.target.value)} onBlur={apply} />
    </form>
  );
}

interface BoundaryState {
  readonly error: unknown;
}

/** A page that throws while rendering shows what went wrong and a way to try again; the rest of
 * the app keeps working. */
export class ErrorBoundary extends Component<{ readonly children: ReactNode }, BoundaryState> {
  override state: BoundaryState = { error: null };

  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { error };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error("schemagen: a page failed", error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <div role="alert" className="sg-form-error">
        <p>This page failed: {messageOf(this.state.error)}</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
