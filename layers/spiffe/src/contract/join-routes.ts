import * as v from "valibot";
import { defineRoute } from "./route-descriptor.js";

// These bodies are checked by their use cases (every refusal is audited): the schemas describe the
// wire for the client and the OpenAPI check, required where the use case refuses a body without.
const joinFields = { join_method: v.string(), token: v.string(), document: v.optional(v.string()) };

/** The platform proof of an SVID request without an agent (the body's `join`): `POST /v1/join`'s fields, the bot named. */
export const joinProofSchema = v.object({ ...joinFields, bot_name: v.string() });

/** A bot credential as the issuer grants it. */
export const credentialGrantSchema = v.object({
  credential: v.string(),
  bot_name: v.string(),
  instance_id: v.string(),
  generation: v.number(),
  expires_at: v.string(),
});

/** `POST /v1/join/challenge`: a single-use challenge to sign into an `aws_iam` proof. */
export const joinChallengeRoute = defineRoute({
  method: "POST",
  path: "/v1/join/challenge",
  auth: "none",
  status: 200,
  maxBodyBytes: 1024,
  request: {},
  response: v.object({ challenge: v.string(), expires_at: v.string() }),
});

/** `POST /v1/join`: a join proof (a one-time token or a platform's) for a bot credential. */
export const joinRoute = defineRoute({
  method: "POST",
  path: "/v1/join",
  auth: "none",
  status: 200,
  maxBodyBytes: 64 * 1024,
  request: { body: v.object({ ...joinFields, bot_name: v.optional(v.string()), ttl: v.optional(v.number()) }), bodyCheckedByUseCase: true },
  response: credentialGrantSchema,
});

/** `POST /v1/renew`: a token-joined bot's next credential; the presented one stops working. */
export const renewRoute = defineRoute({
  method: "POST",
  path: "/v1/renew",
  auth: "bot_credential",
  status: 200,
  maxBodyBytes: 1024,
  request: { body: v.object({ ttl: v.optional(v.number()) }), bodyCheckedByUseCase: true },
  response: credentialGrantSchema,
});

/** The join function's routes. */
export const JOIN_ROUTES = [joinChallengeRoute, joinRoute, renewRoute] as const;
