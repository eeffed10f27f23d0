// The Tessera side: `tessera dev` (embedded store, disk key) on a loopback port and `tessera agent`
// joined with a one-time token, serving the Workload API to the bench client's uid. The load
// client gets its own bot credential from POST /v1/join with a second use of the same token.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../test/support/free-port.js";
import { TESSERA_BIN } from "../../test/support/cli-process.js";
import { nodeRecorder } from "./cpu-profiles.js";
import { run, startProcess, stopOnFailure, type Running } from "./processes.js";
import { WORKLOAD_ID, assembleStack, timeStart, type Stack } from "./stack.js";

const NODE_ENV = { ...process.env, NODE_OPTIONS: "" };
const PROFILE_PRELOAD = fileURLToPath(new URL("cpu-profile-preload.mjs", import.meta.url));

/**
 * Start Tessera's issuer and agent in dir; the returned stack is ready to measure. With
 * profileSpool (`--profile`), both run with cpu-profile-preload.mjs, which spools profiles there.
 */
export async function startTesseraStack(dir: string, client: string, profileSpool?: string): Promise<Stack> {
  const tessera = (args: string[], logFile: string): Running =>
    profileSpool === undefined
      ? startProcess(process.execPath, [TESSERA_BIN, ...args], logFile, NODE_ENV)
      : startProcess(process.execPath, ["--import", PROFILE_PRELOAD, TESSERA_BIN, ...args], logFile, {
          ...NODE_ENV,
          TESSERA_BENCH_PROFILE_SPOOL: profileSpool,
        });
  const dataDir = join(dir, "issuer");
  const url = `http://127.0.0.1:${await freePort()}`;
  const socket = `unix://${join(dir, "api.sock")}`;
  const startIssuer = () =>
    tessera(["dev", "--port", new URL(url).port, "--data-dir", dataDir, "--trust-domain", "example.org"], join(dir, "issuer.log"));
  const issuer = (await timeStart(client, startIssuer, "first-200", `${url}/v1/bundle`)).running;
  return stopOnFailure(issuer, async () => {
    const cli = async (...args: string[]) =>
      JSON.parse(await run(process.execPath, [TESSERA_BIN, ...args, "--issuer", url, "--data-dir", dataDir, "--json"], NODE_ENV)) as Record<
        string,
        unknown
      >;
    await cli("bot", "create", "bench", "--allow", "spiffe://example.org/bench/*");
    const { token } = (await cli("token", "create", "--bot", "bench", "--uses", "2")) as { token: string };
    const joined = await fetch(`${url}/v1/join`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ join_method: "token", token }),
    });
    if (joined.status !== 200) throw new Error(`bench: POST /v1/join answered ${joined.status}: ${await joined.text()}`);
    const { credential } = (await joined.json()) as { credential: string };
    const credentialFile = join(dir, "bot-credential");
    await writeFile(credentialFile, credential, { mode: 0o600 });

    const config = join(dir, "agent.yaml");
    await mkdir(join(dir, "agent-state"), { recursive: true, mode: 0o700 });
    await writeFile(
      config,
      [
        "version: v1",
        `issuer: ${url}`,
        "trust_domain: example.org",
        `onboarding: { join_method: token, token: ${token} }`,
        `storage: { directory: ${join(dir, "agent-state")} }`,
        "services:",
        "  - type: workload-identity-api",
        `    listen: ${socket}`,
        "    identities:",
        `      - { spiffe_id: ${WORKLOAD_ID}, selectors: ["unix:uid:${process.getuid!()}"] }`,
        "",
      ].join("\n"),
    );
    const startAgent = () => tessera(["agent", "-c", config], join(dir, "agent.log"));
    const agent = (await timeStart(client, startAgent, "first-fetch", socket)).running;
    return assembleStack({
      name: "Tessera",
      socket,
      client,
      issuerReady: `${url}/v1/bundle`,
      startIssuer,
      startAgent,
      issueFlags: ["-target", "tessera", "-url", url, "-credential-file", credentialFile],
      issuer,
      agent,
      ...(profileSpool !== undefined && { recorder: (_role: "issuer" | "agent", pid: number) => nodeRecorder(pid, profileSpool) }),
    });
  });
}
