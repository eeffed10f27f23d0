/**
 * agent/config: the agent's YAML configuration (`version: v1`, snake_case keys, unknown keys are an
 * error), in tbot's shape: issuer, trust domain, onboarding, storage, then services of type
 * `workload-identity-api`, `workload-identity-x509`, `workload-identity-jwt` and
 * `workload-identity-aws-roles-anywhere`.
 */
export { AgentConfigError } from "./config-reader.js";
export { DEFAULT_CONFIG_PATH, loadAgentConfig, parseAgentConfig, type AgentConfig } from "./agent-config.js";
export {
  DEFAULT_SOCKET,
  socketPathOf,
  type AgentService,
  type ApiIdentity,
  type JwtFileService,
  type ReloadAction,
  type WorkloadApiService,
  type X509FileService,
} from "./service-config.js";
export { type AwsRolesAnywhereService } from "./roles-anywhere-config.js";
