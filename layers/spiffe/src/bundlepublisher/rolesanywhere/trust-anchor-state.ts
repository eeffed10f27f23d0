import { type CrlDetail, GetTrustAnchorCommand, type TrustAnchorDetail } from "@aws-sdk/client-rolesanywhere";
import { awsErrorName } from "../../aws/aws-error.js";
import type { Bundle } from "../../bundle/index.js";
import { caIdOf } from "../../crl/sign-crl.js";
import { equalBytes } from "../../internal/der/der-element.js";
import { TesseraError } from "../../errors.js";
import { parseCertificates } from "../../x509svid/index.js";
import { crlNameOf, findImportedCrl, importedCrlDer, listImportedCrls } from "./roles-anywhere-crl-publisher.js";
import { sameCertificates, trustAnchorPemOf } from "./trust-anchor-pem.js";
import type { TrustAnchorCalls } from "./trust-anchors.js";

/** The CRL of one of the bundle's CAs, as Roles Anywhere holds it for the trust anchor. */
export interface TrustAnchorCrlState {
  caId: string;
  /** Tessera's name for it in Roles Anywhere (`tessera-<ca id>`). */
  name: string;
  imported: boolean;
  enabled?: boolean;
  updatedAt?: Date;
  /** Whether it is the CA's last signed CRL; absent when Tessera has signed none for that CA. */
  current?: boolean;
}

/** A Roles Anywhere trust anchor against the published bundle and the last signed CRLs. */
export interface TrustAnchorState {
  trustAnchorId: string;
  /** False when Roles Anywhere has no trust anchor with that id; nothing else is then set. */
  found: boolean;
  trustAnchorArn?: string;
  name?: string;
  enabled?: boolean;
  sourceType?: string;
  /** CA certificates the anchor holds. */
  certificates?: number;
  /** Whether the anchor holds exactly the bundle's X.509 authorities. */
  matchesBundle?: boolean;
  /** Why the bundle cannot be held by a trust anchor at all (more than two CAs, too much PEM). */
  bundleUnfit?: string;
  createdAt?: Date;
  updatedAt?: Date;
  /** One entry per X.509 authority of the bundle. */
  crls?: TrustAnchorCrlState[];
}

/** What `compareTrustAnchor` compares the anchor with. */
export interface TrustAnchorStateInput {
  trustAnchorId: string;
  /** The bundle Tessera publishes now. */
  bundle: Bundle;
  /** The last CRL signed for each CA that has one (DER). */
  crls: readonly { caId: string; der: Uint8Array }[];
}

function countCertificates(pem: string | undefined): number {
  try {
    return pem === undefined ? 0 : parseCertificates(pem).length;
  } catch {
    return 0;
  }
}

function expectedPem(bundle: Bundle): { pem?: string; unfit?: string } {
  try {
    return { pem: trustAnchorPemOf(bundle) };
  } catch (err) {
    if (err instanceof TesseraError) return { unfit: err.message };
    throw err;
  }
}

/** What Roles Anywhere holds: the trust anchor (absent when it has none with that id) and the imported CRLs. */
export interface TrustAnchorReading {
  anchor?: TrustAnchorDetail;
  crls: CrlDetail[];
}

/**
 * Read a trust anchor (`GetTrustAnchor`) and, when it has an ARN, the imported CRLs (`ListCrls`)
 * through the paced caller. Reads only; an anchor that does not exist has no `anchor`.
 */
export async function readTrustAnchor(calls: TrustAnchorCalls, trustAnchorId: string): Promise<TrustAnchorReading> {
  let anchor;
  try {
    anchor = (await calls.caller.call("GetTrustAnchor", () => calls.client.send(new GetTrustAnchorCommand({ trustAnchorId })))).trustAnchor;
  } catch (err) {
    if (awsErrorName(err) === "ResourceNotFoundException") return { crls: [] };
    throw err;
  }
  if (anchor === undefined) return { crls: [] };
  return { anchor, crls: anchor.trustAnchorArn ? await listImportedCrls(calls.client, calls.caller) : [] };
}

/**
 * Say whether the anchor read holds the bundle's CA certificates and, for each of those CAs,
 * whether its last signed CRL is imported; an anchor that does not exist is `found: false`.
 */
export function compareTrustAnchor(reading: TrustAnchorReading, input: TrustAnchorStateInput): TrustAnchorState {
  const { trustAnchorId } = input;
  const { anchor, crls: imported } = reading;
  if (anchor === undefined) return { trustAnchorId, found: false };
  const held = anchor.source?.sourceData?.x509CertificateData;
  const { pem, unfit } = expectedPem(input.bundle);
  const crls = input.bundle.x509Authorities.map((certificate): TrustAnchorCrlState => {
    const caId = caIdOf(certificate);
    const found = anchor.trustAnchorArn ? findImportedCrl(imported, caId, anchor.trustAnchorArn) : undefined;
    const signed = input.crls.find((crl) => crl.caId === caId);
    const der = found && importedCrlDer(found);
    return {
      caId,
      name: crlNameOf(caId),
      imported: found !== undefined,
      ...(found?.enabled !== undefined ? { enabled: found.enabled } : {}),
      ...(found?.updatedAt ? { updatedAt: found.updatedAt } : {}),
      ...(signed ? { current: der !== undefined && equalBytes(der, signed.der) } : {}),
    };
  });
  return {
    trustAnchorId,
    found: true,
    ...(anchor.trustAnchorArn ? { trustAnchorArn: anchor.trustAnchorArn } : {}),
    ...(anchor.name ? { name: anchor.name } : {}),
    ...(anchor.enabled !== undefined ? { enabled: anchor.enabled } : {}),
    ...(anchor.source?.sourceType ? { sourceType: anchor.source.sourceType } : {}),
    certificates: countCertificates(held),
    matchesBundle: pem !== undefined && sameCertificates(held, pem),
    ...(unfit ? { bundleUnfit: unfit } : {}),
    ...(anchor.createdAt ? { createdAt: anchor.createdAt } : {}),
    ...(anchor.updatedAt ? { updatedAt: anchor.updatedAt } : {}),
    crls,
  };
}

/** Read the trust anchor from Roles Anywhere and compare it with the bundle and the last signed CRLs. */
export async function readTrustAnchorState(calls: TrustAnchorCalls, input: TrustAnchorStateInput): Promise<TrustAnchorState> {
  return compareTrustAnchor(await readTrustAnchor(calls, input.trustAnchorId), input);
}
