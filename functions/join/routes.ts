import {
  bearerTokenOf,
  jsonResponse,
  joinBot,
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

/** The join function's routes: `POST /v1/join` and `POST /v1/renew`. */
export function joinRoutes(deps: IssuerDeps): Route[] {
  return [
    {
      routeKey: "POST /v1/join",
      maxBodyBytes: 64 * 1024,
      handle: async (event) =>
        jsonResponse(
          200,
          grantView(await joinBot(deps, { joinMethod: event.json?.join_method, token: event.json?.token, document: event.json?.document, botName: event.json?.bot_name, ttlSeconds: event.json?.ttl })),
        ),
    },
    {
      routeKey: "POST /v1/renew",
      maxBodyBytes: 1024,
      handle: async (event) => jsonResponse(200, grantView(await renewCredential(deps, bearerTokenOf(event), event.json?.ttl))),
    },
  ];
}
