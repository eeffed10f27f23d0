import type { StreamCall } from "./grpc-server.js";
import { GrpcStatus as status } from "./grpc-status.js";
import { NOT_READY, SHUTTING_DOWN, toServiceError, type CallStatus, type HandlerContext } from "./call-context.js";

/**
 * What a stream would send now: the encoded response, a status that ends the stream, or undefined
 * while the source has no state (the stream then waits silently; at the start it answers Unavailable).
 */
export type RenderResponse = () => Buffer | CallStatus | undefined;

/**
 * Serve one Workload API stream: send the full response now and again after every change the
 * source announces, but only when this caller's response differs from the one it last got. Changes
 * are coalesced (one render per turn of the event loop) and a slow reader gets only the newest
 * response once it drains. Ends with the status `render` answers; unsubscribes when the stream
 * ends or the client cancels.
 */
export function serveWatchStream(call: StreamCall, ctx: HandlerContext, render: RenderResponse, logFields: Record<string, unknown>): void {
  let last: Buffer | undefined;
  let scheduled = false;
  let blocked = false;
  let done = false;
  let unsubscribe: () => void = () => undefined;
  let release: () => void = () => undefined;

  const finish = (): void => {
    if (done) return;
    done = true;
    unsubscribe();
    release();
  };
  const fail = (callStatus: CallStatus): void => {
    finish();
    if (callStatus.code === status.PERMISSION_DENIED) ctx.logger.warn("workloadapi: stream ended: no identity issued", logFields);
    call.emit("error", toServiceError(callStatus));
  };
  const push = (): void => {
    scheduled = false;
    if (done || blocked) return;
    let response: ReturnType<RenderResponse>;
    try {
      response = render();
    } catch (err) {
      ctx.logger.error("workloadapi: could not build a response", { ...logFields, error: String(err) });
      fail({ code: status.UNAVAILABLE, details: "could not build the response" });
      return;
    }
    if (response === undefined) {
      if (last === undefined) fail(NOT_READY);
      return;
    }
    if (!Buffer.isBuffer(response)) {
      fail(response);
      return;
    }
    if (last !== undefined && last.equals(response)) return;
    last = response;
    if (!call.write(response)) blocked = true;
  };
  const schedule = (): void => {
    if (scheduled || done) return;
    scheduled = true;
    setImmediate(push);
  };

  call.on("drain", () => {
    blocked = false;
    schedule();
  });
  call.on("close", finish);
  release = ctx.trackStream(() => fail(SHUTTING_DOWN));
  unsubscribe = ctx.source.subscribe(schedule);
  if (call.cancelled || call.destroyed) {
    finish();
    return;
  }
  push();
}
