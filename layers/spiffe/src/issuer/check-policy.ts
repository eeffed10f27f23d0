import { BotNotFoundError, RequestInvalidError, TesseraError } from "../errors.js";
import type { StoreFor } from "../store/types.js";
import type { CHECK_POLICY_STORE } from "./store-parts.js";
import { assertBotUnlocked } from "./authenticate-bot.js";
import { resolveDnsNames, resolveSvidRequest } from "./resolve-svid-request.js";
import type { IssuerPolicy } from "./types.js";

const MAX_ATTRIBUTES = 64;
const MAX_ATTRIBUTE_CHARS = 1024;

/** What `checkPolicy` needs: the bot's rules (read only) and the issuer's policy. */
export interface PolicyCheckDeps {
  store: StoreFor<typeof CHECK_POLICY_STORE>;
  policy: IssuerPolicy;
}

/**
 * "Would this bot, joined with these attributes, get that SVID?", typed by the API contract's
 * request schema (`POST /v1/admin/policy/test`), which refuses a field of the wrong type at the edge.
 */
export interface PolicyCheckRequest {
  bot: string;
  /** Join attributes, as a join would establish them. */
  attributes?: Readonly<Record<string, string>>;
  /** The instance id `{{instance}}` templates are filled with; none by default. */
  instance?: string;
  spiffeId: string;
  /** `x509` (default) or `jwt`; DNS names only for `x509`. */
  svidType?: string;
  dnsNames?: readonly string[];
  ttlSeconds?: number;
}

/** The answer: what the SVID would carry, or the code and reason a real request would be refused with. */
export type PolicyCheckResult =
  { allowed: true; spiffeId: string; dnsNames: string[]; ttlSeconds: number } | { allowed: false; code: string; reason: string };

function attributesOf(value: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (value === undefined) return {};
  const entries = Object.entries(value);
  if (entries.length > MAX_ATTRIBUTES || !entries.every(([k, v]) => k.length + v.length <= MAX_ATTRIBUTE_CHARS)) {
    throw new RequestInvalidError(`issuer: attributes must be an object of at most ${MAX_ATTRIBUTES} string values`);
  }
  return Object.fromEntries(entries);
}

/**
 * Decide an SVID request for a bot without a credential and without writing anything: the bot's
 * lock, the SPIFFE ID, the DNS names and the TTL go through the very functions real requests use.
 * A malformed check (no bot name, an unknown bot, bad attributes) throws; a refusal is an answer.
 *
 * Those functions (`resolveSvidRequest`, `resolveDnsNames`) also check the JSON types of
 * `spiffe_id`, `ttl` and `dns_names`, because the SVID bodies are checked by their use case (every
 * refusal audited); for a policy check the edge schema has refused a wrong type before, so those
 * lines never refuse one here and the type rule runs once per request.
 */
export async function checkPolicy(deps: PolicyCheckDeps, request: PolicyCheckRequest): Promise<PolicyCheckResult> {
  if (request.bot === "") throw new RequestInvalidError("issuer: bot must be a bot name");
  const svidType = request.svidType ?? "x509";
  if (svidType !== "x509" && svidType !== "jwt") throw new RequestInvalidError("issuer: svid_type must be x509 or jwt");
  const attributes = attributesOf(request.attributes);
  const bot = await deps.store.getBot(request.bot);
  if (!bot) throw new BotNotFoundError(`issuer: no bot named ${request.bot}`);
  try {
    assertBotUnlocked(bot);
    const who = { bot, attributes, ...(request.instance === undefined ? {} : { instanceId: request.instance }) };
    const ttl = svidType === "x509" ? deps.policy.x509Svid : deps.policy.jwtSvid;
    const { spiffeId, ttlSeconds } = resolveSvidRequest(deps, who, request.spiffeId, request.ttlSeconds, ttl);
    if (svidType === "jwt" && request.dnsNames !== undefined) throw new RequestInvalidError("issuer: a JWT-SVID carries no DNS names");
    const dnsNames = resolveDnsNames(request.dnsNames, bot);
    return { allowed: true, spiffeId: spiffeId.toString(), dnsNames, ttlSeconds };
  } catch (err) {
    if (err instanceof TesseraError) return { allowed: false, code: err.code, reason: err.message };
    throw err;
  }
}
