const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// Buffer.from(_, "base64") skips any character it does not know; a bundle must not be that lenient.
/** The bytes of canonical, padded base64 (RFC 4648 section 4), or undefined when `text` is anything else. */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text === "" || !BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : undefined;
}
