import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeAwsError } from "./aws-error.js";

describe("describeAwsError", () => {
  const cases: [string, unknown, string][] = [
    ["name only", Object.assign(new Error("ThrottlingException"), { name: "ThrottlingException" }), "ThrottlingException"],
    [
      "name and message",
      Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }),
      "AccessDeniedException: not authorized",
    ],
    ["a plain Error names its message", new Error("connect ECONNREFUSED 127.0.0.1:4566"), "Error: connect ECONNREFUSED 127.0.0.1:4566"],
    ["one line", new Error("first\n  second"), "Error: first second"],
    ["not an error", "boom", "unknown error"],
    ["nothing", undefined, "unknown error"],
  ];
  for (const [name, err, expected] of cases) {
    it(name, () => assert.equal(describeAwsError(err), expected));
  }

  it("keeps at most 200 characters", () => {
    const described = describeAwsError(new Error("x".repeat(1000)));
    assert.equal(described.length, 200);
    assert.ok(described.startsWith("Error: xxx") && described.endsWith("..."));
  });
});
