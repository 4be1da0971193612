/* AutoModal: a dialog holding a resource's form to create a row, edit one (with the version
 * conflict of a `versioned` resource: reload, or keep my change), or give a custom action its
 * input. `Dialog` is the accessible dialog they all use. */

import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { TableAction } from "../client/tables.js";
import { AutoForm } from "./AutoForm.js";
import { useInvalidate } from "./data.js";
import type { ResourceEntry, Row } from "./resources.js";
import { useSession, useToast } from "./session.js";
import { apiErrorOf, fieldOf, messageOf, titleOf } from "./values.js";

const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";

/** The controls Tab reaches inside an element, in order (disabled ones, hidden inputs and
 * tabindex -1 left out, in code: one selector saying all that is read differently by jsdom). */
function focusable(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (element) => !element.hasAttribute("disabled") && element.getAttribute("type") !== "hidden" && element.tabIndex >= 0,
  );
}

export interface DialogProps {
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ReactNode;
  /** "alertdialog" for a question that needs an answer (a confirmation). */
  readonly role?: "dialog" | "alertdialog";
}

/** A modal dialog named by its heading: focus moves into it, Escape closes it, and focus goes back
 * where it was when it closes. */
export function Dialog(props: DialogProps) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const { onClose } = props;
  useEffect(() => {
    const before = document.activeElement;
    const first = ref.current === null ? undefined : focusable(ref.current)[0];
    (first ?? ref.current)?.focus();
    return () => {
      if (before instanceof HTMLElement) before.focus();
    };
  }, []);
  return (
    <div className="sg-backdrop">
      <div
        ref={ref}
        className="sg-dialog"
        role={props.role ?? "dialog"}
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.stopPropagation();
            onClose();
          } else if (event.key === "Tab" && ref.current !== null) {
            // The dialog is modal: Tab goes round its own controls, never out to the page.
            const controls = focusable(ref.current);
            const first = controls[0];
            const last = controls[controls.length - 1];
            if (first === undefined || last === undefined) return;
            if (event.shiftKey && (document.activeElement === first || document.activeElement === ref.current)) {
              event.preventDefault();
              last.focus();
            } else if (!event.shiftKey && document.activeElement === last) {
              event.preventDefault();
              first.focus();
            }
          }
        }}
      >
        {/* No close button beside the title: every dialog has its Cancel, and a button named
            "Close" would clash with a custom action of that name. */}
        <h2 id={titleId}>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

/** A yes-or-no question in a dialog: "Delete Office?" with its confirm button's label. */
export function ConfirmDialog(props: { readonly title: string; readonly message: string; readonly confirmLabel: string; readonly onConfirm: () => void; readonly onClose: () => void }) {
  return (
    <Dialog title={props.title} onClose={props.onClose} role="alertdialog">
      <p>{props.message}</p>
      <div className="sg-form-buttons">
        <button type="button" className="sg-danger" onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}

export type AutoModalProps = {
  readonly resource: ResourceEntry;
  readonly onClose: () => void;
  /** Called with what the API answered, after the modal's own toast. */
  readonly onDone?: ((result: unknown) => void) | undefined;
} & (
  | { readonly mode: "create" }
  | { readonly mode: "edit"; readonly row: Row }
  | { readonly mode: "action"; readonly action: TableAction; readonly row: Row }
);

export function AutoModal(props: AutoModalProps) {
  switch (props.mode) {
    case "create":
      return <CreateModal {...props} />;
    case "edit":
      return <EditModal {...props} row={props.row} />;
    case "action":
      return <ActionModal {...props} action={props.action} row={props.row} />;
  }
}

interface ModalBase {
  readonly resource: ResourceEntry;
  readonly onClose: () => void;
  readonly onDone?: ((result: unknown) => void) | undefined;
}

function CreateModal(props: ModalBase) {
  const { resource, onClose, onDone } = props;
  const { options } = useSession();
  const toast = useToast();
  const invalidate = useInvalidate();
  return (
    <Dialog title={"New " + resource.label} onClose={onClose}>
      <AutoForm
        form={resource.form}
        mode="create"
        submitLabel="Create"
        onCancel={onClose}
        onSubmit={async (body) => {
          if (resource.create === undefined) throw new Error(resource.labelPlural + " cannot be created here.");
          const row = await resource.create(body, options);
          await invalidate();
          toast({ message: resource.label + " created: " + titleOf(row, resource.titleField) });
          onClose();
          onDone?.(row);
        }}
      />
    </Dialog>
  );
}

/** The version a row was read at, for a versioned resource's If-Match. */
function versionOf(row: Row): number | undefined {
  const version = fieldOf(row, "version");
  return typeof version === "number" ? version : undefined;
}

function EditModal(props: ModalBase & { readonly row: Row }) {
  const { resource, onClose, onDone } = props;
  const { options } = useSession();
  const toast = useToast();
  const invalidate = useInvalidate();
  // The row the form edits: the one given, or the latest after a conflict's reload.
  const [base, setBase] = useState<Row>(props.row);
  const [generation, setGeneration] = useState(0);
  const [conflict, setConflict] = useState<{ readonly [name: string]: unknown } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function send(patch: { readonly [name: string]: unknown }, version: number | undefined) {
    if (resource.update === undefined) throw new Error(resource.labelPlural + " cannot be changed here.");
    const row = await resource.update(base.id, version === undefined ? patch : { ...patch, version }, options);
    await invalidate();
    toast({ message: resource.label + " saved: " + titleOf(row, resource.titleField) });
    onClose();
    onDone?.(row);
  }

  async function latest(): Promise<Row> {
    return resource.get(base.id, options);
  }

  return (
    <Dialog title={"Edit " + resource.label} onClose={onClose}>
      {conflict !== null && (
        <div role="alert" className="sg-conflict">
          <p>This {resource.label.toLowerCase()} was changed by someone else since you opened it.</p>
          {error !== null && <p className="sg-error">{error}</p>}
          <div className="sg-form-buttons">
            <button
              type="button"
              onClick={() => {
                void latest().then(
                  (row) => {
                    setBase(row);
                    setConflict(null);
                    setError(null);
                    setGeneration((n) => n + 1);
                  },
                  (failure: unknown) => setError(messageOf(failure)),
                );
              }}
            >
              Reload
            </button>
            <button
              type="button"
              className="sg-primary"
              onClick={() => {
                void latest()
                  .then((row) => send(conflict, versionOf(row)))
                  .catch((failure: unknown) => setError(messageOf(failure)));
              }}
            >
              Keep my change
            </button>
          </div>
        </div>
      )}
      <AutoForm
        key={generation}
        form={resource.form}
        mode="edit"
        initial={base}
        onCancel={onClose}
        onSubmit={async (patch) => {
          try {
            await send(patch, versionOf(base));
          } catch (failure) {
            if (apiErrorOf(failure)?.error_code !== "version_conflict") throw failure;
            setConflict(patch);
          }
        }}
      />
    </Dialog>
  );
}

function ActionModal(props: ModalBase & { readonly action: TableAction; readonly row: Row }) {
  const { resource, action, row, onClose, onDone } = props;
  const { options } = useSession();
  const toast = useToast();
  const invalidate = useInvalidate();
  const entry = resource.actions[action.action];
  const title = action.label + ": " + titleOf(row, resource.titleField);
  async function run(input: object) {
    if (entry === undefined) throw new Error(action.label + " is not available here.");
    const result = await entry.run(row.id, input, options);
    await invalidate();
    toast({ message: action.label + " done: " + titleOf(row, resource.titleField) });
    onClose();
    onDone?.(result);
  }
  if (entry?.input == null) {
    return <RunDialog title={title} label={action.label} onRun={() => run({})} onClose={onClose} />;
  }
  return (
    <Dialog title={title} onClose={onClose}>
      <AutoForm form={entry.input} mode="create" submitLabel={action.label} onCancel={onClose} onSubmit={run} />
    </Dialog>
  );
}

/** An action without input: one button that runs it, and its failure shown in the dialog. */
function RunDialog(props: { readonly title: string; readonly label: string; readonly onRun: () => Promise<void>; readonly onClose: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      {error !== null && (
        <div role="alert" className="sg-form-error">
          {error}
        </div>
      )}
      <div className="sg-form-buttons">
        <button
          type="button"
          className="sg-primary"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            props.onRun().catch((failure: unknown) => {
              setError(messageOf(failure));
              setBusy(false);
            });
          }}
        >
          {props.label}
        </button>
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
