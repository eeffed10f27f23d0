import { createHmac, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import { exportJWK, SignJWT, type JWK, type JWTPayload } from "jose";

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JWK;
}

/** Options of `LocalIssuer.sign`. */
export interface SignOptions {
  kid?: string;
  /** Sign with a key the issuer does not publish. */
  unpublished?: boolean;
}

/** The algorithms a `LocalIssuer` signs with (AWS STS web identity tokens use ES384). */
export type LocalAlgorithm = "RS256" | "ES256" | "ES384";

async function makeKey(alg: LocalAlgorithm): Promise<SigningKey> {
  const pair =
    alg === "RS256"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: alg === "ES256" ? "prime256v1" : "secp384r1" });
  const kid = randomUUID();
  return { kid, alg, ...pair, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: "sig" } };
}

function b64url(value: unknown): string {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

/**
 * An OIDC issuer on loopback for tests: a discovery document and a JWKS over HTTP, and tokens the
 * test signs as the issuer (never the code under test). Counts JWKS fetches; its answers can be
 * bent (another `issuer` in discovery, a Cache-Control header).
 */
export class LocalIssuer {
  readonly url: string;
  /** The `iss` of its tokens and of its discovery document (change to mimic a lying issuer). */
  issuer: string;
  discoveryIssuer: string;
  /** Where the discovery document is served (`/.well-known/openid-configuration` below the issuer's path). */
  discoveryPath: string;
  cacheControl = "max-age=300";
  jwksFetches = 0;
  readonly #server: Server;
  readonly #keys: SigningKey[];
  readonly #unpublished: SigningKey;

  private constructor(server: Server, url: string, keys: SigningKey[], unpublished: SigningKey) {
    this.#server = server;
    this.url = url;
    this.issuer = url;
    this.discoveryIssuer = url;
    this.discoveryPath = "/.well-known/openid-configuration";
    this.#keys = keys;
    this.#unpublished = unpublished;
  }

  /**
   * Start an issuer on 127.0.0.1 with an RSA and two EC keys (P-256, P-384). With `path`
   * (`/<tenant>/v2.0`), the issuer is `<url><path>` and discovery lives below it, as at Entra ID.
   */
  static async start(options: { path?: string } = {}): Promise<LocalIssuer> {
    const keys = [await makeKey("RS256"), await makeKey("ES256"), await makeKey("ES384")];
    const unpublished = await makeKey("RS256");
    const holder: { self?: LocalIssuer } = {};
    const server = createServer((req, res) => {
      const issuer = holder.self as LocalIssuer;
      if (req.url === issuer.discoveryPath) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            issuer: issuer.discoveryIssuer,
            jwks_uri: `${issuer.url}/jwks`,
            id_token_signing_alg_values_supported: ["RS256", "ES256"],
          }),
        );
      } else if (req.url === "/jwks") {
        issuer.jwksFetches++;
        res.writeHead(200, { "content-type": "application/json", "cache-control": issuer.cacheControl });
        res.end(JSON.stringify(issuer.jwks()));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const self = new LocalIssuer(server, `http://127.0.0.1:${port}`, keys, unpublished);
    if (options.path) {
      self.issuer = self.discoveryIssuer = `${self.url}${options.path}`;
      self.discoveryPath = `${options.path.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    }
    holder.self = self;
    return self;
  }

  /** The published JWKS (public keys only). */
  jwks(): { keys: JWK[] } {
    return { keys: this.#keys.map((k) => k.jwk) };
  }

  /** The PEM of the published RSA public key (what an HS256 key-confusion attack uses as its secret). */
  rsaPublicKeyPem(): string {
    return (this.#keys[0] as SigningKey).publicKey.export({ type: "spki", format: "pem" }) as string;
  }

  /** Sign `claims` as the issuer, RS256 (or the EC algorithm `alg` names), with `iat` now unless given. */
  async sign(claims: JWTPayload, alg: LocalAlgorithm = "RS256", options: SignOptions = {}): Promise<string> {
    const key = options.unpublished ? this.#unpublished : (this.#keys.find((k) => k.alg === alg) as SigningKey);
    const payload = { iss: this.issuer, iat: Math.floor(Date.now() / 1000), ...claims };
    return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: "JWT" }).sign(key.privateKey);
  }

  /** An unsigned token (`alg: none`). */
  unsigned(claims: JWTPayload): string {
    return `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ iss: this.issuer, iat: Math.floor(Date.now() / 1000), ...claims })}.`;
  }

  /** HS256 with the issuer's RSA public key (PEM) as the HMAC secret: the classic key-confusion attack. */
  hmacWithPublicKey(claims: JWTPayload): string {
    const kid = (this.#keys[0] as SigningKey).kid;
    const signingInput = `${b64url({ alg: "HS256", typ: "JWT", kid })}.${b64url({ iss: this.issuer, iat: Math.floor(Date.now() / 1000), ...claims })}`;
    return `${signingInput}.${createHmac("sha256", this.rsaPublicKeyPem()).update(signingInput).digest("base64url")}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
