import { caStatusRoute, rotateCaRoute } from "#tessera/contract";
import type { Command } from "../main.js";
import { UsageError, formatTable } from "../output.js";
import { expectNoPositionals, printResult, type Json } from "./admin-arguments.js";

function formatWarnings(schedule: Json[]): string {
  const warnings = schedule.flatMap((p) => (typeof p.warning === "string" ? [`  WARNING ${p.kind as string}: ${p.warning}`] : []));
  return warnings.length === 0 ? "" : `\n\nwarnings:\n${warnings.join("\n")}`;
}

function formatCaStatus(status: Json): string {
  const slots = status.slots as Json[];
  const schedule = (status.schedule as Json[] | undefined) ?? [];
  const next = schedule.map((p) => {
    const step = p.next as Json | undefined;
    const emergency = p.emergency as Json | undefined;
    const requested = emergency
      ? ` (EMERGENCY rotation under way since ${emergency.requestedAt as string}: ${emergency.reason as string})`
      : p.rotationRequestedAt
        ? ` (rotation requested ${p.rotationRequestedAt as string})`
        : "";
    return step
      ? `${p.kind as string}: ${step.step as string} slot ${step.slot as string} ${step.due ? "now" : `at ${step.at as string}`}${requested}`
      : `${p.kind as string}: nothing planned`;
  });
  return `trust domain: ${status.trustDomain as string}\nbundle sequence: ${status.bundleSequence as number}\n\n${formatTable(
    ["KIND", "SLOT", "STATUS", "KEY", "GEN", "NOT BEFORE", "NOT AFTER"],
    slots.map((s) => [
      s.kind as string,
      s.slot as string,
      s.status as string,
      s.keyId as string,
      String(s.keyGeneration),
      s.notBefore as string,
      s.notAfter as string,
    ]),
  )}\n\nnext:\n${next.map((l) => `  ${l}`).join("\n")}${formatWarnings(schedule)}`;
}

function formatEmergency(done: Json): string {
  const outcomes = Object.entries((done.outcomes as Json | undefined) ?? {}).map(([kind, outcome]) => `${kind}: ${outcome as string}`);
  const steps = ((done.steps as Json[] | undefined) ?? []).map((s) => `${s.type as string} ${s.kind as string} slot ${s.slot as string}`);
  const pending = (done.pending as string[] | undefined) ?? [];
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
        const status = await ctx.admin().call(caStatusRoute, {});
        printResult(ctx, status, () => formatCaStatus(status));
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
