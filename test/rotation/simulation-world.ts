// Test-only: the world a rotation simulation runs in. An issuer on the embedded store and disk keys
// (real signatures) on a frozen clock, an S3-like publisher that keeps the last bundle document and
// OIDC JWKS, and
// a Roles Anywhere trust anchor held in memory behind the real trust-anchor publisher.
import { GetTrustAnchorCommand, UpdateTrustAnchorCommand } from "@aws-sdk/client-rolesanywhere";
import { createCaptureLogger } from "../support/capture-logger.js";
import { CountingKeyManager } from "../support/counting-key-manager.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TrustDomain } from "#tessera/core";
import { type Bundle, FixedClock, marshalSpiffeBundle, parseSpiffeBundle } from "#tessera/core";
import {
  type BundlePublisher,
  DiskKeyManager,
  EmbeddedStore,
  loadConfig,
  marshalOidcDocuments,
  type RotationTickResult,
  runRotationTick,
} from "#tessera/issuer";
import { RolesAnywhereTrustAnchorPublisher, type TesseraRuntime } from "#tessera/aws";
import { buildRuntime } from "#tessera/dev";

/** An in-memory trust anchor answering the two calls the publisher makes. */
export class FakeTrustAnchor {
  pem = "";
  calls = 0;

  send = async (command: object): Promise<object> => {
    this.calls++;
    if (command instanceof UpdateTrustAnchorCommand) {
      this.pem = command.input.source?.sourceData?.x509CertificateData ?? "";
      return {};
    }
    if (command instanceof GetTrustAnchorCommand) {
      return { trustAnchor: { source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: this.pem } } } };
    }
    throw new Error(`unexpected Roles Anywhere call ${command.constructor.name}`);
  };

  certificateCount(): number {
    return (this.pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
  }
}

/** The issuer URL of a simulated issuer: every JWT-SVID's `iss`. */
export const SIMULATION_ISSUER = "https://spiffe.example.org";

/** What relying parties see: the last bundle document and OIDC JWKS written to "S3". */
export class DocumentPublisher implements BundlePublisher {
  readonly name = "aws_s3";
  document = "";
  jwks = "";
  writes = 0;
  /** `publishBundle` calls: S3BundlePublisher makes a HeadObject per object on each. */
  calls = 0;

  constructor(readonly trustDomain: TrustDomain) {}

  async publishBundle(bundle: Bundle): Promise<{ changed: boolean }> {
    this.calls++;
    const document = marshalSpiffeBundle(bundle);
    if (document === this.document) return { changed: false };
    this.document = document;
    this.jwks = marshalOidcDocuments(SIMULATION_ISSUER, bundle).jwks;
    this.writes++;
    return { changed: true };
  }

  published(): Bundle {
    return parseSpiffeBundle(this.document, this.trustDomain);
  }
}

/** A simulated issuer and what it publishes. */
export interface SimulationWorld {
  runtime: TesseraRuntime;
  clock: FixedClock;
  keys: CountingKeyManager;
  s3: DocumentPublisher;
  anchor: FakeTrustAnchor;
  tick(): Promise<RotationTickResult>;
  close(): Promise<void>;
}

/** How a world is opened: where its data lives, and wrappers around its parts (crash injection). */
export interface OpenWorldOptions {
  dataDir: string;
  clock: FixedClock;
  env?: Record<string, string>;
  wrap?: <T extends object>(part: T) => T;
  /** Keep publishing into these, so what relying parties saw survives a restart. */
  s3?: DocumentPublisher;
  anchor?: FakeTrustAnchor;
}

/** Open (or reopen, after a simulated crash) an issuer with the default schedule over `dataDir`. */
export async function openSimulationWorld(options: OpenWorldOptions): Promise<SimulationWorld> {
  const { clock, dataDir } = options;
  const wrap = options.wrap ?? (<T>(part: T) => part);
  const config = loadConfig({
    TESSERA_TRUST_DOMAIN: "example.org",
    TESSERA_STORE: "embedded",
    TESSERA_KEY_MANAGER: "disk",
    TESSERA_DATA_DIR: dataDir,
    TESSERA_LOG_LEVEL: "ERROR",
    TESSERA_ISSUER_URL: SIMULATION_ISSUER,
    ...options.env,
  });
  const keys = new CountingKeyManager(new DiskKeyManager({ directory: `${dataDir}/keys` }), () => clock.now().getTime());
  const store = await EmbeddedStore.open({ directory: dataDir, clock });
  const runtime = await buildRuntime(config, { clock, keys: wrap(keys), store: wrap(store), logger: createCaptureLogger() });
  const s3 = options.s3 ?? new DocumentPublisher(config.trustDomain);
  const anchor = options.anchor ?? new FakeTrustAnchor();
  const roles = new RolesAnywhereTrustAnchorPublisher({
    client: anchor,
    trustAnchorId: "00000000-0000-4000-8000-000000000000",
    pacing: { minIntervalMs: 0, sleep: async () => undefined },
  });
  const publishers = [wrap(s3), wrap(roles)];
  return { runtime, clock, keys, s3, anchor, tick: () => runRotationTick({ ...runtime, publishers }), close: () => store.close() };
}

/** Start an issuer at `start` in a fresh data directory; `close` removes it. */
export async function startSimulationWorld(start: number, env: Record<string, string> = {}): Promise<SimulationWorld> {
  const dir = await makeTempDir("rotation-sim");
  const world = await openSimulationWorld({ dataDir: dir.path, clock: new FixedClock(start), env });
  return {
    ...world,
    close: async () => {
      await world.close();
      await dir.remove();
    },
  };
}
