import {
  bearerTokenOf,
  bindRoute,
  createJoinChallenge,
  joinBot,
  joinChallengeRoute,
  joinRequestOf,
  joinRoute,
  renewCredential,
  renewRoute,
  type CredentialGrant,
  type IssuerDeps,
  type ResponseOf,
  type Route,
  type StoreFor,
} from "../../layers/spiffe/src/index.js";
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
