import { CredentialInvalidError, RequestInvalidError } from "../errors.js";
import type { Bot } from "../store/types.js";
import { attestPlatformProof, isPlatformJoinMethod, platformVerifiers, subjectOf } from "./attest-platform-proof.js";
import { boundText, secretHashDetail, type RefusedRequest } from "./audit-refusals.js";
import { authenticateBot } from "./authenticate-bot.js";
import { DeferredReplay } from "./deferred-replay.js";
import type { JoinBotRequest } from "./join-bot.js";
import type { IDENTIFY_SVID_CALLER_STORE } from "./store-parts.js";
import type { IssuerDepsFor } from "./types.js";

/** Who asks for an SVID: a bot instance by its credential, or a bot by a platform proof (no agent, no instance). */
export interface SvidCaller {
  bot: Bot;
  /** The bot instance of a credential; none for a caller that sent a platform proof. */
  instanceId?: string;
  joinMethod: string;
  /** Join attributes for templates: the instance's, or those the proof just established. */
  attributes: Record<string, string>;
  /** What the SVID's audit record adds about the caller (the proof's hash prefix and subject). */
  auditDetail: Record<string, string>;
  /**
   * Spend the caller's proof (record it as used): call once every check of the request has passed,
   * before signing. `ReplayError` if it was used meanwhile. Nothing to spend for a credential.
   */
  commit(): Promise<void>;
}

/** The caller part of an SVID request: a bot credential, or the join fields of a platform proof. */
export interface SvidCallerRequest {
  credential?: unknown;
  /** `POST /v1/join`'s fields (method, bot name, proof); `ttlSeconds` has no meaning here. */
  join?: JoinBotRequest;
}

/**
 * Identify the caller of an SVID request. With a credential, the bot instance it names (see
 * `authenticateBot`). With `join` instead (a workload that cannot run an agent), the platform proof
 * is checked against the named bot's rules exactly as a join would, but nothing is written: no bot
 * instance, and the proof's single-use record waits for `commit`, so a request refused later (a
 * SPIFFE ID the bot may not have) leaves the proof unspent. Both at once is `RequestInvalidError`.
 */
export async function identifySvidCaller(
  deps: IssuerDepsFor<typeof IDENTIFY_SVID_CALLER_STORE>,
  request: SvidCallerRequest,
  asked: RefusedRequest,
): Promise<SvidCaller> {
  if (request.join === undefined) {
    if (request.credential === undefined)
      throw new CredentialInvalidError("issuer: send a bot credential (Authorization: Bearer) or a platform proof (join)");
    const { bot, instance } = await authenticateBot(deps, request.credential, asked);
    return {
      bot,
      instanceId: instance.id,
      joinMethod: instance.joinMethod,
      attributes: instance.attributes,
      auditDetail: {},
      commit: async () => undefined,
    };
  }
  if (request.credential !== undefined) throw new RequestInvalidError("issuer: send a bot credential or join, not both");
  const { joinMethod, botName, token, document } = request.join;
  if (!isPlatformJoinMethod(deps, joinMethod)) {
    throw new RequestInvalidError(`issuer: join.join_method must be one of ${Object.keys(platformVerifiers(deps)).join(", ")}`);
  }
  asked.joinMethod = joinMethod;
  const replay = new DeferredReplay(deps.store);
  const { bot, attestation } = await attestPlatformProof(deps, { method: joinMethod, botName, proof: { token, document } }, asked, replay);
  return {
    bot,
    joinMethod,
    attributes: attestation.attributes,
    auditDetail: { agentless: "true", proof_hash_prefix: attestation.proofHash.slice(0, 12), ...subjectOf(attestation.attributes) },
    commit: () => replay.commit(deps.store),
  };
}

/** What a refused SVID request's audit record says about the caller it presented (hash prefixes only). */
export function callerRefusalDetail(request: SvidCallerRequest): Record<string, string> {
  if (request.join === undefined) return secretHashDetail("credential_hash_prefix", request.credential);
  const detail: Record<string, string> = { agentless: "true", ...secretHashDetail("proof_hash_prefix", request.join.token) };
  const botName = boundText(request.join.botName);
  if (botName !== undefined) detail.asked_bot_name = botName;
  return detail;
}
