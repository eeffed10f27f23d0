import type { StructMessage, ValueMessage } from "./messages.js";

/** Deeper than any real claim set; bounds the recursion on a token's JSON. */
const MAX_DEPTH = 32;

function toValue(value: unknown, depth: number): ValueMessage {
  if (depth > MAX_DEPTH) throw new RangeError("workloadapi: claims are nested too deeply");
  if (value === null || value === undefined) return { nullValue: "NULL_VALUE" };
  switch (typeof value) {
    case "number":
      return { numberValue: value };
    case "string":
      return { stringValue: value };
    case "boolean":
      return { boolValue: value };
    case "object":
      if (Array.isArray(value)) return { listValue: { values: value.map((v) => toValue(v, depth + 1)) } };
      return { structValue: toStruct(value as Record<string, unknown>, depth + 1) };
    default:
      throw new TypeError(`workloadapi: a claim holds a ${typeof value}, which JSON cannot`);
  }
}

/** A JSON object (a token's claims) as a `google.protobuf.Struct`. */
export function toStruct(object: Record<string, unknown>, depth = 0): StructMessage {
  const fields: Record<string, ValueMessage> = {};
  for (const [key, value] of Object.entries(object)) fields[key] = toValue(value, depth);
  return { fields };
}

/**
 * The claims as the Workload API returns them: `aud` always a list (as SPIRE does, so clients that
 * read it as a list keep working when a token carries a single audience string).
 */
export function claimsToStruct(claims: Record<string, unknown>): StructMessage {
  const aud = claims.aud;
  return toStruct(typeof aud === "string" ? { ...claims, aud: [aud] } : claims);
}
