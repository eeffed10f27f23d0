import type { GetPublicKeyCommandOutput, KeyMetadata } from "@aws-sdk/client-kms";
import { createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { KeyManagerError, KeyUnsupportedError } from "../../errors.js";
import { KEY_SPECS } from "../types.js";
import type { KeySpec } from "../types.js";

const EXPECTED: Record<KeySpec, { type: string; namedCurve?: string; modulusLength?: number }> = {
  ECC_NIST_P256: { type: "ec", namedCurve: "prime256v1" },
  ECC_NIST_P384: { type: "ec", namedCurve: "secp384r1" },
  RSA_2048: { type: "rsa", modulusLength: 2048 },
  RSA_3072: { type: "rsa", modulusLength: 3072 },
};

/** The key's spec, when KMS describes a signing key of a spec Tessera uses; else `KeyUnsupportedError`. */
export function checkedKeySpec(id: string, metadata: Pick<KeyMetadata, "KeySpec" | "KeyUsage">): KeySpec {
  const spec = metadata.KeySpec as KeySpec | undefined;
  if (metadata.KeyUsage !== "SIGN_VERIFY" || spec === undefined || !KEY_SPECS.includes(spec)) {
    throw new KeyUnsupportedError(
      `keymanager: key ${id} in KMS is ${metadata.KeySpec ?? "?"} for ${metadata.KeyUsage ?? "?"}, not a signing key Tessera uses`,
    );
  }
  return spec;
}

/**
 * The public key of a `GetPublicKey` answer, after checking that KMS reports the spec and usage
 * expected and that the DER SubjectPublicKeyInfo holds a key of that spec.
 */
export function publicKeyFromSpki(
  id: string,
  spec: KeySpec,
  response: Pick<GetPublicKeyCommandOutput, "PublicKey" | "KeySpec" | "CustomerMasterKeySpec" | "KeyUsage">,
): KeyObject {
  // moto answers only the deprecated CustomerMasterKeySpec; KMS answers both.
  const reported = response.KeySpec ?? response.CustomerMasterKeySpec;
  if (reported !== spec || response.KeyUsage !== "SIGN_VERIFY") {
    throw new KeyManagerError(`keymanager: KMS GetPublicKey for key ${id} reports ${reported ?? "?"}, expected ${spec}`);
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(response.PublicKey ?? []), format: "der", type: "spki" });
  } catch (err) {
    throw new KeyManagerError(`keymanager: KMS GetPublicKey for key ${id} returned no valid public key`, { cause: err });
  }
  const expected = EXPECTED[spec];
  const details = publicKey.asymmetricKeyDetails;
  if (
    publicKey.asymmetricKeyType !== expected.type ||
    details?.namedCurve !== expected.namedCurve ||
    details?.modulusLength !== expected.modulusLength
  ) {
    throw new KeyManagerError(`keymanager: KMS GetPublicKey for key ${id} returned a key that is not ${spec}`);
  }
  return publicKey;
}
