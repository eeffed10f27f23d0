import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type * as v from "valibot";
import { parse } from "yaml";
import { API_ROUTES } from "./compile-routes.js";
import { routeKeyOf, type RouteAuth, type RouteDescriptor } from "./route-descriptor.js";

// docs/openapi.yaml is written by hand (its descriptions are the API's documentation); this test
// holds it to the contract: every route, method, success status, auth, parameter and field of the
// descriptors is in the document and nothing else is.

type Doc = Record<string, unknown>;
const document = parse(readFileSync(new URL("../../../../docs/openapi.yaml", import.meta.url), "utf8")) as Doc;
const METHODS = ["get", "post", "delete", "put", "patch"];
const SECURITY: Record<RouteAuth, string[]> = {
  none: [],
  bot_credential: ["botCredential"],
  bot_credential_or_proof: ["botCredential", ""],
  iam: ["adminIam"],
};

function resolve(node: unknown): Doc {
  let doc = node as Doc;
  while (typeof doc?.$ref === "string") {
    doc = (doc.$ref as string)
      .replace(/^#\//, "")
      .split("/")
      .reduce<Doc>((at, key) => at[key] as Doc, document);
  }
  return doc ?? {};
}

/** The fields an OpenAPI schema names, nested objects and arrays of objects by dotted path (`[]` for items). */
function docFields(node: unknown, prefix = "", out = new Set<string>()): Set<string> {
  const doc = resolve(node);
  for (const part of [...((doc.allOf as unknown[]) ?? []), ...((doc.oneOf as unknown[]) ?? []), ...((doc.anyOf as unknown[]) ?? [])])
    docFields(part, prefix, out);
  if (doc.items) docFields(doc.items, `${prefix}[]`, out);
  for (const [name, property] of Object.entries((doc.properties as Doc) ?? {})) {
    out.add(`${prefix}${prefix && !prefix.endsWith("[]") ? "." : prefix ? "." : ""}${name}`.replace(/^\./, ""));
    docFields(property, `${prefix}${prefix ? "." : ""}${name}`, out);
  }
  return out;
}

type Walkable = v.GenericSchema & { entries?: Record<string, Walkable>; wrapped?: Walkable; item?: Walkable; options?: Walkable[] };

const OPEN = new Set(["loose_object", "record", "unknown"]);

/**
 * The fields a valibot schema names, in the same form as `docFields`. Below an open schema (a loose
 * object, a record, `unknown`: join rules, attributes) the document may name more: `open` collects
 * those prefixes.
 */
function schemaFields(schema: Walkable | undefined, prefix = "", out = new Set<string>(), open = new Set<string>()): Set<string> {
  if (!schema) return out;
  if (schema.wrapped) return schemaFields(schema.wrapped, prefix, out, open);
  if (OPEN.has(schema.type)) open.add(prefix);
  if (schema.options) for (const option of schema.options) schemaFields(option, prefix, out, open);
  if (schema.type === "array") schemaFields(schema.item, `${prefix}[]`, out, open);
  for (const [name, entry] of Object.entries(schema.entries ?? {})) {
    out.add(`${prefix}${prefix ? "." : ""}${name}`);
    schemaFields(entry, `${prefix}${prefix ? "." : ""}${name}`, out, open);
  }
  return out;
}

/** The fields of an OpenAPI schema and of a valibot schema, the document's extra fields below an open schema left out. */
function compareFields(doc: unknown, schema: unknown): { documented: string[]; described: string[] } {
  const open = new Set<string>();
  const described = schemaFields(schema as Walkable | undefined, "", new Set(), open);
  const below = (field: string) => [...open].some((p) => field.startsWith(p === "" ? "" : `${p}.`) || field.startsWith(`${p}[]`));
  const documented = [...docFields(doc)].filter((f) => described.has(f) || !below(f));
  return { documented: documented.sort(), described: sorted(described) };
}

const sorted = (set: Set<string>) => [...set].sort();

function operationOf(route: RouteDescriptor): Doc {
  const path = (document.paths as Doc)[route.path] as Doc | undefined;
  assert.ok(path, `docs/openapi.yaml has no path ${route.path}`);
  const operation = path[route.method.toLowerCase()] as Doc | undefined;
  assert.ok(operation, `docs/openapi.yaml has no ${routeKeyOf(route)}`);
  return operation;
}

function parametersOf(route: RouteDescriptor, where: "query" | "path"): Set<string> {
  const pathItem = (document.paths as Doc)[route.path] as Doc;
  const all = [...((pathItem.parameters as unknown[]) ?? []), ...((operationOf(route).parameters as unknown[]) ?? [])];
  return new Set(
    all
      .map(resolve)
      .filter((p) => p.in === where)
      .map((p) => p.name as string),
  );
}

describe("docs/openapi.yaml against the API contract", () => {
  it("has exactly the routes of the contract", () => {
    const documented = Object.entries(document.paths as Doc).flatMap(([path, item]) =>
      Object.keys(item as Doc)
        .filter((m) => METHODS.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    assert.deepEqual(documented.sort(), API_ROUTES.map(routeKeyOf).sort());
  });

  for (const route of API_ROUTES) {
    describe(routeKeyOf(route), () => {
      it("documents its success status, auth and parameters", () => {
        const operation = operationOf(route);
        const statuses = Object.keys(operation.responses as Doc).filter((s) => s.startsWith("2"));
        assert.deepEqual(statuses, [String(route.status)]);
        const security = ((operation.security as Doc[] | undefined) ?? []).map((s) => Object.keys(s)[0] ?? "");
        assert.deepEqual(security, SECURITY[route.auth]);
        assert.deepEqual(sorted(parametersOf(route, "path")), sorted(schemaFields(route.request.params as Walkable)));
        assert.deepEqual(sorted(parametersOf(route, "query")), sorted(schemaFields(route.request.query as Walkable)));
      });

      it("documents every field of its request body and no other", () => {
        const body = resolve(operationOf(route).requestBody);
        const schema = (body.content as Doc | undefined)?.["application/json"] as Doc | undefined;
        const { documented, described } = compareFields(schema?.schema, route.request.body);
        assert.deepEqual(documented, described);
      });

      it("documents every field of its answer and no other", () => {
        const success = resolve((operationOf(route).responses as Doc)[String(route.status)]);
        const content = (success.content as Doc | undefined) ?? {};
        if ("raw" in route.response) {
          assert.deepEqual(Object.keys(content).sort(), [...route.response.raw].sort());
          return;
        }
        assert.deepEqual(Object.keys(content), ["application/json"]);
        const { documented, described } = compareFields((content["application/json"] as Doc).schema, route.response);
        assert.deepEqual(documented, described);
      });
    });
  }
});
