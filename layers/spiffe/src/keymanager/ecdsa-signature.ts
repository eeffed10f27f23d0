import { KeyManagerError } from "../errors.js";
import { DerTag } from "../internal/der/der-element.js";
import { encodeSequence, encodeUnsignedInteger } from "../internal/der/der-writer.js";

// P-521 has the longest coordinates Tessera could ever meet; anything beyond is not ECDSA.
const MAX_COORDINATE_LENGTH = 66;
const { SEQUENCE, INTEGER } = DerTag;

function malformed(rule: string): KeyManagerError {
  return new KeyManagerError(`keymanager: malformed ECDSA signature: ${rule}`);
}

function checkCoordinateLength(coordinateLength: number): void {
  if (!Number.isInteger(coordinateLength) || coordinateLength < 1 || coordinateLength > MAX_COORDINATE_LENGTH) {
    throw new TypeError(`keymanager: ECDSA coordinate length must be an integer from 1 to ${MAX_COORDINATE_LENGTH}`);
  }
}

// The reader below stays its own: every rule it breaks is named in the error (KMS output is checked
// rule by rule), which the general DER reader does not do. The writer is the one DER writer.
/** Reads one DER INTEGER at `offset`; returns its unsigned magnitude (no sign byte) and the next offset. */
function readInteger(der: Uint8Array, offset: number, end: number): { value: Uint8Array; next: number } {
  if (offset + 2 > end) throw malformed("truncated INTEGER");
  if (der[offset] !== INTEGER) throw malformed("expected an INTEGER");
  const length = der[offset + 1]!;
  // r and s are never 128 bytes long, so only the short length form is minimal (DER).
  if (length === 0 || length >= 0x80) throw malformed("bad INTEGER length");
  const start = offset + 2;
  const next = start + length;
  if (next > end) throw malformed("INTEGER runs past the end");
  const first = der[start]!;
  if (first & 0x80) throw malformed("negative INTEGER");
  if (first === 0 && length > 1 && !(der[start + 1]! & 0x80)) throw malformed("INTEGER has a superfluous leading zero");
  const value = first === 0 ? der.subarray(start + 1, next) : der.subarray(start, next);
  if (value.length === 0) throw malformed("INTEGER is zero");
  return { value, next };
}

/**
 * Convert a DER `SEQUENCE { r INTEGER, s INTEGER }` ECDSA signature (KMS, X.509, node:crypto's
 * default) to the JOSE form r||s, each left-padded to `coordinateLength` bytes (32 for P-256,
 * 48 for P-384). Refuses anything that is not strict DER.
 */
export function ecdsaDerToJose(der: Uint8Array, coordinateLength: number): Uint8Array {
  checkCoordinateLength(coordinateLength);
  if (der.length < 2 || der[0] !== SEQUENCE) throw malformed("expected a SEQUENCE");
  let offset = 2;
  let length = der[1]!;
  if (length === 0x81) {
    if (der.length < 3 || der[2]! < 0x80) throw malformed("bad SEQUENCE length");
    length = der[2]!;
    offset = 3;
  } else if (length >= 0x80) {
    throw malformed("bad SEQUENCE length");
  }
  if (offset + length !== der.length) throw malformed("SEQUENCE length does not match the signature length");
  const r = readInteger(der, offset, der.length);
  const s = readInteger(der, r.next, der.length);
  if (s.next !== der.length) throw malformed("trailing bytes in SEQUENCE");
  const jose = new Uint8Array(2 * coordinateLength);
  for (const [i, { value }] of [r, s].entries()) {
    if (value.length > coordinateLength) throw malformed("INTEGER longer than the curve's coordinates");
    jose.set(value, (i + 1) * coordinateLength - value.length);
  }
  return jose;
}

/**
 * Convert a JOSE ECDSA signature r||s (two equal halves) to strict DER
 * `SEQUENCE { r INTEGER, s INTEGER }`, as X.509 and node:crypto's default expect.
 */
export function ecdsaJoseToDer(jose: Uint8Array): Uint8Array {
  if (jose.length === 0 || jose.length % 2 !== 0 || jose.length > 2 * MAX_COORDINATE_LENGTH) {
    throw malformed("JOSE signature must be two equal halves of at most 66 bytes");
  }
  const half = jose.length / 2;
  const coordinates = [jose.subarray(0, half), jose.subarray(half)];
  if (coordinates.some((c) => c.every((octet) => octet === 0))) throw malformed("coordinate is zero");
  return encodeSequence(...coordinates.map((c) => encodeUnsignedInteger(c)));
}
