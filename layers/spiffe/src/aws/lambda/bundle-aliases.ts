/**
 * Modules a Lambda bundle replaces by the part of them that runs in Lambda: the module, and the file
 * in this folder that stands in for it (see each file's header). The CDK app passes them to esbuild;
 * the tests bundle with the same list.
 */
export const LAMBDA_BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  "@aws-sdk/credential-provider-node": "default-credential-provider.ts",
  "@aws-sdk/client-sts": "sts-credential-decorator.ts",
  "@smithy/core/event-streams": "event-streams.ts",
  "node:http": "node-http.ts",
  http: "node-http.ts",
};
