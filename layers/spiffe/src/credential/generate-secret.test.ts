import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateSecret } from "./generate-secret.js";

describe("generateSecret", () => {
  it("draws again when the secret would start with '-'", () => {
    const draws = [Buffer.alloc(32, 0xf8), Buffer.alloc(32, 0x00)];
    assert.equal(draws[0]?.toString("base64url")[0], "-");
    const secret = generateSecret(() => draws.shift() as Buffer);
    assert.equal(secret, "A".repeat(43));
    assert.equal(draws.length, 0);
  });

  it("gives 43 base64url characters with 256 bits drawn", () => {
    let asked = 0;
    const secret = generateSecret((size) => ((asked = size), Buffer.alloc(size, 0x5a)));
    assert.equal(asked, 32);
    assert.match(secret, /^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/);
  });
});
