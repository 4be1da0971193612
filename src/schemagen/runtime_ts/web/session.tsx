/* What every component reads from the app around it: the resources by name, the caller's scope
 * (tenant, user, branch) with the request options that send it, and the toasts. */

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { createApiClient, type RequestOptions } from "../client/http.js";
import type { Replica } from "../client/replica.js";
import { localEntries, replicaOf } from "./local.js";
import type { ResourceEntry } from "./resources.js";

/** The headers' values: "" sends none. */
export interface Scope {
  readonly tenantId: string;
  readonly userId: string;
  readonly branchId: string;
}

export interface Session {
  readonly resources: ReadonlyMap<string, ResourceEntry>;
  readonly scope: Scope;
  readonly setScope: (next: Partial<Scope>) => void;
  /** What every api call is given: a client sending the scope's headers. */
  readonly options: RequestOptions;
  /** The start of every query key: queries of another scope are other queries. */
  readonly queryKey: readonly string[];
  /** The scope's local copy (local-first apps), through which `resources` read and write. */
  readonly replica: Replica | null;
  /** Whether this browser keeps a local copy: null when the app offers none. */
  readonly keepsCopy: boolean | null;
  readonly setKeepsCopy: (keep: boolean) => void;
}

const SessionContext = createContext<Session | null>(null);

const STORAGE_KEY = "schemagen.scope";
/** Where a browser remembers that it keeps a local copy (a choice per device: the rows it holds
 * stay on it). */
const COPY_KEY = "schemagen.localCopy";

function storedChoice(): boolean {
  try {
    return window.localStorage.getItem(COPY_KEY) === "on";
  } catch {
    return false;
  }
}
const EMPTY: Scope = { tenantId: "", userId: "", branchId: "" };

function storedScope(): Scope {
  try {
    const stored: unknown = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? "null");
    if (typeof stored !== "object" || stored === null) return EMPTY;
    const values: { readonly [name: string]: unknown } = { ...stored };
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    return { tenantId: text(values["tenantId"]), userId: text(values["userId"]), branchId: text(values["branchId"]) };
  } catch {
    // No storage (a private window) or something else in it: start unscoped.
    return EMPTY;
  }
}

export function SessionProvider(props: {
  readonly resources: readonly ResourceEntry[];
  readonly baseUrl?: string | undefined;
  readonly initialScope?: Partial<Scope> | undefined;
  /** Keep a local copy of each scope in IndexedDB under this database name (`AppOptions.localFirst`). */
  readonly localFirst?: string | undefined;
  readonly children: ReactNode;
}) {
  const { resources, baseUrl = "", initialScope, localFirst, children } = props;
  const [scope, setScopeState] = useState<Scope>(() => ({ ...storedScope(), ...initialScope }));
  const [keepsCopy, setKeepsCopyState] = useState<boolean>(storedChoice);
  const setKeepsCopy = useCallback((keep: boolean) => {
    try {
      window.localStorage.setItem(COPY_KEY, keep ? "on" : "off");
    } catch {
      // Without storage the choice lasts as long as the page.
    }
    setKeepsCopyState(keep);
  }, []);
  const setScope = useCallback((next: Partial<Scope>) => {
    setScopeState((current) => {
      const scope = { ...current, ...next };
      try {
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify(scope));
      } catch {
        // Without storage the scope lasts as long as the page.
      }
      return scope;
    });
  }, []);
  const session = useMemo<Session>(() => {
    const client = createApiClient({
      baseUrl,
      tenantId: scope.tenantId || null,
      userId: scope.userId || null,
      branchId: scope.branchId || null,
    });
    const replica = localFirst !== undefined && keepsCopy && typeof indexedDB !== "undefined" ? replicaOf(localFirst, scope, resources, client) : null;
    const entries = replica === null ? resources : localEntries(resources, replica);
    return {
      resources: new Map(entries.map((entry) => [entry.key, entry])),
      scope,
      setScope,
      options: { client },
      queryKey: ["schemagen", scope.tenantId, scope.userId, scope.branchId],
      replica,
      keepsCopy: localFirst === undefined ? null : keepsCopy,
      setKeepsCopy,
    };
  }, [resources, baseUrl, scope, setScope, localFirst, keepsCopy, setKeepsCopy]);
  const { replica } = session;
  useEffect(() => {
    if (replica === null) return;
    void replica.open();
    return () => replica.close();
  }, [replica]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error("useSession needs a SessionProvider around it (App gives one)");
  return session;
}

// ----------------------------------------------------------------------------------------------
// Toasts

export interface Toast {
  readonly id: number;
  readonly message: string;
  readonly tone: "info" | "error";
  /** A button in the toast, say Undo. */
  readonly action?: { readonly label: string; readonly run: () => void };
}

type ToastInput = Omit<Toast, "id" | "tone"> & { readonly tone?: Toast["tone"] };

const ToastContext = createContext<((toast: ToastInput) => void) | null>(null);

/** How long a toast stays unless dismissed. */
const TOAST_MS = 8000;

export function ToastProvider(props: { readonly children: ReactNode }) {
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  const next = useRef(1);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((toast) => toast.id !== id)), []);
  const push = useCallback(
    (input: ToastInput) => {
      const id = next.current++;
      setToasts((all) => [...all, { tone: "info", ...input, id }]);
      const timer = setTimeout(() => {
        timers.current.delete(timer);
        dismiss(id);
      }, TOAST_MS);
      timers.current.add(timer);
    },
    [dismiss],
  );
  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach(clearTimeout);
  }, []);
  return (
    <ToastContext.Provider value={push}>
      {props.children}
      <div className="sg-toasts" role="status" aria-live="polite" aria-label="Notifications">
        {toasts.map((toast) => (
          <div key={toast.id} className={"sg-toast sg-toast-" + toast.tone}>
            <span>{toast.message}</span>
            {toast.action && (
              <button
                type="button"
                onClick={() => {
                  toast.action?.run();
                  dismiss(toast.id);
                }}
              >
                {toast.action.label}
              </button>
            )}
            <button type="button" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

/** Show a toast: `toast({message: "Office created"})`. */
export function useToast(): (toast: ToastInput) => void {
  const push = useContext(ToastContext);
  if (push === null) throw new Error("useToast needs a ToastProvider around it (App gives one)");
  return push;
}
