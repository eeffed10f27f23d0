import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What `/readyz` and `/metrics` report. */
export interface DiagReport {
  ready: boolean;
  services: Record<string, { ready: boolean; [detail: string]: unknown }>;
  metrics: { name: string; help: string; type: "gauge" | "counter"; samples: { labels?: Record<string, string>; value: number }[] }[];
}

/** A running diagnostics server. */
export interface DiagServer {
  url: string;
  close(): Promise<void>;
}

function renderMetrics(report: DiagReport): string {
  const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  return report.metrics
    .map((m) =>
      [
        `# HELP ${m.name} ${m.help}`,
        `# TYPE ${m.name} ${m.type}`,
        ...m.samples.map((s) => {
          const labels = s.labels
            ? `{${Object.entries(s.labels)
                .map(([k, v]) => `${k}="${esc(v)}"`)
                .join(",")}}`
            : "";
          return `${m.name}${labels} ${s.value}`;
        }),
      ].join("\n"),
    )
    .join("\n")
    .concat("\n");
}

/** Serve `/livez`, `/readyz` (per-service status as JSON) and `/metrics` (Prometheus text) on `host:port`. */
export async function startDiagServer(address: string, report: () => DiagReport): Promise<DiagServer> {
  const match = /^(.*):(\d+)$/.exec(address);
  if (!match) throw new Error(`--diag-addr must be host:port, not ${address}`);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/livez") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const r = report();
      res
        .writeHead(r.ready ? 200 : 503, { "content-type": "application/json" })
        .end(JSON.stringify({ ready: r.ready, services: r.services }));
    } else if (path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(renderMetrics(report()));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(match[2]), match[1] || "127.0.0.1", () => resolve());
  });
  const { address: host, port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
