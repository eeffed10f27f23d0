// Workload API server figures: latency of each call answered from the agent's cache (median and
// p99 over sequential calls on one connection), and 1,000 FetchX509SVID watchers (time until all
// have their first response, time until all have an update, memory). The client runs in the same
// process, so latencies include grpc-js client work and are an upper bound of the server's.
// Run: npx tsx bench/workload-api.ts [--socket PATH]  (PATH: any Workload API endpoint, e.g. a
// spire-agent's, for latencies side by side; the watcher figures need Tessera's own server).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorkloadApiServer } from "../agent/workloadapi/index.js";
import {
  callerWithUid,
  callUnary,
  createTestPki,
  createWorkloadClient,
  StreamReader,
  TestSource,
  type WorkloadClient,
} from "../agent/workloadapi/test-support.js";

// Each one-shot stream fetch ends with the client's RST_STREAM; Node's HTTP/2 (nghttp2) closes a
// connection after about 1,000 resets in a burst (rapid-reset protection), so each stream method
// gets a fresh connection and stays under that.
const CALLS = 900;
const JWT_CALLS = 500;
const WATCHERS = 1000;
const socketFlag = process.argv.indexOf("--socket");
const externalSocket = socketFlag > 0 ? process.argv[socketFlag + 1] : undefined;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function measure(name: string, count: number, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await call();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(38)} n=${String(count).padStart(5)}  median ${percentile(times, 0.5).toFixed(3)} ms  p99 ${percentile(times, 0.99).toFixed(3)} ms`,
  );
}

async function firstMessage(client: WorkloadClient, method: string): Promise<void> {
  const reader = StreamReader.open(client, method);
  await reader.messagesAt(1);
  reader.call.cancel();
}

async function latencies(socketPath: string, audience: string): Promise<void> {
  for (const method of ["FetchX509SVID", "FetchX509Bundles", "FetchJWTBundles"]) {
    const streamClient = createWorkloadClient(socketPath);
    await measure(`${method} (first response)`, CALLS, () => firstMessage(streamClient, method));
    streamClient.close();
  }
  const client = createWorkloadClient(socketPath);
  const { svids } = await callUnary<{ svids: { svid: string }[] }>(client, "FetchJWTSVID", { audience: [audience] });
  await measure("FetchJWTSVID (mints, disk P-256 key)", JWT_CALLS, () => callUnary(client, "FetchJWTSVID", { audience: [audience] }));
  await measure("ValidateJWTSVID", JWT_CALLS, () => callUnary(client, "ValidateJWTSVID", { audience, svid: svids[0]!.svid }));
  client.close();
}

async function watchers(socketPath: string, source: TestSource, renew: () => Promise<void>): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const clients = Array.from({ length: WATCHERS }, () => createWorkloadClient(socketPath));
  let t = performance.now();
  const readers = clients.map((c) => StreamReader.open(c, "FetchX509SVID"));
  await Promise.all(readers.map((r) => r.messagesAt(1, 60_000)));
  const initialMs = performance.now() - t;
  const rssMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
  await renew();
  t = performance.now();
  source.notify();
  await Promise.all(readers.map((r) => r.messagesAt(2, 60_000)));
  const updateMs = performance.now() - t;
  for (const r of readers) r.call.cancel();
  for (const c of clients) c.close();
  console.log(
    `${WATCHERS} watchers, one connection each: all first responses in ${initialMs.toFixed(0)} ms, an update to all in ${updateMs.toFixed(0)} ms, RSS +${rssMb.toFixed(0)} MiB (server and clients)`,
  );
}

if (externalSocket) {
  console.log(`Workload API at ${externalSocket}`);
  await latencies(externalSocket, "bench");
} else {
  const dir = await mkdtemp(join(tmpdir(), "tessera-bench-wlapi-"));
  try {
    const pki = await createTestPki(dir);
    const source = TestSource.forPki(pki);
    source.grants.push({ selector: "unix:uid:1000", svid: await pki.issueSvid("spiffe://example.org/bench") });
    const socketPath = join(dir, "api.sock");
    const server = await startWorkloadApiServer({ socketPath, source, attest: async () => callerWithUid(1000) });
    console.log(`Tessera Workload API server (${process.version}, in-process client)`);
    await latencies(socketPath, "bench");
    await watchers(socketPath, source, async () => {
      source.grants[0] = { selector: "unix:uid:1000", svid: await pki.issueSvid("spiffe://example.org/bench") };
    });
    await server.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
