// The README's walkthrough writes files into the checkout (an SVID directory, the agent's config,
// state and outputs). Whatever it writes must be ignored, so `git status` stays clean after it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { makeTempDir } from "../support/temp-dir.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The relative paths the README's shell blocks write to: `--out`, the agent's directories, `cat >`. */
function walkthroughOutputs(readme: string): string[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string).join("\n");
  const paths = [
    ...blocks.matchAll(/--out\s+(\S+)/g),
    ...blocks.matchAll(/^\s*(?:storage:\s*\{\s*)?directory:\s*([^\s}]+)/gm),
    ...blocks.matchAll(/destination:\s*(\S+)/g),
    ...blocks.matchAll(/cat\s+>\s*(\S+)/g),
  ].map((m) => m[1] as string);
  return [...new Set(paths)].filter((p) => !p.startsWith("/"));
}

function git(cwd: string, ...args: string[]): string {
  const run = spawnSync("git", args, { cwd, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

describe("README walkthrough", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  before(async () => {
    tmp = await makeTempDir("readme");
  });
  after(async () => {
    await tmp?.remove();
  });

  it("finds what the walkthrough writes", () => {
    const outputs = walkthroughOutputs(readFileSync(join(ROOT, "README.md"), "utf8"));
    for (const expected of ["./svid", "./agent-state", "./svid-files", "agent.yaml"])
      assert.ok(outputs.includes(expected), `${expected} in ${outputs.join(" ")}`);
  });

  it("leaves `git status` clean under the checkout's .gitignore", async () => {
    const repo = join(tmp.path, "checkout");
    await mkdir(repo);
    git(repo, "init", "-q");
    await copyFile(join(ROOT, ".gitignore"), join(repo, ".gitignore"));
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".gitignore");
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "ignore");
    const outputs = walkthroughOutputs(readFileSync(join(ROOT, "README.md"), "utf8"));
    for (const path of outputs) {
      const file = /\.[a-z]+$/.test(path) ? join(repo, path) : join(repo, path, "svid.pem");
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, "x");
    }
    assert.equal(git(repo, "status", "--porcelain", "--untracked-files=all"), "");
  });
});
