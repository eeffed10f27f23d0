/**
 * Tessera's API contract (`#tessera/contract`): the HTTP side of the issuer API (routes, responses,
 * the status table, the middy handler) and the client the agent, the CLI and workloads call it with.
 */
export {
  fetchJwtSvidWithProof,
  fetchX509SvidWithProof,
  type IssuedJwtSvid,
  IssuerApiError,
  issuerApiErrorOf,
  type PlatformProof,
  type SvidWithProofOptions,
  type X509SvidWithKey,
} from "./src/client/index.js";
export { DEAD_CREDENTIAL_CODES } from "./src/credential/dead-credential-codes.js";
export { assertJoinTokenShape } from "./src/credential/join-token.js";
export {
  ACTIVE_X509_AUTHORITY_HEADER,
  adminActorOf,
  bearerTokenOf,
  binaryResponse,
  createHttpHandler,
  HTTP_STATUS_BY_CODE,
  httpErrorHandler,
  type HttpEvent,
  type HttpHandler,
  type HttpResult,
  joinRequestOf,
  jsonBody,
  jsonResponse,
  optionalBearerTokenOf,
  RETRY_AFTER_SECONDS_BY_CODE,
  type Route,
  statusForCode,
  textResponse,
} from "./src/http/index.js";
