import type { StreamCall } from "./grpc-server.js";
import {
  admitCall,
  callerFields,
  isCallStatus,
  NO_IDENTITY,
  toServiceError,
  type CallStatus,
  type HandlerContext,
} from "./call-context.js";
import { buildJwtBundlesResponse, buildX509BundlesResponse, buildX509SvidResponse, type ReportProblem } from "./responses.js";
import type { CallerIdentity, WorkloadApiState } from "./types.js";
import { serveWatchStream, type RenderResponse } from "./watch-stream.js";

/** One stream's response for the caller's state, a status to end with, or undefined while there is nothing to send. */
type BuildResponse = (state: WorkloadApiState, report: ReportProblem) => object | CallStatus | undefined;

/**
 * A server-streaming handler that watches the caller's state. A caller with no X.509-SVID gets
 * PermissionDenied on every stream, bundles included (as SPIRE does unless verifiers without an
 * identity are allowed), so an unattested process learns nothing from the socket.
 */
function watchHandler(ctx: HandlerContext, method: string, build: BuildResponse): (call: StreamCall) => void {
  const encode = ctx.encoders[method]!;
  // A source that hands many callers the same state object gets one response encoded for all of them.
  const rendered = new WeakMap<WorkloadApiState, ReturnType<RenderResponse>>();
  return (call) => {
    const caller = admitCall(call, ctx);
    if (isCallStatus(caller)) {
      call.emit("error", toServiceError(caller));
      return;
    }
    const fields = callerFields(caller, call);
    const report: ReportProblem = (message, problem) => ctx.logger.warn(message, { ...fields, ...problem });
    serveWatchStream(call, ctx, renderFor(ctx, caller, build, encode, report, rendered), fields);
  };
}

function renderFor(
  ctx: HandlerContext,
  caller: CallerIdentity,
  build: BuildResponse,
  encode: (message: object) => Buffer,
  report: ReportProblem,
  rendered: WeakMap<WorkloadApiState, ReturnType<RenderResponse>>,
): RenderResponse {
  return () => {
    const state = ctx.source.stateFor(caller);
    if (state === undefined) return undefined;
    if (state.x509Svids.length === 0) return NO_IDENTITY;
    if (rendered.has(state)) return rendered.get(state);
    const message = build(state, report);
    const response = message === undefined || isCallStatus(message) ? message : encode(message);
    rendered.set(state, response);
    return response;
  };
}

/** FetchX509SVID, FetchX509Bundles and FetchJWTBundles: the Workload API's streams. */
export function createWatchHandlers(ctx: HandlerContext): Record<string, (call: StreamCall) => void> {
  return {
    FetchX509SVID: watchHandler(ctx, "FetchX509SVID", (state, report) => {
      const message = buildX509SvidResponse(state, report);
      return message.svids.length === 0 ? NO_IDENTITY : message;
    }),
    // A bundle response must hold at least the agent's own trust domain: until it can, say nothing.
    FetchX509Bundles: watchHandler(ctx, "FetchX509Bundles", (state, report) => {
      const message = buildX509BundlesResponse(state, report);
      return Object.keys(message.bundles).length === 0 ? undefined : message;
    }),
    FetchJWTBundles: watchHandler(ctx, "FetchJWTBundles", (state, report) => {
      const message = buildJwtBundlesResponse(state, report);
      return Object.keys(message.bundles).length === 0 ? undefined : message;
    }),
  };
}
