import type { AdminDeps } from "../admin/index.js";
import type { JoinRuleValidators, JoinVerifiers } from "../attestation/index.js";
import type { TrustAnchorCalls } from "../bundlepublisher/rolesanywhere/index.js";
import { AuthorityCache, type AuthorityDepsOver, type AuthorityPolicy } from "../ca/index.js";
import type { Clock } from "../clock.js";
import type { TesseraConfig } from "../config/index.js";
import type { IssuerDeps, IssuerPolicy } from "../issuer/index.js";
import type { KeyManager, KeyRetirer } from "../keymanager/types.js";
import type { Logger as TesseraLogger } from "../logger.js";
import type { CrlPublisher, RevocationDeps } from "../revocation/index.js";
import type { RotationPolicy } from "../rotation/index.js";
import type { JournalKind, Store } from "../store/types.js";

/** Everything the handlers need, built once per process (one Lambda cold start, one dev server). */
export interface TesseraRuntime {
  config: TesseraConfig;
  store: Store;
  keys: KeyManager & KeyRetirer;
  clock: Clock;
  logger: TesseraLogger;
  authorities: AuthorityCache;
  issuer: IssuerDeps;
  admin: AdminDeps;
  authority: AuthorityDepsOver<Store>;
  authorityPolicy: AuthorityPolicy;
  rotationPolicy: Record<JournalKind, RotationPolicy>;
  /** Revoking SVIDs and signing CRLs (the admin routes and the rotation tick). */
  revocation: RevocationDeps<Store>;
  close(): Promise<void>;
}

/**
 * What a runtime is assembled from: opened from the configuration by `buildRuntime`, or by a Lambda
 * function with only the parts its routes use (`buildFunctionRuntime`), so its bundle carries no other.
 */
export interface RuntimeParts {
  store: Store;
  keys: KeyManager & KeyRetirer;
  clock: Clock;
  logger: TesseraLogger;
  /** Where CRLs go (revocations, the rotation tick). */
  crlPublishers: CrlPublisher[];
  /** The configured platform join verifiers; the use cases fall back to the production defaults without them. */
  verifiers?: JoinVerifiers;
  /** What the admin checks join rules with when there are no verifiers (`createJoinRuleValidators`). */
  joinRules?: JoinRuleValidators;
  /** The Roles Anywhere calls the admin reads the configured trust anchor's state with. */
  trustAnchorCalls?: TrustAnchorCalls;
}

/** Wire the authority cache and the dependencies of every use case from opened parts. */
export function assembleRuntime(config: TesseraConfig, parts: RuntimeParts): TesseraRuntime {
  const { store, keys, clock, logger, verifiers } = parts;
  const authorities = new AuthorityCache(
    { keys, journals: store, clock },
    { trustDomain: config.trustDomain, refreshHintSeconds: config.bundleRefreshHintSeconds },
  );
  const authorityPolicy: AuthorityPolicy = {
    trustDomain: config.trustDomain,
    keySpec: config.keySpec,
    caTtlSeconds: config.caTtlSeconds,
    jwtKeyTtlSeconds: config.jwtKeyTtlSeconds,
    jwtSvids: config.jwtSvids,
  };
  const rotationTiming = {
    skewSeconds: config.backdateSeconds,
    refreshHintSeconds: config.bundleRefreshHintSeconds,
    warnFraction: config.caWarnFraction,
  };
  const rotationPolicy = {
    x509: { ...rotationTiming, maxSvidTtlSeconds: config.x509SvidMaxTtlSeconds },
    jwt: { ...rotationTiming, maxSvidTtlSeconds: config.jwtSvidMaxTtlSeconds, disabled: !config.jwtSvids },
  };
  const policy: IssuerPolicy = {
    trustDomain: config.trustDomain,
    credentialTtlSeconds: config.credentialTtlSeconds,
    x509Svid: { defaultSeconds: config.x509SvidTtlSeconds, maxSeconds: config.x509SvidMaxTtlSeconds },
    jwtSvid: { defaultSeconds: config.jwtSvidTtlSeconds, maxSeconds: config.jwtSvidMaxTtlSeconds },
    jwtSvids: config.jwtSvids,
    backdateSeconds: config.backdateSeconds,
    ...(config.issuerUrl ? { issuerUrl: config.issuerUrl } : {}),
  };
  const revocation: RevocationDeps<Store> = {
    store,
    keys,
    clock,
    logger,
    crlPublishers: parts.crlPublishers,
    svidWindowSeconds: Math.max(config.x509SvidMaxTtlSeconds, config.jwtSvidMaxTtlSeconds) + config.backdateSeconds,
  };
  return {
    config,
    store,
    keys,
    clock,
    logger,
    authorities,
    authorityPolicy,
    rotationPolicy,
    authority: { keys, journals: store, leases: store, clock },
    issuer: { store, authorities, clock, logger, policy, verifiers },
    admin: {
      store,
      clock,
      logger,
      trustDomain: config.trustDomain,
      maxSvidTtlSeconds: config.x509SvidMaxTtlSeconds,
      issuerPolicy: policy,
      rotationPolicy,
      verifiers: verifiers ?? parts.joinRules,
      ...(parts.trustAnchorCalls && config.trustAnchorId
        ? { trustAnchor: { calls: parts.trustAnchorCalls, trustAnchorId: config.trustAnchorId, bundle: () => authorities.bundle() } }
        : {}),
    },
    revocation,
    close: () => store.close(),
  };
}
