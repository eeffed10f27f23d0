import { X509Certificate, createHash, createPrivateKey } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Bundle, marshalSpiffeBundle, parseSpiffeBundle, type TrustDomain, verifyX509Svid, writeFileAtomic } from "#tessera/core";
import type { X509Material } from "./svid-manager.js";

const BUNDLE_FILE = "bundle.json";
const SVID_DIRECTORY = "svids";

interface SvidDocument {
  spiffe_id: string;
  certificates: string[];
  private_key: string;
  issued_at: number;
  expires_at: number;
  serial_number: string;
}

const fileOf = (directory: string, slotKey: string) =>
  join(directory, SVID_DIRECTORY, `${createHash("sha256").update(slotKey).digest("hex")}.json`);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const bytes = (text: string) => new Uint8Array(Buffer.from(text, "base64"));

/** A file that is not there yet answers undefined; any other failure throws. */
async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * What the agent was issued, kept in its storage directory (0700) so that a restart during an
 * issuer outage serves every SVID that is still valid: the trust bundle, and one file per wanted
 * X.509-SVID holding its chain and key (0600). Writes are atomic.
 */
export class SvidStorage {
  constructor(
    readonly directory: string,
    readonly trustDomain: TrustDomain,
  ) {}

  /** Keep the trust bundle. */
  async saveBundle(bundle: Bundle): Promise<void> {
    await writeFileAtomic(join(this.directory, BUNDLE_FILE), marshalSpiffeBundle(bundle), 0o600);
  }

  /** The kept trust bundle, if any. Throws for one that does not parse. */
  async loadBundle(): Promise<Bundle | undefined> {
    const text = await readIfPresent(join(this.directory, BUNDLE_FILE));
    return text === undefined ? undefined : parseSpiffeBundle(text, this.trustDomain);
  }

  /** Keep the X.509-SVID wanted under `slotKey`, key included (0600). */
  async saveX509Svid(slotKey: string, svid: X509Material): Promise<void> {
    const doc: SvidDocument = {
      spiffe_id: svid.spiffeId,
      certificates: svid.certificates.map(b64),
      private_key: b64(svid.privateKey),
      issued_at: svid.issuedAt,
      expires_at: svid.expiresAt,
      serial_number: svid.serialNumber,
    };
    await writeFileAtomic(fileOf(this.directory, slotKey), JSON.stringify(doc), 0o600);
  }

  /** Forget the X.509-SVID kept under `slotKey` (revoked, or its CA removed), if any. */
  async removeX509Svid(slotKey: string): Promise<void> {
    await rm(fileOf(this.directory, slotKey), { force: true });
  }

  /**
   * The X.509-SVID kept under `slotKey`, only if it is still valid at `now`, is for `spiffeId`,
   * chains to `bundle` and matches its key; undefined when none is kept. Throws saying why a kept
   * one is refused.
   */
  async loadX509Svid(slotKey: string, spiffeId: string, bundle: Bundle, now: number): Promise<X509Material | undefined> {
    const text = await readIfPresent(fileOf(this.directory, slotKey));
    if (text === undefined) return undefined;
    const doc = JSON.parse(text) as SvidDocument;
    const certificates = doc.certificates.map(bytes);
    const verified = verifyX509Svid(certificates, bundle, { now: new Date(now) });
    if (verified.spiffeId.toString() !== spiffeId)
      throw new Error(`agent: kept X.509-SVID is for ${verified.spiffeId.toString()}, not ${spiffeId}`);
    const privateKey = bytes(doc.private_key);
    const leaf = new X509Certificate(Buffer.from(certificates[0] as Uint8Array));
    if (!leaf.checkPrivateKey(createPrivateKey({ key: Buffer.from(privateKey), format: "der", type: "pkcs8" }))) {
      throw new Error("agent: kept X.509-SVID does not match its key");
    }
    const expiresAt = Math.min(doc.expires_at, Date.parse(leaf.validTo));
    if (expiresAt <= now) return undefined;
    return { spiffeId, certificates, privateKey, issuedAt: doc.issued_at, expiresAt, serialNumber: doc.serial_number };
  }
}
