import { recordAudit } from "../audit/index.js";
import type { PlatformJoinMethod } from "../attestation/index.js";
import { BotLockedError, JoinMethodNotAllowedError } from "../errors.js";
import { assertBotName } from "../admin/bots.js";
import type { ReplayClaim, ReplayStore } from "../store/types.js";
import type { RefusedRequest } from "./audit-refusals.js";
import { credentialLifetimeSeconds } from "./credential-lifetime.js";
import { defaultJoinVerifiers } from "./default-join-verifiers.js";
import { newBotInstance } from "./new-bot-instance.js";
import type { CredentialGrant, IssuerDeps } from "./types.js";

/** Request of `joinWithPlatformProof`. */
export interface JoinWithPlatformProofRequest {
  method: PlatformJoinMethod;
  /** The bot to join as; its join rules for `method` decide. */
  botName: unknown;
  /** The platform's signed token. */
  token: unknown;
  /** The signed document sent beside the signature, when the method has one (`aws_ec2`). */
  document?: unknown;
  ttlSeconds?: unknown;
}

/**
 * Join with a platform's signed proof (an OIDC or GCE identity token, an EC2 identity document):
 * the bot's rules for that method decide, and the proof is recorded as used in the same write that
 * creates a new bot instance bound to the bot's id, with the attributes the proof established.
 * `oidc` and `gcp` bots join again instead of renewing. `asked` learns
 * the bot whose rules decide, for the audit of a refusal.
 */
export async function joinWithPlatformProof(deps: IssuerDeps, request: JoinWithPlatformProofRequest, asked?: RefusedRequest): Promise<CredentialGrant> {
  const lifetime = credentialLifetimeSeconds(request.ttlSeconds, deps.policy.credentialTtlSeconds);
  assertBotName(request.botName);
  const bot = await deps.store.getBot(request.botName);
  const rules = bot?.joinRules.filter((rule) => rule.method === request.method) ?? [];
  // An unknown bot and a bot without the method read the same: names are not for strangers to probe.
  if (!bot || rules.length === 0) throw new JoinMethodNotAllowedError(`join: bot ${request.botName} does not accept ${request.method} joins`);
  if (asked) {
    asked.botName = bot.name;
    asked.detail.bot_id = bot.id;
  }
  if (bot.lock) throw new BotLockedError(`join: bot ${bot.name} is locked`);
  const verifier = (deps.verifiers ?? defaultJoinVerifiers(deps))[request.method];
  // The proof's single-use records are written with the instance, in one write: a join either
  // creates its instance and spends its proof, or does neither (two racing joins: one wins).
  const claims: ReplayClaim[] = [];
  const replay: ReplayStore = { claimOnce: async (namespace, key, expiresAt, now) => void claims.push({ namespace, key, expiresAt, now }) };
  const attestation = await verifier.attest({ token: request.token, document: request.document }, rules, { clock: deps.clock, replay });
  const now = deps.clock.now().getTime();
  const { instance, grant } = newBotInstance(bot, request.method, attestation.attributes, now, lifetime);
  await deps.store.createBotInstance(instance, claims);
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

function subjectOf(attributes: Record<string, string>): Record<string, string> {
  const subject = attributes.sub ?? attributes.instance_id;
  return subject === undefined ? {} : { subject: subject.slice(0, 256) };
}
