import { createPublicKey, sign, type KeyObject } from "node:crypto";
import { KeyUnsupportedError } from "../errors.js";
import { contextTag } from "../internal/der/der-element.js";
import { encodeBitString, encodeElement, encodeOid, encodeSequence, encodeSet, encodeUnsignedInteger } from "../internal/der/der-writer.js";
import { encodePem } from "../internal/der/pem.js";
import { signatureAlgorithmFor } from "../keymanager/spec.js";
import type { KeySpec } from "../keymanager/types.js";
import type { SpiffeId } from "../spiffeid/index.js";
import { OID_SUBJECT_ALT_NAME, encodeExtension, encodeSubjectAltName } from "./certificate-extensions.js";
import { spkiOf } from "./key-type.js";
import { encodeSignatureAlgorithm } from "./signature-algorithm.js";
import { OID_ORGANIZATION, encodeRdn } from "./subject-name.js";

/** Options of `createCsr`. */
export interface CreateCsrOptions {
  /** The workload's private key (EC P-256 / P-384 or RSA >= 2048). It never leaves the caller. */
  privateKey: KeyObject;
  /** Put into the CSR as a URI SAN; the issuer decides the SVID's ID from its own request field. */
  spiffeId?: SpiffeId;
}

const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const SUBJECT = encodeSequence(encodeRdn(OID_ORGANIZATION, "SPIFFE"));

/** The key spec whose signature algorithm the CSR uses: ECDSA with the curve's hash, or sha256WithRSAEncryption for any RSA size. */
function signingSpecOf(privateKey: KeyObject): KeySpec {
  const details = privateKey.asymmetricKeyDetails ?? {};
  if (privateKey.asymmetricKeyType === "ec" && details.namedCurve === "prime256v1") return "ECC_NIST_P256";
  if (privateKey.asymmetricKeyType === "ec" && details.namedCurve === "secp384r1") return "ECC_NIST_P384";
  if (privateKey.asymmetricKeyType === "rsa" && [2048, 3072, 4096].includes(details.modulusLength ?? 0)) return "RSA_2048";
  throw new KeyUnsupportedError("x509svid: CSR keys must be EC P-256, EC P-384 or RSA of 2048, 3072 or 4096 bits");
}

/** The attributes ([0] IMPLICIT SET OF Attribute): an extension request for the URI SAN, if any. */
function encodeAttributes(spiffeId: SpiffeId | undefined): Uint8Array {
  if (!spiffeId) return encodeElement(contextTag(0, true));
  const extensions = encodeSequence(encodeExtension(OID_SUBJECT_ALT_NAME, false, encodeSubjectAltName([spiffeId.toString()], [])));
  return encodeElement(contextTag(0, true), encodeSequence(encodeOid(EXTENSION_REQUEST), encodeSet(extensions)));
}

/** Make a PEM PKCS#10 request (RFC 2986) signed by `privateKey`: the proof of possession an SVID request carries. */
export async function createCsr(options: CreateCsrOptions): Promise<string> {
  const spec = signingSpecOf(options.privateKey);
  const info = encodeSequence(
    encodeUnsignedInteger(0),
    SUBJECT,
    spkiOf(createPublicKey(options.privateKey)),
    encodeAttributes(options.spiffeId),
  );
  const signature = sign(signatureAlgorithmFor(spec).hash, info, options.privateKey);
  return encodePem("CERTIFICATE REQUEST", encodeSequence(info, encodeSignatureAlgorithm(spec), encodeBitString(signature)));
}
