import { JwtSvidsDisabledError, SpiffeId, validateAudience } from "#tessera/core";
import {
  admitCall,
  callerFields,
  isCallStatus,
  NO_IDENTITY,
  NOT_READY,
  toServiceError,
  type CallStatus,
  type HandlerContext,
} from "./call-context.js";
import { claimsToStruct } from "./claims-struct.js";
import type { GrpcMethod, IncomingCall } from "./grpc-server.js";
import { GrpcStatus as status } from "./grpc-status.js";
import type { JwtSvidRequestMessage, ValidateJwtSvidRequestMessage } from "./messages.js";
import { buildJwtSvids } from "./responses.js";
import type { CallerIdentity, JwtSvidView } from "./types.js";

type UnaryCall = IncomingCall;
type UnaryHandler = Extract<GrpcMethod, { kind: "unary" }>["handler"];

function invalidArgument(details: string): CallStatus {
  return { code: status.INVALID_ARGUMENT, details };
}

/** The issuer's audience rule, so a request it would refuse is refused here, as InvalidArgument. */
function checkAudience(audience: string[]): CallStatus | undefined {
  if (audience.length === 0) return invalidArgument("audience must be specified");
  try {
    validateAudience(audience);
  } catch (err) {
    return invalidArgument((err as Error).message);
  }
  return undefined;
}

function checkJwtSvidRequest(request: JwtSvidRequestMessage): CallStatus | undefined {
  if (request.spiffe_id !== "" && !SpiffeId.isValid(request.spiffe_id)) return invalidArgument("invalid requested SPIFFE ID");
  return checkAudience(request.audience);
}

/** Answers a unary call from an async body that yields the encoded response or a status. */
function unary(ctx: HandlerContext, body: (call: UnaryCall, caller: CallerIdentity) => Promise<Buffer | CallStatus>): UnaryHandler {
  return (call, callback) => {
    const caller = admitCall(call, ctx);
    if (isCallStatus(caller)) {
      callback(toServiceError(caller));
      return;
    }
    body(call, caller).then(
      (result) => (Buffer.isBuffer(result) ? callback(null, result) : callback(toServiceError(result))),
      (err: unknown) => {
        ctx.logger.error("workloadapi: call failed", { ...callerFields(caller, call), error: String(err) });
        callback(toServiceError({ code: status.INTERNAL, details: "internal error" }));
      },
    );
  };
}

async function fetchJwtSvid(ctx: HandlerContext, call: UnaryCall, caller: CallerIdentity): Promise<Buffer | CallStatus> {
  const request = call.request as JwtSvidRequestMessage;
  const invalid = checkJwtSvidRequest(request);
  if (invalid) return invalid;
  if (ctx.source.stateFor(caller) === undefined) return NOT_READY;
  const wanted = request.spiffe_id === "" ? undefined : request.spiffe_id;
  // Only validated values reach the logs: at most 10 audiences of 512 printable characters.
  const fields = { ...callerFields(caller, call), audience: request.audience, ...(wanted === undefined ? {} : { spiffe_id: wanted }) };
  let svids: JwtSvidView[];
  try {
    svids = await ctx.source.fetchJwtSvids(caller, request.audience, wanted);
  } catch (err) {
    if ((err as { code?: unknown }).code === JwtSvidsDisabledError.code) {
      ctx.logger.warn("workloadapi: JWT-SVIDs are turned off at the issuer", fields);
      return { code: status.UNIMPLEMENTED, details: "JWT-SVIDs are turned off at the issuer (ERR_JWT_SVIDS_DISABLED)" };
    }
    ctx.logger.error("workloadapi: could not fetch JWT-SVID", { ...fields, error: String(err) });
    return { code: status.UNAVAILABLE, details: "could not fetch JWT-SVID" };
  }
  if (wanted !== undefined) svids = svids.filter((s) => s.spiffeId === wanted);
  if (svids.length === 0) {
    ctx.logger.warn("workloadapi: no identity issued", fields);
    return NO_IDENTITY;
  }
  const report = (message: string, problem: Record<string, unknown>) => ctx.logger.warn(message, { ...fields, ...problem });
  return ctx.encoders.FetchJWTSVID!({ svids: buildJwtSvids(svids, report) });
}

function reasonOf(err: unknown): string {
  return err instanceof Error && err.message !== "" ? err.message : "JWT-SVID is invalid";
}

async function validateJwtSvid(ctx: HandlerContext, call: UnaryCall, caller: CallerIdentity): Promise<Buffer | CallStatus> {
  const request = call.request as ValidateJwtSvidRequestMessage;
  if (request.audience === "") return invalidArgument("audience must be specified");
  const badAudience = checkAudience([request.audience]);
  if (badAudience) return badAudience;
  if (request.svid === "") return invalidArgument("svid must be specified");
  if (ctx.source.stateFor(caller) === undefined) return NOT_READY;
  let validated: { spiffeId: string; claims: Record<string, unknown> };
  try {
    validated = await ctx.source.validateJwtSvid(request.svid, request.audience);
  } catch (err) {
    // The token itself is never logged; the reason and audience are enough to debug.
    ctx.logger.warn("workloadapi: JWT-SVID rejected", { ...callerFields(caller, call), audience: request.audience, reason: reasonOf(err) });
    return invalidArgument(reasonOf(err));
  }
  let claims;
  try {
    claims = claimsToStruct(validated.claims);
  } catch (err) {
    return invalidArgument(reasonOf(err));
  }
  return ctx.encoders.ValidateJWTSVID!({ spiffe_id: validated.spiffeId, claims });
}

/** FetchJWTSVID and ValidateJWTSVID: the Workload API's unary calls. */
export function createJwtHandlers(ctx: HandlerContext): Record<string, UnaryHandler> {
  return {
    FetchJWTSVID: unary(ctx, (call, caller) => fetchJwtSvid(ctx, call, caller)),
    ValidateJWTSVID: unary(ctx, (call, caller) => validateJwtSvid(ctx, call, caller)),
  };
}
