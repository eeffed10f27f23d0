import { X509Certificate } from "node:crypto";
import { type Bundle, caIdOf, CrlInvalidError, type Logger, parseJwtSvidInsecure, verifyCrl } from "#tessera/core";
import { retryDelayMs } from "./backoff.js";
import type { IssuerClient } from "./issuer-client.js";
import type { RevokedSvids, X509Material } from "./svid-material.js";

/** How often the agent polls the issuer's revocations unless configured otherwise: a minute. */
export const DEFAULT_REVOCATION_INTERVAL_SECONDS = 60;

/** What the watcher needs from the SVID manager: the bundle to verify CRLs with, and a way to drop what was revoked. */
export interface RevocationTarget {
  bundle(): Bundle | undefined;
  /** Drop every held SVID the predicates call revoked, and fetch new X.509-SVIDs for them. */
  dropRevoked(revoked: RevokedSvids): void;
}

/** Options of a `RevocationWatcher`. */
export interface RevocationWatcherOptions {
  client: Pick<IssuerClient, "fetchRevocations">;
  target: RevocationTarget;
  logger: Pick<Logger, "warn">;
  /** Poll interval, seconds. Default `DEFAULT_REVOCATION_INTERVAL_SECONDS`. */
  intervalSeconds?: number;
  now?: () => number;
}

/**
 * Polls the issuer's revocations: each CRL is verified against the trust bundle (a CRL that does
 * not verify, a forged one, is refused and logged, and what an earlier verified CRL of that CA said
 * stays), and the JWT-SVID deny-list is kept until each token expires. After every poll the
 * manager drops what is revoked: an X.509-SVID whose serial its CA's CRL lists is replaced by a new
 * one (a new key), a revoked JWT-SVID leaves the cache. `isJtiDenied` serves ValidateJWTSVID.
 */
export class RevocationWatcher {
  readonly #options: RevocationWatcherOptions;
  readonly #now: () => number;
  /** CA id -> serials its last verified CRL lists. */
  readonly #revokedSerials = new Map<string, Set<string>>();
  readonly #deniedJtis = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #stopped = false;

  constructor(options: RevocationWatcherOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Poll now, then every interval; returns at once. */
  start(): void {
    void this.poll();
  }

  /** Stop polling. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** Whether the token's `jti` is on the issuer's deny-list and the revocation has not expired. */
  isJwtDenied(token: string): boolean {
    let jti: unknown;
    try {
      jti = parseJwtSvidInsecure(token).claims.jti;
    } catch {
      return false;
    }
    return this.isJtiDenied(jti);
  }

  /** Whether a `jti` claim, as a validated token holds it, is on the deny-list and the revocation has not expired. */
  isJtiDenied(jti: unknown): boolean {
    const until = typeof jti === "string" ? this.#deniedJtis.get(jti) : undefined;
    return until !== undefined && until > this.#now();
  }

  /** Whether the CRL of the bundle CA that signed this X.509-SVID lists its serial. */
  isX509Revoked(material: X509Material): boolean {
    const leaf = material.certificates[0];
    const authorities = this.#options.target.bundle()?.x509Authorities ?? [];
    if (!leaf) return false;
    const certificate = new X509Certificate(Buffer.from(leaf));
    const signer = authorities.find((ca) => certificate.verify(new X509Certificate(Buffer.from(ca)).publicKey));
    return signer !== undefined && (this.#revokedSerials.get(caIdOf(signer))?.has(material.serialNumber) ?? false);
  }

  /** Fetch the revocations once, apply them, and schedule the next poll. */
  async poll(): Promise<void> {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    let delay = (this.#options.intervalSeconds ?? DEFAULT_REVOCATION_INTERVAL_SECONDS) * 1000;
    try {
      const list = await this.#options.client.fetchRevocations();
      this.#applyCrls(list.crls);
      this.#deniedJtis.clear();
      for (const denied of list.denied_jwt_svids) this.#deniedJtis.set(denied.jti, Date.parse(denied.expires_at));
      this.#failures = 0;
      // CRLs are checked against the bundle: until it has arrived, ask again soon.
      if (!this.#options.target.bundle()) delay = Math.min(delay, 1000);
      this.#options.target.dropRevoked({ x509: (m) => this.isX509Revoked(m), jwt: (t) => this.isJwtDenied(t) });
    } catch (err) {
      this.#failures++;
      delay = Math.min(delay, retryDelayMs(this.#failures, err));
      this.#options.logger.warn("could not fetch the issuer's revocations; keeping the last ones", { error: err, retry_in_ms: delay });
    }
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.poll(), delay);
    this.#timer.unref();
  }

  #applyCrls(crls: { ca_id: string; crl: string }[]): void {
    const bundle = this.#options.target.bundle();
    if (!bundle) return;
    for (const entry of crls) {
      try {
        const { crl, issuer } = verifyCrl(new Uint8Array(Buffer.from(entry.crl, "base64")), {
          authorities: bundle.x509Authorities,
          now: new Date(this.#now()),
        });
        this.#revokedSerials.set(caIdOf(issuer.der), new Set(crl.revoked.map((r) => r.serialNumber)));
      } catch (err) {
        if (!(err instanceof CrlInvalidError)) throw err;
        this.#options.logger.warn("refused a CRL that does not verify against the trust bundle", {
          ca_id: entry.ca_id,
          error: err.message,
        });
      }
    }
  }
}
