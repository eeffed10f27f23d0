import { JoinProofInvalidError } from "../../errors.js";

/** The largest instance identity document accepted, bytes (EC2's are about 500). */
export const MAX_DOCUMENT_BYTES = 4096;

/** The AWS Region name pattern (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`). */
export const REGION_NAME = /^[a-z]{2,4}(-[a-z]{2,12}){1,3}-[0-9]{1,2}$/;

const FIELDS: Readonly<Record<string, RegExp>> = {
  accountId: /^[0-9]{12}$/,
  region: REGION_NAME,
  instanceId: /^i-[0-9a-f]{8,17}$/,
  imageId: /^ami-[0-9a-f]{8,17}$/,
  instanceType: /^[a-z0-9][a-z0-9.-]{0,31}$/,
  availabilityZone: /^[a-z0-9-]{1,32}$/,
  pendingTime: /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,3})?Z$/,
};
const ARCHITECTURE = /^[a-z0-9_]{1,16}$/;

/** The facts of an EC2 instance identity document that joins read. */
export interface IdentityDocument {
  account: string;
  region: string;
  instanceId: string;
  amiId: string;
  instanceType: string;
  availabilityZone: string;
  architecture?: string;
  /** When the instance last entered `pending` (launch or start), epoch ms. */
  pendingTime: number;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Read an instance identity document (JSON) from its bytes. Trusts nothing about where the bytes
 * came from: the caller decides whether they are the signed content. `JoinProofInvalidError` when
 * the document is not one EC2 would write.
 */
export function parseIdentityDocument(bytes: Uint8Array): IdentityDocument {
  let value: unknown;
  try {
    if (bytes.length > MAX_DOCUMENT_BYTES) throw new Error("too large");
    value = JSON.parse(UTF8.decode(bytes));
  } catch (err) {
    throw new JoinProofInvalidError("attestation: the instance identity document is not JSON", { cause: err });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new JoinProofInvalidError("attestation: the instance identity document is not an object");
  const doc = value as Record<string, unknown>;
  for (const [field, pattern] of Object.entries(FIELDS)) {
    const text = doc[field];
    if (typeof text !== "string" || !pattern.test(text))
      throw new JoinProofInvalidError(`attestation: the instance identity document has no valid ${field}`);
  }
  const pendingTime = Date.parse(doc.pendingTime as string);
  if (!Number.isFinite(pendingTime))
    throw new JoinProofInvalidError("attestation: the instance identity document has no valid pendingTime");
  const parsed: IdentityDocument = {
    account: doc.accountId as string,
    region: doc.region as string,
    instanceId: doc.instanceId as string,
    amiId: doc.imageId as string,
    instanceType: doc.instanceType as string,
    availabilityZone: doc.availabilityZone as string,
    pendingTime,
  };
  if (typeof doc.architecture === "string" && ARCHITECTURE.test(doc.architecture)) parsed.architecture = doc.architecture;
  return parsed;
}

/** The join attributes a document establishes, for rules and templates. */
export function identityAttributes(doc: IdentityDocument): Record<string, string> {
  return {
    account: doc.account,
    region: doc.region,
    instance_id: doc.instanceId,
    ami_id: doc.amiId,
    instance_type: doc.instanceType,
    availability_zone: doc.availabilityZone,
    ...(doc.architecture ? { architecture: doc.architecture } : {}),
  };
}
