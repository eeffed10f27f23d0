import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { request } from "node:http";
import { startLocalFront, type LocalFront } from "../../cli/dev/local-front.js";
import { createCsr, FixedClock, SpiffeId } from "#tessera/core";
import { type AuditEvent, type AuditEventType, ensureAuthorities, loadConfig, type Store } from "#tessera/issuer";
import { type TesseraRuntime } from "#tessera/aws";
import { buildRuntime, type RuntimeOverrides } from "#tessera/dev";
import { createCaptureLogger } from "./capture-logger.js";
import { makeTempDir } from "./temp-dir.js";

export const ADMIN_TOKEN = "test-admin-token-0123456789abcdefghijklmnopqrstuv";
export const TRUST_DOMAIN = "example.org";

/** A running issuer behind the local front, on a frozen clock. */
export interface IssuerHarness {
  url: string;
  runtime: TesseraRuntime;
  clock: FixedClock;
  logger: ReturnType<typeof createCaptureLogger>;
  front: LocalFront;
  close(): Promise<void>;
}

/** Start the issuer with the given environment (store and key manager kinds) and parts. */
export async function startIssuer(env: Record<string, string>, overrides: RuntimeOverrides = {}): Promise<IssuerHarness> {
  const clock = new FixedClock(Date.now());
  const logger = createCaptureLogger();
  const config = loadConfig({ TESSERA_TRUST_DOMAIN: TRUST_DOMAIN, TESSERA_LOG_LEVEL: "ERROR", ...env });
  const runtime = await buildRuntime(config, { clock, logger, ...overrides });
  await ensureAuthorities(runtime.authority, runtime.authorityPolicy);
  const front = await startLocalFront({ runtime, host: "127.0.0.1", port: 0, adminToken: ADMIN_TOKEN });
  return {
    url: front.url,
    runtime,
    clock,
    logger,
    front,
    close: async () => {
      await front.close();
      await runtime.close();
    },
  };
}

/**
 * Move the harness's frozen clock up to the real time when it has fallen behind: for suites whose
 * proofs are signed with the real time (a slow emulator would otherwise make them look issued in the
 * future). Never moves the clock back.
 */
export function catchUpWithRealTime(h: IssuerHarness): void {
  const behind = Date.now() - h.clock.now().getTime();
  if (behind > 0) h.clock.advance(behind);
}

/** An HTTP answer, parsed. */
export interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  text: string;
}

/** Call the issuer over HTTP. */
export async function call(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string | ReadableStream<Uint8Array>; contentType?: string; bearer?: string; admin?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined || options.rawBody !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.admin) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(options.rawBody !== undefined
      ? { body: options.rawBody, duplex: "half" }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  } as RequestInit);
  return answerOf(res.status, res.headers, await res.text());
}

function answerOf(status: number, headers: Headers, text: string): Answer {
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // PEM or empty
  }
  return { status, headers, json, text };
}

/**
 * Send `headers` and then `body`, leaving the request open, with node's client, for requests fetch
 * will not make (a Content-Length that lies). Rejects on a reset or after 5 s without an answer.
 */
export function callUnfinished(url: string, path: string, headers: Record<string, string>, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: "POST", headers });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error("no answer in 5 s"));
    }, 5000);
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        clearTimeout(timer);
        req.destroy();
        resolve(answerOf(res.statusCode ?? 0, new Headers(), text));
      });
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.write(body);
  });
}

/** The error code of an error answer. */
export function codeOf(answer: Answer): string | undefined {
  return (answer.json.error as { code?: string } | undefined)?.code;
}

/** A workload key pair and a CSR for it. */
export async function makeCsr(spiffeId?: string): Promise<{ privateKey: KeyObject; csr: string }> {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const csr = await createCsr({ privateKey, ...(spiffeId ? { spiffeId: SpiffeId.fromString(spiffeId) } : {}) });
  return { privateKey, csr };
}

const REFUSAL_TYPES: readonly AuditEventType[] = ["join_refused", "renew_refused", "svid_refused"];

/** The refusal audit records in the store. */
export async function listRefusals(store: Store): Promise<AuditEvent[]> {
  return (await store.listAudit({ limit: 1000 })).filter((e) => REFUSAL_TYPES.includes(e.type));
}

/**
 * Everything in the store that a refused request must leave alone: all of it but the refusal audit
 * records, which a refusal writes (see `listRefusals`, and the suites' check of exactly one).
 */
export async function snapshotStore(store: Store): Promise<string> {
  const [revocations, crls, bots, tokens, instances, audit, x509, jwt] = await Promise.all([
    store.revocations.listRevocations(0),
    store.revocations.listCrls(),
    store.listBots(),
    store.listJoinTokens(),
    store.listBotInstances(),
    store.listAudit({ limit: 1000 }),
    store.getJournal("x509"),
    store.getJournal("jwt"),
  ]);
  const byKey = <T>(list: T[], key: (t: T) => string) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
  return JSON.stringify({
    bots: byKey(bots, (b) => b.name),
    tokens: byKey(tokens, (t) => t.tokenHash),
    instances: byKey(instances, (i) => i.id),
    audit: audit
      .filter((e) => !REFUSAL_TYPES.includes(e.type))
      .map((e) => e.id)
      .sort(),
    x509,
    jwt,
    revocations: byKey(revocations, (r) => `${r.kind}#${r.id}`),
    crls: byKey(crls, (c) => c.caId),
  });
}

/**
 * Run a request the issuer must refuse: assert its status and code, that nothing changed but, when
 * `audited` names a refusal type, exactly one record of that type carrying the code and a bounded
 * reason, and that no `secrets` appear in it. Returns that record.
 */
export async function expectRefusal(
  store: Store,
  run: () => Promise<Answer>,
  expected: { status: number; code: string; audited?: AuditEventType; secrets?: string[] },
): Promise<AuditEvent | undefined> {
  const before = await snapshotStore(store);
  const seen = new Set((await listRefusals(store)).map((e) => e.id));
  const answer = await run();
  assert.equal(answer.status, expected.status, `expected ${expected.status} ${expected.code}, got ${answer.status} ${answer.text}`);
  assert.equal(codeOf(answer), expected.code);
  assert.equal(await snapshotStore(store), before, `${expected.code} changed the store`);
  const written = (await listRefusals(store)).filter((e) => !seen.has(e.id));
  if (expected.audited === undefined) {
    assert.deepEqual(written, [], `${expected.code}: no refusal record expected`);
    return undefined;
  }
  assert.equal(written.length, 1, `${expected.code}: exactly one refusal record, got ${JSON.stringify(written)}`);
  const record = written[0] as AuditEvent;
  assert.equal(record.type, expected.audited);
  assert.equal(record.detail?.code, expected.code);
  assert.ok(
    typeof record.detail?.reason === "string" && record.detail.reason.length > 0 && [...record.detail.reason].length <= 200,
    "a bounded reason",
  );
  const stored = JSON.stringify(record);
  assert.ok(stored.length < 4096, `a bounded record, got ${stored.length} characters`);
  for (const secret of expected.secrets ?? []) assert.ok(!stored.includes(secret), "a presented secret is in the refusal record");
  return record;
}

/** An issuer over the embedded store and disk keys in a temporary directory that `close` removes. */
export async function startEmbeddedIssuer(name: string, env: Record<string, string> = {}): Promise<IssuerHarness> {
  const dir = await makeTempDir(name);
  const h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path, ...env });
  return {
    ...h,
    close: async () => {
      await h.close();
      await dir.remove();
    },
  };
}
