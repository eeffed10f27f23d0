import { RequestInvalidError } from "../errors.js";
import { joinWithToken } from "./join-with-token.js";
import type { CredentialGrant, IssuerDeps } from "./types.js";

/** Request of `joinBot`: the join method and its proof fields, as sent. */
export interface JoinBotRequest {
  joinMethod: unknown;
  token?: unknown;
  ttlSeconds?: unknown;
}

const SUPPORTED = ["token"] as const;

/** Join with whichever method the request names; each method's verifier checks its own proof. */
export async function joinBot(deps: IssuerDeps, request: JoinBotRequest): Promise<CredentialGrant> {
  switch (request.joinMethod) {
    case "token":
      return joinWithToken(deps, { token: request.token, ttlSeconds: request.ttlSeconds });
    default:
      throw new RequestInvalidError(`join: join_method must be one of ${SUPPORTED.join(", ")}`);
  }
}
