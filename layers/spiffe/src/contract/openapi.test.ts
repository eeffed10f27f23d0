import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type * as v from "valibot";
import { parse } from "yaml";
import { lastSvidsRoute } from "./admin-console-routes.js";
import { createBotRoute, listBotsRoute } from "./admin-routes.js";
import { API_ROUTES } from "./compile-routes.js";
import { x509SvidRoute } from "./issue-routes.js";
import { routeKeyOf, type RouteAuth, type RouteDescriptor } from "./route-descriptor.js";

// docs/openapi.yaml is written by hand (its descriptions are the API's documentation); this test
// holds it to the contract: every route, method, success status, auth, parameter and field of the
// descriptors is in the document and nothing else is, a field is required in the document
// exactly where the schema requires it, and may be null in the document exactly where the schema
// lets null through (a field the server leaves out is optional, not null).

type Doc = Record<string, unknown>;
const DOCUMENT = parse(readFileSync(new URL("../../../../docs/openapi.yaml", import.meta.url), "utf8")) as Doc;
const METHODS = ["get", "post", "delete", "put", "patch"];
const SECURITY: Record<RouteAuth, string[]> = {
  none: [],
  bot_credential: ["botCredential"],
  bot_credential_or_proof: ["botCredential", ""],
  iam: ["adminIam"],
};

const pathJoin = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
const sorted = (set: Iterable<string>) => [...set].sort();
const addAll = (to: Set<string>, from: Iterable<string>) => {
  for (const item of from) to.add(item);
};
/** What every one of a union's options has (a field of `oneOf` is sure to be there only when every option requires it). */
const common = (sets: Set<string>[]) => sets.reduce((a, b) => new Set([...a].filter((x) => b.has(x))));

function resolve(document: Doc, node: unknown): Doc {
  let doc = node as Doc;
  while (typeof doc?.$ref === "string") {
    doc = (doc.$ref as string)
      .replace(/^#\//, "")
      .split("/")
      .reduce<Doc>((at, key) => at[key] as Doc, document);
  }
  return doc ?? {};
}

const listOf = (doc: Doc, key: string) => (doc[key] as unknown[] | undefined) ?? [];

/** Whether an OpenAPI schema lets `null` through (`type: [..., "null"]`, `nullable`, or a `null` option). */
function docAllowsNull(document: Doc, node: unknown): boolean {
  const doc = resolve(document, node);
  const types = Array.isArray(doc.type) ? (doc.type as unknown[]) : [doc.type];
  const options = [...listOf(doc, "oneOf"), ...listOf(doc, "anyOf")];
  return types.includes("null") || doc.nullable === true || options.some((option) => docAllowsNull(document, option));
}

/**
 * The fields an OpenAPI schema names, nested objects and arrays of objects by dotted path (`[]` for
 * items); those that may be null also go to `nullable`.
 */
function docFields(document: Doc, node: unknown, prefix = "", out = new Set<string>(), nullable = new Set<string>()): Set<string> {
  const doc = resolve(document, node);
  for (const part of [...listOf(doc, "allOf"), ...listOf(doc, "oneOf"), ...listOf(doc, "anyOf")])
    docFields(document, part, prefix, out, nullable);
  if (doc.items) docFields(document, doc.items, `${prefix}[]`, out, nullable);
  for (const [name, property] of Object.entries((doc.properties as Doc) ?? {})) {
    out.add(pathJoin(prefix, name));
    if (docAllowsNull(document, property)) nullable.add(pathJoin(prefix, name));
    docFields(document, property, pathJoin(prefix, name), out, nullable);
  }
  return out;
}

/** The fields an OpenAPI schema requires (each within its parent), by the same paths as `docFields`. */
function docRequired(document: Doc, node: unknown, prefix = ""): Set<string> {
  const doc = resolve(document, node);
  const out = new Set<string>();
  for (const part of listOf(doc, "allOf")) addAll(out, docRequired(document, part, prefix));
  const options = [...listOf(doc, "oneOf"), ...listOf(doc, "anyOf")];
  if (options.length) addAll(out, common(options.map((option) => docRequired(document, option, prefix))));
  if (doc.items) addAll(out, docRequired(document, doc.items, `${prefix}[]`));
  for (const name of listOf(doc, "required")) out.add(pathJoin(prefix, name as string));
  for (const [name, property] of Object.entries((doc.properties as Doc) ?? {}))
    addAll(out, docRequired(document, property, pathJoin(prefix, name)));
  return out;
}

type Walkable = v.GenericSchema & { entries?: Record<string, Walkable>; wrapped?: Walkable; item?: Walkable; options?: Walkable[] };

const OPEN = new Set(["loose_object", "record", "unknown"]);
/** Schemas whose key may be missing from an object (valibot's `object` refuses a missing key of any other). */
const OPTIONAL = new Set(["optional", "exact_optional", "nullish"]);
/** Schemas that let `null` through. */
const NULLABLE = new Set(["nullable", "nullish", "null"]);
const schemaAllowsNull = (schema: Walkable | undefined): boolean =>
  schema !== undefined &&
  (NULLABLE.has(schema.type) || schemaAllowsNull(schema.wrapped) || (schema.options ?? []).some((option) => schemaAllowsNull(option)));

/**
 * The fields a valibot schema names, in the same form as `docFields`. Below an open schema (a loose
 * object, a record, `unknown`: join rules, attributes) the document may name more: `open` collects
 * those prefixes. Fields that may be null also go to `nullable`.
 */
function schemaFields(
  schema: Walkable | undefined,
  prefix = "",
  out = new Set<string>(),
  open = new Set<string>(),
  nullable = new Set<string>(),
): Set<string> {
  if (!schema) return out;
  if (schema.wrapped) return schemaFields(schema.wrapped, prefix, out, open, nullable);
  if (OPEN.has(schema.type)) open.add(prefix);
  if (schema.options) for (const option of schema.options) schemaFields(option, prefix, out, open, nullable);
  if (schema.type === "array") schemaFields(schema.item, `${prefix}[]`, out, open, nullable);
  for (const [name, entry] of Object.entries(schema.entries ?? {})) {
    out.add(pathJoin(prefix, name));
    if (schemaAllowsNull(entry)) nullable.add(pathJoin(prefix, name));
    schemaFields(entry, pathJoin(prefix, name), out, open, nullable);
  }
  return out;
}

/** The fields a valibot schema requires (each within its parent), in the same form as `docRequired`. */
function schemaRequired(schema: Walkable | undefined, prefix = ""): Set<string> {
  const out = new Set<string>();
  if (!schema) return out;
  if (schema.wrapped) return schemaRequired(schema.wrapped, prefix);
  if (schema.options) addAll(out, common(schema.options.map((option) => schemaRequired(option, prefix))));
  if (schema.type === "array") addAll(out, schemaRequired(schema.item, `${prefix}[]`));
  for (const [name, entry] of Object.entries(schema.entries ?? {})) {
    if (!OPTIONAL.has(entry.type)) out.add(pathJoin(prefix, name));
    addAll(out, schemaRequired(entry, pathJoin(prefix, name)));
  }
  return out;
}

/**
 * Hold an OpenAPI schema to a valibot schema: the same fields, the same of them required, and the
 * same of them null-able. What the document says below an open schema and the schema does not name
 * is left out.
 */
function assertSameFields(document: Doc, doc: unknown, schema: unknown, what: string): void {
  const open = new Set<string>();
  const schemaNullable = new Set<string>();
  const described = schemaFields(schema as Walkable | undefined, "", new Set(), open, schemaNullable);
  const below = (field: string) => [...open].some((p) => field.startsWith(p === "" ? "" : `${p}.`) || field.startsWith(`${p}[]`));
  const told = (field: string) => described.has(field) || !below(field);
  const docNullable = new Set<string>();
  assert.deepEqual(
    sorted([...docFields(document, doc, "", new Set(), docNullable)].filter(told)),
    sorted(described),
    `${what}: the fields differ`,
  );
  assert.deepEqual(sorted([...docNullable].filter(told)), sorted(schemaNullable), `${what}: the fields that may be null differ`);
  assert.deepEqual(
    sorted([...docRequired(document, doc)].filter(told)),
    sorted(schemaRequired(schema as Walkable | undefined)),
    `${what}: the required fields differ`,
  );
}

function operationOf(document: Doc, route: RouteDescriptor): Doc {
  const path = (document.paths as Doc)[route.path] as Doc | undefined;
  assert.ok(path, `docs/openapi.yaml has no path ${route.path}`);
  const operation = path[route.method.toLowerCase()] as Doc | undefined;
  assert.ok(operation, `docs/openapi.yaml has no ${routeKeyOf(route)}`);
  return operation;
}

/** The parameters of a route `in` the path or the query, each with whether the document requires it. */
function parametersOf(document: Doc, route: RouteDescriptor, where: "query" | "path"): Map<string, boolean> {
  const pathItem = (document.paths as Doc)[route.path] as Doc;
  const all = [...listOf(pathItem, "parameters"), ...listOf(operationOf(document, route), "parameters")];
  return new Map(
    all
      .map((p) => resolve(document, p))
      .filter((p) => p.in === where)
      .map((p) => [p.name as string, p.required === true]),
  );
}

/** Hold a route's success status, auth, and path and query parameters (names and which are required) to its descriptor. */
function assertSameStatusAuthParameters(document: Doc, route: RouteDescriptor): void {
  const operation = operationOf(document, route);
  const statuses = Object.keys(operation.responses as Doc).filter((s) => s.startsWith("2"));
  assert.deepEqual(statuses, [String(route.status)]);
  const security = ((operation.security as Doc[] | undefined) ?? []).map((s) => Object.keys(s)[0] ?? "");
  assert.deepEqual(security, SECURITY[route.auth]);
  for (const where of ["path", "query"] as const) {
    const schema = route.request[where === "path" ? "params" : "query"] as Walkable | undefined;
    const documented = parametersOf(document, route, where);
    assert.deepEqual(sorted(documented.keys()), sorted(schemaFields(schema)), `${where} parameters differ`);
    const required = [...documented].filter(([, isRequired]) => isRequired).map(([name]) => name);
    assert.deepEqual(sorted(required), sorted(schemaRequired(schema)), `required ${where} parameters differ`);
  }
}

function assertSameRequestBody(document: Doc, route: RouteDescriptor): void {
  const body = resolve(document, operationOf(document, route).requestBody);
  const schema = (body.content as Doc | undefined)?.["application/json"] as Doc | undefined;
  assertSameFields(document, schema?.schema, route.request.body, `${routeKeyOf(route)} request body`);
}

function assertSameResponse(document: Doc, route: RouteDescriptor): void {
  const success = resolve(document, (operationOf(document, route).responses as Doc)[String(route.status)]);
  const content = (success.content as Doc | undefined) ?? {};
  if ("raw" in route.response) {
    assert.deepEqual(Object.keys(content).sort(), [...route.response.raw].sort());
    return;
  }
  assert.deepEqual(Object.keys(content), ["application/json"]);
  assertSameFields(document, (content["application/json"] as Doc).schema, route.response, `${routeKeyOf(route)} answer`);
}

describe("docs/openapi.yaml against the API contract", () => {
  it("has exactly the routes of the contract", () => {
    const documented = Object.entries(DOCUMENT.paths as Doc).flatMap(([path, item]) =>
      Object.keys(item as Doc)
        .filter((m) => METHODS.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    assert.deepEqual(documented.sort(), API_ROUTES.map(routeKeyOf).sort());
  });

  for (const route of API_ROUTES) {
    describe(routeKeyOf(route), () => {
      it("documents its success status, auth and parameters", () => assertSameStatusAuthParameters(DOCUMENT, route));
      it("documents every field of its request body and no other, required where the schema requires it", () =>
        assertSameRequestBody(DOCUMENT, route));
      it("documents every field of its answer and no other, required where the schema requires it", () =>
        assertSameResponse(DOCUMENT, route));
    });
  }
});

describe("the OpenAPI check fails when a field's optionality differs", () => {
  /** A copy of the document with one schema changed; `at` is its path from the root. */
  function mutated(at: string[], change: (schema: Doc) => void): Doc {
    const copy = structuredClone(DOCUMENT);
    change(at.reduce<Doc>((node, key) => node[key] as Doc, copy));
    return copy;
  }
  const createBotBody = ["paths", "/v1/admin/bots", "post", "requestBody", "content", "application/json", "schema"];
  const without = (name: string) => (schema: Doc) => {
    schema.required = (schema.required as string[]).filter((n) => n !== name);
  };
  const requiring = (name: string) => (schema: Doc) => {
    schema.required = [...((schema.required as string[] | undefined) ?? []), name];
  };

  it("passes the document as it is", () => {
    assertSameRequestBody(DOCUMENT, createBotRoute);
    assertSameResponse(DOCUMENT, listBotsRoute);
    assertSameStatusAuthParameters(DOCUMENT, lastSvidsRoute);
  });
  it("a request field the schema requires, documented as optional", () => {
    const document = mutated(createBotBody, without("name"));
    assert.throws(() => assertSameRequestBody(document, createBotRoute), /request body: the required fields differ/);
  });
  it("a request field the schema leaves optional, documented as required", () => {
    const document = mutated(createBotBody, requiring("max_svid_ttl"));
    assert.throws(() => assertSameRequestBody(document, createBotRoute), /request body: the required fields differ/);
  });
  it("an answer's field the schema leaves optional, documented as required in a shared component", () => {
    const document = mutated(["components", "schemas", "Bot"], requiring("lock"));
    assert.throws(() => assertSameResponse(document, listBotsRoute), /answer: the required fields differ/);
  });
  it("a field of a nested object in the items of an answer's array", () => {
    const document = mutated(["components", "schemas", "Lock"], without("locked_by"));
    assert.throws(() => assertSameResponse(document, listBotsRoute), /answer: the required fields differ/);
  });
  it("a field documented as null-able that the server leaves out instead (a bot's lock)", () => {
    const document = mutated(["components", "schemas", "Lock"], (schema) => {
      schema.type = ["object", "null"];
    });
    assert.throws(() => assertSameResponse(document, listBotsRoute), /answer: the fields that may be null differ/);
  });
  it("a field of a nested object in a request body (the platform proof of an SVID request)", () => {
    const document = mutated(["components", "schemas", "PlatformProof"], without("bot_name"));
    assert.throws(() => assertSameRequestBody(document, x509SvidRoute), /request body: the required fields differ/);
  });
  it("a query parameter the schema requires, documented as optional", () => {
    const document = mutated(["paths", "/v1/admin/bots/{name}/last-svids", "get", "parameters"], (parameters) => {
      for (const parameter of parameters as unknown as Doc[]) if (parameter.name === "instances") delete parameter.required;
    });
    assert.throws(() => assertSameStatusAuthParameters(document, lastSvidsRoute), /required query parameters differ/);
  });
});
