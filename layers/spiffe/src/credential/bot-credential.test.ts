import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createInstanceId, hashSecret, hashesEqual, mintBotCredential, parseBotCredential } from "./bot-credential.js";
import { assertJoinTokenShape, generateJoinTokenSecret } from "./join-token.js";

describe("bot credentials", () => {
  it("round-trips and stores only the hash of the secret", () => {
    const id = createInstanceId();
    const minted = mintBotCredential(id, 7);
    const parsed = parseBotCredential(minted.credential);
    assert.equal(parsed.instanceId, id);
    assert.equal(parsed.generation, 7);
    assert.equal(parsed.secretHash, minted.secretHash);
    assert.ok(!minted.credential.includes(minted.secretHash));
    assert.equal(minted.secretHash, hashSecret(minted.credential.split(".")[3] as string));
  });

  it("makes a different secret every time", () => {
    const id = createInstanceId();
    const seen = new Set(Array.from({ length: 200 }, () => mintBotCredential(id, 1).secretHash));
    assert.equal(seen.size, 200);
  });

  const id = createInstanceId();
  const good = mintBotCredential(id, 1).credential;
  const [, , , secret] = good.split(".");
  const malformed: [string, unknown][] = [
    ["not a string", 42],
    ["empty", ""],
    ["wrong prefix", good.replace("tbc1", "tbc2")],
    ["missing part", `tbc1.${id}.1`],
    ["extra part", `${good}.x`],
    ["generation zero", `tbc1.${id}.0.${secret}`],
    ["negative generation", `tbc1.${id}.-1.${secret}`],
    ["leading zero generation", `tbc1.${id}.01.${secret}`],
    ["non-uuid instance", `tbc1.instance.1.${secret}`],
    ["short secret", `tbc1.${id}.1.${(secret as string).slice(1)}`],
    ["secret with bad chars", `tbc1.${id}.1.${(secret as string).slice(1)}!`],
    ["oversized", `tbc1.${id}.1.${"A".repeat(500)}`],
  ];
  for (const [name, value] of malformed) {
    it(`refuses ${name}`, () =>
      assert.throws(
        () => parseBotCredential(value),
        (err: { code?: string }) => err.code === "ERR_CREDENTIAL_INVALID",
      ));
  }

  it("compares hashes in constant time and only equal ones match", () => {
    const a = hashSecret("a");
    assert.ok(hashesEqual(a, hashSecret("a")));
    assert.ok(!hashesEqual(a, hashSecret("b")));
    assert.ok(!hashesEqual(a, a.slice(2)));
    assert.ok(!hashesEqual("", ""));
  });
});

describe("join tokens", () => {
  it("never starts a token with '-', which a command line would read as an option", () => {
    // One in 64 would, so 4000 draws without the rule pass with odds of about 1 in 10^27.
    const leading = Array.from({ length: 4000 }, generateJoinTokenSecret).filter((t) => t.startsWith("-"));
    assert.deepEqual(leading, []);
  });

  it("generates tokens of the accepted shape", () => {
    const token = generateJoinTokenSecret();
    assertJoinTokenShape(token);
    assert.equal(token.length, 43);
  });
  for (const bad of [undefined, 1, "", "short", `${"A".repeat(42)}=`, "A".repeat(44)]) {
    it(`refuses ${JSON.stringify(bad)}`, () =>
      assert.throws(
        () => assertJoinTokenShape(bad),
        (err: { code?: string }) => err.code === "ERR_JOIN_TOKEN_INVALID",
      ));
  }
});
