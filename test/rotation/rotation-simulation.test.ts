import assert from "node:assert/strict";
import { X509Certificate, createPublicKey, generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  SpiffeId,
  signX509Svid,
  mintJwtSvid,
  parseAndValidateJwtSvid,
  verifyX509Svid,
  type Bundle,
  type RotationStep,
} from "../../layers/spiffe/src/index.js";
import { startSimulationWorld, type SimulationWorld } from "./simulation-world.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = Date.UTC(2030, 0, 1);
// Hourly, not every 10 minutes: each tick re-publishes (and re-parses) the bundle, ~5 ms of CPU here,
// so 52,560 ten-minute ticks took 7 minutes. Every threshold falls on a whole hour, so nothing is lost.
const TICK_MS = HOUR;
const YEAR_MS = 365 * DAY;
const ISSUE_EVERY_MS = 3 * HOUR;
const X509_TTL_S = 24 * 3600;
const JWT_TTL_S = 3600;
const SPIFFE_ID = SpiffeId.fromString("spiffe://example.org/workload/sim");
const AUDIENCE = ["sim"];

interface IssuedSvid {
  kind: "x509" | "jwt";
  /** SPKI (base64) of the key that signed it. */
  signer: string;
  expiresAt: number;
  /** When it is checked against the published bundle: at issue, mid-life, a second before expiry. */
  checks: number[];
  verify(bundle: Bundle, at: Date): Promise<void>;
}

const spki = (key: { export(o: object): Buffer | string }): string => (key.export({ format: "der", type: "spki" }) as Buffer).toString("base64");

function signersOf(bundle: Bundle): Set<string> {
  const signers = new Set<string>();
  for (const der of bundle.x509Authorities) signers.add(spki(new X509Certificate(der).publicKey));
  for (const jwk of bundle.jwtAuthorities.values()) signers.add(spki(createPublicKey({ key: jwk as never, format: "jwk" })));
  return signers;
}

class Simulation {
  readonly svids: IssuedSvid[] = [];
  readonly steps: RotationStep[] = [];
  readonly figures = { ticks: 0, x509Svids: 0, jwtSvids: 0, verifications: 0, maxAnchorCas: 0, maxAnchorPem: 0, maxJwtKeys: 0, maxBundleCas: 0 };
  readonly workloadKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
  #document = "";
  #bundle: Bundle | undefined;
  #signers = new Set<string>();
  #sequence = 0;
  #nextIssue = START;
  #replacedSeen = 0;

  constructor(readonly world: SimulationWorld) {}

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
      notAfter: new Date(now + X509_TTL_S * 1000),
    });
    this.#track("x509", spki(ca.key.publicKey), x509.notAfter.getTime(), async (bundle, at) => {
      verifyX509Svid([x509.certificate], bundle, { now: at });
    });
    const jwt = await authorities.jwt();
    const ttl = Math.min(JWT_TTL_S, Math.floor((jwt.notAfter.getTime() - now) / 1000));
    const token = await mintJwtSvid({ key: jwt.key, kid: jwt.kid, spiffeId: SPIFFE_ID, audience: AUDIENCE, ttlSeconds: ttl, now: new Date(now) });
    this.#track("jwt", spki(jwt.publicKey), now + ttl * 1000, async (bundle, at) => {
      await parseAndValidateJwtSvid(token, bundle, { audience: AUDIENCE, now: at });
    });
  }

  #track(kind: IssuedSvid["kind"], signer: string, expiresAt: number, verify: IssuedSvid["verify"]): void {
    const now = this.now();
    this.svids.push({ kind, signer, expiresAt, checks: [now, Math.floor((now + expiresAt) / 2), expiresAt - 1000], verify });
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
      this.#signers = signersOf(bundle);
      this.figures.maxBundleCas = Math.max(this.figures.maxBundleCas, bundle.x509Authorities.length);
      this.figures.maxJwtKeys = Math.max(this.figures.maxJwtKeys, bundle.jwtAuthorities.size);
    }
    const anchor = this.world.anchor;
    this.figures.maxAnchorCas = Math.max(this.figures.maxAnchorCas, anchor.certificateCount());
    this.figures.maxAnchorPem = Math.max(this.figures.maxAnchorPem, anchor.pem.length);
    assert.ok(anchor.certificateCount() <= 2 && anchor.pem.length <= 8000, "the trust anchor holds at most two CAs in 8,000 characters");
    assert.ok(this.#bundle!.x509Authorities.length <= 2, "the bundle holds at most two CAs");
  }

  /** No key is deleted while an SVID it signed is live; every live SVID's key is in the bundle. */
  checkKeys(): void {
    const now = this.now();
    for (const replaced of this.world.keys.replaced.slice(this.#replacedSeen)) {
      const live = this.svids.filter((s) => s.signer === replaced.publicKey && s.expiresAt > replaced.at);
      assert.equal(live.length, 0, `key ${replaced.id} was deleted at ${new Date(replaced.at).toISOString()} while SVIDs it signed were live`);
    }
    this.#replacedSeen = this.world.keys.replaced.length;
    for (const svid of this.svids) {
      if (svid.expiresAt > now) assert.ok(this.#signers.has(svid.signer), `the published bundle holds the key of a live ${svid.kind}-SVID`);
    }
  }

  /** Verify every SVID whose check time falls before the next tick, against the bundle published now. */
  async verifyDue(until: number): Promise<void> {
    for (const svid of this.svids) {
      while (svid.checks.length > 0 && svid.checks[0]! < until) {
        const at = Math.max(svid.checks.shift()!, this.now());
        await svid.verify(this.#bundle!, new Date(at));
        this.figures.verifications++;
      }
    }
    const now = this.now();
    for (let i = this.svids.length - 1; i >= 0; i--) if (this.svids[i]!.expiresAt < now && this.svids[i]!.checks.length === 0) this.svids.splice(i, 1);
  }

  async run(durationMs: number): Promise<void> {
    for (let t = START; t < START + durationMs; t += TICK_MS) {
      this.world.clock.set(t);
      const result = await this.world.tick();
      this.steps.push(...result.steps);
      this.figures.ticks++;
      this.observe();
      if (t >= this.#nextIssue) {
        await this.issue();
        this.#nextIssue += ISSUE_EVERY_MS;
      }
      this.checkKeys();
      await this.verifyDue(t + TICK_MS);
    }
  }
}

describe("a simulated year of hourly rotation ticks on the embedded store and disk keys", () => {
  let world: SimulationWorld;
  let sim: Simulation;
  before(async () => {
    world = await startSimulationWorld(START);
    sim = new Simulation(world);
    await sim.run(YEAR_MS);
  });
  after(() => world.close());

  it("rotates the CA and the JWT key every fifteen days, each through prepare, activate and drop", () => {
    const count = (kind: string, type: string) => sim.steps.filter((s) => s.kind === kind && s.type === type).length;
    for (const kind of ["x509", "jwt"]) {
      // Keys live 30 days: prepares at day 15, 30, ... 360; activations at day 25, 40, ... 355; each
      // old key dropped a day (CA) or an hour (JWT key) after it was retired.
      assert.equal(count(kind, "prepare"), 24, `${kind} prepares`);
      assert.equal(count(kind, "activate"), 23, `${kind} activations`);
      assert.equal(count(kind, "drop"), 23, `${kind} drops`);
    }
  });

  it("never publishes more than two CAs, and the anchor stays within Roles Anywhere's limits", () => {
    assert.equal(sim.figures.maxAnchorCas, 2);
    assert.equal(sim.figures.maxBundleCas, 2);
    assert.ok(sim.figures.maxAnchorPem <= 8000);
    assert.equal(sim.figures.maxJwtKeys, 2);
  });

  it("verified every SVID at issue, mid-life and just before expiry", () => {
    assert.equal(sim.figures.x509Svids, 2920);
    assert.equal(sim.figures.jwtSvids, 2920);
    const pending = sim.svids.reduce((n, s) => n + s.checks.length, 0);
    assert.ok(pending <= 3 * 8 + 3, "only SVIDs still live at the end of the year have checks left");
    assert.equal(sim.figures.verifications + pending, 3 * (2920 + 2920));
  });

  it("replaced (deleted) each slot's key only after its SVIDs had expired, one key per prepare", () => {
    assert.equal(world.keys.calls.generateKey, 2 + 48, "two first keys and one per prepare");
    assert.equal(world.keys.replaced.length, 48 - 2, "every prepare but the first of each kind reuses a slot");
    const months = YEAR_MS / (30 * DAY);
    const c = world.keys.calls;
    console.log(
      [
        `rotation simulation: ${sim.figures.ticks} ticks (every ${TICK_MS / MIN} min) over 365 days`,
        `SVIDs: ${sim.figures.x509Svids} X.509 (24 h), ${sim.figures.jwtSvids} JWT (1 h), ${sim.figures.verifications} verifications against the published bundle`,
        `steps: ${["prepare", "activate", "drop"].map((t) => `${t} ${sim.steps.filter((s) => s.type === t).length}`).join(", ")}`,
        `max CAs in the anchor ${sim.figures.maxAnchorCas}, max anchor PEM ${sim.figures.maxAnchorPem} chars, max JWT keys ${sim.figures.maxJwtKeys}`,
        `bundle writes ${world.s3.writes}, Roles Anywhere calls ${world.anchor.calls}`,
        `key manager: generateKey ${c.generateKey}, getKey ${c.getKey}, sign ${c.sign}; keys replaced ${world.keys.replaced.length}`,
        `per 30 days: generateKey ${(c.generateKey / months).toFixed(1)}, rotation KMS calls ~${((5 * c.generateKey) / months).toFixed(0)} (CreateKey, GetPublicKey, DescribeKey, Create/UpdateAlias, ScheduleKeyDeletion), Sign ${(c.sign / months).toFixed(0)}`,
      ].join("\n"),
    );
  });
});
