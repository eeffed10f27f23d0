// moto has no GetWebIdentityToken: a loopback stand-in for the regional STS endpoint records what
// is sent and answers as STS's Query protocol documents.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { getWebIdentityToken } from "./get-web-identity-token.js";

const TOKEN = "eyJhbGciOiJFUzM4NCJ9.eyJzdWIiOiJhcm4ifQ.c2ln";

describe("getWebIdentityToken", () => {
  let server: Server;
  let url: string;
  let seen: { headers: Record<string, string | string[] | undefined>; body: string } | undefined;
  let answer = { status: 200, body: "" };

  before(async () => {
    process.env.AWS_ACCESS_KEY_ID ??= "AKIDEXAMPLE";
    process.env.AWS_SECRET_ACCESS_KEY ??= "secret";
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        seen = { headers: req.headers, body };
        res.writeHead(answer.status, { "content-type": "text/xml" }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends a SigV4-signed Query request for the audience to the regional endpoint and reads the token", async () => {
    answer = {
      status: 200,
      body: `<GetWebIdentityTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetWebIdentityTokenResult><WebIdentityToken>${TOKEN}</WebIdentityToken><Expiration>2026-11-30T03:10:00Z</Expiration></GetWebIdentityTokenResult></GetWebIdentityTokenResponse>`,
    };
    assert.equal(await getWebIdentityToken({ region: "eu-west-1", audience: "spiffe://example.org", endpoint: url }), TOKEN);
    const params = new URLSearchParams(seen?.body);
    assert.deepEqual(Object.fromEntries(params), {
      Action: "GetWebIdentityToken",
      Version: "2011-06-15",
      "Audience.member.1": "spiffe://example.org",
      SigningAlgorithm: "ES384",
      DurationSeconds: "300",
    });
    assert.match(
      String(seen?.headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=[A-Za-z0-9]+\/\d{8}\/eu-west-1\/sts\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
  });

  it("throws WebIdentityTokenError with STS's code when STS refuses", async () => {
    answer = {
      status: 403,
      body: "<ErrorResponse><Error><Type>Sender</Type><Code>OutboundWebIdentityFederationDisabled</Code></Error></ErrorResponse>",
    };
    await assert.rejects(getWebIdentityToken({ region: "eu-west-1", audience: "a", endpoint: url }), (err: unknown) => {
      assert.equal((err as { code?: string }).code, "ERR_WEB_IDENTITY_TOKEN");
      assert.match(String(err), /403 OutboundWebIdentityFederationDisabled/);
      return true;
    });
  });
});
