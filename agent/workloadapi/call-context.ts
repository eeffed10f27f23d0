import type { Logger } from "#tessera/core";
import type { CallMetadata, CallStatus, IncomingCall } from "./grpc-server.js";
import { GrpcStatus as status } from "./grpc-status.js";
import type { CallerIdentity, WorkloadApiSource } from "./types.js";
import { MALFORMED_REQUEST, type MessageEncoder } from "./workload-api-codec.js";

export type { CallStatus, IncomingCall } from "./grpc-server.js";

/** What every handler needs from the server. */
export interface HandlerContext {
  source: WorkloadApiSource;
  /** Never given a key or a token. */
  logger: Pick<Logger, "info" | "warn" | "error">;
  encoders: Record<string, MessageEncoder>;
  /** The identity attested for the connection a call arrived on, by `call.getPeer()`. */
  callerOf(peer: string): CallerIdentity | undefined;
  /**
   * Registers an open stream, so the server can count it and, when it shuts down, end it with
   * `end` (Unavailable, so clients reconnect). Returns the function that unregisters it.
   */
  trackStream(end: () => void): () => void;
}

/** The metadata key and value every Workload API request must carry (SSRF hardening). */
const SECURITY_HEADER = "workload.spiffe.io";
const SECURITY_HEADER_VALUE = "true";

export const NO_IDENTITY: CallStatus = { code: status.PERMISSION_DENIED, details: "no identity issued" };
export const NOT_READY: CallStatus = { code: status.UNAVAILABLE, details: "workload API is not ready: no SVIDs or bundle yet" };
export const SHUTTING_DOWN: CallStatus = { code: status.UNAVAILABLE, details: "workload API server is shutting down" };

/** The status a call ends with, as the server takes it in callbacks and stream errors. */
export function toServiceError(callStatus: CallStatus): CallStatus {
  return { code: callStatus.code, details: callStatus.details };
}

/** The gRPC method name of a call, for logs. */
export function methodOf(call: IncomingCall): string {
  return call.getPath().split("/").pop() ?? "";
}

/** The standard's mandatory header: exactly one `workload.spiffe.io` value, `true` (case sensitive). */
function hasSecurityHeader(metadata: CallMetadata): boolean {
  const values = metadata.get(SECURITY_HEADER);
  return values.length === 1 && values[0] === SECURITY_HEADER_VALUE;
}

/**
 * The checks every Workload API call passes first: the security header, a request that decoded,
 * and a caller attested on this connection. Answers the caller, or the status to end the call with.
 */
export function admitCall(call: IncomingCall, ctx: HandlerContext): CallerIdentity | CallStatus {
  if (!hasSecurityHeader(call.metadata)) {
    return { code: status.INVALID_ARGUMENT, details: "security header missing from request" };
  }
  if (call.request === MALFORMED_REQUEST) return { code: status.INVALID_ARGUMENT, details: "request is not a valid message" };
  const caller = ctx.callerOf(call.getPeer());
  if (!caller) return { code: status.UNAVAILABLE, details: "connection is closing" };
  return caller;
}

/** True when `admitCall` (or another check) answered a status rather than a caller. */
export function isCallStatus(value: unknown): value is CallStatus {
  return typeof value === "object" && value !== null && "code" in value && "details" in value;
}

/** Fields that identify a caller in logs. */
export function callerFields(caller: CallerIdentity, call: IncomingCall): Record<string, unknown> {
  return { method: methodOf(call), pid: caller.pid, uid: caller.uid, gid: caller.gid };
}
