import { parseWireObject, rotateFunctionEmergencySchema } from "#tessera/contract";
import { type Logger, RequestInvalidError, TesseraError } from "#tessera/core";
import {
  type AdminDeps,
  type AuthorityDepsOver,
  type BundlePublisher,
  emergencyCaRotation,
  type EmergencyRotationInput,
  type RevocationDeps,
  type RotationStep,
  type RotationTickDeps,
  type RotationTickResult,
  runChangeTick,
  runRotationTick,
  type StoreFor,
} from "#tessera/issuer";
import { createLambdaChain, type LambdaContextLike, type Middleware, publishingPartitionOf } from "#tessera/aws";
import type { ROTATE_FUNCTION_STORE } from "./store-parts.js";

/** The store as the rotate function sees it: the parts its use cases declare. */
type RotateStore = StoreFor<typeof ROTATE_FUNCTION_STORE>;

/**
 * What the rotate function needs: the authority parts of a runtime, the bundle's publishers, and the
 * admin parts for emergencies, each store among them seen as `RotateStore`.
 */
export type RotateDeps = Omit<RotationTickDeps, "publishers" | "store" | "authority" | "revocation"> & {
  store: RotateStore;
  authority: AuthorityDepsOver<RotateStore>;
  revocation?: RevocationDeps<RotateStore>;
  publishers: readonly BundlePublisher[];
  admin: AdminDeps<RotateStore>;
};

/** What one tick did. */
export interface RotateResult {
  /** Which authorities this tick had to make (true only on a fresh deployment). */
  created: { x509: boolean; jwt: boolean };
  /** The rotation steps this tick carried out. */
  steps: RotationStep[];
  bundleSequence: number;
  x509Authorities: number;
  /** Each publisher and whether it wrote anything. */
  published: { publisher: string; changed: boolean }[];
  /** Emergency input only: kinds still under way (finished by the next ticks). */
  pending?: string[];
}

/**
 * The rotate function's Lambda handler. The EventBridge event carries nothing it reads; a batch of the
 * table's stream records (`{"Records": [...]}`: the CA journal or a CRL changed, e.g. an emergency
 * rotation or a revocation by the admin function) runs the same tick and fails when anything could not
 * be published, so Lambda delivers the batch again; an operator's invocation with
 * `{"emergency": {"kind": "x509"|"jwt"|"all", "reason": "..."}}` runs an emergency rotation instead
 * (the same one as `tessera ca rotate --emergency`), audited as the rotate function.
 */
export type RotateHandler = (event?: unknown, context?: unknown) => Promise<RotateResult>;

/** Who an emergency asked for through the rotate function's input is audited as. */
const EMERGENCY_ACTOR = "tessera:rotate-function";

function emergencyInputOf(event: unknown): EmergencyRotationInput | undefined {
  const input = (event as { emergency?: unknown } | null | undefined)?.emergency;
  if (input === undefined) return undefined;
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new RequestInvalidError("rotate: emergency must be an object");
  return parseWireObject(rotateFunctionEmergencySchema, input as Record<string, unknown>, "emergency");
}

/** The journal and CRL partitions a stream batch changed; undefined when the event is no stream batch. */
function changedPartitionsOf(event: unknown): string[] | undefined {
  const records = (event as { Records?: unknown } | null | undefined)?.Records;
  if (!Array.isArray(records)) return undefined;
  return [...new Set(records.flatMap((record) => publishingPartitionOf(record) ?? []))];
}

function resultOf(tick: RotationTickResult): RotateResult {
  return {
    created: tick.created,
    steps: tick.steps,
    bundleSequence: tick.bundle.sequence ?? 0,
    x509Authorities: tick.bundle.x509Authorities.length,
    published: tick.published,
  };
}

/** Logs a failed tick with its code, then lets it fail so the invocation counts as an error. */
function logFailures(logger: Pick<Logger, "error">): Middleware<unknown, RotateResult> {
  return {
    onError: (request) => {
      const err = request.error;
      logger.error("rotate: tick failed", { code: err instanceof TesseraError ? err.code : "ERR_INTERNAL", error: err });
    },
  };
}

/**
 * The rotate function: one rotation tick per scheduled invocation (make missing authorities,
 * prepare / activate / drop keys as the planner says, publish the bundle). Idempotent: a tick with
 * nothing due writes nothing.
 */
export function createRotateHandler(deps: RotateDeps): RotateHandler {
  const chain = createLambdaChain([logFailures(deps.logger)], async (event: unknown) => {
    const emergency = emergencyInputOf(event);
    if (emergency) {
      const done = await emergencyCaRotation({ ...deps.admin, rotation: deps }, emergency, EMERGENCY_ACTOR);
      const { bundleSequence, slots } = done.status;
      return {
        created: { x509: false, jwt: false },
        steps: done.steps,
        bundleSequence,
        x509Authorities: slots.filter((s) => s.kind === "x509").length,
        published: done.published,
        pending: done.pending,
      };
    }
    const changed = changedPartitionsOf(event);
    if (!changed) return resultOf(await runRotationTick(deps));
    deps.logger.info("rotate: the store changed; publishing", { partitions: changed });
    return resultOf(await runChangeTick(deps));
  });
  return (event, context) => chain(event, (context ?? {}) as LambdaContextLike);
}
