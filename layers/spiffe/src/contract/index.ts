/**
 * contract: Tessera's HTTP API as data. One descriptor per route (method, path, auth, success
 * status, body cap, request and response schemas in valibot) read by the Lambda router, `tessera
 * dev`, the CDK app, the typed issuer client and the OpenAPI check, so none of them can drift.
 */
export {
  ADMIN_ROUTES,
  caStatusRoute,
  createBotRoute,
  createJoinTokenRoute,
  deleteBotRoute,
  listAuditRoute,
  listBotInstancesRoute,
  listBotsRoute,
  listJoinTokensRoute,
  listRevocationsRoute,
  policyTestRoute,
  revokeRoute,
  rotateCaRoute,
  rotateFunctionEmergencySchema,
  setLockRoute,
  showBotRoute,
} from "./admin-routes.js";
export { issuanceStatsRoute, lastSvidsRoute, trustAnchorRoute } from "./admin-console-routes.js";
export { auditEventSchema, botInstanceSchema, botSchema, caStatusSchema, joinTokenSchema, revocationSchema } from "./admin-views.js";
export type { AuditEventView, BotInstanceView, BotView, CaStatusView, JoinTokenView, LockView, RevocationView } from "./admin-views.js";
export { API_ROUTES, compileRoutes, type CompiledRoutes, type RouteMatch } from "./compile-routes.js";
export {
  ISSUE_ROUTES,
  bundleRoute,
  crlRoute,
  jwtSvidRoute,
  oidcDiscoveryRoute,
  oidcJwksRoute,
  revocationsRoute,
  trustStateRoute,
  x509SvidBatchRoute,
  x509SvidRoute,
} from "./issue-routes.js";
export { JOIN_ROUTES, credentialGrantSchema, joinChallengeRoute, joinProofSchema, joinRoute, renewRoute } from "./join-routes.js";
export { parseRequest, parseWireObject, type RawRequest } from "./parse-request.js";
export {
  defineRoute,
  routeKeyOf,
  type CallOf,
  type RawResponse,
  type RequestOf,
  type ResponseOf,
  type RouteAuth,
  type RouteDescriptor,
  type WireAnswerSchema,
  type WireObjectSchema,
} from "./route-descriptor.js";
