import { recordAudit } from "../audit/index.js";
import { hashesEqual, parseBotCredential } from "../credential/index.js";
import { BotLockedError, CredentialInvalidError, GenerationMismatchError } from "../errors.js";
import { isBoundToBot } from "../store/record-rules.js";
import type { Bot, BotInstance } from "../store/types.js";
import { noteCaller, type RefusedRequest } from "./audit-refusals.js";
import type { AUTHENTICATE_BOT_STORE, LOCK_FOR_CREDENTIAL_REUSE_STORE } from "./store-parts.js";
import type { IssuerDepsFor } from "./types.js";

/** A bot whose credential checked out. */
export interface AuthenticatedBot {
  bot: Bot;
  instance: BotInstance;
}

/** Refuse a locked bot (`BotLockedError`), as every use of a credential does. */
export function assertBotUnlocked(bot: Bot): void {
  if (bot.lock) throw new BotLockedError(`credential: bot ${bot.name} is locked`);
}

/** Lock an instance because a stale copy of its credential was used, and audit it. */
export async function lockForCredentialReuse(
  deps: IssuerDepsFor<typeof LOCK_FOR_CREDENTIAL_REUSE_STORE>,
  instance: BotInstance,
  presentedGeneration: number,
): Promise<void> {
  if (instance.lock) return;
  const now = deps.clock.now().getTime();
  const reason = `credential generation ${presentedGeneration} reused while ${instance.generation} is current: a copy of the credential exists`;
  await deps.store.setBotInstanceLock(instance.id, { reason, lockedAt: now, lockedBy: "tessera" });
  await recordAudit(
    { audit: deps.store, logger: deps.logger },
    {
      type: "lock",
      time: now,
      botName: instance.botName,
      instanceId: instance.id,
      joinMethod: instance.joinMethod,
      detail: { reason, target: "bot_instance", actor: "tessera" },
    },
  );
}

/**
 * Check a bot credential: it names a stored instance bound to the live bot of its name (the same
 * bot id: a deleted bot's instances stay dead when the name is reused), its secret is the current
 * one, it has not expired, and neither the instance nor the bot is locked (read fresh on every
 * call). A retired secret means a copy of the credential exists: the instance is locked on the spot.
 * Once the secret checks out, `asked` learns who is asking, for the audit of a refusal.
 */
export async function authenticateBot(
  deps: IssuerDepsFor<typeof AUTHENTICATE_BOT_STORE>,
  credential: unknown,
  asked?: RefusedRequest,
): Promise<AuthenticatedBot> {
  const presented = parseBotCredential(credential);
  const instance = await deps.store.getBotInstance(presented.instanceId);
  if (!instance) throw new CredentialInvalidError("credential: unknown or invalid bot credential");
  const bot = await deps.store.getBot(instance.botName);
  if (!isBoundToBot(bot, instance)) throw new CredentialInvalidError("credential: unknown or invalid bot credential");
  if (!hashesEqual(presented.secretHash, instance.credentialHash) || presented.generation !== instance.generation) {
    if (instance.retiredCredentialHashes.some((h) => hashesEqual(h, presented.secretHash))) {
      await lockForCredentialReuse(deps, instance, presented.generation);
      throw new GenerationMismatchError(
        "credential: this credential was already renewed; a copy of it exists, so the bot instance is now locked",
      );
    }
    throw new CredentialInvalidError("credential: unknown or invalid bot credential");
  }
  if (asked) noteCaller(asked, { bot, instance });
  if (instance.lock) throw new BotLockedError(`credential: bot instance ${instance.id} is locked`);
  if (deps.clock.now().getTime() >= instance.expiresAt) {
    throw new CredentialInvalidError("credential: bot credential has expired; join again");
  }
  assertBotUnlocked(bot);
  return { bot, instance };
}
