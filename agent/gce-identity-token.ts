/** Where the GCE metadata server answers, unless configured. */
export const DEFAULT_GCE_METADATA_ENDPOINT = "http://metadata.google.internal";

const TIMEOUT_MS = 3000;
const MAX_BYTES = 16 * 1024;
const IDENTITY_PATH = "/computeMetadata/v1/instance/service-accounts/default/identity";

/**
 * Ask the GCE metadata server for the instance's identity token (`format=full`, so it carries the
 * project, zone and instance) for `audience`: the issuer's join audience. The request carries
 * `Metadata-Flavor: Google`, and the answer must carry it back (anything else is not the metadata
 * server). `endpoint` is configurable for tests.
 */
export async function fetchGceIdentityToken(audience: string, endpoint = DEFAULT_GCE_METADATA_ENDPOINT): Promise<string> {
  const url = new URL(`${endpoint.replace(/\/+$/, "")}${IDENTITY_PATH}`);
  url.searchParams.set("audience", audience);
  url.searchParams.set("format", "full");
  const response = await fetch(url, {
    headers: { "Metadata-Flavor": "Google" },
    signal: AbortSignal.timeout(TIMEOUT_MS),
    redirect: "error",
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`agent: the GCE metadata server answered ${response.status} for the identity token`);
  if (response.headers.get("metadata-flavor") !== "Google")
    throw new Error("agent: the GCE metadata endpoint did not answer as the metadata server (no Metadata-Flavor: Google)");
  if (body.length > MAX_BYTES) throw new Error("agent: the GCE metadata server sent an oversized identity token");
  return body.trim();
}
