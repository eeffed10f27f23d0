import type { PlatformJoinMethod } from "../attestation/index.js";
import { attestPlatformProof, subjectOf } from "./attest-platform-proof.js";
import type { RefusedRequest } from "./audit-refusals.js";
import { credentialLifetimeSeconds } from "./credential-lifetime.js";
import { DeferredReplay } from "./deferred-replay.js";
import { newBotInstance, recordJoin } from "./new-bot-instance.js";
import type { JOIN_WITH_PLATFORM_PROOF_STORE } from "./store-parts.js";
import type { CredentialGrant, IssuerDepsFor } from "./types.js";

/** Request of `joinWithPlatformProof`. */
export interface JoinWithPlatformProofRequest {
  method: PlatformJoinMethod;
  /** The bot to join as; its join rules for `method` decide. */
  botName: unknown;
  /** The platform's signed token, or the encoded signed STS request (`aws_iam`). */
  token: unknown;
  /** The signed document sent beside the signature, when the method has one (`aws_ec2`). */
  document?: unknown;
  ttlSeconds?: unknown;
}

/**
 * Join with a platform's signed proof (an OIDC or GCE identity token, an EC2 identity document, a
 * signed STS request):
 * the bot's rules for that method decide, and the proof is recorded as used in the same write that
 * creates a new bot instance bound to the bot's id, with the attributes the proof established.
 * `oidc`, `gcp` and `aws_iam` bots join again instead of renewing. `asked` learns
 * the bot whose rules decide, for the audit of a refusal.
 */
export async function joinWithPlatformProof(
  deps: IssuerDepsFor<typeof JOIN_WITH_PLATFORM_PROOF_STORE>,
  request: JoinWithPlatformProofRequest,
  asked?: RefusedRequest,
): Promise<CredentialGrant> {
  const lifetime = credentialLifetimeSeconds(request.ttlSeconds, deps.policy.credentialTtlSeconds);
  // The proof's single-use records are written with the instance, in one write: a join either
  // creates its instance and spends its proof, or does neither (two racing joins: one wins).
  const replay = new DeferredReplay(deps.store);
  const proof = { token: request.token, document: request.document };
  const { bot, attestation } = await attestPlatformProof(deps, { method: request.method, botName: request.botName, proof }, asked, replay);
  const now = deps.clock.now().getTime();
  const { instance, grant } = newBotInstance(bot, request.method, attestation.attributes, now, lifetime);
  await deps.store.createBotInstance(instance, replay.claims);
  await recordJoin(deps, instance, { proof_hash_prefix: attestation.proofHash.slice(0, 12), ...subjectOf(attestation.attributes) });
  return grant;
}
