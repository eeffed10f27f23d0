// PEM (RFC 7468), the textual form of DER: the one reader and the one writer. Strict: canonical
// padded base64 only, no encapsulated headers, every BEGIN line closed by the END line of its label;
// text between blocks is allowed and ignored. Whoever reads says which error to throw.

/** One PEM block: its label (`CERTIFICATE`), its decoded bytes and the line its BEGIN stands on (from 1). */
export interface PemBlock {
  label: string;
  der: Uint8Array;
  line: number;
}

/** Builds the error the reader throws, from what was wrong. */
export type PemFailure = (message: string) => Error;

const BEGIN = /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----$/;
// Buffer.from(_, "base64") skips any character it does not know, takes base64url's "-" and "_",
// and lets padding and the last character's spare bits go; PEM and x5c must not be that lenient.
// Node writes only canonical, padded base64, so the text is canonical exactly when encoding its
// bytes again gives the text back: that one comparison is the whole check.
/** The bytes of canonical, padded base64 (RFC 4648 section 4), or undefined when `text` is anything else. */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text === "") return undefined;
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : undefined;
}

interface OpenBlock {
  label: string;
  body: string;
  line: number;
}

function closeBlock(open: OpenBlock, fail: PemFailure): PemBlock {
  const der = decodeStrictBase64(open.body);
  if (!der) throw fail(`PEM block at line ${open.line} is not base64`);
  return { label: open.label, der: new Uint8Array(der), line: open.line };
}

/** The PEM blocks of `text`, in order; throws what `fail` builds when one is malformed. */
export function decodePem(text: string, fail: PemFailure): PemBlock[] {
  const blocks: PemBlock[] = [];
  let open: OpenBlock | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (open) {
      if (line === `-----END ${open.label}-----`) {
        blocks.push(closeBlock(open, fail));
        open = undefined;
      } else if (line.startsWith("-----")) {
        throw fail(`PEM line ${i + 1}: expected "-----END ${open.label}-----"`);
      } else {
        open.body += line;
      }
      return;
    }
    const begin = BEGIN.exec(line);
    if (begin) open = { label: begin[1] ?? "", body: "", line: i + 1 };
    else if (line.startsWith("-----")) throw fail(`PEM line ${i + 1}: unexpected "${line.slice(0, 40)}"`);
  });
  if (open) throw fail(`PEM block "${open.label}" at line ${open.line} has no END line`);
  return blocks;
}

/** One PEM block: `label`, base64 in 64-column lines, a trailing newline. */
export function encodePem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
  let body = "";
  for (let at = 0; at < base64.length; at += 64) body += `${base64.slice(at, at + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}
