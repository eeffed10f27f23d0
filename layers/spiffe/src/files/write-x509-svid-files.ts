import { join } from "node:path";
import { encodePem } from "../internal/der/pem.js";
import { encodeCertificatePem } from "../x509svid/pem.js";
import { writeFileAtomic } from "./write-file-atomic.js";

/** An X.509-SVID and the trust bundle it chains to, as `writeX509SvidFiles` writes them. */
export interface X509SvidFiles {
  /** DER certificates, leaf first. */
  certificates: readonly Uint8Array[];
  /** The leaf's private key, PKCS#8 DER. */
  privateKey: Uint8Array;
  /** DER certificates of the trust bundle's X.509 authorities. */
  bundle: readonly Uint8Array[];
}

/** File names of the three files; spiffe-helper's by default. */
export interface X509SvidFileNames {
  cert: string;
  key: string;
  bundle: string;
}

/** spiffe-helper's names: `svid.pem`, `svid_key.pem`, `svid_bundle.pem`. */
export const DEFAULT_X509_SVID_FILE_NAMES: Readonly<X509SvidFileNames> = Object.freeze({
  cert: "svid.pem",
  key: "svid_key.pem",
  bundle: "svid_bundle.pem",
});

/**
 * Write an X.509-SVID as the three PEM files programs that only read files expect: the key
 * (PKCS#8, 0600) first, then the chain (0644) and the bundle (0644), each replaced atomically.
 */
export async function writeX509SvidFiles(
  directory: string,
  svid: X509SvidFiles,
  names: X509SvidFileNames = DEFAULT_X509_SVID_FILE_NAMES,
): Promise<void> {
  await writeFileAtomic(join(directory, names.key), encodePem("PRIVATE KEY", svid.privateKey), 0o600);
  await writeFileAtomic(join(directory, names.cert), encodeCertificatePem(svid.certificates), 0o644);
  await writeFileAtomic(join(directory, names.bundle), encodeCertificatePem(svid.bundle), 0o644);
}
