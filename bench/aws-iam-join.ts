// aws_iam join figures on the local front (the join handler over HTTP, embedded store, disk keys):
// latency of POST /v1/join/challenge and of POST /v1/join (p50 / p99, the STS round trip to a
// local moto with signature checks on included), and the store operations each costs, counted on
// the store. Signing happens client-side and is timed apart.
// Run: npx tsx bench/aws-iam-join.ts [--count 200]
import { EmbeddedStore, type Store } from "#tessera/issuer";
import { createAwsIamProof } from "#tessera/aws-workload";
import { call, startIssuer } from "../test/support/issuer-harness.js";
import { MOTO_ACCOUNT, startStsEmulator } from "../test/support/sts-emulator.js";
import { makeTempDir } from "../test/support/temp-dir.js";

const countFlag = process.argv.indexOf("--count");
const COUNT = countFlag > 0 ? Number(process.argv[countFlag + 1]) : 200;

/** The store, with every call of every method counted by name. */
function counting(store: Store): { store: Store; counts: Map<string, number>; reset(): void } {
  const counts = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (name !== "close") counts.set(String(name), (counts.get(String(name)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, counts, reset: () => counts.clear() };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function summary(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} p50 ${percentile(sorted, 50).toFixed(2)} ms   p99 ${percentile(sorted, 99).toFixed(2)} ms   (n=${sorted.length})`,
  );
}

const dir = await makeTempDir("bench-aws-iam");
const sts = await startStsEmulator();
const counted = counting(await EmbeddedStore.open({ directory: `${dir.path}/store` }));
const h = await startIssuer(
  { TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path, TESSERA_STS_ENDPOINT: sts.endpoint },
  { store: counted.store },
);
try {
  const bot = await call(h.url, "POST", "/v1/admin/bots", {
    admin: true,
    body: {
      name: "runner",
      allowed_spiffe_ids: ["spiffe://example.org/aws/{{account}}/{{role}}"],
      join_rules: [{ method: "aws_iam", claims: { account: MOTO_ACCOUNT, role: "ci-runner" } }],
    },
  });
  if (bot.status !== 201) throw new Error(`bench: bot create answered ${bot.status} ${bot.text}`);
  const challengeMs: number[] = [];
  const signMs: number[] = [];
  const joinMs: number[] = [];
  const perChallenge = new Map<string, number>();
  const perJoin = new Map<string, number>();
  const add = (into: Map<string, number>) => {
    for (const [name, n] of counted.counts) into.set(name, (into.get(name) ?? 0) + n);
    counted.reset();
  };
  for (let i = 0; i < COUNT; i++) {
    counted.reset();
    let t = performance.now();
    const challenge = await call(h.url, "POST", "/v1/join/challenge");
    challengeMs.push(performance.now() - t);
    add(perChallenge);
    t = performance.now();
    const token = await createAwsIamProof({
      challenge: challenge.json.challenge as string,
      endpoint: sts.endpoint,
      credentials: sts.ciRunner,
    });
    signMs.push(performance.now() - t);
    t = performance.now();
    const joined = await call(h.url, "POST", "/v1/join", { body: { join_method: "aws_iam", bot_name: "runner", token } });
    joinMs.push(performance.now() - t);
    if (joined.status !== 200) throw new Error(`bench: join answered ${joined.status} ${joined.text}`);
    add(perJoin);
  }
  console.log(`aws_iam join on the local front, embedded store, moto STS with signature checks (${COUNT} joins)`);
  summary("POST /v1/join/challenge", challengeMs);
  summary("client: sign GetCallerIdentity", signMs);
  summary("POST /v1/join (incl. STS call)", joinMs);
  const per = (m: Map<string, number>) => [...m].map(([name, n]) => `${name} ${n / COUNT}`).join(", ");
  console.log(`store operations per challenge: ${per(perChallenge)}`);
  console.log(`store operations per join:      ${per(perJoin)}`);
} finally {
  await h.close();
  await sts.stop();
  await dir.remove();
}
