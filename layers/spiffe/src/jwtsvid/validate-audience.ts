import { JwtSvidAudienceInvalidError } from "../errors.js";

/** The most audiences one JWT-SVID may carry. */
export const MAX_JWT_SVID_AUDIENCES = 10;
/** The longest audience, in characters (code points). */
export const MAX_JWT_SVID_AUDIENCE_LENGTH = 512;

// Controls (C0, DEL, C1), format characters (bidi embeddings, overrides, isolates and marks,
// zero-width characters, BOM), surrogates, every separator (the space included), and U+FFFD, which
// is what a decoder leaves of bytes that were not UTF-8: the caller asked for something else.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Z}\uFFFD]/u;

/**
 * Check the audiences of a JWT-SVID request: 1 to 10, each 1 to 512 printable characters with no
 * spaces, controls, bidi or other format characters, lone surrogates or U+FFFD, so that a relying
 * party compares exactly what it reads and an audit line shows what was signed. Messages never
 * repeat the audience. Throws `JwtSvidAudienceInvalidError`.
 */
export function validateAudience(audience: unknown): string[] {
  if (!Array.isArray(audience)) throw new JwtSvidAudienceInvalidError("jwtsvid: audience must be a list of strings");
  if (audience.length === 0 || audience.length > MAX_JWT_SVID_AUDIENCES) {
    throw new JwtSvidAudienceInvalidError(`jwtsvid: audience must list 1 to ${MAX_JWT_SVID_AUDIENCES} values, got ${audience.length}`);
  }
  audience.forEach((value: unknown, i) => {
    if (typeof value !== "string") throw new JwtSvidAudienceInvalidError(`jwtsvid: audience[${i}] must be a string`);
    const length = [...value].length;
    if (length === 0 || length > MAX_JWT_SVID_AUDIENCE_LENGTH) {
      throw new JwtSvidAudienceInvalidError(
        `jwtsvid: audience[${i}] must be 1 to ${MAX_JWT_SVID_AUDIENCE_LENGTH} characters, got ${length}`,
      );
    }
    if (UNSAFE.test(value)) {
      throw new JwtSvidAudienceInvalidError(
        `jwtsvid: audience[${i}] must be printable characters only: no spaces, controls, bidi or other format characters, lone surrogates or U+FFFD`,
      );
    }
  });
  return [...(audience as string[])];
}
