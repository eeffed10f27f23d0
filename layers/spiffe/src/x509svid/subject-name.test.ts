import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DerReader } from "../internal/der/der-reader.js";
import { checkCommonNameOption, encodeSubjectName, readName } from "./subject-name.js";

describe("checkCommonNameOption", () => {
  it("accepts 61 characters, counting a surrogate pair as one", () => {
    checkCommonNameOption("😀".repeat(61));
    checkCommonNameOption("é");
  });

  it("refuses a lone surrogate, which UTF-8 cannot encode, with TypeError", () => {
    for (const commonName of ["web\ud800", "\udc00web", "a\ud83d"]) {
      assert.throws(() => checkCommonNameOption(commonName), { name: "TypeError", message: /lone surrogate/ });
    }
  });
});

describe("readName", () => {
  it("reads back the attributes of the subject Tessera writes", () => {
    const reader = new DerReader(encodeSubjectName("é web"), (message) => new Error(message));
    const attributes = readName(reader, "subject");
    reader.end("subject");
    assert.deepEqual(
      attributes.map((a) => [a.type, a.value.tag, Buffer.from(a.value.content).toString("utf8")]),
      [
        ["2.5.4.10", 0x0c, "Tessera"],
        ["2.5.4.3", 0x0c, "é web"],
      ],
    );
  });

  it("refuses an empty RDN and an attribute with trailing data", () => {
    for (const hex of ["30023100", "300d310b3009060355040304014100"]) {
      assert.throws(
        () => readName(new DerReader(new Uint8Array(Buffer.from(hex, "hex")), (message) => new RangeError(message)), "subject"),
        RangeError,
        hex,
      );
    }
  });
});
