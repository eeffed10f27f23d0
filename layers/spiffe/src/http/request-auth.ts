import { AdminUnauthorizedError, CredentialInvalidError } from "../errors.js";
import type { HttpEvent } from "./types.js";

/** The bearer token of the Authorization header; `CredentialInvalidError` when absent. */
export function bearerTokenOf(event: HttpEvent): string {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const match = header ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
  if (!match) throw new CredentialInvalidError("http: missing or malformed Authorization: Bearer credential");
  return match[1] as string;
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
