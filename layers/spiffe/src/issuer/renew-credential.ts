import { recordAudit } from "../audit/index.js";
import { mintBotCredential } from "../credential/index.js";
import { GenerationMismatchError, JoinMethodNotAllowedError } from "../errors.js";
import { authenticateBot, lockForCredentialReuse } from "./authenticate-bot.js";
import { credentialLifetimeSeconds } from "./credential-lifetime.js";
import type { CredentialGrant, IssuerDeps } from "./types.js";

/**
 * Renew a token-joined bot's credential: the generation moves on and the old secret is retired.
 * If two holders renew the same credential, the loser proves a copy exists: the instance is locked.
 */
export async function renewCredential(deps: IssuerDeps, credential: unknown, ttlSeconds?: unknown): Promise<CredentialGrant> {
  const lifetime = credentialLifetimeSeconds(ttlSeconds, deps.policy.credentialTtlSeconds);
  const { instance } = await authenticateBot(deps, credential);
  if (instance.joinMethod !== "token") {
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
  return { credential: minted.credential, botName: instance.botName, instanceId: instance.id, generation: next, expiresAt: new Date(expiresAt) };
}
