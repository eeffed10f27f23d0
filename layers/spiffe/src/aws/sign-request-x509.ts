import { X509Certificate, sign, type KeyObject } from "node:crypto";
import { SignatureV4Base, createScope, getCanonicalHeaders, getPayloadHash } from "@smithy/signature-v4";
import { NodeSha256 } from "./node-sha256.js";
import { toSmithyRequest, type SignableRequest } from "./smithy-request.js";

/** The certificate (leaf first, then intermediates) and private key that sign a request. */
export interface X509SigningMaterial {
  /** DER certificates, leaf first; the others travel in `X-Amz-X509-Chain`. */
  certificates: Uint8Array[];
  privateKey: KeyObject;
}

/** Options of `signRequestX509`. */
export interface SignRequestX509Options {
  region: string;
  /** Default `rolesanywhere`. */
  service?: string;
  /** The signing time; default now. */
  now?: Date;
}

/**
 * SigV4's canonical request and string to sign (smithy's, the same code every AWS SDK call uses),
 * signed with a certificate's private key instead of an HMAC, as IAM Roles Anywhere requires.
 */
class X509Signer extends SignatureV4Base {
  readonly #region: string;

  constructor(region: string, service: string) {
    super({ service, region, sha256: NodeSha256, credentials: { accessKeyId: "", secretAccessKey: "" } });
    this.#region = region;
  }

  /** The headers with `x-amz-date` and `authorization` added. */
  async sign(request: SignableRequest, privateKey: KeyObject, serial: string, now: Date): Promise<Record<string, string>> {
    const algorithm = algorithmOf(privateKey);
    const { longDate, shortDate } = this.formatDate(now);
    const headers = { ...request.headers, "x-amz-date": longDate };
    const smithy = toSmithyRequest({ ...request, headers });
    const canonicalHeaders = getCanonicalHeaders(smithy);
    const canonical = this.createCanonicalRequest(smithy, canonicalHeaders, await getPayloadHash(smithy, NodeSha256));
    const scope = createScope(shortDate, this.#region, this.service);
    const toSign = await this.createStringToSign(longDate, scope, canonical, algorithm);
    const signature = sign("sha256", Buffer.from(toSign, "utf8"), { key: privateKey, dsaEncoding: "der" }).toString("hex");
    const signedHeaders = this.getCanonicalHeaderList(canonicalHeaders);
    return {
      ...smithy.headers,
      authorization: `${algorithm} Credential=${serial}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    };
  }
}

function algorithmOf(key: KeyObject): string {
  if (key.asymmetricKeyType === "ec") return "AWS4-X509-ECDSA-SHA256";
  if (key.asymmetricKeyType === "rsa") return "AWS4-X509-RSA-SHA256";
  throw new TypeError(`aws: a ${key.asymmetricKeyType ?? "symmetric"} key cannot sign for IAM Roles Anywhere (EC or RSA only)`);
}

/**
 * Sign a request as IAM Roles Anywhere's `CreateSession` requires (its "signing process"): SigV4's
 * canonical request with `X-Amz-X509` (the leaf, base64 DER) and `X-Amz-X509-Chain` (the
 * intermediates, comma-separated) among the signed headers, a string to sign naming
 * `AWS4-X509-ECDSA-SHA256` or `AWS4-X509-RSA-SHA256`, its SHA-256 signature by the certificate's key
 * (ECDSA in DER) in hex, and the certificate's decimal serial number as the credential. Returns the
 * headers to send.
 */
export async function signRequestX509(
  request: SignableRequest,
  material: X509SigningMaterial,
  options: SignRequestX509Options,
): Promise<Record<string, string>> {
  const [leaf, ...chain] = material.certificates;
  if (!leaf) throw new TypeError("aws: signRequestX509 needs a certificate");
  const headers: Record<string, string> = {
    ...request.headers,
    "x-amz-x509": Buffer.from(leaf).toString("base64"),
    ...(chain.length ? { "x-amz-x509-chain": chain.map((c) => Buffer.from(c).toString("base64")).join(",") } : {}),
  };
  const serial = BigInt(`0x${new X509Certificate(Buffer.from(leaf)).serialNumber}`).toString(10);
  return new X509Signer(options.region, options.service ?? "rolesanywhere").sign(
    { ...request, headers },
    material.privateKey,
    serial,
    options.now ?? new Date(),
  );
}
