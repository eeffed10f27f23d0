import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Simulation } from "./simulation.js";
import { startSimulationWorld, type SimulationWorld } from "./simulation-world.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = Date.UTC(2030, 0, 1);
// Hourly, not every 10 minutes: each tick re-publishes (and re-parses) the bundle, ~5 ms of CPU here,
// so 52,560 ten-minute ticks took 7 minutes. Every threshold falls on a whole hour, so nothing is lost.
const TICK_MS = HOUR;
const YEAR_MS = 365 * DAY;

describe("a simulated year of hourly rotation ticks on the embedded store and disk keys", () => {
  let world: SimulationWorld;
  let sim: Simulation;
  before(async () => {
    world = await startSimulationWorld(START);
    sim = new Simulation(world, { start: START, tickMs: TICK_MS, issueEveryMs: 3 * HOUR, x509TtlSeconds: 24 * 3600, jwtTtlSeconds: 3600 });
    await sim.run(YEAR_MS);
  });
  after(() => world.close());

  it("rotates the CA and the JWT key every 24 days, each through prepare, activate and drop", () => {
    const count = (kind: string, type: string) => sim.steps.filter((s) => s.kind === kind && s.type === type).length;
    for (const kind of ["x509", "jwt"]) {
      // Keys live 30 days and are activated when a sixth is left, each prepared a day before: prepares
      // at day 24, 48, ... 360; activations at day 25, 49, ... 361; each old key dropped a day (CA) or
      // an hour (JWT key) after it was retired.
      assert.equal(count(kind, "prepare"), 15, `${kind} prepares`);
      assert.equal(count(kind, "activate"), 15, `${kind} activations`);
      assert.equal(count(kind, "drop"), 15, `${kind} drops`);
    }
  });

  it("never publishes more than two CAs, and the anchor stays within Roles Anywhere's limits", () => {
    assert.equal(sim.figures.maxAnchorCas, 2);
    assert.equal(sim.figures.maxBundleCas, 2);
    assert.ok(sim.figures.maxAnchorPem <= 8000);
    assert.equal(sim.figures.maxJwtKeys, 2);
  });

  it("the published OIDC JWKS held the key of every live JWT-SVID, and jose verified each one (iss, aud) at every check", () => {
    assert.equal(sim.figures.maxJwksKeys, 2);
    const pendingJwt = sim.svids.filter((s) => s.kind === "jwt").reduce((n, s) => n + s.checks.length, 0);
    assert.equal(sim.figures.jwksVerifications + pendingJwt, 3 * 2920);
  });

  it("verified every SVID at issue, mid-life and just before expiry", () => {
    assert.equal(sim.figures.x509Svids, 2920);
    assert.equal(sim.figures.jwtSvids, 2920);
    const pending = sim.svids.reduce((n, s) => n + s.checks.length, 0);
    assert.ok(pending <= 3 * 8 + 3, "only SVIDs still live at the end of the year have checks left");
    assert.equal(sim.figures.verifications + pending, 3 * (2920 + 2920));
  });

  it("retired (deleted) each dropped key only after its SVIDs had expired, one key per prepare", () => {
    assert.equal(world.keys.calls.generateKey, 2 + 30, "two first keys and one per prepare");
    assert.equal(world.keys.replaced.length, 30, "every drop retires its key; a prepare then finds its slot empty");
    const months = YEAR_MS / (30 * DAY);
    const c = world.keys.calls;
    console.log(
      [
        `rotation simulation: ${sim.figures.ticks} ticks (every ${TICK_MS / MIN} min) over 365 days`,
        `SVIDs: ${sim.figures.x509Svids} X.509 (24 h), ${sim.figures.jwtSvids} JWT (1 h), ${sim.figures.verifications} verifications against the published bundle, ${sim.figures.jwksVerifications} of JWT-SVIDs by jose against the published JWKS`,
        `steps: ${["prepare", "activate", "drop"].map((t) => `${t} ${sim.steps.filter((s) => s.type === t).length}`).join(", ")}`,
        `max CAs in the anchor ${sim.figures.maxAnchorCas}, max anchor PEM ${sim.figures.maxAnchorPem} chars, max JWT keys ${sim.figures.maxJwtKeys}`,
        `bundle writes ${world.s3.writes}, Roles Anywhere calls ${world.anchor.calls}`,
        `key manager: generateKey ${c.generateKey}, getKey ${c.getKey}, sign ${c.sign}; keys replaced ${world.keys.replaced.length}`,
        `per 30 days: generateKey ${(c.generateKey / months).toFixed(1)}, rotation KMS calls ~${((5 * c.generateKey) / months).toFixed(0)} (CreateKey, GetPublicKey, DescribeKey, Create/UpdateAlias, ScheduleKeyDeletion), Sign ${(c.sign / months).toFixed(0)}`,
      ].join("\n"),
    );
  });
});

describe("a simulated 60 days of hourly rotation ticks with JWT-SVIDs off (TESSERA_JWT_SVIDS=false)", () => {
  let world: SimulationWorld;
  let sim: Simulation;
  before(async () => {
    world = await startSimulationWorld(START, { TESSERA_JWT_SVIDS: "false" });
    sim = new Simulation(world, { start: START, tickMs: TICK_MS, issueEveryMs: 3 * HOUR, x509TtlSeconds: 24 * 3600, jwtTtlSeconds: 3600 });
    await sim.run(60 * DAY);
  });
  after(() => world.close());

  it("rotates the CA as usual and never makes, publishes or pays for a JWT key", () => {
    assert.ok(
      sim.steps.every((s) => s.kind === "x509"),
      JSON.stringify(sim.steps),
    );
    assert.equal(sim.steps.filter((s) => s.type === "activate").length, 2, "CA activations at day 25 and 49");
    assert.equal(sim.figures.maxJwtKeys, 0);
    assert.equal(sim.figures.maxJwksKeys, 0);
    assert.equal(sim.figures.jwtSvids, 0);
    assert.equal(world.keys.calls.generateKey, 1 + 2, "the first CA key and one per CA prepare");
    assert.equal(sim.figures.maxBundleCas, 2);
    // One CA key all along, and a second from each prepare to its drop (a day before activation to a day after).
    const keyMonths = sim.figures.keyHours / (60 * 24);
    assert.ok(keyMonths > 1 && keyMonths < 1.2, `${keyMonths} key-months a month`);
  });
});
