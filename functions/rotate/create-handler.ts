import middy, { type MiddlewareObj } from "@middy/core";
import {
  TesseraError,
  runRotationTick,
  type BundlePublisher,
  type Logger,
  type RotationStep,
  type RotationTickDeps,
} from "../../layers/spiffe/src/index.js";

/** What the rotate function needs: the authority parts of a runtime and the bundle's publishers. */
export type RotateDeps = Omit<RotationTickDeps, "publishers"> & { publishers: readonly BundlePublisher[] };

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
}

/** The scheduled Lambda handler; the EventBridge event itself carries nothing it reads. */
export type RotateHandler = (event?: unknown, context?: unknown) => Promise<RotateResult>;

/** Logs a failed tick with its code, then lets it fail so the invocation counts as an error. */
function logFailures(logger: Pick<Logger, "error">): MiddlewareObj {
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
  const chain = middy<unknown, RotateResult>()
    .use(logFailures(deps.logger))
    .handler(async () => {
      const tick = await runRotationTick(deps);
      return {
        created: tick.created,
        steps: tick.steps,
        bundleSequence: tick.bundle.sequence ?? 0,
        x509Authorities: tick.bundle.x509Authorities.length,
        published: tick.published,
      };
    });
  return (event, context) => chain(event, (context ?? {}) as never);
}
