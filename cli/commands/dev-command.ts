import { parseArgs } from "node:util";
import { UsageError, helpAsked, type CliIo } from "../output.js";

const DEFAULT_PORT = 8640;

/** The options of `tessera dev`. */
export const DEV_USAGE = "[--port 8640] [--host 127.0.0.1] [--data-dir .tessera] [--trust-domain example.org] [--jwt-svids true|false]";

/** `tessera dev`: run the whole issuer on this machine until SIGINT/SIGTERM. */
export async function runDevCommand(argv: string[], io: CliIo): Promise<number> {
  if (helpAsked(argv)) {
    io.out(`usage: tessera dev ${DEV_USAGE}`);
    return 0;
  }
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      "trust-domain": { type: "string" },
      "jwt-svids": { type: "string" },
    },
    strict: true,
  });
  const port = Number(values.port ?? io.env.TESSERA_PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("tessera: --port must be 0-65535");
  const trustDomain = values["trust-domain"] ?? io.env.TESSERA_TRUST_DOMAIN;
  const jwtSvids = values["jwt-svids"];
  if (jwtSvids !== undefined && jwtSvids !== "true" && jwtSvids !== "false")
    throw new UsageError("tessera: --jwt-svids must be true or false");
  // Loaded here, not up front: the issuer (AWS SDK, Powertools) is for `tessera dev` alone.
  const { startDevServer } = await import("../dev/run-dev.js");
  const server = await startDevServer({
    dataDir: values["data-dir"] ?? io.env.TESSERA_DATA_DIR ?? ".tessera",
    host: values.host ?? "127.0.0.1",
    port,
    ...(trustDomain ? { trustDomain } : {}),
    env: jwtSvids === undefined ? io.env : { ...io.env, TESSERA_JWT_SVIDS: jwtSvids },
  });
  io.err(
    [
      `tessera dev issuer for trust domain ${server.trustDomain}`,
      `  API:          ${server.url}`,
      `  bundle:       ${server.url}/v1/bundle`,
      ...(server.runtime.config.issuerUrl
        ? [`  OIDC issuer:  ${server.runtime.config.issuerUrl} (JWT-SVID iss; /.well-known/openid-configuration)`]
        : []),
      ...(server.runtime.config.jwtSvids ? [] : ["  JWT-SVIDs:    off (--jwt-svids false): X.509-SVIDs only, no JWT key"]),
      `  admin token:  ${server.adminTokenPath}`,
      `  console:      ${server.consoleLoginUrl()}`,
      "                (one-time login link, valid 10 minutes; tessera console login prints another)",
      "",
      "Create a bot and a join token (in another terminal):",
      `  npx tessera bot create demo --allow spiffe://${server.trustDomain}/demo/*`,
      "  npx tessera token create --bot demo",
      "Then get an X.509-SVID on disk:",
      `  npx tessera svid x509 --token TOKEN --spiffe-id spiffe://${server.trustDomain}/demo/web --out ./svid`,
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.stop();
  io.err("tessera dev stopped");
  return 0;
}
