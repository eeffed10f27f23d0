import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Run `openssl verify -CAfile ca.pem leaf.pem` in `dir`; returns openssl's output, throws on failure. */
export function opensslVerify(dir: string, caPem: string, leafPem: string): string {
  writeFileSync(join(dir, "ca.pem"), caPem);
  writeFileSync(join(dir, "leaf.pem"), leafPem);
  return execFileSync("openssl", ["verify", "-CAfile", join(dir, "ca.pem"), join(dir, "leaf.pem")], { encoding: "utf8" });
}

/** `openssl x509 -text` of a PEM certificate. */
export function opensslText(dir: string, pem: string): string {
  writeFileSync(join(dir, "show.pem"), pem);
  return execFileSync("openssl", ["x509", "-noout", "-text", "-in", join(dir, "show.pem")], { encoding: "utf8" });
}
