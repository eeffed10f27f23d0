import { encodePem } from "../internal/der/pem.js";
import type { Bundle } from "./bundle.js";
import { readCertificate } from "./read-certificate.js";

/** The bundle's X.509 authorities as concatenated PEM `CERTIFICATE` blocks (JWT keys have no PEM form). */
export function marshalPemBundle(bundle: Bundle): string {
  return bundle.x509Authorities
    .map((der, i) => {
      readCertificate(der, `x509 authority ${i}`);
      return encodePem("CERTIFICATE", der);
    })
    .join("");
}
