import { RequestInvalidError } from "../errors.js";
import { auditRefusals, boundText, secretHashDetail, type RefusedRequest } from "./audit-refusals.js";
import { joinWithPlatformProof } from "./join-with-platform-proof.js";
import { joinWithToken } from "./join-with-token.js";
import type { JOIN_BOT_STORE } from "./store-parts.js";
import type { CredentialGrant, IssuerDepsFor } from "./types.js";

/** Request of `joinBot`: the join method and its proof fields, as sent. */
export interface JoinBotRequest {
  joinMethod: unknown;
  /** The one-time join token (`token`), the platform's signed token (`oidc`, `gcp`; `aws_ec2`: the rsa2048 signature) or signed STS request (`aws_iam`). */
  token?: unknown;
  /** The signed document sent beside the signature (`aws_ec2`, optional). */
  document?: unknown;
  /** The bot to join as (platform methods; a join token names its bot). */
  botName?: unknown;
  ttlSeconds?: unknown;
}

const SUPPORTED = ["token", "oidc", "gcp", "aws_ec2", "aws_iam"] as const;

/**
 * Join with whichever method the request names; each method's verifier checks its own proof.
 * A refused join is audited (`join_refused`) with the hash prefix of the presented token only.
 */
export async function joinBot(deps: IssuerDepsFor<typeof JOIN_BOT_STORE>, request: JoinBotRequest): Promise<CredentialGrant> {
  const asked: RefusedRequest = {
    type: "join_refused",
    joinMethod: boundText(request.joinMethod),
    detail: {
      ...secretHashDetail(request.joinMethod === "token" ? "token_hash_prefix" : "proof_hash_prefix", request.token),
      ...(typeof request.botName === "string" ? { asked_bot_name: boundText(request.botName) as string } : {}),
    },
  };
  return auditRefusals(deps, asked, (seen) => joinWith(deps, request, seen));
}

async function joinWith(
  deps: IssuerDepsFor<typeof JOIN_BOT_STORE>,
  request: JoinBotRequest,
  asked: RefusedRequest,
): Promise<CredentialGrant> {
  switch (request.joinMethod) {
    case "token":
      return joinWithToken(deps, { token: request.token, ttlSeconds: request.ttlSeconds }, asked);
    case "oidc":
    case "gcp":
    case "aws_ec2":
    case "aws_iam":
      return joinWithPlatformProof(
        deps,
        {
          method: request.joinMethod,
          botName: request.botName,
          token: request.token,
          document: request.document,
          ttlSeconds: request.ttlSeconds,
        },
        asked,
      );
    default:
      throw new RequestInvalidError(`join: join_method must be one of ${SUPPORTED.join(", ")}`);
  }
}
