/* A bulk change of every row the table's filters match: the API's bulk runs by filter, so the
 * dialog first asks it how many rows match (a dry run, where the resource offers one), then asks
 * to confirm with that count, runs it, and offers Undo in a toast while the undo token lives. */

import { useEffect, useState } from "react";
import type { BulkAction } from "../client/tables.js";
import { AutoForm } from "./AutoForm.js";
import { ConfirmDialog, Dialog } from "./AutoModal.js";
import { useInvalidate } from "./data.js";
import type { BulkResult, ResourceEntry } from "./resources.js";
import { useSession, useToast } from "./session.js";
import { messageOf } from "./values.js";

export interface BulkDialogProps {
  readonly resource: ResourceEntry;
  readonly action: BulkAction;
  /** The filters the change applies to: the table's, as list parameters. */
  readonly filter: { readonly [name: string]: unknown };
  readonly onClose: () => void;
}

type Step =
  | { readonly kind: "values" }
  | { readonly kind: "counting" }
  | { readonly kind: "confirm"; readonly matched: number | null; readonly confirmation?: string | null }
  | { readonly kind: "failed"; readonly message: string };

function rows(count: number, resource: ResourceEntry): string {
  return String(count) + " " + (count === 1 ? resource.label : resource.labelPlural).toLowerCase();
}

export function BulkDialog(props: BulkDialogProps) {
  const { resource, action, filter, onClose } = props;
  const { options } = useSession();
  const toast = useToast();
  const invalidate = useInvalidate();
  const update = action.operation === "update";
  const [values, setValues] = useState<{ readonly [name: string]: unknown }>({});
  const [step, setStep] = useState<Step>(update ? { kind: "values" } : { kind: "counting" });

  // A large delete is refused unless it sends back the token its dry run returned.
  const body = (changes: { readonly [name: string]: unknown }, dryRun: boolean, confirmation?: string | null) => ({
    operation: action.operation,
    filter,
    ...(update && { values: changes }),
    ...(dryRun && { dry_run: true }),
    ...(typeof confirmation === "string" && { confirmation_token: confirmation }),
  });

  async function count(changes: { readonly [name: string]: unknown }): Promise<void> {
    if (!action.dryRun || resource.bulk === undefined) {
      setStep({ kind: "confirm", matched: null });
      return;
    }
    const result = await resource.bulk(body(changes, true), options);
    setStep({ kind: "confirm", matched: result.matched, confirmation: result.confirmation_token ?? null });
  }

  // A delete has no values to ask for: it counts once, when the dialog opens.
  useEffect(() => {
    if (!update) count({}).catch((error: unknown) => setStep({ kind: "failed", message: messageOf(error) }));
  }, []);

  async function run(confirmation?: string | null): Promise<void> {
    if (resource.bulk === undefined) return;
    setStep({ kind: "counting" });
    let result: BulkResult;
    try {
      result = await resource.bulk(body(values, false, confirmation), options);
    } catch (error) {
      setStep({ kind: "failed", message: messageOf(error) });
      return;
    }
    onClose();
    await invalidate();
    if (result.status !== undefined) {
      // Too many rows to change in one request: the API runs it in the background.
      toast({ message: rows(result.matched, resource) + " to " + (update ? "update" : "delete") + ": running in the background" });
      return;
    }
    const done = rows(result.affected, resource) + (update ? " updated" : " deleted") + (result.failed > 0 ? ", " + String(result.failed) + " refused" : "");
    const token = result.undo_token;
    if (token !== null && resource.undoBulk !== undefined) {
      toast({
        message: done,
        action: {
          label: "Undo",
          run: () => {
            resource
              .undoBulk?.({ undo_token: token }, options)
              .then(async () => {
                await invalidate();
                toast({ message: action.label + " undone" });
              })
              .catch((error: unknown) => toast({ message: messageOf(error), tone: "error" }));
          },
        },
      });
    } else {
      toast({ message: done });
    }
  }

  const verb = update ? "Update" : "Delete";
  switch (step.kind) {
    case "values":
      return (
        <Dialog title={action.label + ": " + resource.labelPlural} onClose={onClose}>
          <p>Every {resource.label.toLowerCase()} the filters match gets the values you fill in; empty fields stay as they are.</p>
          <AutoForm
            form={resource.form}
            mode="edit"
            initial={{}}
            submitLabel="Continue"
            onCancel={onClose}
            onSubmit={async (changes) => {
              setValues(changes);
              await count(changes);
            }}
          />
        </Dialog>
      );
    case "counting":
      return (
        <Dialog title={action.label + ": " + resource.labelPlural} onClose={onClose}>
          <p role="status">Counting the matching {resource.labelPlural.toLowerCase()}…</p>
          <div className="sg-form-buttons">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </Dialog>
      );
    case "failed":
      return (
        <Dialog title={action.label + ": " + resource.labelPlural} onClose={onClose}>
          <div role="alert" className="sg-form-error">
            {step.message}
          </div>
          <div className="sg-form-buttons">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </Dialog>
      );
    case "confirm":
      if (step.matched === 0) {
        return (
          <Dialog title={action.label + ": " + resource.labelPlural} onClose={onClose}>
            <p>No {resource.label.toLowerCase()} matches the filters: there is nothing to change.</p>
            <div className="sg-form-buttons">
              <button type="button" onClick={onClose}>
                Cancel
              </button>
            </div>
          </Dialog>
        );
      }
      return (
        <ConfirmDialog
          title={verb + " " + (step.matched === null ? "every matching " + resource.label.toLowerCase() : rows(step.matched, resource)) + "?"}
          message={
            (step.matched === null ? "Every " + resource.label.toLowerCase() + " the filters match" : "The " + rows(step.matched, resource) + " the filters match") +
                (update ? " will get the new values." : " will be deleted.") +
                (action.undo ? " You can undo it for a while." : "")
          }
          confirmLabel={step.matched === null ? verb : verb + " " + String(step.matched)}
          onConfirm={() => void run(step.confirmation)}
          onClose={onClose}
        />
      );
  }
}
