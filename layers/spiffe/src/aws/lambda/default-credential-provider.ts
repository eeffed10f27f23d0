// Bundled into the Lambda functions in place of @aws-sdk/credential-provider-node (an esbuild alias
// in infra/lib/tessera-function.ts). In Lambda the SDK's default chain always stops at its first
// link, the environment variables the runtime sets (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), so the bundle carries that link, the SDK's own, and not the profile, SSO, web
// identity, process and instance-metadata providers with their nested STS and SSO clients.
import { fromEnv } from "@aws-sdk/credential-provider-env";

/** The SDK's default credential provider as Lambda resolves it: the environment. */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
