import * as v from "valibot";

// The admin routes' request fields: a field of the wrong type, or a required one missing, is refused
// at the edge with a message naming the wire field (`admin: max_svid_ttl must be a number`).

/** The message of a field of the wrong type: `admin: ttl must be a number`. */
export const mustBe = (module: string, field: string, what: string) => `${module}: ${field} must be ${what}`;

/** A required string field. */
export const requiredText = (field: string, module = "admin") => v.string(mustBe(module, field, "a string"));
/** An optional string field. */
export const optionalText = (field: string, module = "admin") => v.optional(requiredText(field, module));
/** An optional number field. */
export const optionalCount = (field: string, module = "admin") => v.optional(v.number(mustBe(module, field, "a number")));
/** A required array of strings. */
export const requiredTexts = (field: string, module = "admin") => v.array(v.string(), mustBe(module, field, "an array of strings"));
/** An optional array of strings. */
export const optionalTexts = (field: string, module = "admin") => v.optional(requiredTexts(field, module));

/** A request object (body or query) whose missing required field is refused naming it: `admin: name is required`. */
export function requestObject<E extends v.ObjectEntries>(entries: E, module = "admin") {
  return v.object(entries, (issue) =>
    issue.path ? `${module}: ${String(issue.path[0].key)} is required` : `${module}: the request must be a JSON object`,
  );
}
