import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../../test/support/temp-dir.js";
import { runReloadAction } from "./reload.js";

function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { lines, logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}

describe("runReloadAction", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  before(async () => {
    tmp = await makeTempDir("reload");
  });
  after(() => tmp.remove());

  it("runs the output's command with its arguments and waits for it to exit", async () => {
    const marker = join(tmp.path, "ran");
    const { lines, logger } = recordingLogger();
    await runReloadAction({ cmd: "/bin/sh", cmdArgs: ["-c", 'printf "%s" "$0" > "$1"', "reloaded", marker] }, logger);
    assert.equal(await readFile(marker, "utf8"), "reloaded");
    assert.deepEqual(lines, []);
  });

  it("warns with the exit code when the command fails", async () => {
    const { lines, logger } = recordingLogger();
    await runReloadAction({ cmd: "/bin/sh", cmdArgs: ["-c", "exit 3"] }, logger);
    assert.deepEqual(lines, [{ level: "warn", message: "output command failed", fields: { cmd: "/bin/sh", exit_code: 3 } }]);
  });

  it("logs an error, and does not throw, when the command cannot start", async () => {
    const { lines, logger } = recordingLogger();
    await runReloadAction({ cmd: join(tmp.path, "no-such-command"), cmdArgs: [] }, logger);
    assert.deepEqual(
      lines.map((l) => [l.level, l.message]),
      [
        ["error", "output command could not start"],
        ["warn", "output command failed"],
      ],
    );
  });
});
