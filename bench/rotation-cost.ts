// The rotation schedule's closing figures and what it costs a month. Runs the rotation simulation
// of test/rotation (a year of hourly ticks on a frozen clock, an X.509-SVID and a JWT-SVID every
// three hours, every check of the simulation test) with the store's calls counted, then prices one
// month of the deployed schedule (a tick every 10 minutes) at public us-east-1 prices: KMS key-months
// and requests, the rotate function's Lambda invocations, S3 requests and DynamoDB request units.
// The prices are the assumptions written in docs/operations.md ("What rotation costs").
// `--jwt-svids false` runs it with JWT-SVIDs turned off (TESSERA_JWT_SVIDS=false: no JWT key, no JWT-SVIDs).
// Run: npx tsx bench/rotation-cost.ts [--days 365] [--tick-minutes 10] [--tick-ms 300] [--jwt-svids true|false]
import { parseArgs } from "node:util";
import { FixedClock } from "#tessera/core";
import { Simulation } from "../test/rotation/simulation.js";
import { openSimulationWorld } from "../test/rotation/simulation-world.js";
import { makeTempDir } from "../test/support/temp-dir.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONTH_DAYS = 30;
const START = Date.UTC(2030, 0, 1);

/** Public us-east-1 prices (USD), as docs/operations.md states them. */
const PRICE = {
  kmsKeyMonth: 1.0,
  kmsAsymmetricPer10k: 0.15, // Sign and GetPublicKey on ECC_NIST_P256 keys
  kmsOtherPer10k: 0.03, // CreateKey, DescribeKey, Create/UpdateAlias, ScheduleKeyDeletion (priced as symmetric requests, an upper bound)
  lambdaPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  s3PutPer1k: 0.005,
  s3GetPer1k: 0.0004, // HeadObject is a GET-class request
  dynamoReadPerMillion: 0.125, // on-demand read request units
  dynamoWritePerMillion: 0.625, // on-demand write request units
};
/** Objects the S3 publisher heads on every publication, and writes when they change (bundle.json, bundle.pem, the OIDC discovery document and JWKS). */
const S3_OBJECTS = 4;
/** Write request units of a journal write (an item of up to 3 KB: two CA certificates in PEM); other writes are 1 KB items. */
const JOURNAL_WRITE_UNITS = 3;
const ROTATE_MEMORY_GB = 0.25;

const { values } = parseArgs({
  options: { days: { type: "string" }, "tick-minutes": { type: "string" }, "tick-ms": { type: "string" }, "jwt-svids": { type: "string" } },
});
const days = Number(values.days ?? 365);
const tickMinutes = Number(values["tick-minutes"] ?? 10);
const tickBilledMs = Number(values["tick-ms"] ?? 300);

// Store calls made by the ticks only (the simulation's own issuance reads journals too).
const storeCalls: Record<string, number> = {};
let ticking = false;
function countStoreCalls<T extends object>(part: T): T {
  if (typeof (part as { getJournal?: unknown }).getJournal !== "function") return part;
  return new Proxy(part, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (ticking) storeCalls[String(property)] = (storeCalls[String(property)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const dir = await makeTempDir("rotation-cost");
const jwtSvids = values["jwt-svids"] ?? "true";
const world = await openSimulationWorld({
  dataDir: dir.path,
  clock: new FixedClock(START),
  wrap: countStoreCalls,
  env: { TESSERA_JWT_SVIDS: jwtSvids },
});
const tick = world.tick;
world.tick = async () => {
  ticking = true;
  try {
    return await tick();
  } finally {
    ticking = false;
  }
};
const sim = new Simulation(world, { start: START, tickMs: HOUR, issueEveryMs: 3 * HOUR, x509TtlSeconds: 24 * 3600, jwtTtlSeconds: 3600 });
const started = performance.now();
await sim.run(days * DAY);
const seconds = (performance.now() - started) / 1000;
await world.close();
await dir.remove();

const f = sim.figures;
const perMonth = MONTH_DAYS / days;
const c = world.keys.calls;
const count = (type: string) => sim.steps.filter((s) => s.type === type).length;
const scheduledTicks = (MONTH_DAYS * 24 * 60) / tickMinutes;
// Every tick reads and publishes whether or not a step is due: per-tick calls scale with the schedule,
// per-step calls with the rotations. The hourly simulation gives both (steps are rare: a few a month).
const reads = (storeCalls.getJournal ?? 0) + (storeCalls.listAudit ?? 0);
const readsPerTick = reads / f.ticks;
const publishesPerTick = world.s3.calls / f.ticks;
const kms = {
  describeKey: c.generateKey,
  createKey: c.generateKey,
  getPublicKey: c.generateKey,
  alias: c.generateKey,
  scheduleKeyDeletion: world.keys.replaced.length,
  sign: f.tickSigns,
};
const kmsPerMonth = Object.fromEntries(Object.entries(kms).map(([k, v]) => [k, v * perMonth])) as typeof kms;
const asymmetricRequests = kmsPerMonth.getPublicKey + kmsPerMonth.sign;
const otherKmsRequests = kmsPerMonth.describeKey + kmsPerMonth.createKey + kmsPerMonth.alias + kmsPerMonth.scheduleKeyDeletion;
const keyMonths = f.keyHours / (days * 24);
const s3Heads = scheduledTicks * publishesPerTick * S3_OBJECTS;
const s3Puts = world.s3.writes * S3_OBJECTS * perMonth;
const dynamoReads = scheduledTicks * readsPerTick;
const dynamoWrites =
  ((storeCalls.putJournal ?? 0) * JOURNAL_WRITE_UNITS + (storeCalls.claimOnce ?? 0) + (storeCalls.appendAudit ?? 0)) * perMonth;
const cost = {
  "KMS keys": keyMonths * PRICE.kmsKeyMonth,
  "KMS requests": (asymmetricRequests * PRICE.kmsAsymmetricPer10k + otherKmsRequests * PRICE.kmsOtherPer10k) / 10_000,
  "Lambda (rotate)":
    (scheduledTicks * PRICE.lambdaPerMillion) / 1e6 + scheduledTicks * (tickBilledMs / 1000) * ROTATE_MEMORY_GB * PRICE.lambdaArmGbSecond,
  "S3 requests": (s3Puts * PRICE.s3PutPer1k + s3Heads * PRICE.s3GetPer1k) / 1000,
  DynamoDB: (dynamoReads * PRICE.dynamoReadPerMillion + dynamoWrites * PRICE.dynamoWritePerMillion) / 1e6,
};
const total = Object.values(cost).reduce((a, b) => a + b, 0);
const n = (x: number, digits = 1) => x.toLocaleString("en-US", { maximumFractionDigits: digits });

console.log(
  `rotation simulation: ${days} days of hourly ticks, JWT-SVIDs ${jwtSvids === "false" ? "off" : "on"}, ${n(seconds)} s of wall time`,
);
console.log(
  `  ticks ${f.ticks}; SVIDs ${f.x509Svids} X.509 (24 h) + ${f.jwtSvids} JWT (1 h); ${f.verifications} verifications (${f.jwksVerifications} of them JWT-SVIDs by jose against the published JWKS)`,
);
console.log(`  rotations: prepare ${count("prepare")}, activate ${count("activate")}, drop ${count("drop")} (both kinds)`);
console.log(
  `  max CAs in the bundle ${f.maxBundleCas}, in the Roles Anywhere anchor ${f.maxAnchorCas} (PEM up to ${f.maxAnchorPem} of 8,000 chars); max JWT keys in the JWKS ${f.maxJwksKeys}`,
);
console.log(`  bundle writes ${world.s3.writes}; Roles Anywhere calls ${world.anchor.calls}; store calls ${JSON.stringify(storeCalls)}`);
console.log(`KMS calls per ${MONTH_DAYS} days (rotation only; issuing SVIDs adds one Sign each):`);
console.log(
  `  ${Object.entries(kmsPerMonth)
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(
      ", ",
    )}: ${n(asymmetricRequests + otherKmsRequests)} in all; ${n(keyMonths, 2)} key-months billed (keys pending deletion are free)`,
);
console.log(
  `cost per ${MONTH_DAYS} days of the deployed schedule (a tick every ${tickMinutes} min = ${n(scheduledTicks, 0)} invocations of ${tickBilledMs} ms at ${ROTATE_MEMORY_GB * 1024} MB arm64), us-east-1, no free tier:`,
);
for (const [what, usd] of Object.entries(cost)) console.log(`  ${what.padEnd(16)} $${usd.toFixed(4)}`);
console.log(`  ${"total".padEnd(16)} $${total.toFixed(2)} a month`);
console.log(
  `  (per tick: ${n(readsPerTick, 2)} DynamoDB reads, ${n(publishesPerTick, 2)} publications of ${S3_OBJECTS} objects headed in S3; per month: ${n(s3Puts, 0)} S3 PUTs, ${n(dynamoWrites, 0)} DynamoDB write units)`,
);
