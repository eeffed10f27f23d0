/**
 * The agent's side of Tessera's HTTP API: the library's one typed client (`client/`), whose
 * request and response types come from the API contract's schemas.
 */
export {
  IssuerApiError,
  IssuerClient,
  isPermanentRefusal,
  type CredentialResponse,
  type IssuerClientOptions,
  type JwtSvidResponse,
  type RevocationsResponse,
  type X509SvidResponse,
} from "../layers/spiffe/src/client/index.js";
export { IssuerUnreachableError } from "../layers/spiffe/src/errors.js";
