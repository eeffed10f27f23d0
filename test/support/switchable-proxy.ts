import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback HTTP proxy to one origin that can be switched off (every connection dropped), to stand for an outage. */
export interface SwitchableProxy {
  /** `http://127.0.0.1:<port>/`. */
  endpoint: string;
  up: boolean;
  close(): Promise<void>;
}

/** Proxy to `target` (`http://host:port/`), passing method, path, headers and body through unchanged. */
export async function startSwitchableProxy(target: string): Promise<SwitchableProxy> {
  const to = new URL(target);
  const state = { up: true };
  const server: Server = createServer((req, res) => {
    if (!state.up) {
      req.socket.destroy();
      return;
    }
    const out = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    get up() {
      return state.up;
    },
    set up(value: boolean) {
      state.up = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
