import { parseArgs } from "node:util";
import { systemClock } from "#tessera/core";
import { AdminClient } from "../admin-client.js";
import { UsageError, helpAsked, type CliIo } from "../output.js";

const DEFAULT_PORT = 8641;

/** The options of `tessera console`. */
export const CONSOLE_USAGE = "--issuer https://... [--region R] [--port 8641]";

/** `tessera console`: the web console on loopback for an issuer in AWS, admin calls signed with SigV4. */
export async function runConsoleCommand(argv: string[], io: CliIo): Promise<number> {
  if (helpAsked(argv)) {
    io.out(`usage: tessera console ${CONSOLE_USAGE}`);
    return 0;
  }
  const { values } = parseArgs({
    args: argv,
    options: { issuer: { type: "string" }, region: { type: "string" }, port: { type: "string" } },
    strict: true,
  });
  const issuer = values.issuer ?? io.env.TESSERA_ISSUER;
  if (!issuer || !/^https?:\/\//.test(issuer)) throw new UsageError("tessera: console needs --issuer https://... (the issuer's API URL)");
  const port = Number(values.port ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("tessera: --port must be 0-65535");
  const region = values.region ?? io.env.AWS_REGION;
  const admin = new AdminClient({ issuer, dataDir: "", sigv4: true, ...(region ? { region } : {}) });
  // The proxy and the console files load only here, so `tessera --help` stays fast.
  const { startConsoleProxy } = await import("../dev/console-proxy.js");
  const proxy = await startConsoleProxy({ admin, host: "127.0.0.1", port, clock: systemClock });
  io.err(
    [
      `tessera console for ${issuer} (admin calls signed with your AWS credentials; IAM decides)`,
      `  open once, within 10 minutes: ${proxy.url}/console/login?code=${proxy.gate.issueLoginCode()}`,
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await proxy.close();
  return 0;
}
