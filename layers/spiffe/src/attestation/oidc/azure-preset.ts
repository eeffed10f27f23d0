import type { JWTPayload } from "jose";
import { attributeText } from "./claim-values.js";
import type { OidcPreset } from "./presets.js";

/** The attributes the `azure` preset adds (see `azureAttributes`). */
export const AZURE_ATTRIBUTES: readonly string[] = [
  "tenant_id",
  "object_id",
  "client_id",
  "mi_resource_id",
  "subscription_id",
  "resource_group",
  "resource_name",
];

const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
/** A per-tenant issuer path: `/<tenant id>/v2.0` (v2 tokens) or `/<tenant id>/` (v1, `sts.windows.net`). */
const TENANT_ISSUER_PATH = new RegExp(`^/(${GUID})/(?:v2\\.0)?$`);
const RESOURCE_ID = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)$/i;
const V1_HOST = "sts.windows.net";
const DISCOVERY_HOST = "login.microsoftonline.com";

/**
 * The attributes of an Entra ID token for an Azure managed identity: `tenant_id` (`tid`),
 * `object_id` (`oid`, the identity's service principal), `client_id` (`appid` in v1 tokens, `azp` in
 * v2), `mi_resource_id` (`xms_mirid`, the identity's Azure resource id), and parsed from it
 * `subscription_id`, `resource_group` and `resource_name` (the user-assigned identity, or the VM or
 * app a system-assigned identity belongs to).
 */
export function azureAttributes(payload: JWTPayload): Record<string, string> {
  const attributes: Record<string, string> = {};
  const put = (name: string, value: unknown) => {
    const text = attributeText(value);
    if (text !== undefined) attributes[name] = text;
  };
  put("tenant_id", payload.tid);
  put("object_id", payload.oid);
  put("client_id", payload.appid ?? payload.azp);
  put("mi_resource_id", payload.xms_mirid);
  const parts = RESOURCE_ID.exec(attributes.mi_resource_id ?? "");
  if (parts) {
    put("subscription_id", parts[1]);
    put("resource_group", parts[2]);
    put("resource_name", parts[3]);
  }
  return attributes;
}

/** Why `issuer` is not one tenant's Entra ID issuer (`common`, `organizations` tokens are not), or `undefined`. */
export function azureIssuerProblem(issuer: URL): string | undefined {
  return TENANT_ISSUER_PATH.test(issuer.pathname)
    ? undefined
    : "must be one tenant's: https://login.microsoftonline.com/<tenant id>/v2.0 (v2 tokens) or https://sts.windows.net/<tenant id>/ (v1)";
}

/** Discovery of a v1 issuer (`https://sts.windows.net/<tenant>/`) at login.microsoftonline.com, whose document names that issuer. */
export function azureDiscoveryUrl(issuer: URL): string | undefined {
  const tenant = TENANT_ISSUER_PATH.exec(issuer.pathname)?.[1];
  return issuer.hostname === V1_HOST && tenant ? `https://${DISCOVERY_HOST}/${tenant}/.well-known/openid-configuration` : undefined;
}

/**
 * Azure managed identities (Entra ID access tokens from the instance metadata service): the issuer
 * names the tenant, and every app and identity of the tenant can get a token for the audience, so
 * a rule must name the identity (`oid`, `appid`/`azp`, `xms_mirid`, or their attribute names).
 */
export const AZURE_PRESET: OidcPreset = {
  requiredClaims: ["oid", "object_id", "sub", "appid", "azp", "client_id", "xms_mirid", "mi_resource_id"],
  algorithms: ["RS256"],
  issuerProblem: azureIssuerProblem,
  discoveryUrl: azureDiscoveryUrl,
  attributes: azureAttributes,
};
