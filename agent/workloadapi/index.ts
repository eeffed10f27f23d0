/**
 * workloadapi: the agent's SPIFFE Workload API server, gRPC over a Unix socket, as the SPIFFE
 * Workload API and Workload Endpoint standards define it (`workload.proto` beside this file).
 * `startWorkloadApiServer` attests every connection once, at accept time, with an injected attestor
 * and serves each caller only what its `WorkloadApiSource` view holds; the three streams resend the
 * full response on every change that alters it. `loadWorkloadApiPackage` gives clients the same
 * service definition.
 */
export type { CallerIdentity, JwtSvidView, WorkloadApiSource, WorkloadApiState, X509SvidView } from "./types.js";
export {
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
  startWorkloadApiServer,
  type StartWorkloadApiServerOptions,
  type WorkloadApiServer,
} from "./start-workload-api-server.js";
export { loadWorkloadApiPackage, WORKLOAD_API_PROTO_PATH, WORKLOAD_API_SERVICE } from "./workload-api-definition.js";
