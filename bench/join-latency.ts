// Join latency per join method on the local front (the same handlers as in Lambda, behind the HTTP
// front `tessera dev` serves, in this process), with the embedded store and a disk key: p50 and p99
// of POST /v1/join over loopback HTTP, and the store operations one join costs, counted by a wrapper
// around the embedded store. OIDC and GCP tokens come from loopback issuers (keys warm after the
// first join), EC2 identity documents are signed by openssl with a test Region certificate; each
// proof is made before the clock starts. Also the agent-less path:
// an X.509-SVID asked with an OIDC proof (one round trip, no join). Not part of npm test.
// Run: npx tsx bench/join-latency.ts [--count 200]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalFront } from "../cli/dev/local-front.js";
import {
  EC2_ACCOUNT,
  EC2_REGION,
  gceClaims,
  GCP_AUDIENCE,
  githubClaims,
  identityDocument,
  LocalIssuer,
  OIDC_AUDIENCE,
  OpensslWorkdir,
  startGoogle,
} from "#tessera/test-support";
import { createCsr, systemClock } from "#tessera/core";
import { EmbeddedStore, ensureAuthorities, loadConfig } from "#tessera/issuer";
import { buildRuntime } from "#tessera/dev";
import { countingStore } from "../test/support/counting-store.js";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";

const countFlag = process.argv.indexOf("--count");
const COUNT = countFlag > 0 ? Number(process.argv[countFlag + 1]) : 200;
const ADMIN_TOKEN = "bench-admin-token-0123456789abcdefghijklmnopqrstuvwxyz";
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface Row {
  method: string;
  samples: number[];
  opsPerJoin: number;
  breakdown: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-join-bench-"));
  const oidc = await LocalIssuer.start();
  const google = await startGoogle();
  // EC2 identity documents signed by openssl with a test certificate configured for one Region.
  const ec2 = new OpensslWorkdir();
  const ec2Signer = ec2.newSigner(EC2_REGION);
  const ec2Certificates = join(ec2.dir, "aws-certificates.json");
  writeFileSync(ec2Certificates, JSON.stringify({ [EC2_REGION]: ec2Signer.certPem }));
  const env = {
    TESSERA_AWS_EC2_CERTIFICATES_FILE: ec2Certificates,
    TESSERA_TRUST_DOMAIN: "example.org",
    TESSERA_STORE: "embedded",
    TESSERA_KEY_MANAGER: "disk",
    TESSERA_DATA_DIR: dir,
    TESSERA_LOG_LEVEL: "ERROR",
    TESSERA_JOIN_ALLOW_HTTP_LOOPBACK: "true",
    TESSERA_GCP_KEYS_URL: `${google.url}/jwks`,
    TESSERA_JOIN_AUDIENCE: GCP_AUDIENCE,
  };
  const counting = countingStore(await EmbeddedStore.open({ directory: join(dir, "store"), clock: systemClock }));
  const runtime = await buildRuntime(loadConfig(env), { store: counting.store, logger: quiet, clock: systemClock });
  await ensureAuthorities(runtime.authority, runtime.authorityPolicy);
  const front = await startLocalFront({ runtime, host: "127.0.0.1", port: 0, adminToken: ADMIN_TOKEN });
  const post = async (path: string, body: unknown, bearer?: string) => {
    const res = await fetch(`${front.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  await post("/v1/admin/bots", { name: "tok", allowed_spiffe_ids: ["spiffe://example.org/tok"] }, ADMIN_TOKEN);
  await post(
    "/v1/admin/bots",
    {
      name: "ci",
      allowed_spiffe_ids: ["spiffe://example.org/gh/{{repository_owner}}/{{repository_name}}"],
      join_rules: [{ method: "oidc", preset: "github", issuer: oidc.url, audience: OIDC_AUDIENCE, claims: { repository_id: "101" } }],
    },
    ADMIN_TOKEN,
  );
  await post(
    "/v1/admin/bots",
    {
      name: "fleet",
      allowed_spiffe_ids: ["spiffe://example.org/aws/{{account}}/{{instance_id}}"],
      join_rules: [{ method: "aws_ec2", claims: { account: EC2_ACCOUNT } }],
    },
    ADMIN_TOKEN,
  );
  await post(
    "/v1/admin/bots",
    {
      name: "vm",
      allowed_spiffe_ids: ["spiffe://example.org/gcp/{{project_id}}/{{instance_name}}"],
      join_rules: [{ method: "gcp", claims: { project_id: "acme-prod" } }],
    },
    ADMIN_TOKEN,
  );

  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const csr = await createCsr({ privateKey });
  const { credential } = await post("/v1/join", {
    join_method: "token",
    token: (await post("/v1/admin/tokens", { bot_name: "tok" }, ADMIN_TOKEN)).token,
  });
  // Each measured request: how to prepare its body (not timed), the route it goes to, and its bearer.
  const methods: Record<string, { path: string; prepare: () => Promise<unknown>; bearer?: string }> = {
    token: {
      path: "/v1/join",
      prepare: async () => ({ join_method: "token", token: (await post("/v1/admin/tokens", { bot_name: "tok" }, ADMIN_TOKEN)).token }),
    },
    oidc: { path: "/v1/join", prepare: async () => ({ join_method: "oidc", bot_name: "ci", token: await oidc.sign(githubClaims()) }) },
    gcp: { path: "/v1/join", prepare: async () => ({ join_method: "gcp", bot_name: "vm", token: await google.sign(gceClaims()) }) },
    aws_ec2: {
      path: "/v1/join",
      prepare: async () => {
        const document = identityDocument();
        return { join_method: "aws_ec2", bot_name: "fleet", token: ec2.sign(document, ec2Signer), document };
      },
    },
    "oidc, X.509-SVID with no agent": {
      path: "/v1/svids/x509",
      prepare: async () => ({
        csr,
        spiffe_id: "spiffe://example.org/gh/acme/app",
        join: { join_method: "oidc", bot_name: "ci", token: await oidc.sign(githubClaims()) },
      }),
    },
    "(X.509-SVID with a credential)": {
      path: "/v1/svids/x509",
      prepare: async () => ({ csr, spiffe_id: "spiffe://example.org/tok" }),
      bearer: credential as string,
    },
  };
  const rows: Row[] = [];
  for (const [method, { path, prepare, bearer }] of Object.entries(methods)) {
    await post(path, await prepare(), bearer); // warm: keys fetched, code paths compiled
    const samples: number[] = [];
    const ops = new Map<string, number>();
    for (let i = 0; i < COUNT; i++) {
      const body = await prepare();
      counting.reset();
      const t0 = performance.now();
      await post(path, body, bearer);
      samples.push(performance.now() - t0);
      for (const [name, n] of counting.calls) ops.set(name, (ops.get(name) ?? 0) + n);
    }
    const total = [...ops.values()].reduce((a, b) => a + b, 0);
    const breakdown = [...ops]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, n]) => `${name} ${+(n / COUNT).toFixed(2)}`)
      .join(", ");
    rows.push({ method, samples: samples.sort((a, b) => a - b), opsPerJoin: total / COUNT, breakdown });
  }
  const untested = Object.keys(runtime.issuer.verifiers ?? {}).filter((m) => !Object.hasOwn(methods, m));

  console.log(`Join latency on the local front (loopback HTTP, embedded store, disk key), ${COUNT} requests per method`);
  console.log(`${"method".padEnd(32)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"store ops".padStart(10)}  per request`);
  for (const row of rows) {
    const p50 = percentile(row.samples, 50).toFixed(2);
    const p99 = percentile(row.samples, 99).toFixed(2);
    console.log(
      `${row.method.padEnd(32)} ${p50.padStart(8)} ${p99.padStart(8)} ${String(+row.opsPerJoin.toFixed(2)).padStart(10)}  ${row.breakdown}`,
    );
  }
  for (const method of untested) console.log(`${method.padEnd(32)} registered, but this bench has no proof fixture for it yet`);

  await front.close();
  await runtime.close();
  await oidc.close();
  await google.close();
  ec2.remove();
  await rm(dir, { recursive: true, force: true });
}

await main();
