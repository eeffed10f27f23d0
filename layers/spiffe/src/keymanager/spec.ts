import { KeyUnsupportedError } from "../errors.js";
import type { KeySpec } from "./types.js";

/** How a key of a given spec signs, in the vocabularies of JOSE, node:crypto and X.509. */
export interface SignatureAlgorithm {
  /** JWS `alg`. */
  jws: "ES256" | "ES384" | "RS256";
  /** Hash name for node:crypto. */
  hash: "sha256" | "sha384";
  /** X.509 signatureAlgorithm OID. */
  oid: string;
  /** Byte length of one ECDSA coordinate (r or s) in a JOSE signature; undefined for RSA. */
  ecCoordinateLength?: number;
}

const ALGORITHMS: Record<KeySpec, SignatureAlgorithm> = {
  ECC_NIST_P256: { jws: "ES256", hash: "sha256", oid: "1.2.840.10045.4.3.2", ecCoordinateLength: 32 },
  ECC_NIST_P384: { jws: "ES384", hash: "sha384", oid: "1.2.840.10045.4.3.3", ecCoordinateLength: 48 },
  RSA_2048: { jws: "RS256", hash: "sha256", oid: "1.2.840.113549.1.1.11" },
  RSA_3072: { jws: "RS256", hash: "sha256", oid: "1.2.840.113549.1.1.11" },
};

/** The one signature algorithm a key of `spec` uses. */
export function signatureAlgorithmFor(spec: KeySpec): SignatureAlgorithm {
  const alg = ALGORITHMS[spec];
  if (!alg) throw new KeyUnsupportedError(`keymanager: unsupported key spec ${String(spec)}`);
  return alg;
}
