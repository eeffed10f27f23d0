import { readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { BotLockedError, type Logger, writeFileAtomic } from "#tessera/core";
import { DEAD_CREDENTIAL_CODES } from "#tessera/contract";
import { AgentFatalError } from "./agent-fatal-error.js";
import { retryDelayMs, renewalDelayMs } from "./backoff.js";
import type { AgentOnboarding } from "./config/onboarding-config.js";
import { createJoinProof, JoinProofUnavailableError } from "./join-proof.js";
import { IssuerApiError, isPermanentRefusal, type CredentialResponse, type IssuerClient } from "./issuer-client.js";

const CREDENTIAL_FILE = "credential.json";

/** Options of a `BotSession`. */
export interface BotSessionOptions {
  client: Pick<IssuerClient, "joinWithToken" | "joinWithPlatformToken" | "joinChallenge" | "renew">;
  /**
   * How to join: a one-time token (default), a platform token (`oidc`, `gcp`) read from `tokenPath`
   * at each join (or `gcp`: from the GCE metadata server at `metadataEndpoint` for `tokenAudience`),
   * as `botName` (such sessions join again instead of renewing), the EC2 instance
   * identity from IMDSv2 at `metadataEndpoint` (`aws_ec2`: joins once per launch, then renews), or
   * (`aws_iam`) a challenge signed into an STS request with the default AWS credential chain, for
   * `stsRegion`'s STS or `stsEndpoint` (joins again instead of renewing).
   */
  onboarding: Omit<AgentOnboarding, "joinMethod"> & { joinMethod?: AgentOnboarding["joinMethod"] };
  /** Keep the credential here (0600) so a restart needs no new join token. */
  storageDirectory?: string;
  /** Renew this often instead of at half the credential's life. */
  renewalIntervalSeconds?: number;
  /** Ask the issuer for credentials of this lifetime (capped by the issuer). */
  credentialTtlSeconds?: number;
  logger: Logger;
  now?: () => number;
}

interface Held {
  response: CredentialResponse;
  obtainedAt: number;
}

/**
 * The agent's bot credential: joined once with the onboarding token, kept in storage, renewed before
 * it expires (each renewal retires the previous one at the issuer), retried with backoff while the
 * issuer is unreachable or the bot is locked, and joined again if the issuer declares it dead. When
 * the issuer refuses the join token for good (malformed, unknown, spent) or there is no token to
 * join with, the session fails: `onFatal` listeners hear it and every later call throws it.
 */
export class BotSession {
  readonly #options: BotSessionOptions;
  readonly #now: () => number;
  #held: Held | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #failures = 0;
  #inflight: Promise<string> | undefined;
  /** Calls under way with the held credential (`use`), and who waits for them to end. */
  #uses = 0;
  #usesEnded: (() => void) | undefined;
  /** The renewal under way: new calls wait for it. */
  #renewing: Promise<void> | undefined;
  #lastError: string | undefined;
  #fatal: AgentFatalError | undefined;
  readonly #fatalListeners = new Set<(err: AgentFatalError) => void>();

  constructor(options: BotSessionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The current credential, if any and unexpired. */
  current(): string | undefined {
    const held = this.#held;
    if (!held || Date.parse(held.response.expires_at) <= this.#now()) return undefined;
    return held.response.credential;
  }

  /** A short status for `/readyz`. */
  status(): { ready: boolean; botName?: string; instanceId?: string; expiresAt?: string; lastError?: string } {
    const held = this.#held;
    return {
      ready: this.current() !== undefined,
      ...(held ? { botName: held.response.bot_name, instanceId: held.response.instance_id, expiresAt: held.response.expires_at } : {}),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  /** The error that ended the session, if one did. */
  fatal(): AgentFatalError | undefined {
    return this.#fatal;
  }

  /** Hear of the error that ends the session. Returns the unsubscribe function. */
  onFatal(listener: (err: AgentFatalError) => void): () => void {
    this.#fatalListeners.add(listener);
    return () => this.#fatalListeners.delete(listener);
  }

  /** A valid credential: the held one, else from storage, else a join. Concurrent callers share one attempt. */
  async credential(): Promise<string> {
    if (this.#fatal) throw this.#fatal;
    const current = this.current();
    if (current) return current;
    this.#inflight ??= this.#obtain().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /**
   * Run `call` with a valid credential. A call waits for a renewal under way, and a renewal waits
   * for the calls under way: the issuer locks an instance when a credential it has renewed away
   * comes back (a copy exists), so no call may carry the old credential once its renewal is sent.
   */
  async use<T>(call: (credential: string) => Promise<T>): Promise<T> {
    for (;;) {
      while (this.#renewing) await this.#renewing;
      const credential = await this.credential();
      if (this.#renewing) continue;
      this.#uses++;
      try {
        return await call(credential);
      } finally {
        if (--this.#uses === 0) {
          const ended = this.#usesEnded;
          this.#usesEnded = undefined;
          ended?.();
        }
      }
    }
  }

  /** Renew now (SIGHUP). */
  async renewNow(): Promise<void> {
    await this.#renew();
  }

  /** Stop renewing. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  /**
   * The issuer answered `code` to a call made with `credential`. A dead credential is dropped (from
   * storage too) and the session joins again at once; a locked bot changes nothing here: the
   * credential works again after an unlock.
   */
  refused(credential: string, code: string): void {
    if (!DEAD_CREDENTIAL_CODES.has(code) || this.#held?.response.credential !== credential) return;
    this.#drop(code);
  }

  #drop(code: string): void {
    this.#held = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#options.storageDirectory) {
      unlink(join(this.#options.storageDirectory, CREDENTIAL_FILE)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOENT") this.#options.logger.warn("could not remove the refused stored credential", { error: err });
      });
    }
    const { token, tokenPath, joinMethod } = this.#options.onboarding;
    if (!token && !tokenPath && (joinMethod ?? "token") === "token") {
      this.#fail(
        `agent: the issuer refused the bot credential (${code}) and there is no onboarding token to join again; give the agent a new join token`,
        code,
      );
      return;
    }
    const again = (joinMethod ?? "token") === "token" ? "the onboarding token" : `a fresh ${joinMethod} proof`;
    this.#options.logger.warn(`the issuer refused the bot credential; joining again with ${again}`, { code });
    this.credential().catch((err) => {
      if (!(err instanceof AgentFatalError))
        this.#options.logger.warn("could not join again; retrying with the next request", { error: err });
    });
  }

  #fail(message: string, code: string, cause?: unknown): AgentFatalError {
    if (this.#fatal) return this.#fatal;
    const err = new AgentFatalError(message, code, cause === undefined ? undefined : { cause });
    this.#fatal = err;
    this.#lastError = message;
    this.stop();
    for (const listener of [...this.#fatalListeners]) listener(err);
    return err;
  }

  async #obtain(): Promise<string> {
    const stored = await this.#loadStored();
    if (stored) {
      await this.#adopt(stored, false);
      return stored.response.credential;
    }
    let response: CredentialResponse;
    try {
      response = await this.#join();
    } catch (err) {
      this.#lastError = err instanceof Error ? err.message : String(err);
      if (isPermanentRefusal(err) && err.code !== BotLockedError.code) {
        throw this.#fail(
          `agent: the issuer refused the join token (${err.code}: ${err.message}); give the agent a new join token`,
          err.code,
          err,
        );
      }
      throw err;
    }
    this.#options.logger.info("joined the issuer", {
      bot: response.bot_name,
      instance: response.instance_id,
      expires_at: response.expires_at,
    });
    await this.#adopt({ response, obtainedAt: this.#now() }, true);
    return response.credential;
  }

  async #join(): Promise<CredentialResponse> {
    const { joinMethod, botName } = this.#options.onboarding;
    const ttl = this.#options.credentialTtlSeconds;
    if (joinMethod === undefined || joinMethod === "token") return this.#options.client.joinWithToken(await this.#joinToken(), ttl);
    let proof;
    try {
      proof = await createJoinProof({ ...this.#options.onboarding, joinMethod }, this.#options.client);
    } catch (err) {
      if (err instanceof JoinProofUnavailableError && err.fromFile)
        throw this.#fail(`agent: no usable bot credential, and ${err.message.replace(/^join: /, "")}`, "ERR_AGENT_NO_JOIN_TOKEN", err);
      throw err;
    }
    return this.#options.client.joinWithPlatformToken(joinMethod, botName as string, proof.token, ttl, proof.document);
  }

  async #joinToken(): Promise<string> {
    const { token, tokenPath } = this.#options.onboarding;
    if (token) return token;
    if (tokenPath) {
      try {
        return (await readFile(tokenPath, "utf8")).trim();
      } catch (err) {
        throw this.#fail(
          `agent: no usable bot credential, and the join token file ${tokenPath} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
          "ERR_AGENT_NO_JOIN_TOKEN",
          err,
        );
      }
    }
    throw this.#fail("agent: no usable bot credential and no onboarding token to join with", "ERR_AGENT_NO_JOIN_TOKEN");
  }

  async #loadStored(): Promise<Held | undefined> {
    if (!this.#options.storageDirectory) return undefined;
    try {
      const held = JSON.parse(await readFile(join(this.#options.storageDirectory, CREDENTIAL_FILE), "utf8")) as Held;
      if (Date.parse(held.response.expires_at) > this.#now()) return held;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT")
        this.#options.logger.warn("ignoring unreadable stored credential", { error: err });
    }
    return undefined;
  }

  async #adopt(held: Held, persist: boolean): Promise<void> {
    this.#held = held;
    this.#failures = 0;
    this.#lastError = undefined;
    if (persist && this.#options.storageDirectory) {
      await writeFileAtomic(join(this.#options.storageDirectory, CREDENTIAL_FILE), JSON.stringify(held), 0o600);
    }
    this.#schedule();
  }

  #schedule(delayMs?: number): void {
    if (this.#stopped || !this.#held) return;
    if (this.#timer) clearTimeout(this.#timer);
    const expiresAt = Date.parse(this.#held.response.expires_at);
    const interval = this.#options.renewalIntervalSeconds;
    const delay = delayMs ?? (interval ? interval * 1000 : renewalDelayMs(this.#held.obtainedAt, expiresAt, this.#now()));
    this.#timer = setTimeout(() => void this.#renew(), delay);
    this.#timer.unref();
  }

  /** Renew once the calls under way have ended; one renewal at a time, and new calls wait for it. */
  #renew(): Promise<void> {
    this.#renewing ??= this.#renewWhenIdle().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async #renewWhenIdle(): Promise<void> {
    if (this.#uses > 0) await new Promise<void>((resolve) => (this.#usesEnded = resolve));
    const held = this.#held;
    if (!held || this.#stopped) return;
    try {
      const method = this.#options.onboarding.joinMethod;
      const platform = method === "oidc" || method === "gcp" || method === "aws_iam";
      const response = platform
        ? await this.#join()
        : await this.#options.client.renew(held.response.credential, this.#options.credentialTtlSeconds);
      this.#options.logger.info("renewed the bot credential", { generation: response.generation, expires_at: response.expires_at });
      await this.#adopt({ response, obtainedAt: this.#now() }, true);
    } catch (err) {
      this.#failures++;
      this.#lastError = err instanceof Error ? err.message : String(err);
      if (err instanceof IssuerApiError && DEAD_CREDENTIAL_CODES.has(err.code)) {
        this.#options.logger.error("the issuer refused the bot credential", { code: err.code, error: err.message });
        this.#drop(err.code);
        return;
      }
      const delay = retryDelayMs(this.#failures, err);
      const locked = err instanceof IssuerApiError && err.code === BotLockedError.code;
      this.#options.logger.warn(
        locked
          ? "the bot or its instance is locked at the issuer; retrying the renewal until it is unlocked"
          : "could not renew the bot credential; retrying",
        { error: err, ...(err instanceof IssuerApiError ? { code: err.code } : {}), retry_in_ms: delay },
      );
      this.#schedule(delay);
    }
  }
}
