import { JoinTokenInvalidError } from "../errors.js";
import { generateSecret } from "./generate-secret.js";

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A new join token secret: 256 random bits, base64url, no leading `-`. Shown once, stored only as its hash. */
export function generateJoinTokenSecret(): string {
  return generateSecret();
}

/** Check the shape of a presented join token before it is hashed and looked up. */
export function assertJoinTokenShape(token: unknown): asserts token is string {
  if (typeof token !== "string" || !TOKEN.test(token)) {
    throw new JoinTokenInvalidError("credential: join token is malformed");
  }
}
