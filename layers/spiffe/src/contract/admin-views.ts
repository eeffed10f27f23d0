import * as v from "valibot";

const text = v.string();
const optionalText = v.optional(v.string());
const lock = v.optional(v.object({ reason: optionalText, locked_at: text, locked_by: text }));

/** A bot as the admin API shows it. */
export const botSchema = v.object({
  id: text,
  name: text,
  allowed_spiffe_ids: v.array(text),
  allowed_dns_names: v.array(text),
  join_rules: v.array(v.looseObject({ method: text })),
  max_svid_ttl: v.number(),
  created_at: text,
  lock,
});

/** A bot instance (one joined machine) as the admin API shows it. */
export const botInstanceSchema = v.object({
  id: text,
  bot_id: text,
  bot_name: text,
  join_method: text,
  generation: v.number(),
  created_at: text,
  renewed_at: text,
  expires_at: text,
  attributes: v.record(v.string(), v.string()),
  lock,
});

/** A join token's record (never the token) as the admin API shows it. */
export const joinTokenSchema = v.object({
  token_hash: text,
  bot_id: text,
  bot_name: text,
  uses_remaining: v.number(),
  expires_at: text,
  created_at: text,
  lock,
});

/** An audit event as the admin API shows it. */
export const auditEventSchema = v.object({
  id: text,
  type: text,
  time: text,
  bot_name: optionalText,
  instance_id: optionalText,
  join_method: optionalText,
  spiffe_id: optionalText,
  serial_or_jti: optionalText,
  expires_at: optionalText,
  key_thumbprint: optionalText,
  detail: v.optional(v.record(v.string(), v.string())),
});

/** A revoked SVID as the admin API shows it (`serial` for X.509, `jti` for JWT). */
export const revocationSchema = v.object({
  svid_type: v.picklist(["x509", "jwt"]),
  serial: optionalText,
  jti: optionalText,
  ca_id: optionalText,
  bot_name: optionalText,
  instance_id: optionalText,
  reason: text,
  revoked_at: text,
  revoked_by: text,
  expires_at: text,
});

/** The CA and JWT-key journals and the rotation schedule (`GET /v1/admin/ca`). */
export const caStatusSchema = v.object({
  trustDomain: text,
  /** False when JWT-SVIDs are turned off in the deployment. */
  jwtSvids: v.optional(v.boolean()),
  bundleSequence: v.number(),
  slots: v.array(
    v.object({
      kind: text,
      slot: text,
      status: text,
      keyId: text,
      caId: optionalText,
      keyGeneration: v.number(),
      notBefore: text,
      notAfter: text,
      preparedAt: text,
      activatedAt: optionalText,
      retiredAt: optionalText,
    }),
  ),
  schedule: v.array(
    v.object({
      kind: text,
      next: v.optional(v.object({ step: text, slot: text, at: text, due: v.boolean() })),
      rotationRequestedAt: optionalText,
      emergency: v.optional(v.object({ requestedAt: text, reason: text, requestedBy: text })),
      warning: optionalText,
    }),
  ),
});

/** A bot as the admin API shows it (the type of `botSchema`). */
export type BotView = v.InferOutput<typeof botSchema>;
/** A bot instance as the admin API shows it. */
export type BotInstanceView = v.InferOutput<typeof botInstanceSchema>;
/** A join token's record as the admin API shows it. */
export type JoinTokenView = v.InferOutput<typeof joinTokenSchema>;
/** An audit event as the admin API shows it. */
export type AuditEventView = v.InferOutput<typeof auditEventSchema>;
/** A revoked SVID as the admin API shows it. */
export type RevocationView = v.InferOutput<typeof revocationSchema>;
/** The CA status as the admin API shows it. */
export type CaStatusView = v.InferOutput<typeof caStatusSchema>;
/** The lock of a bot, instance or token, when it has one. */
export type LockView = NonNullable<BotView["lock"]>;

/** A page of a list: the items under `key`, and the cursor of the next page while there is one. */
export function pageSchema<K extends string, I extends v.GenericSchema>(key: K, item: I) {
  return v.object({ [key]: v.array(item), next_cursor: optionalText } as { [P in K]: v.ArraySchema<I, undefined> } & {
    next_cursor: typeof optionalText;
  });
}
