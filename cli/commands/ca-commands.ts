import { caStatusRoute, type CaStatusView, type ResponseOf, rotateCaRoute, trustAnchorRoute } from "#tessera/contract";
import type { Command, CommandContext } from "../main.js";
import { UsageError, formatTable } from "../output.js";
import { expectNoPositionals, printResult } from "./admin-arguments.js";
import { formatTrustAnchor, type TrustAnchorResult } from "./format-trust-anchor.js";

/** The trust anchor's state; an issuer that cannot answer it (an older one, say) does not fail `ca status`. */
function readTrustAnchor(ctx: CommandContext): Promise<TrustAnchorResult> {
  return ctx
    .admin()
    .call(trustAnchorRoute, {})
    .catch((err: unknown) => ({ unreadable: err instanceof Error ? err.message : String(err) }));
}

function formatWarnings(schedule: CaStatusView["schedule"]): string {
  const warnings = schedule.flatMap((p) => (p.warning === undefined ? [] : [`  WARNING ${p.kind}: ${p.warning}`]));
  return warnings.length === 0 ? "" : `\n\nwarnings:\n${warnings.join("\n")}`;
}

function formatCaStatus(status: CaStatusView): string {
  const next = status.schedule.map((p) => {
    const { next: step, emergency } = p;
    const requested = emergency
      ? ` (EMERGENCY rotation under way since ${emergency.requestedAt}: ${emergency.reason})`
      : p.rotationRequestedAt
        ? ` (rotation requested ${p.rotationRequestedAt})`
        : "";
    return step
      ? `${p.kind}: ${step.step} slot ${step.slot} ${step.due ? "now" : `at ${step.at}`}${requested}`
      : `${p.kind}: nothing planned`;
  });
  const jwtOff =
    status.jwtSvids === false ? "JWT-SVIDs: off (TESSERA_JWT_SVIDS=false): no JWT key is made; one left from before is dropped\n" : "";
  return `trust domain: ${status.trustDomain}\n${jwtOff}bundle sequence: ${status.bundleSequence}\n\n${formatTable(
    ["KIND", "SLOT", "STATUS", "KEY", "GEN", "NOT BEFORE", "NOT AFTER"],
    status.slots.map((s) => [s.kind, s.slot, s.status, s.keyId, String(s.keyGeneration), s.notBefore, s.notAfter]),
  )}\n\nnext:\n${next.map((l) => `  ${l}`).join("\n")}${formatWarnings(status.schedule)}`;
}

function formatEmergency(done: ResponseOf<typeof rotateCaRoute>): string {
  const outcomes = Object.entries(done.outcomes ?? {}).map(([kind, outcome]) => `${kind}: ${outcome}`);
  const steps = (done.steps ?? []).map((s) => `${s.type} ${s.kind} slot ${s.slot}`);
  const pending = done.pending ?? [];
  const state = pending.length
    ? `still under way for ${pending.join(", ")}: the next rotation ticks finish it (see tessera ca status)`
    : "done: the compromised keys are out of the published bundle; agents renew from the new CA at their next bundle refresh";
  const scheduled = (done.scheduled as string[] | undefined) ?? [];
  const publishing = scheduled.length ? `\npublishing: the rotate function updates ${scheduled.join(", ")} within seconds` : "";
  return `emergency rotation ${state}\nrequests: ${outcomes.join(", ")}\nsteps: ${steps.join(", ") || "none"}${publishing}\n\n${formatCaStatus(done)}`;
}

/** `tessera ca status|rotate` and `tessera bundle show`: the CA, its rotation and the trust bundle it publishes. */
export function caCommands(): Record<string, Command> {
  return {
    "ca status": {
      usage: "",
      options: {},
      run: async (ctx) => {
        expectNoPositionals(ctx);
        const [status, trustAnchor] = await Promise.all([ctx.admin().call(caStatusRoute, {}), readTrustAnchor(ctx)]);
        printResult(ctx, { ...status, trustAnchor }, () => `${formatCaStatus(status)}\n\n${formatTrustAnchor(trustAnchor)}`);
      },
    },
    "ca rotate": {
      usage: "[--emergency [--kind x509|jwt|all] [--reason TEXT]]",
      options: { emergency: { type: "boolean" }, kind: { type: "string" }, reason: { type: "string" } },
      run: async (ctx) => {
        expectNoPositionals(ctx);
        const { emergency, kind, reason } = ctx.values;
        if (!emergency && (kind !== undefined || reason !== undefined))
          throw new UsageError("tessera: --kind and --reason go with --emergency");
        if (kind !== undefined && kind !== "x509" && kind !== "jwt" && kind !== "all")
          throw new UsageError("tessera: --kind must be x509, jwt or all");
        if (!emergency) {
          const status = await ctx.admin().call(rotateCaRoute, { body: {} });
          printResult(
            ctx,
            status,
            () =>
              `rotation requested: a new CA and JWT key are prepared on the next tick and activated once published\n\n${formatCaStatus(status)}`,
          );
          return;
        }
        const body = {
          emergency: true,
          ...(kind !== undefined ? { kind } : {}),
          ...(reason !== undefined ? { reason: reason as string } : {}),
        };
        const done = await ctx.admin().call(rotateCaRoute, { body });
        printResult(ctx, done, () => formatEmergency(done));
      },
    },
    "bundle show": {
      usage: "[--format spiffe|pem]",
      options: { format: { type: "string" } },
      run: async (ctx) => {
        expectNoPositionals(ctx);
        const format = (ctx.values.format as string | undefined) ?? "spiffe";
        if (format !== "spiffe" && format !== "pem") throw new UsageError("tessera: --format must be spiffe or pem");
        const text = await ctx.admin().issuer.fetchBundle(format === "pem" ? "pem" : undefined);
        ctx.io.out(ctx.json && format === "spiffe" ? JSON.stringify(JSON.parse(text), null, 2) : text.trimEnd());
      },
    },
  };
}
