import {
  bearerTokenOf,
  createJoinChallenge,
  jsonResponse,
  joinBot,
  joinRequestOf,
  renewCredential,
  type CredentialGrant,
  type IssuerDeps,
  type Route,
} from "../../layers/spiffe/src/index.js";

function grantView(grant: CredentialGrant): Record<string, unknown> {
  return {
    credential: grant.credential,
    bot_name: grant.botName,
    instance_id: grant.instanceId,
    generation: grant.generation,
    expires_at: grant.expiresAt.toISOString(),
  };
}

/** The join function's routes: `POST /v1/join/challenge`, `POST /v1/join` and `POST /v1/renew`. */
export function joinRoutes(deps: IssuerDeps): Route[] {
  return [
    {
      routeKey: "POST /v1/join/challenge",
      maxBodyBytes: 1024,
      handle: async () => {
        const { challenge, expiresAt } = await createJoinChallenge(deps);
        return jsonResponse(200, { challenge, expires_at: expiresAt.toISOString() });
      },
    },
    {
      routeKey: "POST /v1/join",
      maxBodyBytes: 64 * 1024,
      handle: async (event) => jsonResponse(200, grantView(await joinBot(deps, { ...joinRequestOf(event.json), ttlSeconds: event.json?.ttl }))),
    },
    {
      routeKey: "POST /v1/renew",
      maxBodyBytes: 1024,
      handle: async (event) => jsonResponse(200, grantView(await renewCredential(deps, bearerTokenOf(event), event.json?.ttl))),
    },
  ];
}
