import { randomBytes } from "node:crypto";

/**
 * A new secret to hand to a person: 256 random bits, base64url (43 characters). Never starts with
 * `-`, which a command line would take for an option (`--token -x...`); drawing again costs under
 * 0.03 bits of the 256.
 */
export function generateSecret(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const secret = random(32).toString("base64url");
    if (!secret.startsWith("-")) return secret;
  }
}
