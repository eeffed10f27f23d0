import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback stand-in for EC2's IMDSv2: a session token by PUT, then documents only with it. */
export interface ImdsServer {
  url: string;
  /** What the instance identity endpoints serve now. */
  identity: { document: string; signature: string };
  /** Requests seen, as `METHOD path` (for asserting the IMDSv2 sequence). */
  requests: string[];
  close(): Promise<void>;
}

/** Start an IMDSv2 stand-in on 127.0.0.1 serving `identity` (changeable later). */
export async function startImdsServer(identity: { document: string; signature: string }): Promise<ImdsServer> {
  const tokens = new Set<string>();
  const requests: string[] = [];
  const state: ImdsServer = { url: "", identity, requests, close: async () => {} };
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.method === "PUT" && req.url === "/latest/api/token") {
      const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
      if (!(ttl >= 1 && ttl <= 21600)) return void res.writeHead(400).end();
      const token = randomBytes(24).toString("base64url");
      tokens.add(token);
      return void res.writeHead(200, { "content-type": "text/plain" }).end(token);
    }
    // IMDSv2 only: a GET without a valid session token is refused, as on an instance that requires v2.
    if (req.method !== "GET" || !tokens.has(String(req.headers["x-aws-ec2-metadata-token"]))) return void res.writeHead(401).end();
    if (req.url === "/latest/dynamic/instance-identity/document")
      return void res.writeHead(200, { "content-type": "text/plain" }).end(state.identity.document);
    if (req.url === "/latest/dynamic/instance-identity/rsa2048")
      return void res.writeHead(200, { "content-type": "text/plain" }).end(state.identity.signature);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
