import { createPublicKey, type KeyObject } from "node:crypto";
import { thumbprintOf } from "../bundle/index.js";
import { AuthorityUnavailableError } from "../errors.js";
import type { KeyManager } from "../keymanager/types.js";
import type { CaJournal, JournalSlot } from "../store/types.js";
import { parseCertificate } from "../x509svid/certificate.js";
import { parseCertificates } from "../x509svid/index.js";
import { publicKeyFromSpki } from "../x509svid/key-type.js";
import type { JwtAuthority, X509Authority } from "./types.js";

function activeSlot(journal: CaJournal | undefined, what: string): JournalSlot {
  const slot = journal?.slots.find((s) => s.status === "active");
  if (!slot) throw new AuthorityUnavailableError(`ca: no active ${what}; run the deployment's ensure step or \`tessera dev\``);
  return slot;
}

function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ format: "der", type: "spki" }).equals(b.export({ format: "der", type: "spki" }));
}

/** The certificate DER of every X.509 slot in the journal (prepared, active and old). */
export function x509CertificatesOf(journal: CaJournal | undefined): Uint8Array[] {
  return (journal?.slots ?? []).flatMap((s) => (s.certificatePem ? parseCertificates(s.certificatePem) : []));
}

/** The public keys of every JWT slot in the journal. */
export function jwtPublicKeysOf(journal: CaJournal | undefined): KeyObject[] {
  return (journal?.slots ?? []).flatMap((s) =>
    s.publicKeySpki ? [createPublicKey({ key: Buffer.from(s.publicKeySpki, "base64"), format: "der", type: "spki" })] : [],
  );
}

/** The active X.509 CA of a journal, with its key; refuses a key that does not match the certificate. */
export async function loadX509Authority(journal: CaJournal | undefined, keys: KeyManager): Promise<X509Authority> {
  const slot = activeSlot(journal, "X.509 CA");
  const [certificate] = parseCertificates(slot.certificatePem ?? "");
  if (!certificate) throw new AuthorityUnavailableError("ca: active X.509 slot has no certificate");
  const key = await keys.getKey(slot.keyId);
  if (!samePublicKey(key.publicKey, publicKeyFromSpki(parseCertificate(certificate).spkiDer))) {
    throw new AuthorityUnavailableError(`ca: key ${slot.keyId} does not match the active CA certificate`);
  }
  return { key, certificate, notAfter: new Date(slot.notAfter) };
}

/** The active JWT signing key of a journal; refuses a key that does not match the journal. */
export async function loadJwtAuthority(journal: CaJournal | undefined, keys: KeyManager): Promise<JwtAuthority> {
  const slot = activeSlot(journal, "JWT key");
  const [published] = jwtPublicKeysOf({ ...(journal as CaJournal), slots: [slot] });
  const key = await keys.getKey(slot.keyId);
  if (!published || !samePublicKey(key.publicKey, published)) {
    throw new AuthorityUnavailableError(`ca: key ${slot.keyId} does not match the active JWT key`);
  }
  return { key, kid: await thumbprintOf(key.publicKey), publicKey: key.publicKey, notAfter: new Date(slot.notAfter) };
}
