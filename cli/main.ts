import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { AdminClient, type TargetOptions } from "./admin-client.js";
import { UsageError, helpAsked, type CliIo } from "./output.js";
import { reportCliError, wantsJsonOutput } from "./report-cli-error.js";

/** What a command gets: its parsed options and positionals, the IO, and the chosen output mode. */
export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  io: CliIo;
  json: boolean;
  admin: () => AdminClient;
  target: TargetOptions;
}

/** One `tessera <noun> <verb>` command. */
export interface Command {
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  run(ctx: CommandContext): Promise<void>;
}

export const DEFAULT_ISSUER = "http://127.0.0.1:8640";
export const DEFAULT_DATA_DIR = ".tessera";

const GLOBAL_OPTIONS: NonNullable<ParseArgsConfig["options"]> = {
  issuer: { type: "string" },
  "data-dir": { type: "string" },
  "admin-token": { type: "string" },
  sigv4: { type: "boolean" },
  region: { type: "string" },
  output: { type: "string", short: "o" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

// Each command's module loads when that command runs: `tessera agent` starts serving without
// compiling the admin commands, and `tessera bot list` without the agent.
async function commands(): Promise<Record<string, Command>> {
  const [admin, svid, revoke] = await Promise.all([
    import("./commands/admin-commands.js"),
    import("./commands/svid-commands.js"),
    import("./commands/revoke-commands.js"),
  ]);
  return { ...admin.adminCommands(), ...svid.svidCommands(), ...revoke.revokeCommands() };
}

const GLOBAL_USAGE = [
  "global options: --issuer URL (TESSERA_ISSUER), --data-dir DIR (TESSERA_DATA_DIR), --admin-token T",
  "  (TESSERA_ADMIN_TOKEN), --sigv4 --region R (API Gateway IAM auth), -o/--output text|json, --json",
  "  a value that starts with '-' is written --flag=VALUE",
].join("\n");

async function usage(noun?: string): Promise<string> {
  const [{ DEV_USAGE }, { CONSOLE_USAGE }] = await Promise.all([
    import("./commands/dev-command.js"),
    import("./commands/console-command.js"),
  ]);
  const lines = Object.entries(await commands())
    .filter(([name]) => noun === undefined || name.startsWith(`${noun} `))
    .map(([name, c]) => `  tessera ${name} ${c.usage}`);
  const others =
    noun === undefined
      ? [
          `  tessera dev ${DEV_USAGE}`,
          `  tessera console ${CONSOLE_USAGE}`,
          "  tessera agent [start|validate|api|install] ...   (tessera agent --help)",
        ]
      : [];
  return [
    `usage: tessera ${noun ?? "<command>"} ${noun === undefined ? "[options]" : "<command> [options]"}`,
    "",
    ...others,
    ...lines,
    "",
    GLOBAL_USAGE,
    ...(noun === undefined ? ["", "tessera --version; tessera <command> --help. Exit codes: 0 ok, 1 failure, 2 usage."] : []),
  ].join("\n");
}

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return `tessera ${manifest.version}`;
}

/** Run the CLI; resolves to the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const wantsJson = wantsJsonOutput(argv);
  try {
    if (argv.length === 0) {
      io.err(await usage());
      return 2;
    }
    if (argv[0] === "--version" || argv[0] === "version") {
      io.out(version());
      return 0;
    }
    if (argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
      io.out(await usage());
      return 0;
    }
    if (argv[0] === "dev") return await (await import("./commands/dev-command.js")).runDevCommand(argv.slice(1), io);
    // The agent (gRPC, YAML, its outputs) loads only for `tessera agent ...` (the bundle's bin loads
    // cli/agent-main.ts directly for it).
    if (argv[0] === "agent") return await (await import("./agent-main.js")).runCli(argv, io);
    if (argv[0] === "console" && argv[1] !== "login")
      return await (await import("./commands/console-command.js")).runConsoleCommand(argv.slice(1), io);
    if (argv[0] === "audit" && argv[1] !== "list") argv = ["audit", "list", ...argv.slice(1)];
    const table = await commands();
    const key = [argv[0], argv[1]].join(" ");
    const command = table[key];
    if (command && helpAsked(argv)) {
      io.out(`usage: tessera ${key} ${command.usage}\n\n${GLOBAL_USAGE}`);
      return 0;
    }
    if (!command) {
      const noun = argv[0] as string;
      const isNoun = Object.keys(table).some((name) => name.startsWith(`${noun} `));
      if (isNoun && helpAsked(argv.slice(1, 2))) {
        io.out(await usage(noun));
        return 0;
      }
      if (isNoun && argv.length === 1) throw new UsageError(`tessera: ${noun} needs a command\n\n${await usage(noun)}`);
      throw new UsageError(`tessera: unknown command ${JSON.stringify(argv.slice(0, 2).join(" "))}\n\n${await usage()}`);
    }
    const { values, positionals } = parseArgs({
      args: argv.slice(2),
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    const output = (values.output as string | undefined) ?? (values.json ? "json" : "text");
    if (output !== "text" && output !== "json") throw new UsageError("tessera: --output must be text or json");
    const target: TargetOptions = {
      issuer: (values.issuer as string | undefined) ?? io.env.TESSERA_ISSUER ?? DEFAULT_ISSUER,
      dataDir: (values["data-dir"] as string | undefined) ?? io.env.TESSERA_DATA_DIR ?? DEFAULT_DATA_DIR,
      ...(((values["admin-token"] as string | undefined) ?? io.env.TESSERA_ADMIN_TOKEN)
        ? { adminToken: ((values["admin-token"] as string | undefined) ?? io.env.TESSERA_ADMIN_TOKEN) as string }
        : {}),
      ...(values.sigv4 ? { sigv4: true } : {}),
      ...(values.region ? { region: values.region as string } : {}),
    };
    let admin: AdminClient | undefined;
    await command.run({
      values: values as CommandContext["values"],
      positionals,
      io,
      json: output === "json",
      target,
      admin: () => (admin ??= new AdminClient(target)),
    });
    return 0;
  } catch (err) {
    return reportCliError(err, io, wantsJson);
  }
}
