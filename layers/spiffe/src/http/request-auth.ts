import { AdminUnauthorizedError, CredentialInvalidError } from "../errors.js";
import type { JoinBotRequest } from "../issuer/join-bot.js";
import type { HttpEvent } from "./types.js";

function authorizationOf(event: HttpEvent): string | undefined {
  return event.headers?.authorization ?? event.headers?.Authorization;
}

/** The bearer token of the Authorization header; `CredentialInvalidError` when absent. */
export function bearerTokenOf(event: HttpEvent): string {
  const header = authorizationOf(event);
  const match = header ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
  if (!match) throw new CredentialInvalidError("http: missing or malformed Authorization: Bearer credential");
  return match[1] as string;
}

/** The bearer token when the request has an Authorization header (`CredentialInvalidError` if malformed), else `undefined`. */
export function optionalBearerTokenOf(event: HttpEvent): string | undefined {
  return authorizationOf(event) === undefined ? undefined : bearerTokenOf(event);
}

/** The join fields of `POST /v1/join`'s body, or of the `join` object of an SVID request without an agent. */
export function joinRequestOf(fields: unknown): JoinBotRequest {
  const body = typeof fields === "object" && fields !== null && !Array.isArray(fields) ? (fields as Record<string, unknown>) : {};
  return { joinMethod: body.join_method, botName: body.bot_name, token: body.token, document: body.document };
}

/**
 * The admin principal: API Gateway's IAM authoriser puts the caller's ARN in the request context
 * (the local front does the same after checking its admin token). No principal, no admin call.
 */
export function adminActorOf(event: HttpEvent): string {
  const arn = event.requestContext?.authorizer?.iam?.userArn;
  if (!arn) throw new AdminUnauthorizedError("http: admin routes need IAM (SigV4) authorisation");
  return arn;
}
