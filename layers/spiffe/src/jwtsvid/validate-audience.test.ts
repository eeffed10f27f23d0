import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JwtSvidAudienceInvalidError } from "../errors.js";
import { MAX_JWT_SVID_AUDIENCE_LENGTH, MAX_JWT_SVID_AUDIENCES, validateAudience } from "./validate-audience.js";

const refused = (audience: unknown, message: RegExp) =>
  assert.throws(
    () => validateAudience(audience),
    (err: unknown) =>
      err instanceof JwtSvidAudienceInvalidError && err.code === "ERR_JWTSVID_AUDIENCE_INVALID" && message.test(err.message),
  );

describe("validateAudience", () => {
  it("accepts names, URLs and printable Unicode, at the limits", () => {
    const ok = [
      "orders-db",
      "https://api.example.org/v1",
      "spiffe://example.org/db",
      "base_de_données",
      "😀",
      "é",
      "x".repeat(MAX_JWT_SVID_AUDIENCE_LENGTH),
    ];
    assert.deepEqual(validateAudience(ok.slice(0, MAX_JWT_SVID_AUDIENCES)), ok.slice(0, MAX_JWT_SVID_AUDIENCES));
    assert.deepEqual(
      validateAudience(["😀".repeat(MAX_JWT_SVID_AUDIENCE_LENGTH)]).length,
      1,
      "the length counts characters, not UTF-16 units",
    );
    assert.equal(validateAudience(Array.from({ length: MAX_JWT_SVID_AUDIENCES }, (_, i) => `a${i}`)).length, MAX_JWT_SVID_AUDIENCES);
  });

  it("refuses a missing, empty or too long list, and says the limit", () => {
    refused(undefined, /must be a list/);
    refused("db", /must be a list/);
    refused([], /1 to 10 values, got 0/);
    refused(
      Array.from({ length: 1000 }, (_, i) => `a${i}`),
      /1 to 10 values, got 1000/,
    );
  });

  it("refuses empty, over-long and non-string values, and says the limit without repeating the value", () => {
    refused([""], /audience\[0\] must be 1 to 512 characters, got 0/);
    refused(["ok", "y".repeat(513)], /audience\[1\] must be 1 to 512 characters, got 513/);
    refused([42], /audience\[0\] must be a string/);
    assert.throws(
      () => validateAudience(["y".repeat(513)]),
      (err: Error) => !err.message.includes("yyyy"),
    );
  });

  it("refuses every C0 and C1 control, DEL, bidi control, separator, lone surrogate and U+FFFD", () => {
    const bad: number[] = [];
    for (let c = 0; c <= 0x1f; c++) bad.push(c);
    for (let c = 0x7f; c <= 0x9f; c++) bad.push(c);
    bad.push(
      0x20,
      0xa0,
      0x061c,
      0x200b,
      0x200e,
      0x200f,
      0x2028,
      0x2029,
      0x202a,
      0x202b,
      0x202c,
      0x202d,
      0x202e,
      0x2066,
      0x2067,
      0x2068,
      0x2069,
      0xfeff,
      0xfffd,
    );
    for (const c of bad) refused([`db${String.fromCharCode(c)}x`], /audience\[0\] must be printable characters only/);
    refused(["a\uD800"], /printable/);
    refused(["\uDC00b"], /printable/);
    for (let c = 0x21; c < 0x7f; c++) assert.deepEqual(validateAudience([`a${String.fromCharCode(c)}`]), [`a${String.fromCharCode(c)}`]);
  });
});
