const MAX_VALUE = 512;

/** A claim as an attribute or rule value: a string of at most 512 characters, or a finite number; else `undefined`. */
export function attributeText(value: unknown): string | undefined {
  if (typeof value === "string" && value.length <= MAX_VALUE) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The value at `path` inside a claim object, own properties only; `undefined` when any step is missing. */
export function nestedClaim(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
