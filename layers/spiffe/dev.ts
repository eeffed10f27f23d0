/**
 * The local issuer's wiring (`#tessera/dev`): `buildRuntime` opens every part the configuration
 * allows, loading the AWS parts (DynamoDB, KMS, the publishers) only when the configuration names
 * them, for `tessera dev` and the tests. Lambda functions use `buildFunctionRuntime`
 * (`#tessera/aws`) instead: this entry is apart so that the lazy `import()`s of `buildRuntime`
 * never reach a Lambda bundle (a bundle without code splitting would inline every target of them).
 */
export { buildRuntime, type RuntimeOverrides } from "./src/runtime/build-runtime.js";
