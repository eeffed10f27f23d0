/**
 * The second X.509 implementation (`#tessera/test-support-x509`): @peculiar/x509, ready to use, for
 * tests that build certificates Tessera did not make. Its own entry because it loads a global
 * polyfill (reflect-metadata) that no other test needs. Tests only.
 */
export { x509 } from "./src/x509svid/test-support-x509.js";
