import * as v from "valibot";
import { issuanceStatsRoute, lastSvidsRoute, trustAnchorRoute } from "./admin-console-routes.js";
import {
  auditEventSchema,
  botInstanceSchema,
  botSchema,
  caStatusSchema,
  joinTokenSchema,
  pageSchema,
  revocationSchema,
} from "./admin-views.js";
import {
  mustBe as must,
  optionalCount as count,
  optionalText as text,
  optionalTexts as texts,
  requestObject,
  requiredText,
  requiredTexts,
} from "./admin-fields.js";
import { defineRoute } from "./route-descriptor.js";

const pageQuery = { limit: v.optional(v.string()), cursor: v.optional(v.string()) };
const botName = v.object({ name: v.string() });
const admin = { auth: "iam", maxBodyBytes: 0, status: 200 } as const;
// valibot's record takes an array as an object; a JSON object of strings is what the wire means.
const isTextObject = (value: unknown): value is Record<string, string> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string");

/** `POST /v1/admin/bots`: create a bot with its rules. */
export const createBotRoute = defineRoute({
  ...admin,
  method: "POST",
  path: "/v1/admin/bots",
  status: 201,
  maxBodyBytes: 64 * 1024,
  request: {
    body: requestObject({
      name: requiredText("name"),
      allowed_spiffe_ids: requiredTexts("allowed_spiffe_ids"),
      join_rules: v.optional(
        v.array(
          v.looseObject({ method: v.unknown() }, "admin: each join rule needs a method"),
          must("admin", "join_rules", "an array of rules"),
        ),
      ),
      allowed_dns_names: texts("allowed_dns_names"),
      max_svid_ttl: count("max_svid_ttl"),
    }),
  },
  response: botSchema,
});

/** `GET /v1/admin/bots`: every bot, or (with `limit` / `cursor`) one page of them. */
export const listBotsRoute = defineRoute({
  ...admin,
  method: "GET",
  path: "/v1/admin/bots",
  request: { query: v.object(pageQuery) },
  response: pageSchema("bots", botSchema),
});

/** `GET /v1/admin/bots/{name}/instances`: one page of a bot's instances. */
export const listBotInstancesRoute = defineRoute({
  ...admin,
  method: "GET",
  path: "/v1/admin/bots/{name}/instances",
  request: { params: botName, query: v.object(pageQuery) },
  response: pageSchema("instances", botInstanceSchema),
});

/** `GET /v1/admin/bots/{name}`: a bot and its instances (`instances=none`: the bot alone). */
export const showBotRoute = defineRoute({
  ...admin,
  method: "GET",
  path: "/v1/admin/bots/{name}",
  request: {
    params: botName,
    query: v.object({ instances: v.optional(v.picklist(["none"], must("admin", "instances", "none (or absent: every instance)"))) }),
  },
  response: v.object({ ...botSchema.entries, instances: v.optional(v.array(botInstanceSchema)) }),
});

/** `DELETE /v1/admin/bots/{name}`: delete a bot, its instances and its tokens. */
export const deleteBotRoute = defineRoute({
  ...admin,
  method: "DELETE",
  path: "/v1/admin/bots/{name}",
  request: { params: botName },
  response: v.object({ deleted: v.string(), id: v.string() }),
});

/** `POST /v1/admin/tokens`: a one-time join token (shown once). */
export const createJoinTokenRoute = defineRoute({
  ...admin,
  method: "POST",
  path: "/v1/admin/tokens",
  status: 201,
  maxBodyBytes: 4 * 1024,
  request: { body: requestObject({ bot_name: requiredText("bot_name"), ttl: count("ttl"), uses: count("uses") }) },
  response: v.object({ ...joinTokenSchema.entries, token: v.string() }),
});

/** `GET /v1/admin/tokens`: the live join tokens (of one bot with `bot`), all or (with `limit` / `cursor`) a page by hash. */
export const listJoinTokensRoute = defineRoute({
  ...admin,
  method: "GET",
  path: "/v1/admin/tokens",
  request: { query: v.object({ bot: v.optional(v.string()), ...pageQuery }) },
  response: pageSchema("tokens", joinTokenSchema),
});

/** `POST /v1/admin/locks`: lock or unlock a bot, a bot instance or a join token. */
export const setLockRoute = defineRoute({
  ...admin,
  method: "POST",
  path: "/v1/admin/locks",
  maxBodyBytes: 4 * 1024,
  request: {
    body: requestObject({
      target: requiredText("target"),
      id: requiredText("id"),
      locked: v.optional(v.boolean(must("admin", "locked", "true or false"))),
      reason: text("reason"),
    }),
  },
  response: v.object({ target: v.string(), id: v.string(), locked: v.boolean(), changed: v.boolean() }),
});

/** `GET /v1/admin/audit`: one page of audit events, newest first, filtered. */
export const listAuditRoute = defineRoute({
  ...admin,
  method: "GET",
  path: "/v1/admin/audit",
  request: {
    query: v.object({
      bot: v.optional(v.string()),
      spiffe_id: v.optional(v.string()),
      type: v.optional(v.string()),
      since: v.optional(v.string()),
      until: v.optional(v.string()),
      ...pageQuery,
    }),
  },
  response: pageSchema("events", auditEventSchema),
});

/** `POST /v1/admin/policy/test`: what an SVID request would get, decided without writing anything. */
export const policyTestRoute = defineRoute({
  ...admin,
  method: "POST",
  path: "/v1/admin/policy/test",
  maxBodyBytes: 16 * 1024,
  request: {
    body: requestObject(
      {
        bot: requiredText("bot", "issuer"),
        attributes: v.optional(v.custom<Record<string, string>>(isTextObject, must("issuer", "attributes", "an object of strings"))),
        instance: text("instance", "issuer"),
        spiffe_id: requiredText("spiffe_id", "issuer"),
        svid_type: text("svid_type", "issuer"),
        dns_names: texts("dns_names", "issuer"),
        ttl: count("ttl", "issuer"),
      },
      "issuer",
    ),
  },
  response: v.variant("allowed", [
    v.object({ allowed: v.literal(true), spiffe_id: v.string(), dns_names: v.array(v.string()), ttl: v.number() }),
    v.object({ allowed: v.literal(false), code: v.string(), reason: v.string() }),
  ]),
});

/** `GET /v1/admin/ca`: the CA and JWT-key journals and the rotation schedule. */
export const caStatusRoute = defineRoute({ ...admin, method: "GET", path: "/v1/admin/ca", request: {}, response: caStatusSchema });

const emergencyFields = (module: string) => ({ kind: text("kind", module), reason: text("reason", module) });

/** The rotate function's `{"emergency": {kind, reason}}` input: the emergency fields of `POST /v1/admin/ca/rotate`. */
export const rotateFunctionEmergencySchema = v.object(emergencyFields("rotate"));

/** `POST /v1/admin/ca/rotate`: rotate at the next tick, or (`emergency: true`) drop the active CA / JWT key now. */
export const rotateCaRoute = defineRoute({
  ...admin,
  method: "POST",
  path: "/v1/admin/ca/rotate",
  maxBodyBytes: 4 * 1024,
  request: {
    body: v.object({ emergency: v.optional(v.boolean(must("admin", "emergency", "true or false"))), ...emergencyFields("admin") }),
  },
  response: v.object({
    ...caStatusSchema.entries,
    emergency: v.optional(v.literal(true)),
    outcomes: v.optional(v.record(v.string(), v.string())),
    steps: v.optional(v.array(v.looseObject({ type: v.string(), kind: v.string(), slot: v.string() }))),
    pending: v.optional(v.array(v.string())),
    published: v.optional(v.array(v.object({ publisher: v.string(), changed: v.boolean() }))),
    /** AWS: the publishers the rotate function runs for this change (nothing was published by the call itself). */
    scheduled: v.optional(v.array(v.string())),
  }),
});

/** `POST /v1/admin/revocations`: revoke SVIDs by serial, jti, bot, instance or CA. */
export const revokeRoute = defineRoute({
  ...admin,
  method: "POST",
  path: "/v1/admin/revocations",
  maxBodyBytes: 4 * 1024,
  request: {
    body: v.object({
      serial: text("serial", "revocation"),
      jti: text("jti", "revocation"),
      bot: text("bot", "revocation"),
      instance: text("instance", "revocation"),
      ca: text("ca", "revocation"),
      reason: text("reason", "revocation"),
    }),
  },
  response: v.object({
    revoked: v.array(revocationSchema),
    matched: v.number(),
    crls: v.array(v.object({ ca_id: v.string(), crl_number: v.number(), this_update: v.string(), next_update: v.string() })),
    /** Per publisher that ran in this call: whether it changed anything, or why it failed. */
    published: v.array(
      v.union([v.object({ publisher: v.string(), changed: v.boolean() }), v.object({ publisher: v.string(), error: v.string() })]),
    ),
    /** AWS: the publishers the rotate function runs for the new CRLs (nothing was published by the call itself). */
    scheduled: v.optional(v.array(v.string())),
  }),
});

/** `GET /v1/admin/revocations`: the revocations in force. */
export const listRevocationsRoute = defineRoute({
  ...admin,
  method: "GET",
  path: "/v1/admin/revocations",
  request: {},
  response: v.object({ revocations: v.array(revocationSchema) }),
});

/** The admin function's routes (IAM-authorised in AWS). */
export const ADMIN_ROUTES = [
  createBotRoute,
  listBotsRoute,
  listBotInstancesRoute,
  lastSvidsRoute,
  showBotRoute,
  deleteBotRoute,
  createJoinTokenRoute,
  listJoinTokensRoute,
  setLockRoute,
  listAuditRoute,
  policyTestRoute,
  caStatusRoute,
  trustAnchorRoute,
  issuanceStatsRoute,
  rotateCaRoute,
  revokeRoute,
  listRevocationsRoute,
] as const;
