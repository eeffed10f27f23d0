// Loaded only when a request is signed (see sign-request.ts): the credential chain and the signer are
// most of the SDK. Static imports here, so a bundler's chunk for this module keeps named exports even
// though both packages are CommonJS.
export { defaultProvider } from "@aws-sdk/credential-provider-node";
export { SignatureV4 } from "@smithy/signature-v4";
