import { DnsNameNotAllowedError, RequestInvalidError, SpiffeIdNotAllowedError, X509SvidInvalidError } from "../errors.js";
import { SpiffeId } from "../spiffeid/index.js";
import type { Bot } from "../store/types.js";
import { normalizeDnsName, validateDnsNames } from "../x509svid/index.js";
import { isDnsNameAllowed } from "./allowed-dns-names.js";
import { isSpiffeIdAllowed } from "./allowed-spiffe-ids.js";
import type { SvidCaller } from "./identify-svid-caller.js";
import type { IssuerDeps, TtlPolicy } from "./types.js";

const MAX_DNS_NAMES = 32;

/** The SPIFFE ID and TTL an SVID request resolves to, once the bot's rules allow them. */
export interface ResolvedSvidRequest {
  spiffeId: SpiffeId;
  ttlSeconds: number;
}

/** Check the asked SPIFFE ID against the trust domain and the bot's rules, and bound the TTL. */
export function resolveSvidRequest(
  deps: Pick<IssuerDeps, "policy">,
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

/** The DNS names asked for, normalised, each a hostname granted by the bot's rules (none for a bot without any). */
export function resolveDnsNames(value: unknown, bot: Bot): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_DNS_NAMES || !value.every((v) => typeof v === "string")) {
    throw new RequestInvalidError(`issuer: dns_names must be an array of at most ${MAX_DNS_NAMES} strings`);
  }
  const names = (value as string[]).map(normalizeDnsName);
  try {
    validateDnsNames(names);
  } catch (err) {
    if (err instanceof X509SvidInvalidError) throw new RequestInvalidError(err.message.replace(/^x509svid/, "issuer"), { cause: err });
    throw err;
  }
  const refused = names.find((name) => !isDnsNameAllowed(name, bot.allowedDnsNames ?? []));
  if (refused !== undefined) {
    throw new DnsNameNotAllowedError(`issuer: bot ${bot.name} may not put the DNS name ${refused} in a certificate`);
  }
  return names;
}
