import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { CredentialInvalidError } from "../errors.js";
import { generateSecret } from "./generate-secret.js";

const PREFIX = "tbc1";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const GENERATION = /^[1-9][0-9]{0,8}$/;
const MAX_CREDENTIAL_LENGTH = 128;

/** A bot credential taken apart. The secret is only ever compared by hash. */
export interface ParsedBotCredential {
  instanceId: string;
  generation: number;
  secretHash: string;
}

/** A new bot credential and the hash of its secret (the only part that is stored). */
export interface MintedBotCredential {
  credential: string;
  secretHash: string;
}

/** SHA-256 (hex) of a secret: join tokens and credential secrets are stored only this way. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A fresh bot instance id. */
export function createInstanceId(): string {
  return randomUUID();
}

/** Make the credential `tbc1.<instance>.<generation>.<secret>` with 256 random bits of secret. */
export function mintBotCredential(instanceId: string, generation: number): MintedBotCredential {
  const secret = generateSecret();
  return { credential: `${PREFIX}.${instanceId}.${generation}.${secret}`, secretHash: hashSecret(secret) };
}

/** Split and check the shape of a presented credential; says nothing of whether it is genuine. */
export function parseBotCredential(credential: unknown): ParsedBotCredential {
  if (typeof credential !== "string" || credential.length > MAX_CREDENTIAL_LENGTH) {
    throw new CredentialInvalidError("credential: malformed bot credential");
  }
  const parts = credential.split(".");
  const [prefix, instanceId, generation, secret] = parts;
  if (
    parts.length !== 4 ||
    prefix !== PREFIX ||
    !UUID.test(instanceId ?? "") ||
    !GENERATION.test(generation ?? "") ||
    !SECRET.test(secret ?? "")
  ) {
    throw new CredentialInvalidError("credential: malformed bot credential");
  }
  return { instanceId: instanceId as string, generation: Number(generation), secretHash: hashSecret(secret as string) };
}

/** Constant-time comparison of two hex hashes. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
