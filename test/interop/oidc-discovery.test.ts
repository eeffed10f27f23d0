// OIDC relying parties nobody here wrote, jose's createRemoteJWKSet and PyJWT, trust JWT-SVIDs from
// a real dev issuer knowing only its discovery URL: `iss`, `aud`, `exp` and the signature by a key
// of the served JWKS. A rotation of the JWT key keeps every live token verifiable.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { createBot, createJoinToken, requestRotation, runRotationTick } from "#tessera/issuer";
import { call } from "../support/issuer-harness.js";
import { makeTempDir } from "../support/temp-dir.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const VERIFIER = join(root, "test/interop/oidc/verify_jwt_svid.py");
const TD = "oidc.example.org";
const WORKLOAD = `spiffe://${TD}/ci/deploy`;
const AUDIENCE = "sts.amazonaws.com";

interface Discovery {
  issuer: string;
  jwks_uri: string;
  id_token_signing_alg_values_supported: string[];
}

describe("OIDC discovery: jose and PyJWT verify JWT-SVIDs from the discovery document alone", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dev: DevServer;
  let python: string;
  let credential: string;
  let discovery: Discovery;

  const jwtSvid = async () => {
    const res = await call(dev.url, "POST", "/v1/svids/jwt", { bearer: credential, body: { spiffe_id: WORKLOAD, audience: [AUDIENCE] } });
    assert.equal(res.status, 200, res.text);
    return res.json.token as string;
  };
  // A fresh key set each time: what a relying party that has not cached the JWKS sees now.
  const joseVerify = (token: string, audience = AUDIENCE) =>
    jwtVerify(token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: discovery.issuer,
      audience,
      algorithms: discovery.id_token_signing_alg_values_supported,
      requiredClaims: ["iss", "sub", "aud", "exp"],
    });
  // Asynchronously: the issuer answering the script's requests runs in this process.
  const pyVerify = async (token: string, audience = AUDIENCE) => {
    const child = spawn(python, [VERIFIER, `${dev.url}/.well-known/openid-configuration`, audience], {
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdin.end(token);
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    const line = stdout.trim().split("\n").at(-1) ?? "";
    assert.ok(line.startsWith("{"), `verify_jwt_svid.py printed no result (exit ${code}):\n${stdout}\n${stderr}`);
    return { code, result: JSON.parse(line) as Record<string, string> };
  };
  const kidOf = (token: string) => decodeProtectedHeader(token).kid as string;
  const servedKids = async () => ((await (await fetch(discovery.jwks_uri)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

  before(async () => {
    const setup = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `console.log((await import(${JSON.stringify(join(root, "scripts/interop-setup.mjs"))})).ensurePythonClient())`,
      ],
      {
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
      },
    );
    assert.equal(setup.status, 0, `setting up the Python venv failed:\n${setup.stderr}`);
    python = setup.stdout.trim().split("\n").at(-1)!;
    tmp = await makeTempDir("oidc-discovery");
    dev = await startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port: 0,
      trustDomain: TD,
      env: { TESSERA_BUNDLE_REFRESH_HINT: "1", TESSERA_LOG_LEVEL: "ERROR" },
    });
    await createBot(dev.runtime.admin, { name: "ci", allowedSpiffeIds: [`spiffe://${TD}/ci/*`] }, "test");
    const { token } = await createJoinToken(dev.runtime.admin, { botName: "ci" }, "test");
    const joined = await call(dev.url, "POST", "/v1/join", { body: { join_method: "token", token } });
    assert.equal(joined.status, 200, joined.text);
    credential = joined.json.credential as string;
    const res = await fetch(`${dev.url}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    discovery = (await res.json()) as Discovery;
  });
  after(async () => {
    await dev?.stop();
    await tmp?.remove();
  });

  it("serves a discovery document naming the dev issuer's own URL, its JWKS and ES256", () => {
    assert.deepEqual(discovery, {
      issuer: dev.url,
      jwks_uri: `${dev.url}/.well-known/jwks.json`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256"],
      claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti"],
    });
  });

  it("issues JWT-SVIDs whose iss is the issuer URL, which jose and PyJWT verify through the discovery document", async () => {
    const token = await jwtSvid();
    const { payload } = await joseVerify(token);
    assert.equal(payload.iss, dev.url);
    assert.equal(payload.sub, WORKLOAD);
    const py = await pyVerify(token);
    assert.equal(py.code, 0, JSON.stringify(py.result));
    assert.deepEqual(py.result, { event: "verified", sub: WORKLOAD, iss: dev.url, kid: kidOf(token) });
  });

  it("neither verifier accepts a token for another audience, or one signed by a key outside the JWKS under a served kid", async () => {
    const token = await jwtSvid();
    await assert.rejects(joseVerify(token, "other"), { code: "ERR_JWT_CLAIM_VALIDATION_FAILED" });
    assert.equal((await pyVerify(token, "other")).result.error, "InvalidAudienceError");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const forged = await new SignJWT({ sub: WORKLOAD, aud: AUDIENCE })
      .setProtectedHeader({ alg: "ES256", kid: kidOf(token), typ: "JWT" })
      .setIssuer(dev.url)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
    await assert.rejects(joseVerify(forged), { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
    assert.equal((await pyVerify(forged)).result.error, "InvalidSignatureError");
  });

  it("a JWT key rotation publishes the next key before it signs and keeps the old one while its tokens live", async () => {
    const before = await jwtSvid();
    const oldKid = kidOf(before);
    assert.deepEqual(await servedKids(), [oldKid]);
    assert.ok(await requestRotation({ journals: dev.runtime.store, clock: dev.runtime.clock }, "jwt"));
    const prepared = await runRotationTick({ ...dev.runtime, publishers: [] });
    assert.deepEqual(
      prepared.steps.map((s) => `${s.kind} ${s.type}`),
      ["jwt prepare"],
    );
    const kids = await servedKids();
    assert.equal(kids.length, 2, "the prepared key is served");
    assert.equal(kidOf(await jwtSvid()), oldKid, "the prepared key signs nothing yet");
    // Activation waits for six bundle refresh hints (1 s here) of publication.
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    const activated = await runRotationTick({ ...dev.runtime, publishers: [] });
    assert.deepEqual(
      activated.steps.map((s) => `${s.kind} ${s.type}`),
      ["jwt activate"],
    );
    const after = await jwtSvid();
    assert.notEqual(kidOf(after), oldKid);
    assert.deepEqual((await servedKids()).sort(), [...kids].sort(), "the old key stays served while tokens it signed live");
    for (const token of [before, after]) {
      assert.equal((await joseVerify(token)).payload.sub, WORKLOAD);
      assert.equal((await pyVerify(token)).result.event, "verified");
    }
  });
});
