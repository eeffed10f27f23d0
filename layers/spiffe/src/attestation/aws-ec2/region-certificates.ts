import { X509Certificate, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "../../errors.js";
import { AWS_EC2_RSA2048_CERTIFICATES } from "./aws-region-certificates.js";
import { REGION_NAME } from "./identity-document.js";

/** The public key that signs each Region's instance identity documents. */
export interface RegionKeys {
  /** The key of `region`'s certificate, or undefined for a Region without one. */
  get(region: string): KeyObject | undefined;
}

function keyOf(region: string, pem: string, where: string): KeyObject {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (err) {
    throw new ConfigError(`config: ${where}: the certificate of ${region} does not parse`, { cause: err });
  }
  const key = certificate.publicKey;
  if (key.asymmetricKeyType !== "rsa" || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new ConfigError(`config: ${where}: the certificate of ${region} must hold an RSA key of at least 2048 bits`);
  }
  return key;
}

function derToPem(base64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE-----\n`;
}

/**
 * The keys of AWS's RSA-2048 instance identity certificates, every shipped Region, with
 * `overrides` (Region to PEM) replacing or adding Regions. Overrides are checked now (`ConfigError`
 * names a bad entry); a shipped certificate is parsed the first time its Region joins.
 */
export function createRegionKeys(overrides: Readonly<Record<string, string>> = {}, where = "aws_ec2 certificates"): RegionKeys {
  const keys = new Map<string, KeyObject>();
  for (const [region, pem] of Object.entries(overrides)) {
    if (!REGION_NAME.test(region) || typeof pem !== "string")
      throw new ConfigError(`config: ${where}: ${JSON.stringify(region.slice(0, 64))} must be a Region name mapped to a PEM certificate`);
    keys.set(region, keyOf(region, pem, where));
  }
  return {
    get(region: string): KeyObject | undefined {
      if (!keys.has(region) && Object.hasOwn(AWS_EC2_RSA2048_CERTIFICATES, region)) {
        keys.set(region, keyOf(region, derToPem(AWS_EC2_RSA2048_CERTIFICATES[region] as string), "shipped"));
      }
      return keys.get(region);
    },
  };
}

/**
 * Read a JSON file of Region name to PEM certificate (`{"il-central-1": "-----BEGIN CERTIFICATE-----..."}`)
 * for `createRegionKeys`; `variable` names the setting in errors.
 */
export function readRegionCertificatesFile(path: string, variable: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError(`config: ${variable}: ${path} is not a readable JSON file`, { cause: err });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ConfigError(`config: ${variable}: ${path} must hold an object of Region name to PEM`);
  return value as Record<string, string>;
}
