import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "./load-config.js";

const base = { TESSERA_TRUST_DOMAIN: "example.org", TESSERA_TABLE_NAME: "t" };

describe("loadConfig: TESSERA_STS_ENDPOINT", () => {
  it("is unset by default, and never taken from AWS_ENDPOINT_URL", () => {
    assert.equal(loadConfig(base).join.stsEndpoint, undefined);
    assert.equal(loadConfig({ ...base, AWS_ENDPOINT_URL: "http://127.0.0.1:5000" }).join.stsEndpoint, undefined);
  });

  it("normalises an http(s) origin to `scheme://host[:port]/`", () => {
    assert.equal(loadConfig({ ...base, TESSERA_STS_ENDPOINT: "http://127.0.0.1:5000" }).join.stsEndpoint, "http://127.0.0.1:5000/");
    assert.equal(
      loadConfig({ ...base, TESSERA_STS_ENDPOINT: "https://sts.example.internal/" }).join.stsEndpoint,
      "https://sts.example.internal/",
    );
  });

  it("refuses anything with a path, query, credentials, or another scheme, naming the variable", () => {
    for (const value of ["127.0.0.1:5000", "ftp://h/", "http://h/x", "http://h/?a=1", "http://u:p@h/", "not a url"]) {
      assert.throws(() => loadConfig({ ...base, TESSERA_STS_ENDPOINT: value }), /TESSERA_STS_ENDPOINT/, value);
    }
  });
});
