// Bundled into the Lambda functions in place of node:http and http (esbuild aliases in
// infra/lib/tessera-function.ts). Node 22 and later build a built-in module's ES module facade by
// reading every one of its exports, and node:http's WebSocket, CloseEvent and MessageEvent exports are
// getters that load undici: about 20 ms of CPU at every cold start of a bundle that imports node:http
// as an ES module (the Roles Anywhere client's HTTP handler and IMDS code do, statically). Required
// through CommonJS, node:http is the same module object, and those getters are never read.
import type * as NodeHttp from "node:http";
import { createRequire } from "node:module";

const http = createRequire(import.meta.url)("node:http") as typeof NodeHttp;

/** node:http itself, as its default export. */
export default http;

/** node:http's exports, the undici-backed WebSocket, CloseEvent and MessageEvent getters aside. */
export const {
  Agent,
  ClientRequest,
  IncomingMessage,
  METHODS,
  OutgoingMessage,
  STATUS_CODES,
  Server,
  ServerResponse,
  createServer,
  get,
  request,
  validateHeaderName,
  validateHeaderValue,
} = http;
