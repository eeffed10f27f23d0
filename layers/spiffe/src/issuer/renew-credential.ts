import { recordAudit } from "../audit/index.js";
import { mintBotCredential } from "../credential/index.js";
import { GenerationMismatchError, JoinMethodNotAllowedError } from "../errors.js";
import { auditRefusals, secretHashDetail } from "./audit-refusals.js";
import { authenticateBot, lockForCredentialReuse } from "./authenticate-bot.js";
import { credentialLifetimeSeconds } from "./credential-lifetime.js";
import type { BotInstance } from "../store/types.js";
import type { RENEW_CREDENTIAL_STORE } from "./store-parts.js";
import type { CredentialGrant, IssuerDepsFor } from "./types.js";

/**
 * Renew a token- or aws_ec2-joined bot's credential: the generation moves on and the old secret is retired.
 * If two holders renew the same credential, the loser proves a copy exists: the instance is locked.
 * A refused renewal is audited (`renew_refused`).
 */
export async function renewCredential(
  deps: IssuerDepsFor<typeof RENEW_CREDENTIAL_STORE>,
  credential: unknown,
  ttlSeconds?: unknown,
): Promise<CredentialGrant> {
  const asked = { type: "renew_refused" as const, detail: secretHashDetail("credential_hash_prefix", credential) };
  return auditRefusals(deps, asked, async (seen) => {
    const lifetime = credentialLifetimeSeconds(ttlSeconds, deps.policy.credentialTtlSeconds);
    const { instance } = await authenticateBot(deps, credential, seen);
    return renew(deps, instance, lifetime);
  });
}

async function renew(
  deps: IssuerDepsFor<typeof RENEW_CREDENTIAL_STORE>,
  instance: BotInstance,
  lifetime: number,
): Promise<CredentialGrant> {
  // An aws_ec2 launch joins once (trust on first use), so its instance renews like a token-joined one.
  if (instance.joinMethod !== "token" && instance.joinMethod !== "aws_ec2") {
    throw new JoinMethodNotAllowedError(`renew: ${instance.joinMethod}-joined bots join again instead of renewing`);
  }
  const now = deps.clock.now().getTime();
  const expiresAt = now + lifetime * 1000;
  const next = instance.generation + 1;
  const minted = mintBotCredential(instance.id, next);
  try {
    await deps.store.advanceGeneration(instance.id, instance.generation, {
      renewedAt: now,
      expiresAt,
      credentialHash: minted.secretHash,
    });
  } catch (err) {
    if (err instanceof GenerationMismatchError) {
      const current = (await deps.store.getBotInstance(instance.id)) ?? instance;
      await lockForCredentialReuse(deps, current, instance.generation);
    }
    throw err;
  }
  await recordAudit(
    { audit: deps.store, logger: deps.logger },
    {
      type: "renew",
      time: now,
      botName: instance.botName,
      instanceId: instance.id,
      joinMethod: instance.joinMethod,
      expiresAt,
      detail: { generation: String(next) },
    },
  );
  return {
    credential: minted.credential,
    botName: instance.botName,
    instanceId: instance.id,
    generation: next,
    expiresAt: new Date(expiresAt),
  };
}
