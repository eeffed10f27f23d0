import type { Command } from "../main.js";
import { consoleLoginCodeRoute } from "../dev/console-login-route.js";
import { expectNoPositionals, printResult } from "./admin-arguments.js";
import { auditCommands } from "./audit-commands.js";
import { botCommands } from "./bot-commands.js";
import { caCommands } from "./ca-commands.js";
import { policyCommands } from "./policy-commands.js";
import { tokenCommands } from "./token-commands.js";

/** `tessera bot|token|audit|ca|bundle|policy ...`: the admin commands. */
export function adminCommands(): Record<string, Command> {
  return {
    ...botCommands(),
    ...tokenCommands(),
    ...auditCommands(),
    ...policyCommands(),
    "console login": {
      usage: "",
      options: {},
      run: async (ctx) => {
        expectNoPositionals(ctx);
        const created = await ctx.admin().call(consoleLoginCodeRoute, {});
        const url = `${ctx.target.issuer.replace(/\/+$/, "")}${created.login_path}`;
        printResult(
          ctx,
          { url },
          () => `${url}\n\nOpen it once, within 10 minutes, in the browser that will use the console (tessera dev only).`,
        );
      },
    },
    ...caCommands(),
  };
}
