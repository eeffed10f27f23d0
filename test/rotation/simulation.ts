// Test-only: a rotation simulation over a simulated world (simulation-world.ts). Ticks on a frozen
// clock, issues an X.509-SVID and a JWT-SVID (unless JWT-SVIDs are turned off) every few hours, and checks after every tick what
// relying parties rely on: each SVID verifies against the published bundle (and each JWT-SVID
// against the published OIDC JWKS, with jose) from issue to expiry, the bundle and the trust anchor
// stay within two CAs, `spiffe_sequence` only grows, and no key is deleted while an SVID it signed
// lives. Used by rotation-simulation.test.ts and bench/rotation-cost.ts.
import assert from "node:assert/strict";
import { X509Certificate, createPublicKey, generateKeyPairSync } from "node:crypto";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { type Bundle, mintJwtSvid, parseAndValidateJwtSvid, signX509Svid, SpiffeId, verifyX509Svid } from "#tessera/core";
import type { RotationStep } from "#tessera/issuer";
import { SIMULATION_ISSUER, type SimulationWorld } from "./simulation-world.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const SPIFFE_ID = SpiffeId.fromString("spiffe://example.org/workload/sim");
const AUDIENCE = ["sim"];

/** The simulation's rhythm. */
export interface SimulationOptions {
  start: number;
  tickMs: number;
  issueEveryMs: number;
  x509TtlSeconds: number;
  jwtTtlSeconds: number;
}

interface IssuedSvid {
  kind: "x509" | "jwt";
  /** SPKI (base64) of the key that signed it. */
  signer: string;
  /** The JWT header's `kid`. */
  kid?: string;
  expiresAt: number;
  /** When it is checked against what is published: at issue, mid-life, a second before expiry. */
  checks: number[];
  verify(bundle: Bundle, jwks: JSONWebKeySet, at: Date): Promise<void>;
}

const spki = (key: { export(o: object): Buffer | string }): string =>
  (key.export({ format: "der", type: "spki" }) as Buffer).toString("base64");

function signersOf(bundle: Bundle): Set<string> {
  const signers = new Set<string>();
  for (const der of bundle.x509Authorities) signers.add(spki(new X509Certificate(der).publicKey));
  for (const jwk of bundle.jwtAuthorities.values()) signers.add(spki(createPublicKey({ key: jwk as never, format: "jwk" })));
  return signers;
}

/** A run of ticks and SVIDs, its steps and its figures. */
export class Simulation {
  readonly svids: IssuedSvid[] = [];
  readonly steps: RotationStep[] = [];
  readonly figures = {
    ticks: 0,
    x509Svids: 0,
    jwtSvids: 0,
    verifications: 0,
    jwksVerifications: 0,
    maxAnchorCas: 0,
    maxAnchorPem: 0,
    maxJwtKeys: 0,
    maxJwksKeys: 0,
    maxBundleCas: 0,
    /** Key-hours of keys that exist and are not scheduled for deletion (what KMS bills). */
    keyHours: 0,
    /** Signatures made by the ticks themselves (self-signed CA certificates), not by issuance. */
    tickSigns: 0,
  };
  readonly workloadKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
  #document = "";
  #bundle: Bundle | undefined;
  #jwks: JSONWebKeySet = { keys: [] };
  #signers = new Set<string>();
  #sequence = 0;
  #nextIssue: number;
  #replacedSeen = 0;

  constructor(
    readonly world: SimulationWorld,
    readonly options: SimulationOptions,
  ) {
    this.#nextIssue = options.start;
  }

  now(): number {
    return this.world.clock.now().getTime();
  }

  async issue(): Promise<void> {
    const { authorities, config } = this.world.runtime;
    const now = this.now();
    const ca = await authorities.x509();
    const x509 = await signX509Svid({
      caKey: ca.key,
      caCertificate: ca.certificate,
      spiffeId: SPIFFE_ID,
      publicKey: this.workloadKey,
      notBefore: new Date(now - config.backdateSeconds * 1000),
      notAfter: new Date(now + this.options.x509TtlSeconds * 1000),
    });
    this.#track("x509", spki(ca.key.publicKey), undefined, x509.notAfter.getTime(), async (bundle, _jwks, at) => {
      verifyX509Svid([x509.certificate], bundle, { now: at });
    });
    if (!config.jwtSvids) return;
    const jwt = await authorities.jwt();
    const ttl = Math.min(this.options.jwtTtlSeconds, Math.floor((jwt.notAfter.getTime() - now) / 1000));
    const issuer = config.issuerUrl ?? SIMULATION_ISSUER;
    const token = await mintJwtSvid({
      key: jwt.key,
      kid: jwt.kid,
      spiffeId: SPIFFE_ID,
      audience: AUDIENCE,
      ttlSeconds: ttl,
      now: new Date(now),
      issuer,
    });
    this.#track("jwt", spki(jwt.publicKey), jwt.kid, now + ttl * 1000, async (bundle, jwks, at) => {
      await parseAndValidateJwtSvid(token, bundle, { audience: AUDIENCE, now: at });
      // What an OIDC relying party (AWS IAM, GCP) does: a generic JOSE library, the published JWKS, iss and aud.
      await jwtVerify(token, createLocalJWKSet(jwks), { issuer, audience: AUDIENCE, currentDate: at });
      this.figures.jwksVerifications++;
    });
  }

  #track(kind: IssuedSvid["kind"], signer: string, kid: string | undefined, expiresAt: number, verify: IssuedSvid["verify"]): void {
    const now = this.now();
    this.svids.push({
      kind,
      signer,
      ...(kid ? { kid } : {}),
      expiresAt,
      checks: [now, Math.floor((now + expiresAt) / 2), expiresAt - 1000],
      verify,
    });
    if (kind === "x509") this.figures.x509Svids++;
    else this.figures.jwtSvids++;
  }

  /** Read what relying parties now see, and check the bundle and anchor invariants. */
  observe(): void {
    const document = this.world.s3.document;
    if (document !== this.#document) {
      const bundle = this.world.s3.published();
      assert.ok((bundle.sequence ?? 0) > this.#sequence, `spiffe_sequence moved from ${this.#sequence} to ${bundle.sequence}`);
      this.#sequence = bundle.sequence ?? 0;
      this.#document = document;
      this.#bundle = bundle;
      this.#jwks = JSON.parse(this.world.s3.jwks) as JSONWebKeySet;
      this.#signers = signersOf(bundle);
      this.figures.maxBundleCas = Math.max(this.figures.maxBundleCas, bundle.x509Authorities.length);
      this.figures.maxJwtKeys = Math.max(this.figures.maxJwtKeys, bundle.jwtAuthorities.size);
      this.figures.maxJwksKeys = Math.max(this.figures.maxJwksKeys, this.#jwks.keys.length);
    }
    const anchor = this.world.anchor;
    this.figures.maxAnchorCas = Math.max(this.figures.maxAnchorCas, anchor.certificateCount());
    this.figures.maxAnchorPem = Math.max(this.figures.maxAnchorPem, anchor.pem.length);
    assert.ok(anchor.certificateCount() <= 2 && anchor.pem.length <= 8000, "the trust anchor holds at most two CAs in 8,000 characters");
    assert.ok(this.#bundle!.x509Authorities.length <= 2, "the bundle holds at most two CAs");
  }

  /** No key is deleted while an SVID it signed is live; every live SVID's key is in the bundle, and every live JWT-SVID's in the JWKS. */
  checkKeys(): void {
    const now = this.now();
    for (const replaced of this.world.keys.replaced.slice(this.#replacedSeen)) {
      const live = this.svids.filter((s) => s.signer === replaced.publicKey && s.expiresAt > replaced.at);
      assert.equal(
        live.length,
        0,
        `key ${replaced.id} was deleted at ${new Date(replaced.at).toISOString()} while SVIDs it signed were live`,
      );
    }
    this.#replacedSeen = this.world.keys.replaced.length;
    const kids = new Set(this.#jwks.keys.map((k) => k.kid));
    for (const svid of this.svids) {
      if (svid.expiresAt <= now) continue;
      assert.ok(this.#signers.has(svid.signer), `the published bundle holds the key of a live ${svid.kind}-SVID`);
      if (svid.kid !== undefined) assert.ok(kids.has(svid.kid), `the published JWKS holds key ${svid.kid} of a live JWT-SVID`);
    }
  }

  /** Verify every SVID whose check time falls before the next tick, against what is published now. */
  async verifyDue(until: number): Promise<void> {
    for (const svid of this.svids) {
      while (svid.checks.length > 0 && svid.checks[0]! < until) {
        const at = Math.max(svid.checks.shift()!, this.now());
        await svid.verify(this.#bundle!, this.#jwks, new Date(at));
        this.figures.verifications++;
      }
    }
    const now = this.now();
    for (let i = this.svids.length - 1; i >= 0; i--)
      if (this.svids[i]!.expiresAt < now && this.svids[i]!.checks.length === 0) this.svids.splice(i, 1);
  }

  async run(durationMs: number): Promise<void> {
    const { start, tickMs, issueEveryMs } = this.options;
    for (let t = start; t < start + durationMs; t += tickMs) {
      this.world.clock.set(t);
      const signsBefore = this.world.keys.calls.sign;
      const result = await this.world.tick();
      this.figures.tickSigns += this.world.keys.calls.sign - signsBefore;
      this.steps.push(...result.steps);
      this.figures.ticks++;
      this.figures.keyHours += ((this.world.keys.calls.generateKey - this.world.keys.replaced.length) * tickMs) / HOUR;
      this.observe();
      if (t >= this.#nextIssue) {
        await this.issue();
        this.#nextIssue += issueEveryMs;
      }
      this.checkKeys();
      await this.verifyDue(t + tickMs);
    }
  }
}
