import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { runCli } from "./main.js";
import { freePort } from "../test/support/free-port.js";

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env: {} });
  return { code, out, err };
}

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

describe("tessera: help, version and usage exit codes", () => {
  it("prints its version with --version", async () => {
    assert.deepEqual(await run("--version"), { code: 0, out: `tessera ${version}\n`, err: "" });
  });

  it("exits 2 with the usage on stderr when given nothing", async () => {
    const res = await run();
    assert.equal(res.code, 2);
    assert.equal(res.out, "");
    assert.match(res.err, /^usage: tessera <command>/);
  });

  const helps: [string[], RegExp][] = [
    [["--help"], /tessera bot create/],
    [["-h"], /tessera bot create/],
    [["help"], /tessera bot create/],
    [["bot", "--help"], /tessera bot lock NAME/],
    [["token", "-h"], /tessera token create --bot NAME/],
    [["bot", "create", "--help"], /^usage: tessera bot create NAME/],
    [["svid", "x509", "--help"], /^usage: tessera svid x509/],
    [["audit", "--help"], /^usage: tessera audit list/],
    [["dev", "--help"], /^usage: tessera dev \[--port/],
    [["agent", "--help"], /tessera agent api fetch x509/],
    [["agent", "api", "--help"], /tessera agent api fetch x509/],
    [["agent", "api", "fetch", "x509", "--help"], /tessera agent api fetch x509/],
    [["agent", "validate", "--help"], /tessera agent validate/],
    [["agent", "install", "systemd", "-h"], /tessera agent install systemd/],
  ];
  for (const [argv, shows] of helps) {
    it(`answers \`tessera ${argv.join(" ")}\` with help on stdout and exit 0`, async () => {
      const res = await run(...argv);
      assert.equal(res.code, 0, res.err);
      assert.match(res.out, shows);
      assert.equal(res.err, "");
    });
  }

  const misuses: string[][] = [
    ["bogus"],
    ["bogus", "--help"],
    ["bot"],
    ["bot", "frobnicate"],
    ["bot", "list", "--no-such-flag"],
    ["dev", "--no-such-flag"],
    ["dev", "--jwt-svids", "off"],
    ["agent", "api", "frobnicate"],
    ["svid", "x509", "--token", "-AAAA"],
  ];
  for (const argv of misuses) {
    it(`exits 2 for the usage error \`tessera ${argv.join(" ")}\``, async () => {
      const res = await run(...argv);
      assert.equal(res.code, 2, res.out + res.err);
      assert.match(res.err, /^error: /);
    });
  }
});

describe("tessera: failures name what failed", () => {
  it("names the issuer's URL and the cause when it cannot be reached", async () => {
    const port = await freePort();
    const res = await run("bot", "list", "--issuer", `http://127.0.0.1:${port}`, "--admin-token", "t");
    assert.equal(res.code, 1);
    assert.equal(
      res.err,
      `error: cannot reach the issuer at http://127.0.0.1:${port}/v1/admin/bots: connect ECONNREFUSED 127.0.0.1:${port} (ERR_ISSUER_UNREACHABLE)\n`,
    );
    const json = await run("bot", "list", "--issuer", `http://127.0.0.1:${port}`, "--admin-token", "t", "--json");
    assert.equal(JSON.parse(json.out).error.code, "ERR_ISSUER_UNREACHABLE");
  });

  it("takes a token that starts with '-' written as --token=VALUE", async () => {
    const port = await freePort();
    const res = await run(
      "svid",
      "x509",
      `--token=-${"A".repeat(42)}`,
      "--spiffe-id",
      "spiffe://example.org/web",
      "--out",
      "unused",
      "--issuer",
      `http://127.0.0.1:${port}`,
    );
    assert.equal(res.code, 1, res.err);
    assert.match(res.err, new RegExp(`cannot reach the issuer at http://127\\.0\\.0\\.1:${port}/v1/join`));
  });
});
