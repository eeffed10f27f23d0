import { status, type ServiceError } from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { IssuerApiError } from "#tessera/contract";
import { makeTempDir } from "../../test/support/temp-dir.js";
import { startWorkloadApiServer } from "./start-workload-api-server.js";
import { callerWithUid, callUnary, createTestPki, createWorkloadClient, StreamReader, TestSource, type TestPki } from "./test-support.js";
import type { CallerIdentity, JwtSvidView } from "./types.js";

const WEB = "spiffe://example.org/web";

/** A source that refuses what the issuer refuses: more than 10 audiences, and anything for `jwt-off` as an issuer with JWT-SVIDs turned off. */
class IssuerLikeSource extends TestSource {
  override async fetchJwtSvids(caller: CallerIdentity, audience: string[], spiffeId?: string): Promise<JwtSvidView[]> {
    if (audience.length > 10) throw new Error(`issuer answered 400: ${JSON.stringify(audience)}`);
    if (audience.includes("jwt-off")) throw new IssuerApiError(403, "ERR_JWT_SVIDS_DISABLED", "issuer: JWT-SVIDs are turned off");
    return super.fetchJwtSvids(caller, audience, spiffeId);
  }
}

describe("Workload API: JWT-SVID audiences follow the issuer's rule", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let pki: TestPki;
  let lines: { level: string; message: string; fields: Record<string, unknown> }[];
  let close: () => Promise<void>;
  let client: ReturnType<typeof createWorkloadClient>;

  before(async () => {
    temp = await makeTempDir("jwt-handlers");
    pki = await createTestPki(temp.path);
    const source = new IssuerLikeSource();
    source.pkis.set(pki.trustDomain.name, pki);
    source.x509Bundles.set(pki.trustDomain.name, pki.x509Authorities);
    source.jwtBundles.set(pki.trustDomain.name, pki.jwks());
    source.grants.push({ selector: "unix:uid:1000", svid: await pki.issueSvid(WEB) });
    lines = [];
    const log =
      (level: string) =>
      (message: string, fields: Record<string, unknown> = {}) =>
        void lines.push({ level, message, fields });
    const callers = [callerWithUid(1000), callerWithUid(2000)];
    let next = 0;
    const server = await startWorkloadApiServer({
      socketPath: `${temp.path}/api.sock`,
      source,
      attest: async () => callers[next++ % 2] as CallerIdentity,
      logger: { info: log("info"), warn: log("warn"), error: log("error") },
    });
    client = createWorkloadClient(`${temp.path}/api.sock`);
    close = async () => {
      client.close();
      await server.close();
    };
  });
  after(async () => {
    await close();
    await temp.remove();
  });

  const refusal = async (request: object): Promise<ServiceError> => {
    try {
      await callUnary(client, "FetchJWTSVID", request);
    } catch (err) {
      return err as ServiceError;
    }
    throw new Error("call succeeded");
  };

  it("answers InvalidArgument, naming the limit, to 1,000 audiences or one over 512 characters, and logs no caller input", async () => {
    const many = await refusal({ audience: Array.from({ length: 1000 }, (_, i) => `audience-${i}`) });
    assert.equal(many.code, status.INVALID_ARGUMENT, many.details);
    assert.match(many.details, /1 to 10 values, got 1000/);
    const long = await refusal({ audience: ["x".repeat(60_000)] });
    assert.equal(long.code, status.INVALID_ARGUMENT, long.details);
    assert.match(long.details, /1 to 512 characters/);
    const logged = JSON.stringify(lines);
    assert.ok(!logged.includes("audience-999") && !logged.includes("x".repeat(600)), "caller input is not logged");
    assert.ok(
      lines.every((l) => l.level !== "error"),
      JSON.stringify(lines),
    );
  });

  it("answers InvalidArgument to audiences with controls, bidi overrides or lone surrogates, on Fetch and Validate", async () => {
    const token = await pki.mintJwt(WEB, ["db"]);
    for (const bad of ["db\u0000", "db\u001b[2J", "\u202Edb", "db\u2066", "db\uD800", "db\u0085"]) {
      const fetched = await refusal({ audience: ["db", bad] });
      assert.equal(fetched.code, status.INVALID_ARGUMENT, JSON.stringify(bad));
      assert.match(fetched.details, /printable characters only/);
      await assert.rejects(callUnary(client, "ValidateJWTSVID", { audience: bad, svid: token }), (err: ServiceError) => {
        assert.equal(err.code, status.INVALID_ARGUMENT);
        assert.match(err.details, /printable characters only/);
        return true;
      });
    }
  });

  it("answers Unimplemented, naming the code, when the issuer has JWT-SVIDs turned off; the X.509 side is unaffected", async () => {
    const off = await refusal({ audience: ["jwt-off"] });
    assert.equal(off.code, status.UNIMPLEMENTED, off.details);
    assert.match(off.details, /JWT-SVIDs are turned off at the issuer \(ERR_JWT_SVIDS_DISABLED\)/);
    const other = await refusal({ audience: ["x", "jwt-off", ...Array.from({ length: 9 }, (_, i) => `a${i}`)] });
    assert.equal(other.code, status.INVALID_ARGUMENT, "the audience rule still comes first");
    const reader = StreamReader.open<{ svids: { spiffe_id: string }[] }>(client, "FetchX509SVID");
    const [x509] = await reader.messagesAt(1);
    reader.call.cancel();
    assert.deepEqual(
      x509?.svids.map((svid) => svid.spiffe_id),
      [WEB],
      "the X.509-SVID is served",
    );
  });

  it("logs no spiffe_id field when the caller named none", async () => {
    const other = createWorkloadClient(`${temp.path}/api.sock`);
    try {
      const attempt = await new Promise<ServiceError | undefined>((resolve) => {
        // The second connection is attested as uid 2000, which no identity selects.
        callUnary(other, "FetchJWTSVID", { audience: ["db"] }).then(() => resolve(undefined), resolve);
      });
      assert.equal(attempt?.code, status.PERMISSION_DENIED);
    } finally {
      other.close();
    }
    const denied = lines.filter((l) => l.message.includes("no identity issued"));
    assert.ok(denied.length > 0, JSON.stringify(lines));
    for (const l of lines) assert.ok(!("spiffe_id" in l.fields) || typeof l.fields.spiffe_id === "string", JSON.stringify(l));
  });
});
