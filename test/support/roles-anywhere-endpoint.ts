// A loopback IAM Roles Anywhere CreateSession endpoint for tests. It is the judge of what the agent
// and AWS's aws_signing_helper send, so it shares no code with them: the canonical request, the string
// to sign and the checks are written here from the Roles Anywhere "signing process" and
// "authentication" documentation (SigV4's canonicalisation; AWS4-X509-{RSA,ECDSA}-SHA256 over
// SHA-256; X-Amz-X509 and X-Amz-X509-Chain; the certificate's decimal serial as the credential; a
// chain of at most 5 certificates to a CA of the trust anchor, each within its validity window).
import { createHash, verify, X509Certificate } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as it arrived on the wire. */
export interface RawRequest {
  method: string;
  /** Path and query as sent. */
  target: string;
  /** Lower-case names; repeated headers joined with ",". */
  headers: Record<string, string>;
  body: string;
}

/** What the judge checks a request against. */
export interface RolesAnywhereJudgeOptions {
  trustAnchorArn: string;
  region: string;
  /** The trust anchor's CA certificates. */
  anchors: () => X509Certificate[];
  /** Default Date.now. */
  now?: () => number;
}

/** The judge's verdict: the leaf that signed, or the rule the request broke. */
export type Verdict = { ok: true; leaf: X509Certificate; durationSeconds: number; query: URLSearchParams } | { ok: false; reason: string };

const MAX_SKEW_MS = 5 * 60_000;
const MAX_CHAIN = 5;

// RFC 3986 unreserved characters stay; everything else is %XX with upper-case hex (SigV4's UriEncode).
function uriEncode(value: string): string {
  return [...Buffer.from(value, "utf8")]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");
}

function canonicalQuery(query: URLSearchParams): string {
  return [...query]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

const sha256Hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const parseDer = (b64: string) => new X509Certificate(Buffer.from(b64, "base64"));
const withinValidity = (c: X509Certificate, now: number) => Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo);
const issued = (issuer: X509Certificate, child: X509Certificate) => child.checkIssued(issuer) && child.verify(issuer.publicKey);

/** Judge one CreateSession request. */
export function judgeCreateSession(req: RawRequest, options: RolesAnywhereJudgeOptions): Verdict {
  const now = (options.now ?? Date.now)();
  const url = new URL(req.target, "http://judge");
  if (req.method !== "POST" || url.pathname !== "/sessions") return { ok: false, reason: "not POST /sessions" };
  const auth =
    /^(AWS4-X509-(?:ECDSA|RSA)-SHA256) Credential=(\d+)\/(\d{8})\/([a-z0-9-]+)\/rolesanywhere\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]+)$/.exec(
      req.headers.authorization ?? "",
    );
  if (!auth) return { ok: false, reason: "authorization header malformed" };
  const [, algorithm, serial, scopeDate, region, signedList, signature] = auth as unknown as string[];
  const signed = (signedList as string).split(";");
  for (const required of [
    "host",
    "x-amz-date",
    "x-amz-x509",
    ...(req.headers["x-amz-x509-chain"] !== undefined ? ["x-amz-x509-chain"] : []),
  ]) {
    if (!signed.includes(required)) return { ok: false, reason: `${required} is not signed` };
  }
  if ([...signed].sort().join(";") !== signedList || signed.some((h) => req.headers[h] === undefined))
    return { ok: false, reason: "signed headers missing or unsorted" };
  const amzDate = req.headers["x-amz-date"] as string;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return { ok: false, reason: "x-amz-date malformed" };
  const signedAt = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) return { ok: false, reason: "x-amz-date outside the allowed skew" };
  if (scopeDate !== amzDate.slice(0, 8)) return { ok: false, reason: "credential scope date differs from x-amz-date" };
  if (region !== options.region) return { ok: false, reason: "credential scope region" };

  let leaf: X509Certificate;
  let chain: X509Certificate[];
  try {
    leaf = parseDer(req.headers["x-amz-x509"] as string);
    chain = req.headers["x-amz-x509-chain"] ? (req.headers["x-amz-x509-chain"] as string).split(",").map(parseDer) : [];
  } catch {
    return { ok: false, reason: "certificate not parseable" };
  }
  if (BigInt(`0x${leaf.serialNumber}`).toString(10) !== serial) return { ok: false, reason: "credential serial is not the certificate's" };
  const keyType = leaf.publicKey.asymmetricKeyType;
  if ((keyType === "ec" ? "AWS4-X509-ECDSA-SHA256" : keyType === "rsa" ? "AWS4-X509-RSA-SHA256" : "") !== algorithm)
    return { ok: false, reason: "algorithm does not match the key" };

  const canonicalHeaders = signed.map((h) => `${h}:${(req.headers[h] as string).trim().replace(/\s+/g, " ")}\n`).join("");
  const canonicalRequest = [
    req.method,
    url.pathname,
    canonicalQuery(url.searchParams),
    canonicalHeaders,
    signedList,
    sha256Hex(req.body),
  ].join("\n");
  const stringToSign = [algorithm, amzDate, `${scopeDate}/${region}/rolesanywhere/aws4_request`, sha256Hex(canonicalRequest)].join("\n");
  if (!verify("sha256", Buffer.from(stringToSign, "utf8"), leaf.publicKey, Buffer.from(signature as string, "hex")))
    return { ok: false, reason: "signature does not verify" };

  if (leaf.ca || !withinValidity(leaf, now)) return { ok: false, reason: "leaf certificate not valid now (or a CA)" };
  const anchors = options.anchors();
  let current = leaf;
  for (let depth = 1; ; depth++) {
    if (depth > MAX_CHAIN) return { ok: false, reason: "chain longer than 5" };
    const anchor = anchors.find((a) => issued(a, current));
    if (anchor) {
      if (!withinValidity(anchor, now)) return { ok: false, reason: "trust anchor CA not valid now" };
      break;
    }
    const next = chain.find((c) => c.ca && issued(c, current));
    if (!next || !withinValidity(next, now)) return { ok: false, reason: "certificate does not chain to the trust anchor" };
    current = next;
  }

  if (url.searchParams.get("trustAnchorArn") !== options.trustAnchorArn) return { ok: false, reason: "unknown trust anchor" };
  if (!url.searchParams.get("profileArn") || !url.searchParams.get("roleArn"))
    return { ok: false, reason: "profileArn and roleArn are required" };
  let durationSeconds = 3600;
  if (req.body) {
    const parsed = JSON.parse(req.body) as { durationSeconds?: number };
    durationSeconds = parsed.durationSeconds ?? 3600;
  }
  if (durationSeconds < 900 || durationSeconds > 43_200) return { ok: false, reason: "durationSeconds out of range" };
  return { ok: true, leaf, durationSeconds, query: url.searchParams };
}

/** Credentials the endpoint hands out for an accepted request. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** A request the endpoint saw, with the judge's verdict. */
export interface SeenRequest {
  raw: RawRequest;
  verdict: Verdict;
  at: number;
}

/** A running loopback endpoint. */
export interface RolesAnywhereEndpoint {
  url: string;
  seen: SeenRequest[];
  /** While true, connections are dropped as if the service were unreachable. */
  down: boolean;
  /** Send `raw` to the endpoint as it is (for replays of altered requests); returns status and body. */
  replay(raw: RawRequest): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

function readRequest(req: IncomingMessage): Promise<RawRequest> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("error", reject);
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = (req.rawHeaders[i] as string).toLowerCase();
        headers[name] = headers[name] === undefined ? (req.rawHeaders[i + 1] as string) : `${headers[name]},${req.rawHeaders[i + 1]}`;
      }
      resolve({ method: req.method ?? "", target: req.url ?? "", headers, body });
    });
  });
}

/** Start the endpoint on 127.0.0.1; `issue` makes the credentials for each accepted request. */
export async function startRolesAnywhereEndpoint(
  options: RolesAnywhereJudgeOptions & { issue: (verdict: Extract<Verdict, { ok: true }>) => Promise<IssuedCredentials> },
): Promise<RolesAnywhereEndpoint> {
  const seen: SeenRequest[] = [];
  const state = { down: false };
  const server: Server = createServer((req, res) => {
    if (state.down) {
      req.socket.destroy();
      return;
    }
    void (async () => {
      const raw = await readRequest(req);
      const verdict = judgeCreateSession(raw, options);
      seen.push({ raw, verdict, at: Date.now() });
      res.setHeader("content-type", "application/json");
      if (!verdict.ok) {
        res.writeHead(403).end(JSON.stringify({ message: verdict.reason }));
        return;
      }
      const c = await options.issue(verdict);
      res.writeHead(201).end(
        JSON.stringify({
          credentialSet: [
            {
              assumedRoleUser: { arn: `${verdict.query.get("roleArn")}/session`, assumedRoleId: "AROAEXAMPLE:session" },
              credentials: {
                accessKeyId: c.accessKeyId,
                secretAccessKey: c.secretAccessKey,
                sessionToken: c.sessionToken,
                expiration: c.expiration.toISOString(),
              },
              packedPolicySize: 0,
              roleArn: verdict.query.get("roleArn"),
              sourceIdentity: "CN=tessera",
            },
          ],
          subjectArn: `${options.trustAnchorArn.replace(/trust-anchor\/.*/, "subject/")}00000000-0000-0000-0000-000000000000`,
        }),
      );
    })().catch((err: unknown) => res.writeHead(500).end(JSON.stringify({ message: String(err) })));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    replay: async (raw) => {
      const headers = Object.fromEntries(
        Object.entries(raw.headers).filter(([k]) => !["content-length", "connection", "transfer-encoding"].includes(k)),
      );
      const res = await fetch(`${url}${raw.target}`, { method: raw.method, headers, body: raw.body });
      return { status: res.status, body: await res.text() };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
