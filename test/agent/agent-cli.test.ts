import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startDevServer, type DevServer } from "../../cli/dev/run-dev.js";
import { createBot, createJoinToken } from "#tessera/issuer";
import { TESSERA_BIN, runTessera } from "../support/cli-process.js";
import { makeTempDir } from "../support/temp-dir.js";
import { freePort } from "../support/free-port.js";

const TD = "example.org";

const ID = `spiffe://${TD}/cli/web`;

describe("`tessera agent` as a process", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let dev: DevServer;
  const token = async () => (await createJoinToken(dev.runtime.admin, { botName: "cli" }, "test")).token;
  const writeConfig = (name: string, body: string) => {
    const path = join(tmp.path, name);
    writeFileSync(path, body);
    return path;
  };

  before(async () => {
    tmp = await makeTempDir("agent-cli");
    dev = await startDevServer({
      dataDir: join(tmp.path, "issuer"),
      host: "127.0.0.1",
      port: 0,
      trustDomain: TD,
      env: { TESSERA_LOG_LEVEL: "ERROR" },
    });
    await createBot(dev.runtime.admin, { name: "cli", allowedSpiffeIds: [`spiffe://${TD}/cli/*`] }, "test");
  });
  after(async () => {
    await dev?.stop();
    await tmp?.remove();
  });

  it("validates configuration: unknown keys and bad selectors are errors that name the key", async () => {
    const good = writeConfig(
      "good.yaml",
      `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token, token: ${"A".repeat(43)} }\nservices:\n  - { type: workload-identity-x509, spiffe_id: ${ID}, destination: out }\n`,
    );
    const ok = await runTessera(["agent", "validate", "-c", good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /is valid/);
    const cases: [string, RegExp][] = [
      [
        `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token }\nservices: [{ type: workload-identity-x509, spiffe_id: ${ID}, destination: out, colour: blue }]\n`,
        /services\[0\]\.colour is not a known key/,
      ],
      [
        `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token }\nservices: [{ type: workload-identity-api, identities: [{ spiffe_id: ${ID}, selectors: ["unix:uid:abc"] }] }]\n`,
        /selectors has an invalid selector/,
      ],
      [`version: v2\n`, /version must be v1/],
      [
        `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token, token: <TOKEN> }\nservices: [{ type: workload-identity-x509, spiffe_id: ${ID}, destination: out }]\n`,
        /onboarding\.token is neither a join token \(43 characters/,
      ],
      [
        `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token, token: x }\nservices: [{ type: workload-identity-x509, spiffe_id: ${ID}, destination: out }]\n`,
        /onboarding\.token is neither a join token/,
      ],
      [
        `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token }\nservices: [{ type: workload-identity-jwt, spiffe_id: ${ID}, destination: out, audiences: ["db\\u202Egpj"] }]\n`,
        /services\[0\]\.audiences break the audience rule \(jwtsvid: audience\[0\] must be printable/,
      ],
      [
        `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token }\nservices: [{ type: workload-identity-x509, spiffe_id: spiffe://other.org/x, destination: out }]\n`,
        /must be in the trust domain example.org/,
      ],
    ];
    for (const [i, [body, message]] of cases.entries()) {
      const run = await runTessera(["agent", "validate", "-c", writeConfig(`bad-${i}.yaml`, body)]);
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /<TOKEN>/, "the token is never repeated");
    }
    const missing = await runTessera(["agent", "validate"], { TESSERA_CONFIG_PATH: join(tmp.path, "nope.yaml") });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.yaml/);
  });

  it("--oneshot writes the files and exits 0", async () => {
    const out = join(tmp.path, "oneshot");
    const path = writeConfig(
      "oneshot.yaml",
      `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token, token: ${await token()} }\nservices:\n  - { type: workload-identity-x509, spiffe_id: ${ID}, destination: ${out} }\n`,
    );
    const run = await runTessera(["agent", "start", "-c", path, "--oneshot", "--log-format", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(new X509Certificate(readFileSync(join(out, "svid.pem"))).subjectAltName, `URI:${ID}`);
    assert.equal(statSync(join(out, "svid_key.pem")).mode & 0o777, 0o600);
    for (const line of run.stderr.trim().split("\n")) JSON.parse(line);
  });

  it("runs as a daemon: diagnostics, the api commands, SIGHUP renews, SIGTERM stops cleanly", async () => {
    const socket = join(tmp.path, "sock", "api.sock");
    const path = writeConfig(
      "daemon.yaml",
      `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token, token: ${await token()} }\nservices:\n  - type: workload-identity-api\n    listen: unix://${socket}\n    identities: [{ spiffe_id: ${ID}, selectors: ["unix:uid:${process.getuid!()}"] }]\n`,
    );
    const child = spawn(process.execPath, [TESSERA_BIN, "agent", "-c", path, "--diag-addr", "127.0.0.1:0"], {
      env: { ...process.env, NODE_OPTIONS: "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    child.stderr.on("data", (d) => (log += d));
    try {
      const diag = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(log)), 30_000);
        child.stderr.on("data", () => {
          const m = /diagnostics url=(\S+)/.exec(log);
          if (m) {
            clearTimeout(timer);
            resolve(m[1] as string);
          }
        });
      });
      assert.equal((await fetch(`${diag}/livez`)).status, 200);
      let ready: Response | undefined;
      for (let i = 0; i < 100 && ready?.status !== 200; i++) {
        ready = await fetch(`${diag}/readyz`);
        if (ready.status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(ready?.status, 200);
      assert.match(await (await fetch(`${diag}/metrics`)).text(), /tessera_agent_ready 1/);

      const fetched = await runTessera(["agent", "api", "fetch", "x509", "--json", "--write", join(tmp.path, "api-out")], {
        SPIFFE_ENDPOINT_SOCKET: `unix://${socket}`,
      });
      assert.equal(fetched.code, 0, fetched.stderr);
      const first = (JSON.parse(fetched.stdout) as { svids: { spiffe_id: string; serial: string }[] }).svids[0];
      assert.equal(first?.spiffe_id, ID);
      assert.equal(statSync(join(tmp.path, "api-out", "svid_key.pem")).mode & 0o777, 0o600);

      const jwt = await runTessera(["agent", "api", "fetch", "jwt", "--audience", "db", "--socket", `unix:${socket}`, "--json"]);
      assert.equal(jwt.code, 0, jwt.stderr);
      const token = (JSON.parse(jwt.stdout) as { svids: { token: string }[] }).svids[0]?.token as string;
      const valid = await runTessera(["agent", "api", "validate", "jwt", "--audience", "db", "--svid", token, "--socket", socket]);
      assert.equal(valid.code, 0, valid.stderr);
      assert.match(valid.stdout, new RegExp(`spiffe_id: ${ID}`));
      const invalid = await runTessera(["agent", "api", "validate", "jwt", "--audience", "other", "--svid", token, "--socket", socket]);
      assert.equal(invalid.code, 1);

      child.kill("SIGHUP");
      let second = first?.serial;
      for (let i = 0; i < 50 && second === first?.serial; i++) {
        await new Promise((r) => setTimeout(r, 200));
        const again = await runTessera(["agent", "api", "fetch", "x509", "--json", "--socket", socket]);
        second = (JSON.parse(again.stdout) as { svids: { serial: string }[] }).svids[0]?.serial;
      }
      assert.notEqual(second, first?.serial, "SIGHUP renewed the SVID");
    } finally {
      const code = await new Promise<number | null>((resolve) => {
        child.once("exit", (c) => resolve(c));
        child.kill("SIGTERM");
      });
      assert.equal(code, 0, log);
    }
    assert.throws(() => statSync(socket), /ENOENT/, "socket removed on shutdown");
  });

  it("prints a systemd unit whose ExecStart runs and whose sandbox lets every destination be written", async () => {
    const dirs = {
      storage: join(tmp.path, "unit", "state"),
      x509: join(tmp.path, "unit", "x509"),
      jwt: join(tmp.path, "unit", "jwt"),
      socket: join(tmp.path, "unit", "run"),
    };
    const path = writeConfig(
      "unit.yaml",
      `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token, token: /etc/tessera/join-token }\nstorage: { directory: ${dirs.storage} }\nservices:\n  - type: workload-identity-api\n    listen: unix://${dirs.socket}/api.sock\n    identities: [{ spiffe_id: ${ID}, selectors: ["unix:uid:0"] }]\n  - { type: workload-identity-x509, spiffe_id: ${ID}, destination: ${dirs.x509} }\n  - { type: workload-identity-jwt, spiffe_id: ${ID}, audiences: [db], destination: ${dirs.jwt} }\n`,
    );
    const run = await runTessera(["agent", "install", "systemd", "-c", path]);
    assert.equal(run.code, 0, run.stderr);
    const unit = run.stdout;
    const [program, bin, ...args] = (/^ExecStart=(.*)$/m.exec(unit)?.[1] ?? "").split(" ");
    assert.ok(program?.startsWith("/") && bin?.startsWith("/"), `absolute paths, no PATH lookup: ${program} ${bin}`);
    assert.deepEqual(args, ["agent", "start", "-c", path]);
    // The very command the unit runs, asked to validate instead of start.
    const validated = spawnSync(program!, [bin!, "agent", "validate", "-c", path], { env: { PATH: "/nonexistent" }, encoding: "utf8" });
    assert.equal(validated.status, 0, validated.stderr);
    const writable = (/^ReadWritePaths=(.*)$/m.exec(unit)?.[1] ?? "").split(" ");
    for (const dir of Object.values(dirs)) assert.ok(writable.includes(dir), `${dir} in ReadWritePaths=${writable.join(" ")}`);
    assert.match(unit, new RegExp(`^ExecStartPre=\\+/bin/mkdir -p -m 0700 ${dirs.storage} ${dirs.x509} ${dirs.jwt}$`, "m"));
    assert.match(unit, new RegExp(`^ExecStartPre=\\+/bin/mkdir -p -m 0755 ${dirs.socket}$`, "m"));
    assert.match(unit, /^ProtectSystem=strict$/m);
    assert.match(unit, /^RestartPreventExitStatus=3$/m);
    assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  });

  it("--oneshot that cannot reach the issuer exits 1 with a last line naming the cause", async () => {
    const port = await freePort();
    const path = writeConfig(
      "unreachable.yaml",
      `version: v1\nissuer: http://127.0.0.1:${port}\ntrust_domain: ${TD}\nonboarding: { join_method: token, token: ${"A".repeat(43)} }\nservices:\n  - { type: workload-identity-x509, spiffe_id: ${ID}, destination: ${join(tmp.path, "never")} }\n`,
    );
    const run = await runTessera(["agent", "start", "-c", path, "--oneshot", "--timeout", "3s"]);
    assert.equal(run.code, 1, run.stderr);
    const last = run.stderr.trim().split("\n").at(-1) ?? "";
    assert.match(
      last,
      /ERROR agent stopped: agent: SVIDs not ready within 3s: cannot reach the issuer at http:\/\/127\.0\.0\.1:\d+\/v1\/join: connect ECONNREFUSED/,
    );
    assert.match(last, /exit_code=1/);
  });

  it("--oneshot and the daemon stop with exit 3 and a last line naming the cause when the issuer refuses the join token for good", async () => {
    const spent = await token();
    const first = writeConfig(
      "first.yaml",
      `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token, token: ${spent} }\nservices:\n  - { type: workload-identity-x509, spiffe_id: ${ID}, destination: ${join(tmp.path, "spent-1")} }\n`,
    );
    assert.equal((await runTessera(["agent", "start", "-c", first, "--oneshot"])).code, 0);
    const unknown = "B".repeat(43);
    for (const [name, joinToken, mode] of [
      ["spent", spent, ["--oneshot"]],
      ["unknown", unknown, ["--oneshot"]],
      ["spent, daemon", spent, []],
      ["unknown, daemon", unknown, ["--log-format", "json"]],
    ] as const) {
      const path = writeConfig(
        `refused-${name}.yaml`,
        `version: v1\nissuer: ${dev.url}\ntrust_domain: ${TD}\nonboarding: { join_method: token, token: ${joinToken} }\nservices:\n  - { type: workload-identity-x509, spiffe_id: ${ID}, destination: ${join(tmp.path, "never")} }\n`,
      );
      const child = spawn(process.execPath, [TESSERA_BIN, "agent", "start", "-c", path, ...mode], {
        env: { ...process.env, NODE_OPTIONS: "" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let log = "";
      child.stderr.on("data", (d) => (log += d));
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.once("exit", (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      assert.equal(code, 3, `${name}: ${log}`);
      const last = log.trim().split("\n").at(-1) ?? "";
      assert.match(
        last,
        /agent stopped: agent: the issuer refused the join token \(ERR_JOIN_TOKEN_INVALID: join: unknown, expired or locked join token\); give the agent a new join token/,
        name,
      );
      assert.ok(!log.includes(joinToken), `${name}: the token is never logged`);
      assert.ok(!/keeping the current one|joining again/.test(log), `${name}: ${log}`);
      if ((mode as readonly string[]).includes("--log-format")) for (const line of log.trim().split("\n")) JSON.parse(line);
    }
  });
});
