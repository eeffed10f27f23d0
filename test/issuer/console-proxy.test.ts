import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { AdminClient } from "../../cli/admin-client.js";
import { startConsoleProxy, type ConsoleProxy } from "../../cli/dev/console-proxy.js";
import { FixedClock } from "#tessera/core";
import { rawRequest } from "../support/raw-http.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const call = rawRequest;

describe("tessera console: the console on loopback, admin calls signed with SigV4 and sent to the issuer", () => {
  const seen: Seen[] = [];
  let issuer: Server;
  let proxy: ConsoleProxy;
  let cookie: string;
  let origin: string;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  before(async () => {
    process.env.AWS_ACCESS_KEY_ID = "AKIDCONSOLETEST";
    process.env.AWS_SECRET_ACCESS_KEY = "console-test-secret";
    issuer = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(req.url?.startsWith("/v1/bundle") ? '{"keys":[]}' : '{"bots":[]}');
      });
    });
    await new Promise<void>((resolve) => issuer.listen(0, "127.0.0.1", resolve));
    const issuerUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
    proxy = await startConsoleProxy({
      admin: new AdminClient({ issuer: issuerUrl, dataDir: "", sigv4: true, region: "eu-west-1" }),
      host: "127.0.0.1",
      port: 0,
      clock: new FixedClock(Date.now()),
    });
    origin = proxy.url;
    const login = await call(proxy.url, "GET", `/console/login?code=${proxy.gate.issueLoginCode()}`);
    assert.equal(login.status, 303);
    cookie = String(login.headers["set-cookie"]).split(";")[0] as string;
  });
  after(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => issuer.close(() => resolve()));
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  });

  it("signs a console call with the operator's credentials (SigV4, execute-api) and never passes the cookie on", async () => {
    seen.length = 0;
    const answer = await call(
      proxy.url,
      "POST",
      "/v1/admin/locks?x=1",
      { cookie, origin, "x-tessera-console": "1", "content-type": "application/json" },
      '{"target":"bot","id":"web"}',
    );
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.headers["cache-control"], "no-store");
    assert.match(String(answer.headers["content-security-policy"]), /frame-ancestors 'none'/);
    const [upstream] = seen;
    assert.equal(upstream?.method, "POST");
    assert.equal(upstream?.url, "/v1/admin/locks?x=1");
    assert.equal(upstream?.body, '{"target":"bot","id":"web"}');
    assert.match(
      String(upstream?.headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIDCONSOLETEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=\S*host\S*, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(upstream?.headers.cookie, undefined);
    assert.equal(upstream?.headers["x-tessera-console"], undefined);
  });

  it("attack: without a session, with a foreign Origin, or without the console header nothing is signed or sent", async () => {
    seen.length = 0;
    assert.equal((await call(proxy.url, "GET", "/v1/admin/bots", { "x-tessera-console": "1" })).status, 401);
    assert.equal(
      (
        await call(
          proxy.url,
          "POST",
          "/v1/admin/bots",
          { cookie, origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
          "name=x",
        )
      ).status,
      403,
    );
    assert.equal(
      (await call(proxy.url, "POST", "/v1/admin/bots", { cookie, origin, "x-tessera-console": "1", host: "evil.example" }, "{}")).status,
      403,
    );
    assert.equal((await call(proxy.url, "GET", "/v1/admin/bots", { cookie, origin })).status, 403);
    assert.equal(
      (await call(proxy.url, "GET", "/v1/svids/x509", { cookie, origin, "x-tessera-console": "1" })).status,
      404,
      "only admin routes pass",
    );
    assert.deepEqual(seen, []);
  });

  it("passes the public bundle through without a session, unsigned", async () => {
    seen.length = 0;
    const answer = await call(proxy.url, "GET", "/v1/bundle");
    assert.equal(answer.status, 200);
    assert.equal(answer.body, '{"keys":[]}');
    assert.equal(seen[0]?.headers.authorization, undefined);
  });

  it("answers 502 ERR_ISSUER_UNREACHABLE when the issuer cannot be reached", async () => {
    const dead = await startConsoleProxy({
      admin: new AdminClient({ issuer: "http://127.0.0.1:1", dataDir: "", sigv4: true, region: "eu-west-1" }),
      host: "127.0.0.1",
      port: 0,
      clock: new FixedClock(Date.now()),
    });
    try {
      const login = await call(dead.url, "GET", `/console/login?code=${dead.gate.issueLoginCode()}`);
      const c = String(login.headers["set-cookie"]).split(";")[0] as string;
      const answer = await call(dead.url, "GET", "/v1/admin/bots", { cookie: c, "x-tessera-console": "1" });
      assert.equal(answer.status, 502, answer.body);
      assert.equal((JSON.parse(answer.body) as { error: { code: string } }).error.code, "ERR_ISSUER_UNREACHABLE");
    } finally {
      await dead.close();
    }
  });
});
