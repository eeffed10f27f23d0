import {
  bearerTokenOf,
  bindRoute,
  joinChallengeRoute,
  joinRequestOf,
  joinRoute,
  renewRoute,
  type ResponseOf,
  type Route,
} from "#tessera/contract";
import { createJoinChallenge, type CredentialGrant, type IssuerDeps, joinBot, renewCredential, type StoreFor } from "#tessera/issuer";
import type { JOIN_FUNCTION_STORE } from "./store-parts.js";

function grantView(grant: CredentialGrant): ResponseOf<typeof joinRoute> {
  return {
    credential: grant.credential,
    bot_name: grant.botName,
    instance_id: grant.instanceId,
    generation: grant.generation,
    expires_at: grant.expiresAt.toISOString(),
  };
}

/** The join function's routes: `POST /v1/join/challenge`, `POST /v1/join` and `POST /v1/renew`. */
export function joinRoutes(deps: IssuerDeps<StoreFor<typeof JOIN_FUNCTION_STORE>>): Route[] {
  return [
    bindRoute(joinChallengeRoute, async () => {
      const { challenge, expiresAt } = await createJoinChallenge(deps);
      return { challenge, expires_at: expiresAt.toISOString() };
    }),
    bindRoute(joinRoute, async ({ body }) => grantView(await joinBot(deps, { ...joinRequestOf(body), ttlSeconds: body.ttl }))),
    bindRoute(renewRoute, async ({ body }, event) => grantView(await renewCredential(deps, bearerTokenOf(event), body.ttl))),
  ];
}
