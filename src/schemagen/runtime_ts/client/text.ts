/* Values as the API's query strings and comparisons read them. */

/** A value as text: strings as they are, numbers and booleans as JavaScript writes them, lists
 * joined with commas (as a query string carries them), other objects as JSON. */
export function asText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
      return value.toString();
    case "undefined":
      return "undefined";
    case "object":
      if (value === null) return "null";
      return Array.isArray(value) ? value.map(asText).join(",") : JSON.stringify(value);
    default:
      return typeof value;
  }
}
