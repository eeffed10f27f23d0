import { type Bundle, type Logger, marshalSpiffeBundle, parseSpiffeBundle, type TrustDomain } from "#tessera/core";
import { AgentFatalError } from "./agent-fatal-error.js";
import { retryAfterFloorMs, retryDelayMs, renewalDelayMs } from "./backoff.js";
import type { BotSession } from "./bot-session.js";
import { addX509Authorities } from "./bundle-authorities.js";
import { earlyRenewalOf } from "./early-renewal.js";
import { describeIssueFailure, issueX509Svid } from "./issue-x509-svid.js";
import { IssuerApiError, type IssuerClient } from "./issuer-client.js";
import { JwtSvidCache } from "./jwt-svid-cache.js";
import { chainsTo, loadKeptState } from "./kept-state.js";
import { batchedRenewalAt, X509SvidBatcher } from "./renewal-batch.js";
import type { SvidStorage } from "./svid-storage.js";
import type { JwtMaterial, RevokedSvids, X509Material, X509Want } from "./svid-material.js";

export type { JwtMaterial, X509Material, X509Want } from "./svid-material.js";

/** Options of an `SvidManager`. */
export interface SvidManagerOptions {
  /** The issuer's SVID routes, and the bundle poll (in the agent, the `TrustPoll` shared with the revocations). */
  client: Pick<IssuerClient, "fetchX509Svid" | "fetchX509SvidBatch" | "fetchJwtSvid" | "fetchBundleState">;
  session: BotSession;
  trustDomain: TrustDomain;
  wants: X509Want[];
  logger: Logger;
  /** Poll the bundle at least this often, ms (the bundle's refresh hint when shorter). */
  bundleRefreshMs?: number;
  /** Keep the bundle and every X.509-SVID here, so a restart serves them while they are valid. */
  storage?: SvidStorage;
  now?: () => number;
}

const keyOf = (want: X509Want) => `${want.spiffeId}|${[...want.dnsNames].sort().join(",")}|${want.ttlSeconds ?? ""}`;
const MIN_BUNDLE_REFRESH_MS = 1000;
/** An early renewal never follows the last issuance sooner than this: a stale issuer cannot make the agent loop. */
const MIN_EARLY_RENEWAL_GAP_MS = 5000;

interface Slot {
  key: string;
  want: X509Want;
  material?: X509Material;
  timer?: NodeJS.Timeout;
  /** When the timer renews the SVID, and when it was last issued (local clock). */
  renewAt?: number;
  fetchedAt?: number;
  /** The CA (or removed SVID) an early renewal was last scheduled for: once per CA, never a loop. */
  earlyFrom?: string;
  failures: number;
  lastError?: string;
  /** The material was kept from an earlier run and not yet replaced in this one. */
  kept?: boolean;
}

/**
 * The agent's SVIDs and trust bundle: a fresh key pair and CSR per issuance, each X.509-SVID renewed
 * at about half its lifetime with jitter, the bundle polled at its refresh hint, JWT-SVIDs cached until
 * half their lifetime. While the issuer is unreachable it retries with backoff and keeps serving
 * whatever is still valid. Listeners hear of every change.
 */
export class SvidManager {
  readonly #options: SvidManagerOptions;
  readonly #now: () => number;
  readonly #slots = new Map<string, Slot>();
  readonly #jwts: JwtSvidCache;
  readonly #batcher: X509SvidBatcher;
  readonly #listeners = new Set<() => void>();
  #bundle: Bundle | undefined;
  #bundleText: string | undefined;
  #activeX509: string | undefined;
  #bundleTimer: NodeJS.Timeout | undefined;
  #bundleFailures = 0;
  #bundleError: string | undefined;
  #stopped = false;
  #saving: Promise<void> = Promise.resolve();

  constructor(options: SvidManagerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#jwts = new JwtSvidCache(this.#now);
    this.#batcher = new X509SvidBatcher(options.client, options.session);
    for (const want of options.wants)
      if (!this.#slots.has(keyOf(want))) this.#slots.set(keyOf(want), { key: keyOf(want), want, failures: 0 });
  }

  /**
   * Serve what storage kept from an earlier run: the bundle, and each X.509-SVID that is still
   * valid, chains to that bundle and matches its key. Anything else kept is left out and logged.
   */
  async load(): Promise<void> {
    const storage = this.#options.storage;
    if (!storage) return;
    const slots = [...this.#slots.values()].map((s) => ({ key: s.key, spiffeId: s.want.spiffeId }));
    const kept = await loadKeptState(storage, slots, this.#now(), this.#options.logger);
    if (!kept) return;
    this.#adoptBundle(kept.bundle, false);
    for (const slot of this.#slots.values()) {
      const material = kept.x509.get(slot.key);
      if (material) Object.assign(slot, { material, kept: true });
    }
    this.#notify();
  }

  /**
   * Start fetching the bundle, and every X.509-SVID not held from storage; a kept one is renewed when
   * it is due, as if it had been issued in this run. Returns at once.
   */
  start(): void {
    void this.#refreshBundle();
    for (const slot of this.#slots.values()) {
      const kept = slot.material;
      const delay = kept ? renewalDelayMs(kept.issuedAt, kept.expiresAt, this.#now()) : 0;
      if (kept && delay > 0) this.#schedule(slot, this.#now() + delay);
      else void this.#issue(slot);
    }
  }

  /**
   * Resolve once the bundle and every X.509-SVID are here. Reject at once with the session's fatal
   * error, or after `timeoutMs` with the last error seen. Keeps the process alive while it waits.
   */
  async ready(timeoutMs: number): Promise<void> {
    const until = this.#now() + timeoutMs;
    while (!this.isReady()) {
      const fatal = this.#options.session.fatal();
      if (fatal) throw fatal;
      if (this.#now() > until) {
        const cause = this.#lastError();
        throw new Error(`agent: SVIDs not ready within ${Math.round(timeoutMs / 1000)}s${cause ? `: ${cause}` : ""}`);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          off();
          offFatal();
          clearTimeout(timer);
          resolve();
        };
        const off = this.subscribe(done);
        const offFatal = this.#options.session.onFatal(done);
        const timer = setTimeout(done, 250);
      });
    }
  }

  #lastError(): string | undefined {
    return this.#options.session.status().lastError ?? [...this.#slots.values()].find((s) => s.lastError)?.lastError ?? this.#bundleError;
  }

  /** True when the bundle and every wanted X.509-SVID are held and unexpired. */
  isReady(): boolean {
    return this.#bundle !== undefined && [...this.#slots.values()].every((s) => s.material && s.material.expiresAt > this.#now());
  }

  /** Per-SVID state for `/readyz` and logs. */
  status(): { bundleSequence?: number; svids: { spiffeId: string; ready: boolean; expiresAt?: string; lastError?: string }[] } {
    return {
      ...(this.#bundle?.sequence !== undefined ? { bundleSequence: this.#bundle.sequence } : {}),
      svids: [...this.#slots.values()].map((s) => ({
        spiffeId: s.want.spiffeId,
        ready: !!s.material && s.material.expiresAt > this.#now(),
        ...(s.material ? { expiresAt: new Date(s.material.expiresAt).toISOString() } : {}),
        ...(s.lastError ? { lastError: s.lastError } : {}),
      })),
    };
  }

  /** The held X.509-SVID for `want`, if still valid. */
  x509(want: X509Want): X509Material | undefined {
    const material = this.#slots.get(keyOf(want))?.material;
    return material && material.expiresAt > this.#now() ? material : undefined;
  }

  /** The trust bundle, once fetched. */
  bundle(): Bundle | undefined {
    return this.#bundle;
  }

  /** A JWT-SVID for `spiffeId` and `audience`, from the cache while it has more than half its life left. */
  jwtSvid(spiffeId: string, audience: string[], ttlSeconds?: number): Promise<JwtMaterial> {
    const request = { spiffeId, audience, ...(ttlSeconds ? { ttlSeconds } : {}) };
    return this.#jwts.get(request, () =>
      this.#withCredential((credential) => this.#options.client.fetchJwtSvid(credential, request)).then((res) => ({
        spiffeId: res.spiffe_id,
        token: res.token,
        issuedAt: this.#now(),
        expiresAt: Date.parse(res.expires_at),
      })),
    );
  }

  /** Hear of every change (SVID renewed, bundle changed). Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Drop each held SVID `revoked` names: an X.509-SVID stops being served and a new one, with a new key, is fetched at once. */
  dropRevoked(revoked: RevokedSvids): void {
    this.#dropX509Where((m) => revoked.x509(m), "X.509-SVID revoked by the issuer: dropping it and fetching a new one");
    this.#jwts.dropRevoked(revoked);
  }

  /**
   * Stop serving each X.509-SVID `test` picks and forget its kept copy (a restart while the issuer is
   * down must not serve it again), then fetch a new one with a new key.
   */
  #dropX509Where(test: (material: X509Material, slot: Slot) => boolean, message: string): void {
    for (const slot of this.#slots.values()) {
      if (!slot.material || !test(slot.material, slot)) continue;
      this.#options.logger.warn(message, { spiffe_id: slot.material.spiffeId, serial: slot.material.serialNumber });
      delete slot.material;
      this.#save("removal of a dropped X.509-SVID", (storage) => storage.removeX509Svid(slot.key));
      this.#notify();
      void this.#issue(slot);
    }
  }

  /** Renew everything now (SIGHUP). */
  async renewNow(): Promise<void> {
    await Promise.all([this.#refreshBundle(), ...[...this.#slots.values()].map((s) => this.#issue(s))]);
  }

  /** Stop all timers; resolves once what was issued is in storage. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const slot of this.#slots.values()) if (slot.timer) clearTimeout(slot.timer);
    if (this.#bundleTimer) clearTimeout(this.#bundleTimer);
    await this.#saving;
  }

  /** Write to storage in order, one write at a time; a failed write is logged, never thrown. */
  #save(what: string, write: (storage: SvidStorage) => Promise<void>): void {
    const storage = this.#options.storage;
    if (!storage) return;
    this.#saving = this.#saving.then(() =>
      write(storage).catch((err: unknown) =>
        this.#options.logger.warn(`could not keep the ${what} in storage`, { directory: storage.directory, error: err }),
      ),
    );
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch (err) {
        this.#options.logger.error("agent: change listener failed", { error: err });
      }
    }
  }

  #withCredential<T>(call: (credential: string) => Promise<T>): Promise<T> {
    const session = this.#options.session;
    return session.use(async (credential) => {
      try {
        return await call(credential);
      } catch (err) {
        if (err instanceof IssuerApiError) session.refused(credential, err.code);
        throw err;
      }
    });
  }

  async #issue(slot: Slot): Promise<void> {
    if (this.#stopped) return;
    if (slot.timer) clearTimeout(slot.timer);
    const { want } = slot;
    try {
      const { material, x509Authorities } = await issueX509Svid(want, (request) => this.#batcher.fetch(request));
      if (this.#stopped) return;
      slot.material = material;
      delete slot.kept;
      this.#save("X.509-SVID", (storage) => storage.saveX509Svid(slot.key, material));
      slot.failures = 0;
      delete slot.lastError;
      this.#options.logger.info("X.509-SVID issued", {
        spiffe_id: material.spiffeId,
        serial: material.serialNumber,
        expires_at: new Date(material.expiresAt).toISOString(),
      });
      const merged = this.#bundle && addX509Authorities(this.#bundle, x509Authorities);
      if (merged) this.#adoptBundle(merged);
      this.#notify();
      const now = (slot.fetchedAt = this.#now());
      const others = [...this.#slots.values()].filter((s) => s !== slot);
      this.#schedule(slot, this.#renewalAt(slot, batchedRenewalAt(now, material.expiresAt, others)));
    } catch (err) {
      if (this.#stopped) return;
      slot.failures++;
      slot.lastError = err instanceof Error ? err.message : String(err);
      // The session has failed for good and the agent is stopping: asking again cannot help.
      if (err instanceof AgentFatalError) return;
      const remaining = slot.material ? slot.material.expiresAt - this.#now() : 0;
      // The backoff never outlasts a quarter of the SVID's remaining life; the issuer's Retry-After is still waited out.
      const backoff = retryDelayMs(slot.failures);
      const delay = Math.max(500, retryAfterFloorMs(err), remaining > 0 ? Math.min(backoff, remaining / 4) : backoff);
      this.#options.logger.warn(describeIssueFailure(err, remaining > 0), {
        spiffe_id: want.spiffeId,
        error: slot.lastError,
        ...(err instanceof IssuerApiError ? { code: err.code } : {}),
        retry_in_ms: Math.round(delay),
        ...(remaining > 0 && slot.material ? { current_expires_at: new Date(slot.material.expiresAt).toISOString() } : {}),
      });
      this.#schedule(slot, this.#now() + delay);
    }
  }

  #schedule(slot: Slot, at: number): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.renewAt = at;
    slot.timer = setTimeout(() => void this.#issue(slot), Math.max(0, at - this.#now()));
    slot.timer.unref();
  }

  /** `normalAt`, or earlier when the SVID's CA is removed, retiring or ending (see `earlyRenewalOf`). */
  #renewalAt(slot: Slot, normalAt: number): number {
    const { material } = slot;
    if (!this.#bundle || !material) return normalAt;
    const now = this.#now();
    const early = earlyRenewalOf({
      certificates: material.certificates,
      bundle: this.#bundle,
      now,
      ...(this.#activeX509 ? { activeX509Sha256: this.#activeX509 } : {}),
    });
    const from = early?.signer ?? `removed:${material.serialNumber}`;
    if (!early || early.at >= normalAt || slot.earlyFrom === from) return normalAt;
    slot.earlyFrom = from;
    const at = Math.max(early.at, (slot.fetchedAt ?? 0) + MIN_EARLY_RENEWAL_GAP_MS);
    this.#options.logger.info("renewing the X.509-SVID early", {
      spiffe_id: material.spiffeId,
      serial: material.serialNumber,
      reason: early.reason,
      renew_in_ms: at - now,
    });
    return at;
  }

  /** On every bundle fetch: bring forward the renewal of every SVID whose CA is removed, retiring or ending. */
  #renewEarlyWhereDue(): void {
    for (const slot of this.#slots.values()) {
      if (slot.renewAt === undefined) continue;
      const at = this.#renewalAt(slot, slot.renewAt);
      if (at < slot.renewAt) this.#schedule(slot, at);
    }
  }

  #adoptBundle(bundle: Bundle, save = true): boolean {
    const text = marshalSpiffeBundle(bundle);
    if (text === this.#bundleText) return false;
    // A JWT-SVID signed by a key that left the bundle no longer validates: fetch new ones on demand.
    if ([...(this.#bundle?.jwtAuthorities.keys() ?? [])].some((kid) => !bundle.jwtAuthorities.has(kid))) this.#jwts.clear();
    this.#bundle = bundle;
    this.#bundleText = text;
    if (save) this.#save("trust bundle", (storage) => storage.saveBundle(bundle));
    this.#options.logger.info("trust bundle updated", {
      sequence: bundle.sequence,
      x509_authorities: bundle.x509Authorities.length,
      jwt_authorities: bundle.jwtAuthorities.size,
    });
    return true;
  }

  async #refreshBundle(): Promise<void> {
    if (this.#stopped) return;
    if (this.#bundleTimer) clearTimeout(this.#bundleTimer);
    let delay: number;
    try {
      const { text, activeX509Sha256 } = await this.#options.client.fetchBundleState();
      if (this.#stopped) return;
      const bundle = parseSpiffeBundle(text, this.#options.trustDomain);
      this.#bundleFailures = 0;
      this.#bundleError = undefined;
      this.#activeX509 = activeX509Sha256;
      if (this.#adoptBundle(bundle)) {
        const now = new Date(this.#now());
        this.#dropX509Where(
          (m, slot) => slot.kept === true && !chainsTo(m, bundle, now),
          "X.509-SVID no longer chains to the trust bundle: dropping it and fetching a new one",
        );
        this.#notify();
      }
      this.#renewEarlyWhereDue();
      const hint = (bundle.refreshHintSeconds ?? 300) * 1000;
      delay = Math.max(MIN_BUNDLE_REFRESH_MS, Math.min(hint, this.#options.bundleRefreshMs ?? hint));
    } catch (err) {
      if (this.#stopped) return;
      this.#bundleFailures++;
      this.#bundleError = err instanceof Error ? err.message : String(err);
      delay = retryDelayMs(this.#bundleFailures, err);
      this.#options.logger.warn(
        this.#bundle ? "could not fetch the trust bundle; keeping the current one" : "could not fetch the trust bundle; none to serve yet",
        {
          error: err,
          retry_in_ms: delay,
        },
      );
    }
    this.#bundleTimer = setTimeout(() => void this.#refreshBundle(), delay);
    this.#bundleTimer.unref();
  }
}
