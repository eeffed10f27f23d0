import { readFile } from "node:fs/promises";
import type { Logger } from "#tessera/core";
import type { ReloadAction } from "../config/index.js";

/** After files were written: run `cmd cmd_args` (waiting for it), or signal the process in `pid_file_name`. */
export async function runReloadAction(action: ReloadAction, logger: Logger): Promise<void> {
  if (action.cmd) {
    // node:child_process (and dgram under it) loads only for an output that has a command to run.
    const { spawn } = await import("node:child_process");
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(action.cmd as string, action.cmdArgs, { stdio: "ignore" });
      child.once("error", (err) => {
        logger.error("output command could not start", { cmd: action.cmd, error: err });
        resolve(null);
      });
      child.once("exit", (exitCode) => resolve(exitCode));
    });
    if (code !== 0) logger.warn("output command failed", { cmd: action.cmd, exit_code: code });
  }
  if (action.renewSignal && action.pidFileName) {
    try {
      const pid = Number((await readFile(action.pidFileName, "utf8")).trim());
      if (!Number.isSafeInteger(pid) || pid <= 1) throw new Error(`no pid in ${action.pidFileName}`);
      process.kill(pid, action.renewSignal);
    } catch (err) {
      logger.warn("could not signal the workload", { pid_file: action.pidFileName, signal: action.renewSignal, error: err });
    }
  }
}
