import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { FixedClock } from "../clock.js";
import { TrustDomain } from "../spiffeid/index.js";
import { EmbeddedStore } from "../store/embedded/index.js";
import { createBot } from "./bots.js";
import { setLock } from "./locks.js";
import { createJoinToken } from "./tokens.js";
import type { AdminDeps } from "./types.js";

const ACTOR = "arn:aws:iam::123456789012:role/ops";

describe("setLock", () => {
  let dir: string;
  let store: EmbeddedStore;
  let deps: AdminDeps;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-locks-"));
    store = await EmbeddedStore.open({ directory: join(dir, "data") });
    deps = {
      store,
      clock: new FixedClock(Date.now()),
      logger: { info: () => undefined, error: () => undefined },
      trustDomain: TrustDomain.fromString("example.org"),
      maxSvidTtlSeconds: 3600,
      issuerPolicy: {
        trustDomain: TrustDomain.fromString("example.org"),
        credentialTtlSeconds: 3600,
        x509Svid: { defaultSeconds: 3600, maxSeconds: 86_400 },
        jwtSvid: { defaultSeconds: 300, maxSeconds: 3600 },
        backdateSeconds: 30,
      },
    };
    await createBot(deps, { name: "web", allowedSpiffeIds: ["spiffe://example.org/web"] }, ACTOR);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const events = async () => (await store.listAudit({ limit: 1000 })).map((e) => e.id).sort();

  it("answers ERR_JOIN_TOKEN_NOT_FOUND for a join-token hash it does not hold, and writes nothing", async () => {
    const before = await events();
    for (const locked of [true, false]) {
      await assert.rejects(setLock(deps, { target: "join_token", id: "0".repeat(64), locked }, ACTOR), {
        code: "ERR_JOIN_TOKEN_NOT_FOUND",
      });
    }
    assert.deepEqual(await events(), before);
  });

  it("names a locked join token by a hash prefix and its bot, with the actor and the reason", async () => {
    const { tokenHash } = await createJoinToken(deps, { botName: "web" }, ACTOR);
    assert.deepEqual(await setLock(deps, { target: "join_token", id: tokenHash, locked: true, reason: "leaked in CI log" }, ACTOR), {
      locked: true,
      changed: true,
    });
    const [event, ...others] = (await store.listAudit({ limit: 1000 })).filter((e) => e.type === "lock");
    assert.equal(others.length, 0);
    assert.equal(event?.botName, "web");
    assert.deepEqual(event?.detail, {
      target: "join_token",
      actor: ACTOR,
      token_hash_prefix: tokenHash.slice(0, 12),
      reason: "leaked in CI log",
    });
    assert.ok(!JSON.stringify(event).includes(tokenHash), "the whole hash is not needed in the trail");
  });

  for (const target of ["bot", "join_token"] as const) {
    it(`makes unlocking a ${target} that is not locked, and locking one that is, a no-op`, async () => {
      const id = target === "bot" ? "web" : (await createJoinToken(deps, { botName: "web" }, ACTOR)).tokenHash;
      const before = await events();
      assert.deepEqual(await setLock(deps, { target, id, locked: false }, ACTOR), { locked: false, changed: false });
      assert.deepEqual(await events(), before, "unlocking an unlocked thing wrote an event");
      await setLock(deps, { target, id, locked: true, reason: "first" }, ACTOR);
      const locked = await events();
      assert.deepEqual(await setLock(deps, { target, id, locked: true, reason: "second" }, ACTOR), { locked: true, changed: false });
      assert.deepEqual(await events(), locked, "locking a locked thing wrote an event");
      const reason = target === "bot" ? (await store.getBot("web"))?.lock?.reason : (await store.getJoinToken(id))?.lock?.reason;
      assert.equal(reason, "first");
    });
  }

  it("answers ERR_BOT_NOT_FOUND and ERR_BOT_INSTANCE_NOT_FOUND for what is not there", async () => {
    await assert.rejects(setLock(deps, { target: "bot", id: "nobody", locked: true }, ACTOR), { code: "ERR_BOT_NOT_FOUND" });
    await assert.rejects(setLock(deps, { target: "bot_instance", id: "00000000-0000-4000-8000-000000000000", locked: true }, ACTOR), {
      code: "ERR_BOT_INSTANCE_NOT_FOUND",
    });
  });
});
