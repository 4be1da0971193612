/* AutoForm: a resource's form, from its generated definition, in create or edit mode. One widget
 * per field, labels and help, the definition's zod schema checked before anything is sent, and
 * the server's refusals (`{detail, error_code, field}`) shown at their field. */

import { useId, useMemo, useState, type FormEvent, type ReactNode } from "react";
import type { FormDefinition, FormField } from "../client/forms.js";
import { RelationSelect } from "./RelationSelect.js";
import type { RowId } from "./resources.js";
import { apiErrorOf, asRowId, fieldOf, messageOf } from "./values.js";

export type FormMode = "create" | "edit";

export interface AutoFormProps {
  readonly form: FormDefinition;
  readonly mode: FormMode;
  /** The row being edited (edit mode), whose values the fields start from. */
  readonly initial?: object | undefined;
  /** The submit button's text; default "Save". */
  readonly submitLabel?: string | undefined;
  /** Sends the body: every field given (create) or the changed ones (edit). A rejection with an
   * API error is shown on the form; resolve to keep the form as it is. */
  readonly onSubmit: (body: { [name: string]: unknown }) => Promise<void>;
  readonly onCancel?: (() => void) | undefined;
  /** Where the form's own buttons go; default under the fields. */
  readonly footer?: ReactNode;
}

/** What a field's widget holds while the user types: text for most, a flag for checkboxes, ids
 * for relations. */
type DraftValue = string | boolean | readonly RowId[];
type Drafts = { readonly [name: string]: DraftValue };
type Errors = { readonly [name: string]: string };

/** How a field is edited: its widget, unless the field's type decides. */
type Kind = "text" | "textarea" | "number" | "checkbox" | "date" | "datetime" | "time" | "email" | "url" | "tel" | "select" | "relation" | "json" | "list";

export function kindOf(field: FormField): Kind {
  if (field.relation !== undefined) return "relation";
  switch (field.widget) {
    case "textarea":
    case "number":
    case "checkbox":
    case "date":
    case "datetime":
    case "time":
    case "email":
    case "url":
    case "tel":
    case "json":
      return field.widget;
    case "select":
    case "multiselect":
      return field.options !== undefined ? "select" : "text";
    case "tags":
      return "list";
    default:
      // slug, uuid and a schema's own widgets are typed as text.
      return field.type === "array" ? "list" : field.type === "json" ? "json" : "text";
  }
}

const NUMBER_TYPES = new Set(["integer", "bigint", "float", "decimal"]);

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** An instant as a datetime-local input shows it: in the viewer's zone, to the minute. */
export function toLocalInput(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A field's API value as its widget shows it. */
export function toDraft(field: FormField, value: unknown): DraftValue {
  switch (kindOf(field)) {
    case "checkbox":
      return value === true;
    case "relation":
      if (Array.isArray(value)) return value.flatMap((item) => { const id = asRowId(item); return id === null ? [] : [id]; });
      return asRowId(value) === null ? [] : [asRowId(value) ?? ""];
    case "datetime":
      return typeof value === "string" ? toLocalInput(value) : "";
    case "json":
      return value === undefined || value === null ? "" : JSON.stringify(value, null, 2);
    case "list":
      return Array.isArray(value) ? value.map((item) => (typeof item === "string" ? item : JSON.stringify(item))).join("\n") : "";
    default:
      return value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);
  }
}

type Parsed = { readonly value: unknown } | { readonly error: string } | "empty";

/** A widget's value as the API takes it, "empty" when nothing was entered. */
export function fromDraft(field: FormField, draft: DraftValue): Parsed {
  if (typeof draft === "boolean") return { value: draft };
  if (typeof draft !== "string") {
    if (field.relation?.multiple === true) return { value: [...draft] };
    return draft[0] === undefined ? "empty" : { value: draft[0] };
  }
  const text = draft.trim();
  if (text === "") return "empty";
  switch (kindOf(field)) {
    case "number": {
      const number = Number(text);
      return Number.isFinite(number) ? { value: number } : { error: "Enter a number." };
    }
    case "datetime": {
      const date = new Date(text);
      return Number.isNaN(date.getTime()) ? { error: "Enter a date and time." } : { value: date.toISOString() };
    }
    case "json":
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        return { error: "Enter valid JSON." };
      }
    case "list": {
      const items = text.split("\n").map((item) => item.trim()).filter((item) => item !== "");
      if (field.of === undefined || !NUMBER_TYPES.has(field.of)) return { value: items };
      const numbers = items.map(Number);
      return numbers.every(Number.isFinite) ? { value: numbers } : { error: "Enter one number per line." };
    }
    default:
      // Text keeps what was typed, spaces included; only an all-blank value counts as empty.
      return { value: draft };
  }
}

/** The zod schema's check, read by its shape (the definition types it `unknown`). */
interface SafeParser {
  safeParse(value: unknown): { success: true } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

function isSafeParser(schema: unknown): schema is SafeParser {
  // Reflect.get, not a spread: zod's methods are not own enumerable properties of a schema.
  return typeof schema === "object" && schema !== null && typeof Reflect.get(schema, "safeParse") === "function";
}

function sameDraft(a: DraftValue | undefined, b: DraftValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function AutoForm(props: AutoFormProps) {
  const { form, mode, initial, onSubmit } = props;
  const prefix = useId();
  const fields = useMemo(
    () => form.fields.filter((field) => mode === "edit" || !field.readOnly.create),
    [form.fields, mode],
  );
  const initialDrafts = useMemo<Drafts>(() => {
    const drafts: { [name: string]: DraftValue } = {};
    for (const field of fields) {
      const value = mode === "edit" && initial !== undefined ? fieldOf(initial, field.name) : field.default;
      drafts[field.name] = toDraft(field, value);
    }
    return drafts;
  }, [fields, mode, initial]);
  const [drafts, setDrafts] = useState<Drafts>(initialDrafts);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const idOf = (field: FormField) => prefix + "-" + field.name;

  const editable = (field: FormField) => !field.readOnly[mode === "create" ? "create" : "update"];

  function collect(): { body: { [name: string]: unknown }; errors: { [name: string]: string } } {
    const body: { [name: string]: unknown } = {};
    const found: { [name: string]: string } = {};
    for (const field of fields) {
      if (!editable(field)) continue;
      const draft = drafts[field.name];
      if (draft === undefined) continue;
      if (mode === "edit" && sameDraft(draft, initialDrafts[field.name])) continue;
      const parsed = fromDraft(field, draft);
      if (parsed === "empty") {
        if (field.required && mode === "create") found[field.name] = field.label + " is required.";
        else if (mode === "edit" && field.nullable) body[field.name] = null;
        else if (mode === "edit" && field.required) found[field.name] = field.label + " is required.";
      } else if ("error" in parsed) {
        found[field.name] = parsed.error;
      } else {
        body[field.name] = parsed.value;
      }
    }
    const schema = form.schemas[mode === "create" ? "create" : "update"];
    if (Object.keys(found).length === 0 && isSafeParser(schema)) {
      const result = schema.safeParse(body);
      if (!result.success) {
        for (const issue of result.error.issues) {
          const name = typeof issue.path[0] === "string" ? issue.path[0] : "";
          if (found[name] === undefined) found[name] = issue.message;
        }
      }
    }
    return { body, errors: found };
  }

  function focusFirst(names: readonly string[]) {
    const first = fields.find((field) => names.includes(field.name));
    if (first !== undefined) document.getElementById(idOf(first))?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { body, errors: found } = collect();
    const known = fields.some((field) => found[field.name] !== undefined);
    setErrors(found);
    // An issue no field shows (a path the form has no widget for) is the form's own.
    const stray = Object.entries(found).find(([name]) => !fields.some((field) => field.name === name));
    setFormError(stray === undefined ? null : stray[0] ? `${stray[0]}: ${stray[1]}` : stray[1]);
    if (known || stray !== undefined) {
      focusFirst(Object.keys(found));
      return;
    }
    setBusy(true);
    try {
      await onSubmit(body);
    } catch (error) {
      const api = apiErrorOf(error);
      const target = api?.field == null ? undefined : fields.find((field) => field.name === api.field || field.field === api.field || api.field?.endsWith("." + field.name));
      if (api !== null && target !== undefined) {
        setErrors({ [target.name]: api.detail });
        focusFirst([target.name]);
      } else {
        setFormError(messageOf(error));
      }
    } finally {
      setBusy(false);
    }
  }

  const set = (name: string, value: DraftValue) => setDrafts((current) => ({ ...current, [name]: value }));

  return (
    <form className="sg-form" noValidate onSubmit={(event) => void submit(event)} aria-busy={busy}>
      {formError !== null && (
        <div role="alert" className="sg-form-error">
          {formError}
        </div>
      )}
      {fields.map((field) => (
        <FieldRow
          key={field.name}
          field={field}
          id={idOf(field)}
          draft={drafts[field.name] ?? ""}
          error={errors[field.name]}
          readOnly={!editable(field)}
          onChange={(value) => set(field.name, value)}
        />
      ))}
      {props.footer ?? (
        <div className="sg-form-buttons">
          <button type="submit" className="sg-primary" disabled={busy}>
            {props.submitLabel ?? "Save"}
          </button>
          {props.onCancel && (
            <button type="button" onClick={props.onCancel}>
              Cancel
            </button>
          )}
        </div>
      )}
    </form>
  );
}

interface FieldRowProps {
  readonly field: FormField;
  readonly id: string;
  readonly draft: DraftValue;
  readonly error: string | undefined;
  readonly readOnly: boolean;
  readonly onChange: (value: DraftValue) => void;
}

const INPUT_TYPES: { readonly [kind: string]: string } = {
  text: "text",
  number: "number",
  date: "date",
  datetime: "datetime-local",
  time: "time",
  email: "email",
  url: "url",
  tel: "tel",
};

function FieldRow(props: FieldRowProps) {
  const { field, id, draft, error, readOnly, onChange } = props;
  const kind = kindOf(field);
  const helpId = id + "-help";
  const errorId = id + "-error";
  const help = field.help ?? field.description;
  const hint = kind === "list" ? "One item per line." : kind === "json" ? "JSON." : undefined;
  const describedBy = [help !== undefined || hint !== undefined ? helpId : "", error !== undefined ? errorId : ""].filter(Boolean).join(" ") || undefined;
  const text = typeof draft === "string" ? draft : "";
  const common = {
    id,
    "aria-describedby": describedBy,
    "aria-invalid": error !== undefined,
    required: field.required,
  };
  let widget: ReactNode;
  switch (kind) {
    case "checkbox":
      widget = <input {...common} type="checkbox" checked={draft === true} disabled={readOnly} onChange={(event) => onChange(event.target.checked)} />;
      break;
    case "textarea":
    case "json":
    case "list":
      widget = (
        <textarea
          {...common}
          className={kind === "json" ? "sg-code" : undefined}
          rows={kind === "textarea" ? 4 : 3}
          value={text}
          readOnly={readOnly}
          maxLength={field.rules.maxLength}
          onChange={(event) => onChange(event.target.value)}
        />
      );
      break;
    case "select":
      widget = (
        <select {...common} value={text} disabled={readOnly} onChange={(event) => onChange(event.target.value)}>
          <option value="">—</option>
          {field.options?.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      );
      break;
    case "relation":
      widget = field.relation && (
        <RelationSelect
          id={id}
          label={field.label}
          resource={field.relation.resource}
          titleField={field.relation.titleField}
          multiple={field.relation.multiple}
          value={typeof draft === "object" ? draft : []}
          onChange={onChange}
          required={field.required}
          disabled={readOnly}
          describedBy={describedBy}
          invalid={error !== undefined}
        />
      );
      break;
    default:
      widget = (
        <input
          {...common}
          type={INPUT_TYPES[kind] ?? "text"}
          value={text}
          readOnly={readOnly}
          min={field.rules.min}
          max={field.rules.max}
          step={kind === "number" ? (field.rules.step ?? (field.type === "float" ? "any" : 1)) : undefined}
          maxLength={field.rules.maxLength}
          minLength={field.rules.minLength}
          onChange={(event) => onChange(event.target.value)}
        />
      );
  }
  return (
    <div className={"sg-field sg-field-" + kind + (error !== undefined ? " sg-invalid" : "")}>
      <label htmlFor={id} className={field.required ? "sg-required" : undefined}>
        {field.label}
      </label>
      {widget}
      {(help !== undefined || hint !== undefined) && (
        <p id={helpId} className="sg-help">
          {[help, hint].filter(Boolean).join(" ")}
        </p>
      )}
      {error !== undefined && (
        <p id={errorId} className="sg-error">
          {error}
        </p>
      )}
    </div>
  );
}
