import { createHash } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Bundle } from "../bundle/index.js";
import { AuthorityUnavailableError, KeyManagerError, KeyNotFoundError } from "../errors.js";
import type { KeyManager, SigningKey } from "../keymanager/types.js";
import type { TrustDomain } from "../spiffeid/index.js";
import type { CaJournal, JournalReader } from "../store/types.js";
import { buildBundle } from "./build-bundle.js";
import { loadJwtAuthority, loadX509Authority } from "./load-authorities.js";
import type { JwtAuthority, X509Authority } from "./types.js";
import { parseCertificates } from "../x509svid/index.js";

/** Options of an `AuthorityCache`. */
export interface AuthorityCacheOptions {
  trustDomain: TrustDomain;
  /** `spiffe_refresh_hint` of the published bundle, seconds. */
  refreshHintSeconds: number;
  /** How long journals, keys and the bundle are reused, ms. Default 30 s. */
  ttlMs?: number;
}

interface Snapshot {
  loadedAt: number;
  x509Journal: CaJournal | undefined;
  jwtJournal: CaJournal | undefined;
  x509?: Promise<X509Authority>;
  jwt?: Promise<JwtAuthority>;
  bundle?: Promise<Bundle>;
}

/**
 * The signing authorities and the bundle, read from the journals and cached for a short TTL per
 * process (a Lambda environment). Public material only: lock decisions are never cached here.
 */
export class AuthorityCache {
  readonly #keys: KeyManager;
  readonly #journals: JournalReader;
  readonly #clock: Clock;
  readonly #options: Required<AuthorityCacheOptions>;
  #snapshot: Promise<Snapshot> | undefined;

  constructor(deps: { keys: KeyManager; journals: JournalReader; clock: Clock }, options: AuthorityCacheOptions) {
    this.#keys = deps.keys;
    this.#journals = deps.journals;
    this.#clock = deps.clock;
    this.#options = { ttlMs: 30_000, ...options };
  }

  async #current(): Promise<Snapshot> {
    const now = this.#clock.now().getTime();
    const cached = this.#snapshot;
    if (cached) {
      const snap = await cached.catch(() => undefined);
      if (snap && now - snap.loadedAt < this.#options.ttlMs) return snap;
      if (this.#snapshot !== cached) return this.#current();
    }
    const loading = Promise.all([this.#journals.getJournal("x509"), this.#journals.getJournal("jwt")]).then(
      ([x509Journal, jwtJournal]): Snapshot => ({ loadedAt: now, x509Journal, jwtJournal }),
    );
    this.#snapshot = loading;
    loading.catch(() => {
      if (this.#snapshot === loading) this.#snapshot = undefined;
    });
    return loading;
  }

  /**
   * A key whose signing fails in the key manager (KMS: disabled or pending deletion, as a key retired by
   * an emergency rotation is while this cache still holds it) makes the cache read the journals
   * again, and the caller gets `AuthorityUnavailableError` (503, retry) instead of an internal error.
   */
  #forgettingOnFailure(key: SigningKey): SigningKey {
    const sign = async (data: Uint8Array): Promise<Uint8Array> => {
      try {
        return await key.sign(data);
      } catch (err) {
        if (!(err instanceof KeyManagerError || err instanceof KeyNotFoundError)) throw err;
        this.invalidate();
        throw new AuthorityUnavailableError(`ca: key ${key.id} could not sign (${err.code}); it may have been retired, try again`, {
          cause: err,
        });
      }
    };
    return Object.freeze({ id: key.id, spec: key.spec, publicKey: key.publicKey, sign });
  }

  /** The CA that signs X.509-SVIDs now. */
  async x509(): Promise<X509Authority> {
    const snap = await this.#current();
    return (snap.x509 ??= this.#loadAuthority(
      () => loadX509Authority(snap.x509Journal, this.#keys),
      () => (snap.x509 = undefined),
    ));
  }

  /** The key that signs JWT-SVIDs now. */
  async jwt(): Promise<JwtAuthority> {
    const snap = await this.#current();
    return (snap.jwt ??= this.#loadAuthority(
      () => loadJwtAuthority(snap.jwtJournal, this.#keys),
      () => (snap.jwt = undefined),
    ));
  }

  /** `load`'s authority, its key forgetting the cache when it cannot sign; a failed load runs `forget`, so the next call loads again. */
  #loadAuthority<A extends { key: SigningKey }>(load: () => Promise<A>, forget: () => void): Promise<A> {
    return load()
      .then((a) => ({ ...a, key: this.#forgettingOnFailure(a.key) }))
      .catch((err: unknown) => {
        forget();
        throw err;
      });
  }

  /** The trust bundle: every published CA and JWT key (prepared, active, old). */
  async bundle(): Promise<Bundle> {
    const snap = await this.#current();
    snap.bundle ??= buildBundle({
      trustDomain: this.#options.trustDomain,
      x509Journal: snap.x509Journal,
      jwtJournal: snap.jwtJournal,
      refreshHintSeconds: this.#options.refreshHintSeconds,
    });
    return snap.bundle;
  }

  /**
   * SHA-256 (hex) of the certificate of the CA that signs X.509-SVIDs now, from the same journal
   * snapshot as `bundle()`; no key is loaded. Agents compare it with the CA of the SVID they hold.
   */
  async activeX509Sha256(): Promise<string | undefined> {
    const pem = (await this.#current()).x509Journal?.slots.find((s) => s.status === "active")?.certificatePem;
    const [der] = pem ? parseCertificates(pem) : [];
    return der ? createHash("sha256").update(der).digest("hex") : undefined;
  }

  /** Forget everything; the next call reads the journals again. */
  invalidate(): void {
    this.#snapshot = undefined;
  }
}
