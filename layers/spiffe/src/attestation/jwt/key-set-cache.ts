import type { JSONWebKeySet } from "jose";
import type { Clock } from "../../clock.js";
import { JoinKeysUnavailableError } from "../../errors.js";
import type { KeyFetchPolicy } from "../types.js";
import { assertFetchableUrl, fetchJson } from "./fetch-json.js";

/** Bounds on how key sets are cached and refetched. */
export interface KeySetCacheOptions {
  /** Used when the server sends no `max-age`. */
  defaultTtlSeconds?: number;
  /** Upper bound on any `max-age`, so a rotated-out key is dropped in time. */
  maxTtlSeconds?: number;
  /** Lower bound, so `no-cache` does not turn every join into a fetch. */
  minTtlSeconds?: number;
  /** At most one refetch per URL in this interval, however many unknown `kid`s arrive. */
  refetchIntervalSeconds?: number;
}

interface Entry {
  value: unknown;
  fetchedAt: number;
  expiresAt: number;
  pending?: Promise<unknown>;
}

/**
 * Fetched JSON documents (OIDC discovery documents and JWKS) cached per URL for their
 * `Cache-Control: max-age`, bounded; `refresh` refetches at most once per interval per URL, so
 * tokens with made-up `kid`s cannot make the issuer fetch more often than that.
 */
export class KeySetCache {
  readonly #entries = new Map<string, Entry>();
  readonly #policy: KeyFetchPolicy;
  readonly #clock: Clock;
  readonly #defaultTtl: number;
  readonly #maxTtl: number;
  readonly #minTtl: number;
  readonly #refetchInterval: number;

  constructor(policy: KeyFetchPolicy, clock: Clock, options: KeySetCacheOptions = {}) {
    this.#policy = policy;
    this.#clock = clock;
    this.#defaultTtl = (options.defaultTtlSeconds ?? 300) * 1000;
    this.#maxTtl = (options.maxTtlSeconds ?? 3600) * 1000;
    this.#minTtl = (options.minTtlSeconds ?? 30) * 1000;
    this.#refetchInterval = (options.refetchIntervalSeconds ?? 30) * 1000;
  }

  /** The document at `url`, from the cache while fresh; `refresh` asks for a refetch (rate limited). */
  async document(url: string, refresh = false): Promise<unknown> {
    assertFetchableUrl(url, this.#policy, "key URL");
    const now = this.#clock.now().getTime();
    const entry = this.#entries.get(url);
    if (entry?.pending) return entry.pending;
    const stale = entry === undefined || now >= entry.expiresAt;
    const mayRefetch = entry === undefined || now - entry.fetchedAt >= this.#refetchInterval;
    if (entry && !stale && !(refresh && mayRefetch)) return entry.value;
    const pending = this.#fetch(url, now);
    if (entry) entry.pending = pending;
    else this.#entries.set(url, { value: undefined, fetchedAt: now, expiresAt: now, pending });
    try {
      return await pending;
    } catch (err) {
      const current = this.#entries.get(url);
      if (current) delete current.pending;
      // A failed fetch keeps serving a copy that is stale by less than the maximum TTL.
      if (entry && entry.value !== undefined && now - entry.fetchedAt < this.#maxTtl) return entry.value;
      if (!entry) this.#entries.delete(url);
      throw err;
    }
  }

  /** The JWKS at `url`: `JoinKeysUnavailableError` unless it is `{ keys: [...] }`. */
  async keySet(url: string, refresh = false): Promise<JSONWebKeySet> {
    const doc = await this.document(url, refresh);
    if (typeof doc !== "object" || doc === null || !Array.isArray((doc as JSONWebKeySet).keys)) {
      throw new JoinKeysUnavailableError(`attestation: ${url} is not a JWKS`);
    }
    return doc as JSONWebKeySet;
  }

  async #fetch(url: string, now: number): Promise<unknown> {
    const fetched = await fetchJson(url, this.#policy);
    const ttl = fetched.maxAgeSeconds === undefined ? this.#defaultTtl : fetched.maxAgeSeconds * 1000;
    const bounded = Math.min(this.#maxTtl, Math.max(this.#minTtl, ttl));
    this.#entries.set(url, { value: fetched.json, fetchedAt: now, expiresAt: now + bounded });
    return fetched.json;
  }
}
