import { createHash, timingSafeEqual, verify, type KeyObject } from "node:crypto";
import { JoinProofInvalidError } from "../../errors.js";
import { berToDer } from "../../internal/der/ber-to-der.js";
import { DerTag, contextTag } from "../../internal/der/der-element.js";
import { DerReader } from "../../internal/der/der-reader.js";

const SIGNED_DATA = "1.2.840.113549.1.7.2";
const DATA = "1.2.840.113549.1.7.1";
const CONTENT_TYPE_ATTRIBUTE = "1.2.840.113549.1.9.3";
const MESSAGE_DIGEST_ATTRIBUTE = "1.2.840.113549.1.9.4";
const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const DIGESTS: Readonly<Record<string, { hash: string; rsa: string }>> = {
  "2.16.840.1.101.3.4.2.1": { hash: "sha256", rsa: "1.2.840.113549.1.1.11" },
  "2.16.840.1.101.3.4.2.2": { hash: "sha384", rsa: "1.2.840.113549.1.1.12" },
  "2.16.840.1.101.3.4.2.3": { hash: "sha512", rsa: "1.2.840.113549.1.1.13" },
};

/** One PKCS#7 / CMS SignedData with one signer, as read (nothing verified yet). */
export interface SignedData {
  /** The encapsulated content, or undefined when the signature is detached. */
  content: Uint8Array | undefined;
  /** Node's name of the signer's digest (`sha256`...). */
  hash: string;
  /** The DER SET OF signed attributes (tag 0x31, as signed), when there are any. */
  signedAttributes: Uint8Array | undefined;
  /** The signedAttrs messageDigest value, when there are signed attributes. */
  messageDigest: Uint8Array | undefined;
  signature: Uint8Array;
}

function fail(message: string): Error {
  return new JoinProofInvalidError(`attestation: ${message}`);
}

function readAlgorithm(reader: DerReader, what: string): string {
  const algorithm = reader.enter(DerTag.SEQUENCE, what);
  const oid = algorithm.readOid(what);
  algorithm.readOptional(DerTag.NULL, `${what} parameters`);
  algorithm.end(what);
  return oid;
}

/** The single value of the attribute `oid` in a SET OF Attribute, or undefined; twice is malformed. */
function attributeValue(attributes: DerReader, oid: string): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  while (!attributes.done) {
    const attribute = attributes.enter(DerTag.SEQUENCE, "a signed attribute");
    if (attribute.readOid("a signed attribute type") !== oid) continue;
    if (found) throw fail("the PKCS#7 signer repeats a signed attribute");
    const values = attribute.enter(DerTag.SET, "signed attribute values");
    found = values.readAny("a signed attribute value").encoded;
    values.end("signed attribute values");
  }
  return found;
}

function readSignerInfo(signer: DerReader): Omit<SignedData, "content"> {
  signer.readSmallInteger("the signer version");
  signer.readAny("the signer identifier");
  const digest = DIGESTS[readAlgorithm(signer, "the signer digest algorithm")];
  if (!digest) throw fail("the PKCS#7 signer uses an unsupported digest");
  const attributes = signer.readOptional(contextTag(0, true), "the signed attributes");
  const signatureAlgorithm = readAlgorithm(signer, "the signature algorithm");
  if (signatureAlgorithm !== RSA_ENCRYPTION && signatureAlgorithm !== digest.rsa)
    throw fail("the PKCS#7 signature is not RSA PKCS#1 v1.5 with its digest");
  const signature = signer.read(DerTag.OCTET_STRING, "the signature").content;
  signer.readOptional(contextTag(1, true), "the unsigned attributes");
  signer.end("the signer info");
  if (!attributes) return { hash: digest.hash, signedAttributes: undefined, messageDigest: undefined, signature };
  // The signature covers the attributes' DER as a SET OF (tag 0x31), not as the [0] IMPLICIT field.
  const signedAttributes = Buffer.concat([Uint8Array.of(DerTag.SET), attributes.encoded.subarray(1)]);
  const contentType = attributeValue(new DerReader(attributes.content, fail), CONTENT_TYPE_ATTRIBUTE);
  if (!contentType || new DerReader(contentType, fail).readOid("the content type attribute") !== DATA) {
    throw fail("the PKCS#7 signed attributes do not say the content is data");
  }
  const digestValue = attributeValue(new DerReader(attributes.content, fail), MESSAGE_DIGEST_ATTRIBUTE);
  if (!digestValue) throw fail("the PKCS#7 signed attributes carry no message digest");
  const messageDigest = new DerReader(digestValue, fail).read(DerTag.OCTET_STRING, "the message digest").content;
  return { hash: digest.hash, signedAttributes, messageDigest, signature };
}

/**
 * Read a PKCS#7 / CMS SignedData (BER or DER) with `data` content and exactly one signer. Checks
 * structure only: `verifySignedData` checks the signature. `JoinProofInvalidError` when malformed.
 */
export function parseSignedData(bytes: Uint8Array): SignedData {
  const top = new DerReader(berToDer(bytes, fail), fail);
  const contentInfo = top.enter(DerTag.SEQUENCE, "the PKCS#7 ContentInfo");
  top.end("the PKCS#7 ContentInfo");
  if (contentInfo.readOid("the PKCS#7 content type") !== SIGNED_DATA) throw fail("the PKCS#7 structure is not SignedData");
  const signedData = contentInfo.enter(contextTag(0, true), "the SignedData").enter(DerTag.SEQUENCE, "the SignedData");
  signedData.readSmallInteger("the SignedData version");
  signedData.read(DerTag.SET, "the digest algorithms");
  const encapsulated = signedData.enter(DerTag.SEQUENCE, "the encapsulated content");
  if (encapsulated.readOid("the encapsulated content type") !== DATA) throw fail("the PKCS#7 content is not data");
  const explicit = encapsulated.readOptional(contextTag(0, true), "the encapsulated content");
  encapsulated.end("the encapsulated content");
  let content: Uint8Array | undefined;
  if (explicit) {
    const inner = new DerReader(explicit.content, fail);
    content = inner.read(DerTag.OCTET_STRING, "the encapsulated content").content;
    inner.end("the encapsulated content");
  }
  signedData.readOptional(contextTag(0, true), "the certificates");
  signedData.readOptional(contextTag(1, true), "the CRLs");
  const signers = signedData.enter(DerTag.SET, "the signer infos");
  signedData.end("the SignedData");
  const signer = readSignerInfo(signers.enter(DerTag.SEQUENCE, "the signer info"));
  if (!signers.done) throw fail("the PKCS#7 structure has more than one signer");
  return { content, ...signer };
}

/**
 * Verify `signed` with `publicKey` (RSA PKCS#1 v1.5) over its content, or over `detached` when the
 * signature carries none; with signed attributes, their message digest must be the content's.
 * Returns the content the signature covers. `JoinProofInvalidError` otherwise.
 */
export function verifySignedData(signed: SignedData, publicKey: KeyObject, detached?: Uint8Array): Uint8Array {
  const content = signed.content ?? detached;
  if (content === undefined) throw fail("the PKCS#7 signature is detached and no document was sent");
  let covered = content;
  if (signed.signedAttributes) {
    const digest = createHash(signed.hash).update(content).digest();
    const claimed = signed.messageDigest as Uint8Array;
    if (claimed.length !== digest.length || !timingSafeEqual(claimed, digest)) throw fail("the PKCS#7 message digest is not the content's");
    covered = signed.signedAttributes;
  }
  if (!verify(signed.hash, covered, publicKey, signed.signature)) throw fail("the PKCS#7 signature does not verify");
  return content;
}
