import assert from "node:assert/strict";
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FixedClock } from "../../clock.js";
import { legacyBotId } from "../record-rules.js";
import type { AuditEvent, BotInstance } from "../types.js";
import { EmbeddedStore, LEGACY_EMBEDDED_STORE_FILES as LEGACY, LEGACY_IMPORTED_SUFFIX } from "./index.js";

const T = 1_900_000_000_000;
/** A data directory written by the embedded store before SQLite (its state, audit log and revocations). */
const FIXTURE = new URL("./testdata/legacy-data-dir/", import.meta.url);

let root = "";
let counter = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "tessera-legacy-import-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshDirectory(): Promise<string> {
  const directory = join(root, `dir-${++counter}`);
  await mkdir(directory, { recursive: true });
  return directory;
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, code, String(err));
    return true;
  });
}

async function legacyText(name: string): Promise<string> {
  return readFile(new URL(name, FIXTURE), "utf8");
}

const event: AuditEvent = { id: "e1", type: "join", time: T - 1000, botName: "builder" };

describe("EmbeddedStore: importing a data directory written before SQLite", () => {
  it("imports every record of the old files once, then keeps them renamed", async () => {
    const directory = await freshDirectory();
    await cp(FIXTURE, directory, { recursive: true });
    const originals = await Promise.all(Object.values(LEGACY).map(legacyText));
    const clock = new FixedClock(T);
    for (let open = 0; open < 2; open++) {
      const store = await EmbeddedStore.open({ directory, clock });
      try {
        assert.deepEqual(
          (await store.listBots()).map((bot) => [bot.id, bot.name, bot.lock?.reason]),
          [
            ["bot-1", "builder", undefined],
            ["bot-2", "deployer", "investigating"],
          ],
        );
        assert.deepEqual(
          (await store.listJoinTokens()).map((token) => [token.tokenHash[0], token.usesRemaining]),
          [
            ["a", 3],
            ["b", 1],
          ],
        );
        const instance = await store.getBotInstance("instance-1");
        assert.equal(instance?.generation, 2);
        assert.deepEqual(instance?.retiredCredentialHashes, ["c".repeat(64)]);
        assert.equal((await store.getBotInstance("i-0123456789abcdef0"))?.attributes.account, "123456789012");
        assert.equal(await store.isClaimed("aws_ec2:instance", "i-0123456789abcdef0", T), true);
        assert.equal(await store.isClaimed("aws_iam:challenge", "challenge-1", T), true);
        assert.equal((await store.getJournal("x509"))?.slots[0]?.keyId, "disk:x509-a-1");
        assert.equal((await store.getJournal("jwt"))?.version, 1);
        const audit = await store.listAudit();
        assert.deepEqual(
          audit.map((e) => e.id),
          ["event-4", "event-3", "event-2", "event-1", "event-0"],
        );
        assert.deepEqual(audit[4]?.detail, { note: "n0" });
        assert.deepEqual(
          (await store.revocations.listRevocations(T)).map((r) => [r.id, r.keyThumbprint]),
          [["01ab", "thumb-1"]],
        );
        assert.equal(await store.revocations.isKeyRevoked("thumb-1", T), true);
        assert.deepEqual(
          (await store.revocations.listCrls()).map((crl) => crl.crlNumber),
          [3],
        );
        await rejectsWithCode(store.claimOnce("aws_iam:challenge", "challenge-1", T + 1, T), "ERR_REPLAY");
      } finally {
        await store.close();
      }
    }
    const names = await readdir(directory);
    for (const [index, name] of Object.values(LEGACY).entries()) {
      assert.ok(!names.includes(name), `${name} is renamed`);
      assert.equal(await readFile(join(directory, `${name}${LEGACY_IMPORTED_SUFFIX}`), "utf8"), originals[index]);
    }
  });

  it("imports nothing twice when a crash left the old files in place after the import", async () => {
    const directory = await freshDirectory();
    await cp(FIXTURE, directory, { recursive: true });
    const first = await EmbeddedStore.open({ directory, clock: new FixedClock(T) });
    await first.createBot({ id: "bot-3", name: "later", allowedSpiffeIds: [], joinRules: [], maxSvidTtlSeconds: 60, createdAt: T });
    await first.close();
    // As if the process died between the import's commit and the renames.
    for (const name of Object.values(LEGACY)) await cp(join(directory, `${name}${LEGACY_IMPORTED_SUFFIX}`), join(directory, name));
    const second = await EmbeddedStore.open({ directory, clock: new FixedClock(T) });
    try {
      assert.deepEqual(
        (await second.listBots()).map((bot) => bot.name),
        ["builder", "deployer", "later"],
      );
      assert.equal((await second.listAudit()).length, 5);
      assert.ok(!(await readdir(directory)).includes(LEGACY.state));
    } finally {
      await second.close();
    }
  });

  it("binds records written before bot ids, and drops those older than their bot", async () => {
    const directory = await freshDirectory();
    const bot = { name: "builder", allowedSpiffeIds: ["spiffe://example.org/builder"], joinRules: [], maxSvidTtlSeconds: 60, createdAt: T };
    const instance: Omit<BotInstance, "botId"> = {
      id: "instance-1",
      botName: "builder",
      joinMethod: "token",
      generation: 1,
      createdAt: T,
      renewedAt: T,
      expiresAt: T + 3_600_000,
      attributes: {},
      credentialHash: "h1",
      retiredCredentialHashes: [],
    };
    const token = { tokenHash: "t-new", botName: "builder", usesRemaining: 2, expiresAt: T + 60_000, createdAt: T + 5 };
    // Made for an earlier bot named builder (before this one was created): it must not come back.
    const earlierToken = { ...token, tokenHash: "t-old", createdAt: T - 5 };
    const earlierInstance = { ...instance, id: "instance-0", createdAt: T - 5 };
    const state = {
      format: 1,
      bots: [bot],
      joinTokens: [token, earlierToken],
      botInstances: [instance, earlierInstance],
      replay: [],
      journals: [],
    };
    await writeFile(join(directory, LEGACY.state), JSON.stringify(state));
    const store = await EmbeddedStore.open({ directory, clock: new FixedClock(T) });
    try {
      const id = legacyBotId(T);
      assert.deepEqual(await store.listBots(), [{ ...bot, id }]);
      assert.deepEqual(await store.listJoinTokens(), [{ ...token, botId: id }]);
      assert.deepEqual(await store.listBotInstances(), [{ ...instance, botId: id }]);
      assert.equal(await store.getJoinToken("t-old"), undefined);
      assert.equal(await store.getBotInstance("instance-0"), undefined);
    } finally {
      await store.close();
    }
  });

  it("drops a torn last audit line, as the old store did", async () => {
    const directory = await freshDirectory();
    const older = { ...event, id: "e0", time: T - 2000 };
    await writeFile(join(directory, LEGACY.audit), `${JSON.stringify(older)}\n${JSON.stringify(event)}\n`);
    await appendFile(join(directory, LEGACY.audit), '{"id":"torn","type":"jo');
    const store = await EmbeddedStore.open({ directory, clock: new FixedClock(T) });
    try {
      assert.deepEqual(await store.listAudit(), [event, older]);
    } finally {
      await store.close();
    }
  });

  it("ignores a temp snapshot left by a crash mid-write, and removes it", async () => {
    const directory = await freshDirectory();
    await cp(FIXTURE, directory, { recursive: true });
    const leftover = `.${LEGACY.state}.0123456789abcdef.tmp`;
    await writeFile(join(directory, leftover), '{"format":1,"bots":[{"name":"half');
    const store = await EmbeddedStore.open({ directory, clock: new FixedClock(T) });
    try {
      assert.equal((await store.listBots()).length, 2);
      assert.ok(!(await readdir(directory)).includes(leftover));
    } finally {
      await store.close();
    }
  });

  for (const [name, file, text] of [
    ["a corrupt snapshot", LEGACY.state, '{"format":1,"bots":['],
    ["a snapshot of an unknown format", LEGACY.state, '{"format":2}'],
    ["an audit log with a corrupt line before the last", LEGACY.audit, `not json\n${JSON.stringify(event)}\n`],
    ["revocations of an unknown format", LEGACY.revocations, '{"format":1}'],
  ] as const) {
    it(`refuses ${name} instead of starting empty, and imports nothing`, async () => {
      const directory = await freshDirectory();
      await cp(FIXTURE, directory, { recursive: true });
      await writeFile(join(directory, file), text);
      await rejectsWithCode(EmbeddedStore.open({ directory }), "ERR_STORE");
      await rejectsWithCode(EmbeddedStore.open({ directory }), "ERR_STORE");
      const names = await readdir(directory);
      assert.ok(!names.includes("store.lock"), "lock released after a failed open");
      for (const legacy of Object.values(LEGACY)) assert.ok(names.includes(legacy), `${legacy} left in place`);
    });
  }
});
