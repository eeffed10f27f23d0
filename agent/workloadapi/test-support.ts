// Test helpers for the Workload API: a small PKI made with Tessera's own library (a CA key from a
// DiskKeyManager, real X.509-SVIDs and JWT-SVIDs), a source whose grants and readiness a test
// controls and whose subscriptions it can count, and a grpc-js client built from the same .proto.
// Also used by test/interop. Not exported from index.ts.
import { credentials, loadPackageDefinition, Metadata, type Client, type ClientReadableStream, type ServiceError } from "@grpc/grpc-js";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { join } from "node:path";
import {
  Bundle,
  createCaCertificate,
  createJwk,
  mintJwtSvid,
  parseAndValidateJwtSvid,
  type SigningKey,
  signX509Svid,
  SpiffeId,
  TrustDomain,
} from "#tessera/core";
import { DiskKeyManager } from "#tessera/issuer";
import type { CallerIdentity, JwtSvidView, WorkloadApiSource, WorkloadApiState, X509SvidView } from "./types.js";
import { loadWorkloadApiPackage, WORKLOAD_API_SERVICE } from "./workload-api-definition.js";

const HOUR = 3600_000;

/** A trust domain's authorities, made with Tessera's library, that issue real SVIDs. */
export interface TestPki {
  trustDomain: TrustDomain;
  /** The CA certificates in the bundle, DER; the first one signs. */
  x509Authorities: Uint8Array[];
  jwtKid: string;
  /** A fresh key pair and an X.509-SVID for it, signed by the first CA. */
  issueSvid(spiffeId: string, options?: { hint?: string; ttlMs?: number }): Promise<X509SvidView & { serialNumber: string }>;
  /** Add another CA certificate (its own key) to the bundle, as a rotation's prepared CA. */
  addCa(): Promise<Uint8Array>;
  /** A JWT-SVID signed by the JWT key. */
  mintJwt(spiffeId: string, audience: string[], ttlSeconds?: number, issuer?: string): Promise<string>;
  /** The JWKS of the JWT key, `{"keys":[...]}`, as the Workload API serves it. */
  jwks(): Uint8Array;
  /** The bundle (X.509 CAs and JWT key) as the library's `Bundle`. */
  bundle(): Bundle;
}

/** A CA and a JWT key for `trustDomain`, their keys in a DiskKeyManager under `directory`. */
export async function createTestPki(directory: string, trustDomain = "example.org"): Promise<TestPki> {
  const td = TrustDomain.fromString(trustDomain);
  const keys = new DiskKeyManager({ directory: join(directory, `keys-${trustDomain}`) });
  const now = Date.now();
  const newCa = async (id: string): Promise<{ key: SigningKey; certificate: Uint8Array }> => {
    const key = await keys.generateKey(id, "ECC_NIST_P256");
    const certificate = await createCaCertificate({
      key,
      trustDomain: td,
      notBefore: new Date(now - HOUR),
      notAfter: new Date(now + 48 * HOUR),
    });
    return { key, certificate };
  };
  const ca = await newCa("x509-ca-a");
  const jwtKey = await keys.generateKey("jwt-a", "ECC_NIST_P256");
  const jwtKid = `${trustDomain}-jwt-a`;
  const x509Authorities = [ca.certificate];
  let extraCas = 0;
  return {
    trustDomain: td,
    x509Authorities,
    jwtKid,
    async issueSvid(spiffeId, options = {}) {
      const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const notAfter = new Date(Date.now() + (options.ttlMs ?? HOUR));
      const issued = await signX509Svid({
        caKey: ca.key,
        caCertificate: ca.certificate,
        spiffeId: SpiffeId.fromString(spiffeId),
        publicKey,
        notBefore: new Date(Date.now() - 60_000),
        notAfter,
      });
      return {
        spiffeId,
        certificates: [issued.certificate],
        privateKey: pkcs8Of(privateKey),
        expiresAt: issued.notAfter,
        serialNumber: issued.serialNumber,
        ...(options.hint === undefined ? {} : { hint: options.hint }),
      };
    },
    async addCa() {
      const next = await newCa(`x509-ca-${++extraCas}`);
      x509Authorities.push(next.certificate);
      return next.certificate;
    },
    mintJwt: (spiffeId, audience, ttlSeconds = 300, issuer?: string) =>
      mintJwtSvid({
        key: jwtKey,
        kid: jwtKid,
        spiffeId: SpiffeId.fromString(spiffeId),
        audience,
        ttlSeconds,
        now: new Date(),
        ...(issuer ? { issuer } : {}),
      }),
    jwks: () => new TextEncoder().encode(JSON.stringify({ keys: [createJwk(jwtKey.publicKey, "jwt-svid", jwtKid)] })),
    bundle: () =>
      new Bundle({ trustDomain: td, x509Authorities, jwtAuthorities: [[jwtKid, createJwk(jwtKey.publicKey, "jwt-svid", jwtKid)]] }),
  };
}

function pkcs8Of(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: "der", type: "pkcs8" }));
}

/** One identity a `TestSource` grants to callers holding `selector`. */
export interface TestGrant {
  selector: string;
  svid: X509SvidView;
}

/**
 * A WorkloadApiSource for tests: grants by selector, bundles set directly, `ready` toggles the
 * "agent still starting" state, `notify()` announces a change, `subscriptions` counts listeners.
 */
export class TestSource implements WorkloadApiSource {
  ready = true;
  grants: TestGrant[] = [];
  x509Bundles = new Map<string, Uint8Array[]>();
  jwtBundles = new Map<string, Uint8Array>();
  /** Where JWT-SVIDs are minted and validated, by trust domain name. */
  pkis = new Map<string, TestPki>();
  stateCalls = 0;
  readonly #listeners = new Set<() => void>();

  /** A source serving `pki`'s bundles (X.509 and JWT). */
  static forPki(pki: TestPki): TestSource {
    const source = new TestSource();
    source.pkis.set(pki.trustDomain.name, pki);
    source.x509Bundles.set(pki.trustDomain.name, pki.x509Authorities);
    source.jwtBundles.set(pki.trustDomain.name, pki.jwks());
    return source;
  }

  get subscriptions(): number {
    return this.#listeners.size;
  }

  stateFor(caller: CallerIdentity): WorkloadApiState | undefined {
    this.stateCalls++;
    if (!this.ready) return undefined;
    return {
      x509Svids: this.#grantsFor(caller).map((g) => g.svid),
      x509Bundles: new Map(this.x509Bundles),
      jwtBundles: new Map(this.jwtBundles),
    };
  }

  subscribe(listener: () => void): () => void {
    const entry = () => listener();
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  /** Tell every subscriber that something changed. */
  notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  async fetchJwtSvids(caller: CallerIdentity, audience: string[], spiffeId?: string): Promise<JwtSvidView[]> {
    const ids = [...new Set(this.#grantsFor(caller).map((g) => g.svid.spiffeId))].filter((id) => spiffeId === undefined || id === spiffeId);
    return Promise.all(ids.map(async (id) => ({ spiffeId: id, token: await this.#pkiOf(id).mintJwt(id, audience) })));
  }

  async validateJwtSvid(token: string, audience: string): Promise<{ spiffeId: string; claims: Record<string, unknown> }> {
    const bundles = [...this.pkis.values()].map((p) => p.bundle());
    const source = {
      getJwtAuthority: (td: TrustDomain, kid: string) => bundles.find((b) => b.trustDomain.equals(td))?.getJwtAuthority(td, kid),
    };
    const svid = await parseAndValidateJwtSvid(token, source, { audience: [audience] });
    return { spiffeId: svid.spiffeId.toString(), claims: svid.claims as Record<string, unknown> };
  }

  #grantsFor(caller: CallerIdentity): TestGrant[] {
    return this.grants.filter((g) => caller.selectors.has(g.selector));
  }

  #pkiOf(spiffeId: string): TestPki {
    const pki = this.pkis.get(SpiffeId.fromString(spiffeId).trustDomain.name);
    if (!pki) throw new Error(`test source: no PKI for ${spiffeId}`);
    return pki;
  }
}

/** A caller as attestation would describe a process of `uid`. */
export function callerWithUid(uid: number, pid = 4242): CallerIdentity {
  return { pid, uid, gid: uid, selectors: new Set([`unix:uid:${uid}`]) };
}

/** A grpc-js client of the Workload API. */
export type WorkloadClient = Client & Record<string, (...args: unknown[]) => unknown>;

/**
 * A grpc-js client on `socketPath` built from workload.proto. Each client has its own connection
 * (its own subchannel pool), so tests can stand for distinct processes.
 */
export function createWorkloadClient(socketPath: string): WorkloadClient {
  const pkg = loadPackageDefinition(loadWorkloadApiPackage());
  const Constructor = pkg[WORKLOAD_API_SERVICE] as unknown as new (target: string, creds: unknown, options: object) => WorkloadClient;
  return new Constructor(`unix://${socketPath}`, credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
    "grpc.max_receive_message_length": 8 * 1024 * 1024,
  });
}

/** Metadata with the Workload API's security header (or without it, when `header` is false). */
export function workloadMetadata(header = true): Metadata {
  const metadata = new Metadata();
  if (header) metadata.set("workload.spiffe.io", "true");
  return metadata;
}

/** A unary call as a promise. */
export function callUnary<T = Record<string, unknown>>(
  client: WorkloadClient,
  method: string,
  request: object,
  metadata = workloadMetadata(),
): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method]!(request, metadata, (err: ServiceError | null, response: T) => (err ? reject(err) : resolve(response)));
  });
}

/** Reads a server stream: each message as it arrives, and the error that ended it. */
export class StreamReader<T = Record<string, unknown>> {
  readonly messages: T[] = [];
  error: ServiceError | undefined;
  ended = false;
  readonly #waiters: (() => void)[] = [];

  constructor(readonly call: ClientReadableStream<T>) {
    call.on("data", (message: T) => this.#push(() => this.messages.push(message)));
    call.on("error", (err: ServiceError) => this.#push(() => (this.error = err)));
    call.on("end", () => this.#push(() => (this.ended = true)));
  }

  /** Open `method` on `client` and read it. */
  static open<T = Record<string, unknown>>(
    client: WorkloadClient,
    method: string,
    request: object = {},
    metadata = workloadMetadata(),
  ): StreamReader<T> {
    return new StreamReader<T>(client[method]!(request, metadata) as ClientReadableStream<T>);
  }

  /** Resolves once `count` messages arrived; rejects when the stream fails first or `timeoutMs` passes. */
  async messagesAt(count: number, timeoutMs = 10_000): Promise<T[]> {
    await this.#until(() => this.messages.length >= count || this.error !== undefined || this.ended, timeoutMs, `${count} messages`);
    if (this.messages.length < count) throw this.error ?? new Error(`stream ended after ${this.messages.length} messages`);
    return this.messages;
  }

  /** Resolves with the error that ends the stream. */
  async failure(timeoutMs = 10_000): Promise<ServiceError> {
    await this.#until(() => this.error !== undefined || this.ended, timeoutMs, "the stream to fail");
    if (!this.error) throw new Error("stream ended without an error");
    return this.error;
  }

  #push(update: () => void): void {
    update();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else {
          this.#waiters.push(check);
        }
      };
      check();
    });
  }
}

/** Waits until `condition` holds, polling every 10 ms, for at most `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 5_000, what = "a condition"): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One raw HTTP/2 frame: the 9-byte header, then `payload`. */
export function http2Frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}
