import { recordAudit } from "../audit/index.js";
import { createInstanceId, mintBotCredential } from "../credential/index.js";
import type { Bot, BotInstance, JoinRule } from "../store/types.js";
import type { RECORD_JOIN_STORE } from "./store-parts.js";
import type { CredentialGrant, IssuerDepsFor } from "./types.js";

/**
 * A new instance of `bot` at generation 1, joined with `joinMethod` at `now`, and the grant of its
 * first credential. The credential's secret is in the grant only; the instance keeps its hash.
 */
export function newBotInstance(
  bot: Bot,
  joinMethod: JoinRule["method"],
  attributes: Record<string, string>,
  now: number,
  lifetimeSeconds: number,
): { instance: BotInstance; grant: CredentialGrant } {
  const id = createInstanceId();
  const minted = mintBotCredential(id, 1);
  const expiresAt = now + lifetimeSeconds * 1000;
  const instance: BotInstance = {
    id,
    botId: bot.id,
    botName: bot.name,
    joinMethod,
    generation: 1,
    createdAt: now,
    renewedAt: now,
    expiresAt,
    attributes,
    credentialHash: minted.secretHash,
    retiredCredentialHashes: [],
  };
  return {
    instance,
    grant: { credential: minted.credential, botName: bot.name, instanceId: id, generation: 1, expiresAt: new Date(expiresAt) },
  };
}

/** Record the `join` audit event of a new instance, with what identifies the proof it joined with (never the proof). */
export async function recordJoin(
  deps: Pick<IssuerDepsFor<typeof RECORD_JOIN_STORE>, "store" | "logger">,
  instance: BotInstance,
  detail: Record<string, string>,
): Promise<void> {
  await recordAudit(
    { audit: deps.store, logger: deps.logger },
    {
      type: "join",
      time: instance.createdAt,
      botName: instance.botName,
      instanceId: instance.id,
      joinMethod: instance.joinMethod,
      expiresAt: instance.expiresAt,
      detail,
    },
  );
}
