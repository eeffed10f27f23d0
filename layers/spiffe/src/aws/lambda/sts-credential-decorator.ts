// Bundled into the Lambda functions in place of @aws-sdk/client-sts (an esbuild alias in
// infra/lib/tessera-function.ts), which only the Roles Anywhere client imports there, for this one
// function: it gives the default chain's profile and web-identity links an STS client to assume roles
// with. Those links are not in a Lambda bundle (default-credential-provider.ts), so there is nothing
// to decorate. Any other import of @aws-sdk/client-sts fails the bundle rather than run without STS.

/** The default credential provider, unchanged: the environment needs no role assumer. */
export const decorateDefaultCredentialProvider = <T>(provider: T): T => provider;
