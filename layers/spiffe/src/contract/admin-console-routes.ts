import * as v from "valibot";
import { requestObject, requiredText } from "./admin-fields.js";
import { auditEventSchema } from "./admin-views.js";
import { defineRoute } from "./route-descriptor.js";

const text = v.string();
const optionalText = v.optional(v.string());
const optionalFlag = v.optional(v.boolean());
const adminGet = { method: "GET", auth: "iam", maxBodyBytes: 0, status: 200 } as const;

/** `GET /v1/admin/bots/{name}/last-svids`: the last X.509-SVID each of the asked instances received. */
export const lastSvidsRoute = defineRoute({
  ...adminGet,
  path: "/v1/admin/bots/{name}/last-svids",
  request: { params: v.object({ name: text }), query: requestObject({ instances: requiredText("instances") }) },
  response: v.object({ last_svids: v.array(auditEventSchema), scanned: v.number(), capped: v.boolean() }),
});

/** `GET /v1/admin/ca/trust-anchor`: the Roles Anywhere trust anchor against the published bundle. */
export const trustAnchorRoute = defineRoute({
  ...adminGet,
  path: "/v1/admin/ca/trust-anchor",
  request: {},
  response: v.object({
    configured: v.boolean(),
    trust_anchor_id: optionalText,
    error: optionalText,
    found: optionalFlag,
    trust_anchor_arn: optionalText,
    name: optionalText,
    enabled: optionalFlag,
    source_type: optionalText,
    certificates: v.optional(v.number()),
    matches_bundle: optionalFlag,
    bundle_unfit: optionalText,
    created_at: optionalText,
    updated_at: optionalText,
    crls: v.optional(
      v.array(
        v.object({
          ca_id: text,
          name: text,
          imported: v.boolean(),
          enabled: optionalFlag,
          updated_at: optionalText,
          current: optionalFlag,
        }),
      ),
    ),
  }),
});

const series = <K extends string>(key: K) =>
  v.array(
    v.object({ [key]: text, total: v.number(), counts: v.array(v.number()) } as { [P in K]: typeof text } & {
      total: v.NumberSchema<undefined>;
      counts: v.ArraySchema<v.NumberSchema<undefined>, undefined>;
    }),
  );

/** `GET /v1/admin/stats/issuance`: SVIDs issued per time bucket, per SPIFFE ID and per bot. */
export const issuanceStatsRoute = defineRoute({
  ...adminGet,
  path: "/v1/admin/stats/issuance",
  request: { query: v.object({ hours: optionalText, bucket_minutes: optionalText, top: optionalText }) },
  response: v.object({
    since: text,
    until: text,
    bucket_seconds: v.number(),
    x509: v.array(v.number()),
    jwt: v.array(v.number()),
    per_spiffe_id: series("spiffe_id"),
    per_bot: series("bot_name"),
    spiffe_ids: v.number(),
    bots: v.number(),
    scanned: v.number(),
    capped: v.boolean(),
    counted_since: text,
  }),
});
