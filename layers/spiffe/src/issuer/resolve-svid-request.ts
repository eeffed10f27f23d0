import { RequestInvalidError, SpiffeIdNotAllowedError } from "../errors.js";
import { SpiffeId } from "../spiffeid/index.js";
import { isSpiffeIdAllowed } from "./allowed-spiffe-ids.js";
import type { SvidCaller } from "./identify-svid-caller.js";
import type { IssuerDeps, TtlPolicy } from "./types.js";

/** The SPIFFE ID and TTL an SVID request resolves to, once the bot's rules allow them. */
export interface ResolvedSvidRequest {
  spiffeId: SpiffeId;
  ttlSeconds: number;
}

/** Check the asked SPIFFE ID against the trust domain and the bot's rules, and bound the TTL. */
export function resolveSvidRequest(
  deps: IssuerDeps,
  who: Pick<SvidCaller, "bot" | "instanceId" | "attributes">,
  spiffeIdValue: unknown,
  ttlValue: unknown,
  ttl: TtlPolicy,
): ResolvedSvidRequest {
  if (typeof spiffeIdValue !== "string") throw new RequestInvalidError("issuer: spiffe_id must be a string");
  const spiffeId = SpiffeId.fromString(spiffeIdValue);
  if (!spiffeId.memberOf(deps.policy.trustDomain)) {
    throw new SpiffeIdNotAllowedError(`issuer: ${spiffeId} is outside the trust domain ${deps.policy.trustDomain.name}`);
  }
  const context = { bot: who.bot.name, ...(who.instanceId === undefined ? {} : { instance: who.instanceId }), attributes: who.attributes };
  if (!isSpiffeIdAllowed(spiffeId, who.bot.allowedSpiffeIds, context)) {
    throw new SpiffeIdNotAllowedError(`issuer: bot ${who.bot.name} may not ask for ${spiffeId}`);
  }
  if (ttlValue !== undefined && (!Number.isSafeInteger(ttlValue) || (ttlValue as number) <= 0)) {
    throw new RequestInvalidError("issuer: ttl must be a positive whole number of seconds");
  }
  const wanted = (ttlValue as number | undefined) ?? ttl.defaultSeconds;
  return { spiffeId, ttlSeconds: Math.min(wanted, ttl.maxSeconds, who.bot.maxSvidTtlSeconds) };
}
