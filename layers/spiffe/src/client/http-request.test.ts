import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { requestText } from "./http-request.js";

type Route = (req: IncomingMessage, body: string, res: ServerResponse) => void;

describe("requestText", () => {
  const routes = new Map<string, Route>();
  let server: Server;
  let base: string;

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (d: string) => (body += d));
      req.on("end", () => routes.get(req.url ?? "")?.(req, body, res));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends the method, headers and body, and reads the status, headers and UTF-8 text", async () => {
    routes.set("/echo", (req, body, res) => {
      res.setHeader("x-seen", `${req.method} ${req.headers["content-length"]} ${req.headers.authorization}`);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ body }));
    });
    const answer = await requestText(`${base}/echo`, {
      method: "POST",
      headers: { authorization: "Bearer t" },
      body: '{"név":"é"}',
      timeoutMs: 5000,
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("X-Seen"), "POST 13 Bearer t");
    assert.equal(answer.headers.get("x-absent"), null);
    assert.deepEqual(JSON.parse(answer.text), { body: '{"név":"é"}' });
  });

  it("answers a refusal or a redirect as it is, without following it", async () => {
    routes.set("/moved", (_req, _body, res) => {
      res.writeHead(302, { location: "/echo" });
      res.end();
    });
    routes.set("/busy", (_req, _body, res) => {
      res.writeHead(503, { "retry-after": "2" });
      res.end('{"error":{"code":"ERR_KMS_THROTTLED"}}');
    });
    assert.equal((await requestText(`${base}/moved`, { method: "GET", headers: {}, timeoutMs: 5000 })).status, 302);
    const busy = await requestText(`${base}/busy`, { method: "GET", headers: {}, timeoutMs: 5000 });
    assert.equal(busy.status, 503);
    assert.equal(busy.headers.get("retry-after"), "2");
    assert.match(busy.text, /ERR_KMS_THROTTLED/);
  });

  it("fails with a TimeoutError when no answer comes in time", async () => {
    routes.set("/silent", () => undefined);
    await assert.rejects(requestText(`${base}/silent`, { method: "GET", headers: {}, timeoutMs: 200 }), {
      name: "TimeoutError",
      message: "no answer within 200 ms",
    });
  });

  it("fails when the answer is cut short", async () => {
    routes.set("/cut", (_req, _body, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial");
      setTimeout(() => res.destroy(), 50);
    });
    await assert.rejects(requestText(`${base}/cut`, { method: "GET", headers: {}, timeoutMs: 5000 }));
  });

  it("fails with the socket's error when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(requestText(`http://127.0.0.1:${port}/`, { method: "GET", headers: {}, timeoutMs: 5000 }), {
      code: "ECONNREFUSED",
    });
  });
});
