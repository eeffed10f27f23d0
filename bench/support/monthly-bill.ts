// The monthly bill of a fleet, from the per-operation figures bench/cost-per-svid.ts measures, at
// us-east-1 list prices (read 2026-11-30; sources in docs/cost.md). Lambda duration is modelled, not
// measured on Lambda: the CPU time measured here scaled to the function's share of a vCPU, plus one
// in-Region round trip per AWS call at the latencies below (assumptions, stated in docs/cost.md).

/** Per-operation figures, as measured. */
export interface OperationFigures {
  /** Calls per operation by `service:command`. */
  calls: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  cpuMs: number;
  wallMs: number;
  logBytes: number;
}

/** What `cost-per-svid` measured with one CA key type. */
export interface Measured {
  keySpec: string;
  operations: Record<string, OperationFigures>;
  unmetered: string[];
  /** Bytes one audit event keeps in the table and its indexes. */
  auditBytesPerEvent?: number;
}

export const PRICE = {
  kmsKeyMonth: 1.0,
  /** Sign and GetPublicKey: ECC keys $0.15 per 10,000, RSA 2048 keys $0.03 per 10,000. */
  kmsAsymmetricPer10k: { ECC_NIST_P256: 0.15, RSA_2048: 0.03 } as Record<string, number>,
  kmsOtherPer10k: 0.03,
  apiGatewayHttpPerMillion: 1.0,
  lambdaPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  dynamoReadPerMillion: 0.125,
  dynamoWritePerMillion: 0.625,
  dynamoStorageGbMonth: 0.25,
  s3PutPer1k: 0.005,
  s3GetPer1k: 0.0004,
  logsIngestGb: 0.5,
  logsStoreGbMonth: 0.03,
};

/**
 * KMS key-months a month, as `npx tsx bench/rotation-cost.ts` prints them (a simulated year of the
 * rotation schedule): one key per kind but for the day before and the day after each 24-day rotation;
 * with JWT-SVIDs turned off (`--jwt-svids false`), the CA key alone.
 */
const KEY_MONTHS = { jwtSvids: 2.13, x509Only: 1.08 };
const MONTH_SECONDS = 30 * 86400;
/** The join and issue functions' memory (infra/lib/tessera-function.ts), and a vCPU's worth of Lambda memory. */
const FUNCTION_GB = 0.5;
const ROTATE_GB = 0.25;
const FULL_VCPU_MB = 1769;
/** Assumed in-Region latency of one call, ms (not measured: moto's are no guide). */
const LATENCY_MS: Record<string, number> = { KMS: 12, DynamoDB: 6, S3: 20 };
/** Lambda's own START, END and REPORT lines, bytes per invocation. */
const PLATFORM_LOG_BYTES = 330;
/** Days the audit trail is kept by default (DynamoDbStore's auditRetentionDays). */
const AUDIT_RETENTION_DAYS = 365;

/** The fleet: how many workloads renew an X.509-SVID, and how many agents poll and renew credentials. */
export interface Fleet {
  workloads: number;
  agents: number;
  /** Renewal period of X.509-SVIDs and credentials, s. Default 1,800 (1-hour SVIDs renewed at half life). */
  renewSeconds?: number;
  /** Agent polls, s: the bundle's refresh hint (default 300) and the revocation interval (default 60). */
  bundlePollSeconds?: number;
  revocationPollSeconds?: number;
  rotateMinutes?: number;
  /**
   * X.509-SVIDs an agent renews in one request (`POST /v1/svids/x509/batch`), when it holds more
   * than one: the measured operation "X.509-SVID batch" carries this many entries. Default 1 (none).
   */
  batchSize?: number;
  /** Whether the deployment issues JWT-SVIDs and so keeps a JWT key (`TESSERA_JWT_SVIDS`). Default true. */
  jwtSvids?: boolean;
  /** Days of audit trail kept. Default 365. */
  auditRetentionDays?: number;
}

/** One line of the bill. */
export interface BillLine {
  item: string;
  usd: number;
  detail: string;
}

function billedMs(f: OperationFigures, gb: number): number {
  const cpu = f.cpuMs * (FULL_VCPU_MB / (gb * 1024));
  const waits = Object.entries(f.calls).reduce((ms, [key, n]) => ms + n * (LATENCY_MS[key.split(":")[0]!] ?? 0), 0);
  return Math.max(1, Math.ceil(cpu + waits));
}

/** Requests a month by operation, for `fleet`. */
export function monthlyVolumes(fleet: Fleet): Record<string, number> {
  const renew = fleet.renewSeconds ?? 1800;
  const svids = (fleet.workloads * MONTH_SECONDS) / renew;
  const batch = fleet.batchSize ?? 1;
  const bundlePolls = (fleet.agents * MONTH_SECONDS) / (fleet.bundlePollSeconds ?? 300);
  const revocationPolls = (fleet.agents * MONTH_SECONDS) / (fleet.revocationPollSeconds ?? 60);
  // The agent's revocation polls are GET /v1/trust, and its bundle polls take their answer when the
  // two intervals are equal, else GET /v1/bundle (agent/trust-poll.ts).
  return {
    ...(batch > 1 ? { "X.509-SVID batch": svids / batch } : { "X.509-SVID": svids }),
    "credential renewal": (fleet.agents * MONTH_SECONDS) / renew,
    ...(bundlePolls === revocationPolls ? {} : { "bundle poll": bundlePolls }),
    "trust poll": revocationPolls,
    "join (token)": fleet.agents,
    "rotation tick": MONTH_SECONDS / 60 / (fleet.rotateMinutes ?? 10),
  };
}

/** The bill, line by line, for `fleet` with the figures of `m`. */
export function monthlyBill(
  m: Measured,
  fleet: Fleet,
): { keySpec: string; fleet: Fleet; volumes: Record<string, number>; lines: BillLine[] } {
  const volumes = monthlyVolumes(fleet);
  const sum = (pick: (f: OperationFigures, name: string) => number, only?: (name: string) => boolean) =>
    Object.entries(volumes).reduce((acc, [name, n]) => (only && !only(name) ? acc : acc + n * pick(m.operations[name]!, name)), 0);
  const call = (prefix: string) => (f: OperationFigures) =>
    Object.entries(f.calls).reduce((a, [k, v]) => (k.startsWith(prefix) ? a + v : a), 0);
  const http = (name: string) => name !== "rotation tick";
  const asymmetric = sum((f) => (f.calls["KMS:Sign"] ?? 0) + (f.calls["KMS:GetPublicKey"] ?? 0));
  const otherKms = sum(call("KMS:")) - asymmetric;
  const invocations = sum(() => 1);
  const gbSeconds = sum((f, name) => (billedMs(f, http(name) ? FUNCTION_GB : ROTATE_GB) / 1000) * (http(name) ? FUNCTION_GB : ROTATE_GB));
  const logGb = sum((f) => f.logBytes + PLATFORM_LOG_BYTES) / 1e9;
  const auditEvents = (fleet.workloads * MONTH_SECONDS) / (fleet.renewSeconds ?? 1800) + volumes["join (token)"]!;
  const retention = fleet.auditRetentionDays ?? AUDIT_RETENTION_DAYS;
  const auditGb = ((m.auditBytesPerEvent ?? 0) * auditEvents * (retention / 30)) / 1e9;
  const s3Puts = sum(call("S3:Put"));
  const s3Gets = sum(call("S3:")) - s3Puts;
  const asymPrice = PRICE.kmsAsymmetricPer10k[m.keySpec] ?? 0.15;
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const keyMonths = fleet.jwtSvids === false ? KEY_MONTHS.x509Only : KEY_MONTHS.jwtSvids;
  const lines: BillLine[] = [
    { item: "KMS keys", usd: keyMonths * PRICE.kmsKeyMonth, detail: `${keyMonths} key-months` },
    {
      item: "KMS requests",
      usd: (asymmetric * asymPrice + otherKms * PRICE.kmsOtherPer10k) / 1e4,
      detail: `${n(asymmetric)} Sign/GetPublicKey at $${asymPrice}/10k, ${n(otherKms)} others`,
    },
    {
      item: "API Gateway (HTTP API)",
      usd: (sum(() => 1, http) * PRICE.apiGatewayHttpPerMillion) / 1e6,
      detail: `${n(sum(() => 1, http))} requests`,
    },
    { item: "Lambda requests", usd: (invocations * PRICE.lambdaPerMillion) / 1e6, detail: `${n(invocations)} invocations` },
    { item: "Lambda duration", usd: gbSeconds * PRICE.lambdaArmGbSecond, detail: `${n(gbSeconds)} GB-s (arm64, modelled)` },
    {
      item: "DynamoDB requests",
      usd: (sum((f) => f.readUnits) * PRICE.dynamoReadPerMillion + sum((f) => f.writeUnits) * PRICE.dynamoWritePerMillion) / 1e6,
      detail: `${n(sum((f) => f.readUnits))} RRU, ${n(sum((f) => f.writeUnits))} WRU`,
    },
    {
      item: "DynamoDB storage",
      usd: auditGb * PRICE.dynamoStorageGbMonth,
      detail: `${auditGb.toFixed(1)} GB of audit trail once ${retention} days are kept (${Math.round((m.auditBytesPerEvent ?? 0) / 10) * 10} bytes an SVID)`,
    },
    {
      item: "S3 requests",
      usd: (s3Puts * PRICE.s3PutPer1k + s3Gets * PRICE.s3GetPer1k) / 1e3,
      detail: `${n(s3Puts)} PUT, ${n(s3Gets)} GET-class`,
    },
    {
      item: "CloudWatch Logs",
      usd: logGb * (PRICE.logsIngestGb + PRICE.logsStoreGbMonth),
      detail: `${logGb.toFixed(1)} GB ingested (and kept a month)`,
    },
  ];
  return { keySpec: m.keySpec, fleet, volumes, lines };
}

/** Print a bill as a Markdown table. */
export function printBill(bill: ReturnType<typeof monthlyBill>): void {
  const total = bill.lines.reduce((a, l) => a + l.usd, 0);
  console.log(
    `\nMonthly bill, ${bill.fleet.workloads.toLocaleString("en-US")} workloads and ${bill.fleet.agents.toLocaleString("en-US")} agents, ${bill.keySpec} CA key, us-east-1 list prices, no free tier`,
  );
  console.log(
    `requests a month: ${Object.entries(bill.volumes)
      .map(([k, v]) => `${k} ${Math.round(v).toLocaleString("en-US")}`)
      .join(", ")}`,
  );
  console.log("| item | USD a month | what |");
  console.log("| --- | --- | --- |");
  for (const l of bill.lines) console.log(`| ${l.item} | ${l.usd.toFixed(2)} | ${l.detail} |`);
  console.log(`| **total** | **${total.toFixed(2)}** | |`);
}
