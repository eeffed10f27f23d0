import { assertJoinTokenShape, hashSecret } from "../credential/index.js";
import { BotLockedError, JoinMethodNotAllowedError, JoinTokenInvalidError } from "../errors.js";
import { isBoundToBot } from "../store/record-rules.js";
import type { RefusedRequest } from "./audit-refusals.js";
import { credentialLifetimeSeconds } from "./credential-lifetime.js";
import { newBotInstance, recordJoin } from "./new-bot-instance.js";
import type { JOIN_WITH_TOKEN_STORE } from "./store-parts.js";
import type { CredentialGrant, IssuerDepsFor } from "./types.js";

/** Request of `joinWithToken`. */
export interface JoinWithTokenRequest {
  token: unknown;
  /** Requested credential lifetime, seconds; capped by policy. */
  ttlSeconds?: unknown;
}

/**
 * Join with a one-time token: the token's use and the new bot instance are written together, or
 * neither. The token is looked up by hash; the credential's secret is returned once, never stored.
 * `asked` learns the token's bot, for the audit of a refusal.
 */
export async function joinWithToken(
  deps: IssuerDepsFor<typeof JOIN_WITH_TOKEN_STORE>,
  request: JoinWithTokenRequest,
  asked?: RefusedRequest,
): Promise<CredentialGrant> {
  assertJoinTokenShape(request.token);
  const lifetime = credentialLifetimeSeconds(request.ttlSeconds, deps.policy.credentialTtlSeconds);
  const tokenHash = hashSecret(request.token);
  const now = deps.clock.now().getTime();
  const token = await deps.store.getJoinToken(tokenHash);
  if (!token) throw new JoinTokenInvalidError("join: unknown, expired or locked join token");
  const bot = await deps.store.getBot(token.botName);
  // A token is dead once its bot is deleted, even when a bot of the same name exists again.
  if (!isBoundToBot(bot, token)) throw new JoinTokenInvalidError("join: unknown, expired or locked join token");
  if (asked) {
    asked.botName = bot.name;
    asked.detail.bot_id = bot.id;
  }
  if (bot.lock) throw new BotLockedError(`join: bot ${bot.name} is locked`);
  if (!bot.joinRules.some((rule) => rule.method === "token")) {
    throw new JoinMethodNotAllowedError(`join: bot ${bot.name} does not accept join tokens`);
  }
  const { instance, grant } = newBotInstance(bot, "token", {}, now, lifetime);
  await deps.store.redeemJoinToken(tokenHash, now, instance);
  await recordJoin(deps, instance, { token_hash_prefix: tokenHash.slice(0, 12) });
  return grant;
}
