import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { backoffDelayMs, renewalDelayMs } from "./backoff.js";
import { writeFileAtomic } from "./files/write-file-atomic.js";
import { IssuerApiError, type CredentialResponse, type IssuerClient } from "./issuer-client.js";
import type { AgentLogger } from "./logger.js";

/** Answers after which a credential is dead for good: join again or give up. */
const DEAD_CREDENTIAL_CODES = new Set(["ERR_CREDENTIAL_INVALID", "ERR_GENERATION_MISMATCH", "ERR_BOT_LOCKED"]);
const CREDENTIAL_FILE = "credential.json";

/** Options of a `BotSession`. */
export interface BotSessionOptions {
  client: IssuerClient;
  onboarding: { token?: string; tokenPath?: string };
  /** Keep the credential here (0600) so a restart needs no new join token. */
  storageDirectory?: string;
  /** Renew this often instead of at half the credential's life. */
  renewalIntervalSeconds?: number;
  /** Ask the issuer for credentials of this lifetime (capped by the issuer). */
  credentialTtlSeconds?: number;
  logger: AgentLogger;
  now?: () => number;
}

interface Held {
  response: CredentialResponse;
  obtainedAt: number;
}

/**
 * The agent's bot credential: joined once with the onboarding token, kept in storage, renewed before
 * it expires (each renewal retires the previous one at the issuer), retried with backoff while the
 * issuer is unreachable, and joined again if the issuer declares it dead.
 */
export class BotSession {
  readonly #options: BotSessionOptions;
  readonly #now: () => number;
  #held: Held | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #failures = 0;
  #inflight: Promise<string> | undefined;
  #lastError: string | undefined;

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

  /** A valid credential: the held one, else from storage, else a join. Concurrent callers share one attempt. */
  async credential(): Promise<string> {
    const current = this.current();
    if (current) return current;
    this.#inflight ??= this.#obtain().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
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

  /** Forget the credential after the issuer refused it as dead; the next call joins again. */
  invalidate(reason: string): void {
    this.#options.logger.warn("bot credential refused by the issuer; joining again", { reason });
    this.#held = undefined;
  }

  async #obtain(): Promise<string> {
    const stored = await this.#loadStored();
    if (stored) {
      this.#adopt(stored, false);
      return stored.response.credential;
    }
    const token = await this.#joinToken();
    const response = await this.#options.client.joinWithToken(token, this.#options.credentialTtlSeconds);
    this.#options.logger.info("joined the issuer", { bot: response.bot_name, instance: response.instance_id, expires_at: response.expires_at });
    await this.#adopt({ response, obtainedAt: this.#now() }, true);
    return response.credential;
  }

  async #joinToken(): Promise<string> {
    const { token, tokenPath } = this.#options.onboarding;
    if (token) return token;
    if (tokenPath) return (await readFile(tokenPath, "utf8")).trim();
    throw new Error("agent: no usable bot credential and no onboarding token to join with");
  }

  async #loadStored(): Promise<Held | undefined> {
    if (!this.#options.storageDirectory) return undefined;
    try {
      const held = JSON.parse(await readFile(join(this.#options.storageDirectory, CREDENTIAL_FILE), "utf8")) as Held;
      if (Date.parse(held.response.expires_at) > this.#now()) return held;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.#options.logger.warn("ignoring unreadable stored credential", { error: err });
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

  async #renew(): Promise<void> {
    const held = this.#held;
    if (!held || this.#stopped) return;
    try {
      const response = await this.#options.client.renew(held.response.credential, this.#options.credentialTtlSeconds);
      this.#options.logger.info("renewed the bot credential", { generation: response.generation, expires_at: response.expires_at });
      await this.#adopt({ response, obtainedAt: this.#now() }, true);
    } catch (err) {
      this.#failures++;
      this.#lastError = err instanceof Error ? err.message : String(err);
      if (err instanceof IssuerApiError && DEAD_CREDENTIAL_CODES.has(err.code)) {
        this.#options.logger.error("the issuer refused the bot credential", { code: err.code, error: err.message });
        this.#held = undefined;
        if (err.code === "ERR_CREDENTIAL_INVALID") {
          this.credential().catch((joinErr) => this.#options.logger.error("could not join again", { error: joinErr }));
        }
        return;
      }
      const delay = backoffDelayMs(this.#failures);
      this.#options.logger.warn("could not renew the bot credential; retrying", { error: err, retry_in_ms: delay });
      this.#schedule(delay);
    }
  }
}
