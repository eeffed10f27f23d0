import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SelectorInvalidError } from "./errors.js";
import { parseSelector, selectorsMatch } from "./index.js";

const HEX = "ab".repeat(32);

describe("parseSelector", () => {
  const accepted: [string, string, string][] = [
    ["unix:uid:0", "uid", "0"],
    ["unix:uid:1000", "uid", "1000"],
    ["unix:uid:4294967294", "uid", "4294967294"],
    ["unix:gid:65534", "gid", "65534"],
    ["unix:user:www-data", "user", "www-data"],
    ["unix:user:svc_app.1$", "user", "svc_app.1$"],
    ["unix:user:alice@corp", "user", "alice@corp"],
    ["unix:group:nogroup", "group", "nogroup"],
    ["unix:path:/usr/bin/node", "path", "/usr/bin/node"],
    ["unix:path:/opt/my app/bin:x", "path", "/opt/my app/bin:x"],
    [`unix:sha256:${HEX}`, "sha256", HEX],
  ];
  for (const [input, kind, value] of accepted) {
    it(`accepts ${input}`, () => {
      assert.deepEqual(parseSelector(input), { type: "unix", kind, value });
    });
  }

  const refused: [string, RegExp][] = [
    ["", /must look like unix:<kind>:<value>/],
    ["unix", /must look like/],
    ["unix:uid", /must look like/],
    ["k8s:ns:default", /unknown type "k8s"/],
    ["UNIX:uid:1", /unknown type/],
    ["unix:pid:1234", /pids are reused/],
    ["unix:supplementary_gid:1", /unknown kind "supplementary_gid"/],
    ["unix:uid:", /decimal number/],
    ["unix:uid:-1", /decimal number/],
    ["unix:uid:01000", /decimal number/],
    ["unix:uid:1e3", /decimal number/],
    ["unix:uid: 1000", /decimal number/],
    ["unix:uid:4294967295", /decimal number/],
    ["unix:gid:abc", /decimal number/],
    ["unix:user:", /name without/],
    ["unix:user:a:b", /name without/],
    ["unix:user:a b", /name without/],
    ["unix:user:-rf", /not starting with '-'/],
    ["unix:group:a/b", /name without/],
    ["unix:user:x\n", /name without/],
    ["unix:path:", /absolute/],
    ["unix:path:usr/bin/node", /absolute/],
    ["unix:path:/usr/bin/../bin/node", /did you mean \/usr\/bin\/node\?/],
    ["unix:path:/usr//bin/node", /normalised/],
    ["unix:path:/usr/bin/", /did you mean \/usr\/bin\?/],
    ["unix:path:/a\0b", /NUL/],
    ["unix:sha256:" + "AB".repeat(32), /64 lowercase hex/],
    ["unix:sha256:" + "ab".repeat(31), /64 lowercase hex/],
    ["unix:sha256:" + "ab".repeat(33), /64 lowercase hex/],
    ["unix:sha256:" + "g".repeat(64), /64 lowercase hex/],
  ];
  for (const [input, message] of refused) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseSelector(input),
        (err: unknown) => {
          assert.ok(err instanceof SelectorInvalidError);
          assert.equal(err.code, "ERR_SELECTOR_INVALID");
          assert.match(err.message, /^attestation: selector /);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it("throws TypeError for a non-string", () => {
    assert.throws(() => parseSelector(1000 as unknown as string), TypeError);
  });
});

describe("selectorsMatch", () => {
  const actual = new Set(["unix:uid:1000", "unix:gid:1000", "unix:path:/usr/bin/app"]);
  const table: [string[], ReadonlySet<string>, boolean][] = [
    [[], actual, false],
    [[], new Set(), false],
    [["unix:uid:1000"], actual, true],
    [["unix:uid:1000", "unix:path:/usr/bin/app"], actual, true],
    [["unix:uid:1000", "unix:gid:1000", "unix:path:/usr/bin/app"], actual, true],
    [["unix:uid:1000", "unix:uid:1000"], actual, true],
    [["unix:uid:0"], actual, false],
    [["unix:uid:1000", "unix:uid:0"], actual, false],
    [["unix:uid:1000", "unix:path:/usr/bin/other"], actual, false],
    [["unix:uid:1000"], new Set(), false],
    [["unix:uid:100"], actual, false],
  ];
  for (const [required, have, expected] of table) {
    it(`${JSON.stringify(required)} against ${JSON.stringify([...have])} is ${expected}`, () => {
      assert.equal(selectorsMatch(required, have), expected);
    });
  }
});
