import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWTPayload } from "jose";
import { gceClaims } from "#tessera/test-support";
import type { LocalIssuer } from "#tessera/test-support";

/** A loopback stand-in for the GCE metadata server's identity endpoint, signing as `google`. */
export interface GceMetadataServer {
  url: string;
  /** Instance claims of the tokens it hands out (`instance_name`, ...); changeable. */
  instance: Record<string, unknown>;
  /** Requests seen, as `METHOD url`. */
  requests: string[];
  close(): Promise<void>;
}

const IDENTITY_PATH = "/computeMetadata/v1/instance/service-accounts/default/identity";

/**
 * Serve `GET /computeMetadata/v1/instance/service-accounts/default/identity?audience=A&format=full`
 * as GCE does: only with `Metadata-Flavor: Google` (403 otherwise), answering with that header and a
 * fresh token for the asked audience, signed by `google` (a `startGoogle()` issuer).
 */
export async function startGceMetadataServer(google: LocalIssuer, instance: Record<string, unknown> = {}): Promise<GceMetadataServer> {
  const requests: string[] = [];
  const state: GceMetadataServer = { url: "", instance, requests, close: async () => {} };
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? "/", "http://metadata");
    if (req.headers["metadata-flavor"] !== "Google") return void res.writeHead(403).end();
    const audience = url.searchParams.get("audience");
    if (req.method !== "GET" || url.pathname !== IDENTITY_PATH || !audience)
      return void res.writeHead(404, { "metadata-flavor": "Google" }).end();
    const full = url.searchParams.get("format") === "full";
    const claims: JWTPayload = gceClaims({ aud: audience }, state.instance);
    if (!full) delete claims.google;
    google.sign(claims).then(
      (token) => res.writeHead(200, { "metadata-flavor": "Google", "content-type": "text/html" }).end(token),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
