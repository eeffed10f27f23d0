import { BundleInvalidError } from "../errors.js";
import type { TrustDomain } from "../spiffeid/index.js";
import { Bundle } from "./bundle.js";
import { readCertificate } from "./read-certificate.js";
import { decodeStrictBase64 } from "./strict-base64.js";

interface PemBlock {
  label: string;
  body: string;
  line: number;
}

const BEGIN = /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----$/;

function invalid(message: string): BundleInvalidError {
  return new BundleInvalidError(`bundle: ${message}`);
}

// RFC 7468: text between blocks is allowed and ignored; inside a block only base64 lines.
function readPemBlocks(pem: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let open: PemBlock | undefined;
  const lines = pem.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (open) {
      if (line === `-----END ${open.label}-----`) {
        blocks.push(open);
        open = undefined;
      } else if (line.startsWith("-----")) {
        throw invalid(`PEM line ${i + 1}: expected "-----END ${open.label}-----"`);
      } else {
        open.body += line;
      }
      return;
    }
    const begin = BEGIN.exec(line);
    if (begin) open = { label: begin[1] ?? "", body: "", line: i + 1 };
    else if (line.startsWith("-----")) throw invalid(`PEM line ${i + 1}: unexpected "${line.slice(0, 40)}"`);
  });
  if (open) throw invalid(`PEM block "${open.label}" at line ${open.line} has no END line`);
  return blocks;
}

/**
 * Parse a PEM bundle (concatenated `CERTIFICATE` blocks, as in `svid_bundle.pem`) into a bundle
 * of X.509 authorities for `trustDomain`. Any other block type, bad base64 or bad DER throws
 * `BundleInvalidError`; empty or blank input gives an empty bundle.
 */
export function parsePemBundle(pem: string, trustDomain: TrustDomain): Bundle {
  if (typeof pem !== "string") throw new TypeError("bundle: PEM bundle must be a string");
  const blocks = readPemBlocks(pem);
  if (blocks.length === 0 && pem.trim() !== "") throw invalid("no PEM certificate found");
  const authorities = new Map<string, Uint8Array>();
  for (const block of blocks) {
    const where = `PEM block at line ${block.line}`;
    if (block.label !== "CERTIFICATE") throw invalid(`${where} is "${block.label}", not "CERTIFICATE"`);
    const der = decodeStrictBase64(block.body);
    if (!der) throw invalid(`${where} is not base64`);
    readCertificate(der, where);
    authorities.set(block.body, new Uint8Array(der));
  }
  return new Bundle({ trustDomain, x509Authorities: authorities.values() });
}
