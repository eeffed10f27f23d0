import { createPublicKey, webcrypto, type KeyObject } from "node:crypto";
import { KeyUnsupportedError } from "../errors.js";
import { x509 } from "../internal/x509-runtime.js";
import type { SpiffeId } from "../spiffeid/index.js";

/** Options of `createCsr`. */
export interface CreateCsrOptions {
  /** The workload's private key (EC P-256 / P-384 or RSA >= 2048). It never leaves the caller. */
  privateKey: KeyObject;
  /** Put into the CSR as a URI SAN; the issuer decides the SVID's ID from its own request field. */
  spiffeId?: SpiffeId;
}

function algorithmOf(privateKey: KeyObject): EcKeyImportParams | RsaHashedImportParams {
  const details = privateKey.asymmetricKeyDetails ?? {};
  if (privateKey.asymmetricKeyType === "ec" && (details.namedCurve === "prime256v1" || details.namedCurve === "secp384r1")) {
    return { name: "ECDSA", namedCurve: details.namedCurve === "prime256v1" ? "P-256" : "P-384" };
  }
  if (privateKey.asymmetricKeyType === "rsa" && [2048, 3072, 4096].includes(details.modulusLength ?? 0)) {
    return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  }
  throw new KeyUnsupportedError("x509svid: CSR keys must be EC P-256, EC P-384 or RSA of 2048, 3072 or 4096 bits");
}

type EcKeyImportParams = { name: "ECDSA"; namedCurve: "P-256" | "P-384" };
type RsaHashedImportParams = { name: "RSASSA-PKCS1-v1_5"; hash: "SHA-256" };

/** Make a PEM PKCS#10 request signed by `privateKey`: the proof of possession an SVID request carries. */
export async function createCsr(options: CreateCsrOptions): Promise<string> {
  const algorithm = algorithmOf(options.privateKey);
  const privateKey = await webcrypto.subtle.importKey(
    "pkcs8",
    options.privateKey.export({ format: "der", type: "pkcs8" }),
    algorithm,
    false,
    ["sign"],
  );
  const publicKey = await webcrypto.subtle.importKey(
    "spki",
    createPublicKey(options.privateKey).export({ format: "der", type: "spki" }),
    algorithm,
    true,
    ["verify"],
  );
  const signingAlgorithm = algorithm.name === "ECDSA" ? { ...algorithm, hash: algorithm.namedCurve === "P-256" ? "SHA-256" : "SHA-384" } : algorithm;
  const extensions = options.spiffeId
    ? [new x509.SubjectAlternativeNameExtension([{ type: "url", value: options.spiffeId.toString() }])]
    : [];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: "O=SPIFFE",
    keys: { privateKey, publicKey } as never,
    signingAlgorithm,
    extensions,
  });
  return csr.toString("pem");
}
