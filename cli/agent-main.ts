// `tessera agent ...` on its own. cli/main.ts runs the agent through here, and the bundle builds this
// file as a second entry point (build/cli/agent.mjs, scripts/build-cli.mjs) that bin/tessera.mjs
// loads for `tessera agent`: the agent's code then loads as six modules instead of the 27
// chunks it would share with the other commands, and resolving those imports at start woke V8's
// optimizing compiler, which cost the idle agent about 5 MiB of resident memory.
import { runAgentCommand } from "./commands/agent-commands.js";
import { UsageError, type CliIo } from "./output.js";
import { reportCliError, wantsJsonOutput } from "./report-cli-error.js";

/** Run `tessera agent ...` (`argv` starts with `agent`); resolves to the exit code, as cli/main.ts's `runCli`. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    if (argv[0] !== "agent")
      throw new UsageError(`tessera: this entry point runs only \`tessera agent\`, not ${JSON.stringify(argv[0] ?? "")}`);
    return await runAgentCommand(argv.slice(1), io);
  } catch (err) {
    return reportCliError(err, io, wantsJsonOutput(argv));
  }
}
