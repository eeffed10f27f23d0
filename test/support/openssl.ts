import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
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

/** A root CA, an intermediate CA and a leaf made by openssl, as PEM files in a directory. */
export interface OpensslPki {
  rootPem: string;
  intermediatePem: string;
  leafPem: string;
  /** The leaf's private key, PKCS#8 PEM. */
  leafKeyPem: string;
  paths: { root: string; intermediate: string; leaf: string; leafKey: string };
}

/**
 * Make root -> intermediate -> leaf with openssl in `dir` (`ec` P-256 or `rsa` 2048 keys; the leaf
 * carries `uri` as its one URI SAN), each valid for a day or two from now.
 */
export function opensslPki(dir: string, options: { keyType: "ec" | "rsa"; uri: string; prefix?: string }): OpensslPki {
  const p = (name: string) => join(dir, `${options.prefix ?? ""}${name}`);
  const newKey = options.keyType === "ec" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-newkey", "rsa:2048"];
  const run = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
  writeFileSync(
    p("ca.ext"),
    "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
  );
  writeFileSync(
    p("leaf.ext"),
    `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=URI:${options.uri}\n`,
  );
  run([
    "req",
    "-x509",
    ...newKey,
    "-nodes",
    "-keyout",
    p("root.key"),
    "-out",
    p("root.pem"),
    "-subj",
    "/CN=test root",
    "-days",
    "2",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  run([
    "req",
    "-new",
    ...newKey,
    "-nodes",
    "-keyout",
    p("intermediate.key"),
    "-out",
    p("intermediate.csr"),
    "-subj",
    "/CN=test intermediate",
  ]);
  run([
    "x509",
    "-req",
    "-in",
    p("intermediate.csr"),
    "-CA",
    p("root.pem"),
    "-CAkey",
    p("root.key"),
    "-set_serial",
    "7001",
    "-days",
    "2",
    "-extfile",
    p("ca.ext"),
    "-out",
    p("intermediate.pem"),
  ]);
  run(["req", "-new", ...newKey, "-nodes", "-keyout", p("leaf.key"), "-out", p("leaf.csr"), "-subj", "/CN=test leaf"]);
  run([
    "x509",
    "-req",
    "-in",
    p("leaf.csr"),
    "-CA",
    p("intermediate.pem"),
    "-CAkey",
    p("intermediate.key"),
    "-set_serial",
    "123456789012345678901234567890",
    "-days",
    "1",
    "-extfile",
    p("leaf.ext"),
    "-out",
    p("leaf.pem"),
  ]);
  const read = (name: string) => readFileSync(p(name), "utf8");
  return {
    rootPem: read("root.pem"),
    intermediatePem: read("intermediate.pem"),
    leafPem: read("leaf.pem"),
    leafKeyPem: read("leaf.key"),
    paths: { root: p("root.pem"), intermediate: p("intermediate.pem"), leaf: p("leaf.pem"), leafKey: p("leaf.key") },
  };
}

/** What openssl said, and whether it succeeded. */
export interface OpensslOutcome {
  ok: boolean;
  output: string;
}

function runOpensslIn(args: string[]): OpensslOutcome {
  const r = spawnSync("openssl", args, { encoding: "utf8" });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** `openssl crl -verify -text` of a CRL (PEM) against the CA certificates (PEM) in `dir`. */
export function opensslCrlVerify(dir: string, caPem: string, crlPem: string): OpensslOutcome {
  writeFileSync(join(dir, "crl-ca.pem"), caPem);
  writeFileSync(join(dir, "crl.pem"), crlPem);
  return runOpensslIn(["crl", "-verify", "-noout", "-text", "-CAfile", join(dir, "crl-ca.pem"), "-in", join(dir, "crl.pem")]);
}

/** `openssl verify -crl_check` of a leaf against the CA certificates and the CRLs (all PEM) in `dir`. */
export function opensslVerifyWithCrl(dir: string, caPem: string, crlPem: string, leafPem: string): OpensslOutcome {
  writeFileSync(join(dir, "check-ca.pem"), caPem);
  writeFileSync(join(dir, "check-crl.pem"), crlPem);
  writeFileSync(join(dir, "check-leaf.pem"), leafPem);
  return runOpensslIn([
    "verify",
    "-crl_check",
    "-CAfile",
    join(dir, "check-ca.pem"),
    "-CRLfile",
    join(dir, "check-crl.pem"),
    join(dir, "check-leaf.pem"),
  ]);
}
