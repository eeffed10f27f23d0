/**
 * The contract between the Workload API server and the rest of the agent: the server knows gRPC,
 * sockets and streams; the source knows identities, SVIDs and bundles.
 */

/** Who is calling, as workload attestation established it from the socket's peer credentials. */
export interface CallerIdentity {
  pid: number;
  uid: number;
  gid: number;
  /** Selectors such as `unix:uid:1000`, `unix:path:/usr/bin/app`, `unix:sha256:<hex>`. */
  selectors: ReadonlySet<string>;
}

/** One X.509-SVID with its private key, as the Workload API hands it out. */
export interface X509SvidView {
  spiffeId: string;
  /** DER certificates, leaf first. */
  certificates: Uint8Array[];
  /** PKCS#8 DER of the SVID's private key. */
  privateKey: Uint8Array;
  expiresAt: Date;
  /** Operator-chosen hint (`hint` in the proto), when configured. */
  hint?: string;
}

/** What one caller may see at one moment. */
export interface WorkloadApiState {
  /** X.509-SVIDs whose selectors the caller matches, in configuration order (first is the default). */
  x509Svids: X509SvidView[];
  /** DER CA certificates per trust domain name (the agent's own trust domain first). */
  x509Bundles: ReadonlyMap<string, Uint8Array[]>;
  /** JWKS documents (JSON bytes: `{"keys":[...]}` of jwt-svid keys) per trust domain name. */
  jwtBundles: ReadonlyMap<string, Uint8Array>;
}

/** A JWT-SVID as the Workload API hands it out. */
export interface JwtSvidView {
  spiffeId: string;
  token: string;
  hint?: string;
}

/** What the Workload API server reads from the agent. */
export interface WorkloadApiSource {
  /**
   * The caller's view: only identities whose selectors it matches. `undefined` while the agent has
   * no SVIDs or bundle yet (the server answers Unavailable).
   */
  stateFor(caller: CallerIdentity): WorkloadApiState | undefined;
  /** Called on every change (renewal, rotation, bundle change). Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * JWT-SVIDs for the caller's identities and `audience`: the one named `spiffeId`, or (when absent)
   * every identity the caller matches. Empty when the caller matches none.
   */
  fetchJwtSvids(caller: CallerIdentity, audience: string[], spiffeId?: string): Promise<JwtSvidView[]>;
  /** Validate a JWT-SVID against the bundles; throws for an invalid token. */
  validateJwtSvid(token: string, audience: string): Promise<{ spiffeId: string; claims: Record<string, unknown> }>;
}
