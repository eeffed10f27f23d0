import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpiffeId, TrustDomain } from "./spiffe-id.js";

const INVALID = { code: "ERR_SPIFFEID_INVALID" };
const TD_CHAR = /^[a-z0-9._-]$/;
const PATH_CHAR = /^[a-zA-Z0-9._-]$/;
const SLASH = 0x2f;
const td = TrustDomain.fromString("example.org");

function allBytes(): { byte: number; ch: string }[] {
  return Array.from({ length: 256 }, (_, byte) => ({ byte, ch: String.fromCharCode(byte) }));
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}

describe("SpiffeId.fromString: every byte value", () => {
  // A slash ends the trust domain or the segment, so it is a separator there, not a character.
  for (const { byte, ch } of allBytes().filter((b) => b.byte !== SLASH)) {
    const allowedInTd = TD_CHAR.test(ch);
    const allowedInPath = PATH_CHAR.test(ch);
    it(`${hex(byte)} in the trust domain is ${allowedInTd ? "accepted" : "refused"}`, () => {
      const value = `spiffe://a${ch}b/path`;
      if (allowedInTd) assert.equal(SpiffeId.fromString(value).trustDomain.name, `a${ch}b`);
      else assert.throws(() => SpiffeId.fromString(value), INVALID);
    });
    it(`${hex(byte)} in a path segment is ${allowedInPath ? "accepted" : "refused"}`, () => {
      const value = `spiffe://example.org/x/a${ch}b/y`;
      if (allowedInPath) assert.equal(SpiffeId.fromString(value).path, `/x/a${ch}b/y`);
      else assert.throws(() => SpiffeId.fromString(value), INVALID);
    });
  }

  it("a slash separates the trust domain from the path and segments from each other", () => {
    assert.deepEqual(SpiffeId.fromString("spiffe://a/b").segments(), ["b"]);
    assert.equal(SpiffeId.fromString("spiffe://a/b").trustDomain.name, "a");
    assert.deepEqual(SpiffeId.fromString("spiffe://example.org/x/a/b/y").segments(), ["x", "a", "b", "y"]);
  });

  it("a multi-byte UTF-8 character is refused in the trust domain and the path", () => {
    for (const value of ["spiffe://exämple.org", "spiffe://example.org/pâth", "spiffe://example.org/\u{1f600}"]) {
      assert.throws(() => SpiffeId.fromString(value), INVALID, value);
    }
  });
});

describe("SpiffeId.fromSegments: every byte value", () => {
  for (const { byte, ch } of allBytes()) {
    const allowed = PATH_CHAR.test(ch);
    it(`${hex(byte)} in a segment is ${allowed ? "accepted" : "refused"}`, () => {
      if (allowed) assert.equal(SpiffeId.fromSegments(td, "x", `a${ch}b`).path, `/x/a${ch}b`);
      else assert.throws(() => SpiffeId.fromSegments(td, "x", `a${ch}b`), INVALID);
    });
  }
});

describe("SpiffeId.fromString", () => {
  const valid: { value: string; trustDomain: string; path: string }[] = [
    { value: "spiffe://example.org", trustDomain: "example.org", path: "" },
    { value: "spiffe://example.org/path", trustDomain: "example.org", path: "/path" },
    { value: "spiffe://example.org/a/b/c", trustDomain: "example.org", path: "/a/b/c" },
    { value: "spiffe://127.0.0.1/ip", trustDomain: "127.0.0.1", path: "/ip" },
    { value: "spiffe://a_b-c.d/A-Z_0.9", trustDomain: "a_b-c.d", path: "/A-Z_0.9" },
    { value: "spiffe://example.org/CaseSensitive", trustDomain: "example.org", path: "/CaseSensitive" },
    { value: "spiffe://example.org/.a/a./..b/b../...", trustDomain: "example.org", path: "/.a/a./..b/b../..." },
    { value: "spiffe://.../-/_", trustDomain: "...", path: "/-/_" },
  ];
  for (const { value, trustDomain, path } of valid) {
    it(`accepts ${value}`, () => {
      const id = SpiffeId.fromString(value);
      assert.equal(id.trustDomain.name, trustDomain);
      assert.equal(id.path, path);
      assert.equal(id.toString(), value);
      assert.equal(JSON.stringify({ id }), JSON.stringify({ id: value }));
      assert.equal(SpiffeId.isValid(value), true);
    });
  }

  const invalid: { name: string; value: string }[] = [
    { name: "empty", value: "" },
    { name: "scheme missing", value: "example.org/path" },
    { name: "scheme uppercase", value: "SPIFFE://example.org/path" },
    { name: "scheme mixed case", value: "Spiffe://example.org/path" },
    { name: "scheme with one slash", value: "spiffe:/example.org/path" },
    { name: "scheme without slashes", value: "spiffe:example.org/path" },
    { name: "scheme without colon", value: "spiffe//example.org/path" },
    { name: "scheme http", value: "http://example.org/path" },
    { name: "scheme https", value: "https://example.org/path" },
    { name: "scheme empty", value: "://example.org/path" },
    { name: "leading space", value: " spiffe://example.org/path" },
    { name: "trailing space", value: "spiffe://example.org/path " },
    { name: "trust domain missing", value: "spiffe://" },
    { name: "trust domain missing with path", value: "spiffe:///path" },
    { name: "trust domain uppercase", value: "spiffe://Example.org/path" },
    { name: "trust domain percent-encoded", value: "spiffe://ex%61mple.org/path" },
    { name: "port", value: "spiffe://example.org:8080/path" },
    { name: "empty port", value: "spiffe://example.org:/path" },
    { name: "userinfo", value: "spiffe://user@example.org/path" },
    { name: "userinfo with password", value: "spiffe://user:pass@example.org/path" },
    { name: "ipv6 literal", value: "spiffe://[::1]/path" },
    { name: "query after trust domain", value: "spiffe://example.org?x=1" },
    { name: "query after path", value: "spiffe://example.org/path?x=1" },
    { name: "empty query", value: "spiffe://example.org/path?" },
    { name: "fragment after trust domain", value: "spiffe://example.org#frag" },
    { name: "fragment after path", value: "spiffe://example.org/path#frag" },
    { name: "empty fragment", value: "spiffe://example.org/path#" },
    { name: "root with trailing slash", value: "spiffe://example.org/" },
    { name: "path with trailing slash", value: "spiffe://example.org/path/" },
    { name: "empty segment", value: "spiffe://example.org/a//b" },
    { name: "leading empty segment", value: "spiffe://example.org//a" },
    { name: "dot segment", value: "spiffe://example.org/a/./b" },
    { name: "trailing dot segment", value: "spiffe://example.org/a/." },
    { name: "dot-dot segment", value: "spiffe://example.org/a/../b" },
    { name: "trailing dot-dot segment", value: "spiffe://example.org/a/.." },
    { name: "percent-encoded path", value: "spiffe://example.org/a%20b" },
    { name: "percent-encoded letter", value: "spiffe://example.org/%41" },
    { name: "percent-encoded slash", value: "spiffe://example.org/a%2Fb" },
    { name: "backslash separator", value: "spiffe://example.org\\path" },
  ];
  for (const { name, value } of invalid) {
    it(`refuses ${name}: ${JSON.stringify(value)}`, () => {
      assert.throws(() => SpiffeId.fromString(value), INVALID);
      assert.equal(SpiffeId.isValid(value), false);
    });
  }

  it("names the module and the rule in its messages", () => {
    const cases: [string, RegExp][] = [
      ["http://example.org", /^spiffeid: scheme is missing or invalid$/],
      ["spiffe://example.org/", /^spiffeid: path cannot have a trailing slash$/],
      ["spiffe://example.org/a//b", /^spiffeid: path cannot contain empty segments$/],
      ["spiffe://example.org/..", /^spiffeid: path cannot contain dot segments$/],
      ["spiffe://", /^spiffeid: trust domain is missing$/],
    ];
    for (const [value, message] of cases) assert.throws(() => SpiffeId.fromString(value), { ...INVALID, message });
  });

  it("refuses a value that is not a string with a TypeError", () => {
    assert.throws(() => SpiffeId.fromString(42 as unknown as string), TypeError);
  });
});

describe("SpiffeId lengths", () => {
  const prefix = "spiffe://example.org"; // 20 bytes
  const lengths: { name: string; value: string; ok: boolean }[] = [
    { name: "2048 bytes, one segment", value: `${prefix}/${"a".repeat(2048 - prefix.length - 1)}`, ok: true },
    { name: "2049 bytes, one segment", value: `${prefix}/${"a".repeat(2049 - prefix.length - 1)}`, ok: false },
    { name: "2048 bytes, many segments", value: `${prefix}${"/abc".repeat(507)}`, ok: true },
    { name: "2052 bytes, many segments", value: `${prefix}${"/abc".repeat(508)}`, ok: false },
    { name: "trust domain of 255 bytes", value: `spiffe://${"a".repeat(255)}/path`, ok: true },
    { name: "trust domain of 256 bytes", value: `spiffe://${"a".repeat(256)}/path`, ok: false },
    { name: "trust domain of 255 bytes, no path", value: `spiffe://${"b".repeat(255)}`, ok: true },
  ];
  for (const { name, value, ok } of lengths) {
    it(`${ok ? "accepts" : "refuses"} an ID with ${name}`, () => {
      if (ok) assert.equal(SpiffeId.fromString(value).toString(), value);
      else assert.throws(() => SpiffeId.fromString(value), INVALID);
    });
  }

  it("the table's lengths are what their names say", () => {
    assert.equal(Buffer.byteLength(lengths[0]!.value), 2048);
    assert.equal(Buffer.byteLength(lengths[1]!.value), 2049);
    assert.equal(Buffer.byteLength(lengths[2]!.value), 2048);
    assert.equal(Buffer.byteLength(lengths[3]!.value), 2052);
  });

  it("fromPath and fromSegments apply the same 2048-byte limit", () => {
    const okPath = `/${"a".repeat(2048 - prefix.length - 1)}`;
    assert.equal(SpiffeId.fromPath(td, okPath).toString().length, 2048);
    assert.throws(() => SpiffeId.fromPath(td, `${okPath}a`), INVALID);
    assert.equal(SpiffeId.fromSegments(td, okPath.slice(1)).toString().length, 2048);
    assert.throws(() => SpiffeId.fromSegments(td, `${okPath.slice(1)}a`), INVALID);
    const longTd = TrustDomain.fromString("t".repeat(255));
    const room = 2048 - "spiffe://".length - 255 - 1;
    assert.equal(SpiffeId.fromPath(longTd, `/${"p".repeat(room)}`).toString().length, 2048);
    assert.throws(() => SpiffeId.fromPath(longTd, `/${"p".repeat(room + 1)}`), INVALID);
  });
});

describe("SpiffeId.fromPath", () => {
  const cases: { path: string; ok: boolean }[] = [
    { path: "", ok: true },
    { path: "/a", ok: true },
    { path: "/a/b/C-1_2.3", ok: true },
    { path: "a", ok: false },
    { path: "a/b", ok: false },
    { path: "/", ok: false },
    { path: "/a/", ok: false },
    { path: "//", ok: false },
    { path: "/a//b", ok: false },
    { path: "/.", ok: false },
    { path: "/..", ok: false },
    { path: "/a/./b", ok: false },
    { path: "/a/../b", ok: false },
    { path: "/a%2Fb", ok: false },
    { path: "/a b", ok: false },
    { path: "/a?b", ok: false },
    { path: "/a#b", ok: false },
  ];
  for (const { path, ok } of cases) {
    it(`${ok ? "accepts" : "refuses"} ${JSON.stringify(path)}`, () => {
      if (ok) {
        const id = SpiffeId.fromPath(td, path);
        assert.equal(id.path, path);
        assert.equal(id.toString(), `spiffe://example.org${path}`);
        assert.ok(id.equals(SpiffeId.fromString(`spiffe://example.org${path}`)));
      } else {
        assert.throws(() => SpiffeId.fromPath(td, path), INVALID);
      }
    });
  }
});

describe("SpiffeId.fromSegments", () => {
  const cases: { segments: string[]; path?: string }[] = [
    { segments: [], path: "" },
    { segments: ["a"], path: "/a" },
    { segments: ["ns", "default", "sa", "web"], path: "/ns/default/sa/web" },
    { segments: ["..."], path: "/..." },
    { segments: ["a/b"] },
    { segments: ["/a"] },
    { segments: ["a/"] },
    { segments: [""] },
    { segments: ["a", ""] },
    { segments: ["."] },
    { segments: [".."] },
    { segments: ["a", "..", "b"] },
    { segments: ["%41"] },
  ];
  for (const { segments, path } of cases) {
    it(`${path === undefined ? "refuses" : "accepts"} ${JSON.stringify(segments)}`, () => {
      if (path === undefined) {
        assert.throws(() => SpiffeId.fromSegments(td, ...segments), INVALID);
      } else {
        const id = SpiffeId.fromSegments(td, ...segments);
        assert.equal(id.path, path);
        assert.deepEqual(id.segments(), segments);
      }
    });
  }
});

describe("SpiffeId.memberOf", () => {
  const id = SpiffeId.fromString("spiffe://example.org/a");
  const cases: { trustDomain: string; expected: boolean }[] = [
    { trustDomain: "example.org", expected: true },
    { trustDomain: "spiffe://example.org/other", expected: true },
    { trustDomain: "example.com", expected: false },
    { trustDomain: "example.org.evil", expected: false },
    { trustDomain: "org", expected: false },
    { trustDomain: "sub.example.org", expected: false },
  ];
  for (const { trustDomain, expected } of cases) {
    it(`${expected ? "is" : "is not"} a member of ${trustDomain}`, () => {
      assert.equal(id.memberOf(TrustDomain.fromString(trustDomain)), expected);
    });
  }
});

describe("SpiffeId.hasPathPrefix", () => {
  const cases: { path: string; prefix: string; expected: boolean }[] = [
    { path: "/a/b", prefix: "/a", expected: true },
    { path: "/a", prefix: "/a", expected: true },
    { path: "/a", prefix: "/a/", expected: true },
    { path: "/a/b/c", prefix: "/a/b", expected: true },
    { path: "/a/b/c", prefix: "/a/b/", expected: true },
    { path: "/ab", prefix: "/a", expected: false },
    { path: "/a/bc", prefix: "/a/b", expected: false },
    { path: "/a-b", prefix: "/a", expected: false },
    { path: "/a.b", prefix: "/a", expected: false },
    { path: "/a", prefix: "/a/b", expected: false },
    { path: "/A", prefix: "/a", expected: false },
    { path: "/b/a", prefix: "/a", expected: false },
    { path: "/a/b", prefix: "a", expected: false },
    { path: "/a/b", prefix: "", expected: true },
    { path: "/a/b", prefix: "/", expected: true },
    { path: "", prefix: "/", expected: true },
    { path: "", prefix: "/a", expected: false },
  ];
  for (const { path, prefix, expected } of cases) {
    it(`${JSON.stringify(path)} ${expected ? "has" : "does not have"} the prefix ${JSON.stringify(prefix)}`, () => {
      assert.equal(SpiffeId.fromPath(td, path).hasPathPrefix(prefix), expected);
    });
  }
});

describe("SpiffeId equality", () => {
  const cases: { a: string; b: string; expected: boolean }[] = [
    { a: "spiffe://example.org/a", b: "spiffe://example.org/a", expected: true },
    { a: "spiffe://example.org", b: "spiffe://example.org", expected: true },
    { a: "spiffe://example.org/a", b: "spiffe://example.org/A", expected: false },
    { a: "spiffe://example.org/a", b: "spiffe://example.com/a", expected: false },
    { a: "spiffe://example.org/a", b: "spiffe://example.org/a/b", expected: false },
    { a: "spiffe://example.org", b: "spiffe://example.org/a", expected: false },
  ];
  for (const { a, b, expected } of cases) {
    it(`${a} ${expected ? "equals" : "differs from"} ${b}`, () => {
      assert.equal(SpiffeId.fromString(a).equals(SpiffeId.fromString(b)), expected);
      assert.equal(SpiffeId.fromString(b).equals(SpiffeId.fromString(a)), expected);
    });
  }
});
