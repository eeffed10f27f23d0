// Test-only: @peculiar/x509, a second X.509 implementation for building certificates the code under
// test did not make. It resolves its algorithm providers through tsyringe, which needs the Reflect
// metadata polyfill loaded first, so tests import @peculiar/x509 only through this module.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
