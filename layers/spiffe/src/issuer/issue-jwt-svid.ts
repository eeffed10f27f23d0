import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit/index.js";
import { requireUsefulAuthority } from "../ca/index.js";
import { JwtSvidsDisabledError } from "../errors.js";
import { mintJwtSvid, validateAudience } from "../jwtsvid/index.js";
import { auditRefusals, boundList, boundText, type RefusedRequest } from "./audit-refusals.js";
import { callerRefusalDetail, identifySvidCaller, type SvidCallerRequest } from "./identify-svid-caller.js";
import { resolveSvidRequest } from "./resolve-svid-request.js";
import type { ISSUE_JWT_SVID_STORE } from "./store-parts.js";
import type { IssuerDepsFor } from "./types.js";

/** Request of `issueJwtSvidForBot`. */
export interface IssueJwtSvidForBotRequest extends SvidCallerRequest {
  spiffeId: unknown;
  audience: unknown;
  ttlSeconds?: unknown;
}

/** An issued JWT-SVID. */
export interface IssueJwtSvidForBotResult {
  spiffeId: string;
  token: string;
  expiresAt: Date;
}

/**
 * Issue a JWT-SVID for a bot, asked with a bot credential or a platform proof (see
 * `identifySvidCaller`): caller, locks and the bot's rules checked; one signature.
 * A refused request is audited (`svid_refused`) with what it asked, bounded. With JWT-SVIDs turned
 * off (`policy.jwtSvids === false`) every request is refused first, `ERR_JWT_SVIDS_DISABLED`, before
 * the caller is identified: nothing is read, spent or signed, and only the refusal is recorded.
 */
export async function issueJwtSvidForBot(
  deps: IssuerDepsFor<typeof ISSUE_JWT_SVID_STORE>,
  request: IssueJwtSvidForBotRequest,
): Promise<IssueJwtSvidForBotResult> {
  const audience = boundList(request.audience);
  const count = typeof request.audience === "string" ? 1 : Array.isArray(request.audience) ? request.audience.length : 0;
  const asked: RefusedRequest = {
    type: "svid_refused",
    spiffeId: boundText(request.spiffeId),
    detail: { svid_type: "jwt", ...callerRefusalDetail(request), audience_count: String(count), ...(audience ? { audience } : {}) },
  };
  return auditRefusals(deps, asked, (seen) => issue(deps, request, seen));
}

async function issue(
  deps: IssuerDepsFor<typeof ISSUE_JWT_SVID_STORE>,
  request: IssueJwtSvidForBotRequest,
  asked: RefusedRequest,
): Promise<IssueJwtSvidForBotResult> {
  if (deps.policy.jwtSvids === false)
    throw new JwtSvidsDisabledError("issuer: JWT-SVIDs are turned off in this deployment; ask for an X.509-SVID instead");
  const who = await identifySvidCaller(deps, request, asked);
  const { spiffeId, ttlSeconds } = resolveSvidRequest(deps, who, request.spiffeId, request.ttlSeconds, deps.policy.jwtSvid);
  const audience = validateAudience(typeof request.audience === "string" ? [request.audience] : request.audience);
  const authority = await deps.authorities.jwt();
  const now = deps.clock.now();
  requireUsefulAuthority(authority, now, "JWT key");
  await who.commit();
  const ttl = Math.min(ttlSeconds, Math.floor((authority.notAfter.getTime() - now.getTime()) / 1000));
  const jti = randomUUID();
  const token = await mintJwtSvid({
    key: authority.key,
    kid: authority.kid,
    spiffeId,
    audience,
    ttlSeconds: ttl,
    now,
    jti,
    ...(deps.policy.issuerUrl ? { issuer: deps.policy.issuerUrl } : {}),
  });
  const expiresAt = new Date(now.getTime() + ttl * 1000);
  await recordAudit(
    { audit: deps.store, logger: deps.logger },
    {
      type: "jwt_svid",
      time: now.getTime(),
      botName: who.bot.name,
      ...(who.instanceId === undefined ? {} : { instanceId: who.instanceId }),
      joinMethod: who.joinMethod,
      spiffeId: spiffeId.toString(),
      serialOrJti: jti,
      expiresAt: expiresAt.getTime(),
      detail: { audience: audience.join(" "), ...who.auditDetail },
    },
  );
  return { spiffeId: spiffeId.toString(), token, expiresAt };
}
