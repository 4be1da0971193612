/* What a form definition is: the shape of each generated `<resource>Form` in `forms.ts`, which an
 * auto-generated form renders. */

/** A field's validation rules (the zod schemas in `schemas.ts` check them all). */
export interface FormRules {
  readonly required?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly unique?: boolean;
}

export interface FormOption {
  readonly value: string;
  readonly label: string;
}

export interface FormRelation {
  readonly resource: string;
  readonly multiple: boolean;
  readonly valueField: string;
  /** The related resource's field to show for each option. */
  readonly titleField: string;
  /** The related list's hook and query options (null when the resource has no list). */
  readonly listHook: ((...args: never[]) => unknown) | null;
  readonly listQueryOptions: ((...args: never[]) => unknown) | null;
}

export interface FormField {
  /** The name in the Create and Update shapes (`region_id` for a relation `region`). */
  readonly name: string;
  /** The field's name in the schema. */
  readonly field: string;
  readonly label: string;
  readonly help?: string;
  readonly description?: string;
  /** text, textarea, number, checkbox, date, datetime, time, email, url, json, select, multiselect, tags, or the schema's own. */
  readonly widget: string;
  /** The schema type: string, text, integer, decimal, enum, relation, many_to_many, ... */
  readonly type: string;
  /** For arrays: the item type. */
  readonly of?: string;
  readonly required: boolean;
  readonly nullable: boolean;
  readonly rules: FormRules;
  readonly default?: unknown;
  /** A default the server computes: the current date or time. */
  readonly defaultFrom?: "now" | "today";
  readonly options?: readonly FormOption[];
  readonly relation?: FormRelation;
  readonly readOnly: { readonly create: boolean; readonly update: boolean };
}

/** A resource's form: `R` is the resource's name. */
export interface FormDefinition<R extends string = string> {
  readonly resource: R;
  readonly label: string;
  readonly fields: readonly FormField[];
  /** zod schemas of the whole form, per mode. */
  readonly schemas: { readonly create: unknown; readonly update: unknown };
}
