// The example Lambda function of examples/agentless-lambda, run here against the local issuer: a
// loopback stand-in for the regional STS endpoint (moto has no GetWebIdentityToken) answers with a
// token that a loopback OIDC issuer signs as AWS's per-account issuer would, for the audience asked.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { handler } from "../../examples/agentless-lambda/handler.js";
import { AWS_STS_NAMESPACE } from "#tessera/issuer";
import { LocalIssuer } from "#tessera/test-support";
import { TRUST_DOMAIN, call, startIssuer, type IssuerHarness } from "../support/issuer-harness.js";
import { makeTempDir } from "../support/temp-dir.js";

const ROLE = "arn:aws:iam::111122223333:role/agentless-example-role";
const FUNCTION = "arn:aws:lambda:eu-west-1:111122223333:function:agentless-example";

describe("examples/agentless-lambda", () => {
  let h: IssuerHarness;
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  let aws: LocalIssuer;
  let sts: Server;
  const saved = { ...process.env };

  before(async () => {
    aws = await LocalIssuer.start();
    sts = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", async () => {
        const params = new URLSearchParams(body);
        const now = Math.floor(Date.now() / 1000);
        const token = await aws.sign(
          {
            aud: params.get("Audience.member.1") as string,
            sub: ROLE,
            jti: randomUUID(),
            iat: now,
            exp: now + 300,
            [AWS_STS_NAMESPACE]: { aws_account: "111122223333", lambda_source_function_arn: FUNCTION },
          },
          params.get("SigningAlgorithm") === "RS256" ? "RS256" : "ES384",
        );
        res
          .writeHead(200, { "content-type": "text/xml" })
          .end(
            `<GetWebIdentityTokenResponse><GetWebIdentityTokenResult><WebIdentityToken>${token}</WebIdentityToken></GetWebIdentityTokenResult></GetWebIdentityTokenResponse>`,
          );
      });
    });
    await new Promise<void>((resolve) => sts.listen(0, "127.0.0.1", resolve));
    dir = await makeTempDir("agentless-lambda");
    h = await startIssuer({
      TESSERA_STORE: "embedded",
      TESSERA_KEY_MANAGER: "disk",
      TESSERA_DATA_DIR: dir.path,
      TESSERA_JOIN_ALLOW_HTTP_LOOPBACK: "true",
    });
    const bot = await call(h.url, "POST", "/v1/admin/bots", {
      admin: true,
      body: {
        name: "agentless-example",
        allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/lambda/{{account}}/{{lambda_function}}`],
        join_rules: [
          {
            method: "oidc",
            preset: "aws_sts",
            issuer: aws.issuer,
            audience: `spiffe://${TRUST_DOMAIN}`,
            claims: { sub: ROLE, lambda_function: "agentless-*" },
          },
        ],
      },
    });
    assert.equal(bot.status, 201, bot.text);
    Object.assign(process.env, {
      TESSERA_ISSUER_URL: h.url,
      AWS_REGION: "eu-west-1",
      AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${(sts.address() as AddressInfo).port}/`,
      TESSERA_TOKEN_AUDIENCE: `spiffe://${TRUST_DOMAIN}`,
      TESSERA_BOT_NAME: "agentless-example",
      TESSERA_SPIFFE_ID: `spiffe://${TRUST_DOMAIN}/lambda/111122223333/agentless-example`,
    });
  });
  after(async () => {
    process.env = saved;
    await h?.close();
    await dir?.remove();
    await aws?.close();
    await new Promise<void>((resolve) => sts.close(() => resolve()));
  });

  it("gets an X.509-SVID and a JWT-SVID with the function's own web identity tokens, and returns no secret", async () => {
    const result = await handler();
    assert.equal(result.spiffeId, `spiffe://${TRUST_DOMAIN}/lambda/111122223333/agentless-example`);
    assert.match(result.serialNumber, /^[0-9a-f]+$/);
    assert.match(result.jwtSvidSha256, /^[0-9a-f]{64}$/);
    const audit = await h.runtime.store.listAudit({ botName: "agentless-example", limit: 10 });
    const svids = audit.filter((e) => e.type.endsWith("_svid"));
    assert.deepEqual(svids.map((e) => [e.type, e.detail?.agentless]).sort(), [
      ["jwt_svid", "true"],
      ["x509_svid", "true"],
    ]);
    assert.equal((await h.runtime.store.listBotInstances()).length, 0);
  });
});
