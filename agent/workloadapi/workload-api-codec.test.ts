import type { MethodDefinition } from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimsToStruct } from "./claims-struct.js";
import { decodeRequest, MALFORMED_REQUEST, WORKLOAD_API_ENCODERS } from "./workload-api-codec.js";
import { loadWorkloadApiPackage, WORKLOAD_API_SERVICE } from "./workload-api-definition.js";

// A second implementation to check against: protobuf.js, reading workload.proto through proto-loader.
const methods = loadWorkloadApiPackage()[WORKLOAD_API_SERVICE] as unknown as Record<string, MethodDefinition<object, object>>;
const reference = (method: string) => methods[method]!;

type Value = { kind: string } & Record<string, unknown>;
/** A proto-loader `google.protobuf.Value` (oneofs: true names the kind set) back to JSON. */
function jsonOf(value: Value): unknown {
  const inner = value[value.kind];
  if (value.kind === "nullValue") return null;
  if (value.kind === "structValue") return jsonOfStruct(inner as { fields: Record<string, Value> });
  if (value.kind === "listValue") return (inner as { values: Value[] }).values.map(jsonOf);
  return inner;
}
function jsonOfStruct(struct: { fields: Record<string, Value> }): Record<string, unknown> {
  return Object.fromEntries(Object.entries(struct.fields).map(([k, v]) => [k, jsonOf(v)]));
}

const der = (n: number, fill: number) => Buffer.alloc(n, fill);

describe("workload-api-codec: responses read back by protobuf.js as written", () => {
  it("X509SVIDResponse: several SVIDs (an empty hint left out), federated bundles, no CRL", () => {
    const message = {
      svids: [
        {
          spiffe_id: "spiffe://example.org/web",
          x509_svid: der(700, 1),
          x509_svid_key: der(138, 2),
          bundle: der(500, 3),
          hint: "internal",
        },
        { spiffe_id: "spiffe://example.org/db", x509_svid: der(20_000, 4), x509_svid_key: der(1, 5), bundle: der(2, 6), hint: "" },
      ],
      crl: [],
      federated_bundles: { "spiffe://other.org": der(300, 7), "spiffe://third.org": Buffer.alloc(0) },
    };
    assert.deepEqual(reference("FetchX509SVID").responseDeserialize(WORKLOAD_API_ENCODERS.FetchX509SVID!(message)), message);
  });

  it("X509BundlesResponse, JWTBundlesResponse and JWTSVIDResponse", () => {
    const x509 = { crl: [der(40, 9)], bundles: { "spiffe://example.org": der(900, 8) } };
    assert.deepEqual(reference("FetchX509Bundles").responseDeserialize(WORKLOAD_API_ENCODERS.FetchX509Bundles!(x509)), x509);
    const jwks = { bundles: { "spiffe://example.org": Buffer.from('{"keys":[]}'), "spiffe://é.org": Buffer.from("{}") } };
    assert.deepEqual(reference("FetchJWTBundles").responseDeserialize(WORKLOAD_API_ENCODERS.FetchJWTBundles!(jwks)), jwks);
    const jwt = { svids: [{ spiffe_id: "spiffe://example.org/web", svid: "a.b.c", hint: "h" }] };
    assert.deepEqual(reference("FetchJWTSVID").responseDeserialize(WORKLOAD_API_ENCODERS.FetchJWTSVID!(jwt)), jwt);
  });

  it("ValidateJWTSVIDResponse: claims of every JSON kind, nested, as a google.protobuf.Struct", () => {
    const claims = {
      sub: "spiffe://example.org/web",
      aud: ["db", "ünïcode"],
      exp: 1_796_000_000,
      zero: 0,
      negative: -1.5,
      huge: 1e300,
      no: false,
      yes: true,
      empty: "",
      nothing: null,
      nested: { list: [1, "two", null, { deep: [[]] }], object: {} },
    };
    const bytes = WORKLOAD_API_ENCODERS.ValidateJWTSVID!({ spiffe_id: claims.sub, claims: claimsToStruct(claims) });
    const read = reference("ValidateJWTSVID").responseDeserialize(bytes) as {
      spiffe_id: string;
      claims: { fields: Record<string, Value> };
    };
    assert.equal(read.spiffe_id, claims.sub);
    assert.deepEqual(jsonOfStruct(read.claims), claims);
  });
});

describe("workload-api-codec: requests as protobuf.js writes them", () => {
  it("JWTSVIDRequest and ValidateJWTSVIDRequest, every field, text as sent (a lone surrogate too, for the audience rules to refuse)", () => {
    for (const request of [
      { audience: ["db", "ünïcode ✓", "db\uD800"], spiffe_id: "spiffe://example.org/web" },
      { audience: [], spiffe_id: "" },
    ]) {
      assert.deepEqual(decodeRequest("FetchJWTSVID", reference("FetchJWTSVID").requestSerialize(request)), request);
    }
    const validate = { audience: "db", svid: "x".repeat(70_000) };
    assert.deepEqual(decodeRequest("ValidateJWTSVID", reference("ValidateJWTSVID").requestSerialize(validate)), validate);
    assert.deepEqual(decodeRequest("FetchX509SVID", Buffer.alloc(0)), {});
  });

  it("skips fields it does not know, of every wire type", () => {
    const known = reference("FetchJWTSVID").requestSerialize({ audience: ["db"], spiffe_id: "" });
    const unknown = Buffer.from([
      ...[0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // field 9, varint of 10 bytes
      ...[0x55, 1, 2, 3, 4], // field 10, fixed32
      ...[0x59, 1, 2, 3, 4, 5, 6, 7, 8], // field 11, fixed64
      ...[0x62, 2, 0x61, 0x62], // field 12, bytes
    ]);
    assert.deepEqual(decodeRequest("FetchJWTSVID", Buffer.concat([unknown, known])), { audience: ["db"], spiffe_id: "" });
    assert.deepEqual(decodeRequest("FetchX509Bundles", unknown), {});
  });

  it("answers MALFORMED_REQUEST for bytes that are not a message", () => {
    for (const [label, bytes] of [
      ["a length past the end", [0x0a, 0x05, 0x61]],
      ["a truncated varint", [0x48, 0xff]],
      ["a varint of 11 bytes", [0x48, ...Array<number>(10).fill(0xff), 0x01]],
      ["field number 0", [0x02, 0x00]],
      ["a group", [0x0b, 0x0c]],
      ["wire type 7", [0x0f]],
      ["a truncated fixed64", [0x59, 1, 2]],
    ] as const) {
      for (const method of ["FetchJWTSVID", "FetchX509SVID"])
        assert.equal(decodeRequest(method, Buffer.from(bytes)), MALFORMED_REQUEST, `${method}: ${label}`);
    }
    assert.equal(decodeRequest("FetchJWTSVID", Buffer.from([0x08, 0x01])), MALFORMED_REQUEST, "a known string field sent as a varint");
  });
});
