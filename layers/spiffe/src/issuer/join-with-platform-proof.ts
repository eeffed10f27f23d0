import { recordAudit } from "../audit/index.js";
import type { PlatformJoinMethod } from "../attestation/index.js";
import { attestPlatformProof, subjectOf } from "./attest-platform-proof.js";
import type { RefusedRequest } from "./audit-refusals.js";
import { credentialLifetimeSeconds } from "./credential-lifetime.js";
import { newBotInstance } from "./new-bot-instance.js";
import type { CredentialGrant, IssuerDeps } from "./types.js";

/** Request of `joinWithPlatformProof`. */
export interface JoinWithPlatformProofRequest {
  method: PlatformJoinMethod;
  /** The bot to join as; its join rules for `method` decide. */
  botName: unknown;
  /** The platform's signed token. */
  token: unknown;
  ttlSeconds?: unknown;
}

/**
 * Join with a platform's signed proof (an OIDC or GCE identity token): the bot's rules for that
 * method decide, the proof is recorded as used, and a new bot instance bound to the bot's id keeps
 * the attributes the proof established. Such bots join again instead of renewing. `asked` learns
 * the bot whose rules decide, for the audit of a refusal.
 */
export async function joinWithPlatformProof(deps: IssuerDeps, request: JoinWithPlatformProofRequest, asked?: RefusedRequest): Promise<CredentialGrant> {
  const lifetime = credentialLifetimeSeconds(request.ttlSeconds, deps.policy.credentialTtlSeconds);
  const { bot, attestation } = await attestPlatformProof(deps, { method: request.method, botName: request.botName, proof: { token: request.token } }, asked);
  const now = deps.clock.now().getTime();
  const { instance, grant } = newBotInstance(bot, request.method, attestation.attributes, now, lifetime);
  await deps.store.createBotInstance(instance);
  await recordAudit(
    { audit: deps.store, logger: deps.logger },
    {
      type: "join",
      time: now,
      botName: bot.name,
      instanceId: instance.id,
      joinMethod: request.method,
      expiresAt: instance.expiresAt,
      detail: { proof_hash_prefix: attestation.proofHash.slice(0, 12), ...subjectOf(attestation.attributes) },
    },
  );
  return grant;
}
