import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../test/support/temp-dir.js";
import { AgentFatalError } from "./agent-fatal-error.js";
import { BotSession } from "./bot-session.js";
import { IssuerApiError, IssuerUnreachableError, type CredentialResponse } from "./issuer-client.js";

const TOKEN = "T".repeat(43);
const HOUR = 3600_000;

function credential(generation: number): CredentialResponse {
  return {
    credential: `tbc1.inst.${generation}.secret`,
    bot_name: "web",
    instance_id: "inst",
    generation,
    expires_at: new Date(Date.now() + HOUR).toISOString(),
  };
}

/** An issuer whose answers a test lines up: each call takes the next one. */
class ScriptedIssuer {
  joins: (CredentialResponse | Error)[] = [];
  renewals: (CredentialResponse | Error)[] = [];
  calls: string[] = [];
  async joinWithToken(): Promise<CredentialResponse> {
    this.calls.push("join");
    return this.#next(this.joins);
  }
  async joinWithPlatformToken(method: string, botName: string, token: string): Promise<CredentialResponse> {
    this.calls.push(`${method}-join ${botName} ${token}`);
    return this.#next(this.joins);
  }
  async joinChallenge(): Promise<{ challenge: string; expires_at: string }> {
    this.calls.push("challenge");
    return { challenge: "c".repeat(43), expires_at: new Date(Date.now() + 120_000).toISOString() };
  }
  async renew(): Promise<CredentialResponse> {
    this.calls.push("renew");
    return this.#next(this.renewals);
  }
  #next(answers: (CredentialResponse | Error)[]): CredentialResponse {
    const answer = answers.shift();
    if (!answer) throw new Error("test: no answer scripted");
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

const refusedToken = () => new IssuerApiError(401, "ERR_JOIN_TOKEN_INVALID", "join: unknown, expired or locked join token");

describe("BotSession: refusals that retrying cannot help end the session; the rest are retried", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let lines: { level: string; message: string; fields: Record<string, unknown> }[];
  const logger = () => {
    lines = [];
    const at =
      (level: string) =>
      (message: string, fields: Record<string, unknown> = {}) =>
        void lines.push({ level, message, fields });
    return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  };
  const messages = () => lines.map((l) => l.message).join("\n");

  before(async () => {
    temp = await makeTempDir("bot-session");
  });
  after(async () => {
    await temp.remove();
  });

  for (const [what, err] of [
    ["unknown or spent", refusedToken()],
    ["used up", new IssuerApiError(401, "ERR_JOIN_TOKEN_USED", "join: token has no uses left")],
    ["refused by the bot's rules", new IssuerApiError(403, "ERR_JOIN_METHOD_NOT_ALLOWED", "join: method not allowed")],
  ] as const) {
    it(`fails for good on a join token that is ${what}, tells onFatal once, and never asks again`, async () => {
      const issuer = new ScriptedIssuer();
      issuer.joins.push(err);
      const session = new BotSession({ client: issuer, onboarding: { token: TOKEN }, logger: logger() });
      const heard: AgentFatalError[] = [];
      session.onFatal((e) => heard.push(e));
      await assert.rejects(
        session.credential(),
        (e: unknown) => e instanceof AgentFatalError && e.code === err.code && /refused the join token/.test(e.message),
      );
      await assert.rejects(session.credential(), (e: unknown) => e instanceof AgentFatalError);
      assert.deepEqual(issuer.calls, ["join"]);
      assert.equal(heard.length, 1);
      assert.ok(!heard[0]!.message.includes(TOKEN), "the token is never in the message");
    });
  }

  it("retries a join the issuer could not answer (unreachable, 503, 429), then joins", async () => {
    const issuer = new ScriptedIssuer();
    issuer.joins.push(
      new IssuerUnreachableError("cannot reach the issuer at http://x/v1/join: connect ECONNREFUSED"),
      new IssuerApiError(503, "ERR_KMS_THROTTLED", "slow down"),
      new IssuerApiError(429, "ERR_HTTP", "too many"),
      credential(1),
    );
    const session = new BotSession({ client: issuer, onboarding: { token: TOKEN }, logger: logger() });
    for (let i = 0; i < 3; i++) await assert.rejects(session.credential(), (e: unknown) => !(e instanceof AgentFatalError));
    assert.equal(await session.credential(), credential(1).credential);
    assert.equal(session.fatal(), undefined);
  });

  it("never sends a credential once its renewal is under way: a renewal waits for the calls under way, a call for the renewal", async () => {
    const issuer = new ScriptedIssuer();
    issuer.joins.push(credential(1));
    issuer.renewals.push(credential(2));
    const session = new BotSession({ client: issuer, onboarding: { token: TOKEN }, logger: logger() });
    await session.credential();
    const seen: string[] = [];
    let finish!: () => void;
    const running = session.use(async (c) => {
      seen.push(`first ${c}`);
      await new Promise<void>((resolve) => (finish = resolve));
      seen.push("first done");
    });
    await new Promise((resolve) => setImmediate(resolve));
    const renewal = session.renewNow();
    const later = session.use(async (c) => void seen.push(`later ${c}`));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(issuer.calls, ["join"], "no renewal while a call holds the credential");
    finish();
    await Promise.all([running, renewal, later]);
    assert.deepEqual(issuer.calls, ["join", "renew"]);
    assert.deepEqual(seen, [`first ${credential(1).credential}`, "first done", `later ${credential(2).credential}`]);
    session.stop();
  });

  it("keeps its credential while the bot is locked and says it waits for the unlock; renews after it", async () => {
    const issuer = new ScriptedIssuer();
    issuer.joins.push(credential(1));
    issuer.renewals.push(new IssuerApiError(403, "ERR_BOT_LOCKED", "credential: bot web is locked"), credential(2));
    const session = new BotSession({ client: issuer, onboarding: { token: TOKEN }, logger: logger() });
    await session.credential();
    await session.renewNow();
    assert.equal(session.current(), credential(1).credential, "still held");
    assert.match(messages(), /locked at the issuer; retrying the renewal until it is unlocked/);
    assert.doesNotMatch(messages(), /joining again/);
    session.refused(credential(1).credential, "ERR_BOT_LOCKED");
    assert.equal(session.current(), credential(1).credential, "a lock seen on an SVID request drops nothing");
    await session.renewNow();
    assert.equal(session.current(), credential(2).credential);
    assert.deepEqual(issuer.calls, ["join", "renew", "renew"]);
    session.stop();
  });

  it("joins again when the credential is dead, and fails for good when that token is spent too", async () => {
    const issuer = new ScriptedIssuer();
    issuer.joins.push(credential(1), refusedToken());
    issuer.renewals.push(new IssuerApiError(401, "ERR_CREDENTIAL_INVALID", "credential: unknown or invalid bot credential"));
    const session = new BotSession({ client: issuer, onboarding: { token: TOKEN }, logger: logger() });
    const fatal = new Promise<AgentFatalError>((resolve) => session.onFatal(resolve));
    await session.credential();
    await session.renewNow();
    const err = await fatal;
    assert.equal(err.code, "ERR_JOIN_TOKEN_INVALID");
    assert.deepEqual(issuer.calls, ["join", "renew", "join"], "the log said it joins again, and it did");
    assert.match(messages(), /joining again with the onboarding token/);
  });

  it("with no token to join again, a dead stored credential ends the session and is removed from storage", async () => {
    const dir = join(temp.path, "dead");
    const issuer = new ScriptedIssuer();
    issuer.joins.push(credential(1));
    const first = new BotSession({ client: issuer, onboarding: { token: TOKEN }, storageDirectory: dir, logger: logger() });
    await first.credential();
    first.stop();
    assert.ok(existsSync(join(dir, "credential.json")));

    const restarted = new BotSession({ client: issuer, onboarding: {}, storageDirectory: dir, logger: logger() });
    const held = await restarted.credential();
    const fatal = new Promise<AgentFatalError>((resolve) => restarted.onFatal(resolve));
    restarted.refused(held, "ERR_GENERATION_MISMATCH");
    const err = await fatal;
    assert.equal(err.code, "ERR_GENERATION_MISMATCH");
    assert.match(err.message, /no onboarding token to join again/);
    assert.doesNotMatch(messages(), /joining again/);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(!existsSync(join(dir, "credential.json")), "a refused credential is not loaded again on restart");
  });

  it("fails for good, naming the file, when there is no credential and the token file cannot be read", async () => {
    const session = new BotSession({
      client: new ScriptedIssuer(),
      onboarding: { tokenPath: join(temp.path, "missing-token") },
      logger: logger(),
    });
    await assert.rejects(
      session.credential(),
      (e: unknown) =>
        e instanceof AgentFatalError && e.code === "ERR_AGENT_NO_JOIN_TOKEN" && /missing-token cannot be read \(ENOENT\)/.test(e.message),
    );
    await writeFile(join(temp.path, "missing-token"), TOKEN);
    await assert.rejects(session.credential(), AgentFatalError, "the session stays failed");
  });

  it("joins with a platform token read from its file at each join, and joins again instead of renewing", async () => {
    const file = join(temp.path, "oidc-token");
    await writeFile(file, "jwt-one\n");
    const issuer = new ScriptedIssuer();
    issuer.joins.push(credential(1), credential(1));
    const session = new BotSession({
      client: issuer,
      onboarding: { joinMethod: "oidc", botName: "ci", tokenPath: file },
      logger: logger(),
    });
    await session.credential();
    await writeFile(file, "jwt-two\n");
    await session.renewNow();
    assert.deepEqual(issuer.calls, ["oidc-join ci jwt-one", "oidc-join ci jwt-two"]);
  });

  it("a platform session with no token file (aws_iam) joins again with a fresh proof when its credential is dead", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, session: process.env.AWS_SESSION_TOKEN };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" });
    delete process.env.AWS_SESSION_TOKEN;
    try {
      const issuer = new ScriptedIssuer();
      issuer.joins.push(credential(1), credential(2));
      const session = new BotSession({ client: issuer, onboarding: { joinMethod: "aws_iam", botName: "runner" }, logger: logger() });
      const held = await session.credential();
      session.refused(held, "ERR_CREDENTIAL_INVALID");
      assert.equal(await session.credential(), credential(2).credential);
      assert.equal(session.fatal(), undefined);
      assert.deepEqual(
        issuer.calls.map((c) => c.split(" ").slice(0, 2).join(" ")),
        ["challenge", "aws_iam-join runner", "challenge", "aws_iam-join runner"],
      );
      assert.match(messages(), /joining again with a fresh aws_iam proof/);
      session.stop();
    } finally {
      for (const [key, value] of [
        ["AWS_ACCESS_KEY_ID", saved.id],
        ["AWS_SECRET_ACCESS_KEY", saved.secret],
        ["AWS_SESSION_TOKEN", saved.session],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
