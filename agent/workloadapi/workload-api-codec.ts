// The Workload API's messages (workload.proto beside this module, and google.protobuf.Struct) in
// and out of the protobuf wire format, for the server: requests decode to the shapes proto-loader
// gave (every field present, defaults filled in), responses encode from the shapes in messages.ts.
// The clients in this repository keep reading workload.proto with proto-loader, so every message
// here is also checked against that reading by the tests.
import type {
  JwtBundlesResponseMessage,
  JwtSvidResponseMessage,
  StructMessage,
  ValidateJwtSvidResponseMessage,
  ValueMessage,
  X509BundlesResponseMessage,
  X509SvidResponseMessage,
} from "./messages.js";
import { LENGTH_DELIMITED, ProtoReader, ProtoWireError, ProtoWriter } from "./proto-wire.js";

/** What a request decoder answers for bytes that are not a valid message. */
export const MALFORMED_REQUEST: Readonly<Record<string, never>> = Object.freeze({});

/** An encoder of one message type, from the method whose response it is. */
export type MessageEncoder = (message: object) => Buffer;

/** Reads the string fields `names` (field number = index + 1; a name ending in [] repeats) and skips the rest. */
function decodeStrings(bytes: Buffer, names: readonly string[]): Record<string, string | string[]> {
  const message: Record<string, string | string[]> = {};
  for (const name of names) message[name.replace("[]", "")] = name.endsWith("[]") ? [] : "";
  const reader = new ProtoReader(bytes);
  for (let tag = reader.next(); tag; tag = reader.next()) {
    const name = names[tag.field - 1];
    if (name === undefined) {
      reader.skip(tag.wire);
      continue;
    }
    if (tag.wire !== LENGTH_DELIMITED) throw new ProtoWireError(`proto: field ${tag.field} has the wrong wire type`);
    const value = reader.string();
    if (name.endsWith("[]")) (message[name.replace("[]", "")] as string[]).push(value);
    else message[name] = value;
  }
  return message;
}

/** Each method's request: its string fields in field-number order (messages.ts names their shapes). */
const REQUEST_FIELDS: Record<string, readonly string[]> = {
  FetchX509SVID: [],
  FetchX509Bundles: [],
  FetchJWTBundles: [],
  FetchJWTSVID: ["audience[]", "spiffe_id"],
  ValidateJWTSVID: ["audience", "svid"],
  FetchWITSVID: ["spiffe_id"],
  FetchWITBundles: [],
};

/** The methods of the service, by name. */
export const WORKLOAD_API_METHODS: readonly string[] = Object.keys(REQUEST_FIELDS);

/** The request of `method` from its bytes, or `MALFORMED_REQUEST` when they are not a valid message. */
export function decodeRequest(method: string, bytes: Buffer): object {
  try {
    return decodeStrings(bytes, REQUEST_FIELDS[method] ?? []);
  } catch (err) {
    if (err instanceof ProtoWireError) return MALFORMED_REQUEST;
    throw err;
  }
}

/** A map<string, bytes> field: one entry message (key = 1, value = 2) per key. */
function writeMap(writer: ProtoWriter, field: number, map: Record<string, Uint8Array>): ProtoWriter {
  for (const [key, value] of Object.entries(map)) writer.bytes(field, new ProtoWriter().string(1, key).bytes(2, value).finish());
  return writer;
}

function encodeValue(value: ValueMessage): Buffer {
  const writer = new ProtoWriter();
  if ("nullValue" in value) writer.varint(1, 0);
  else if ("numberValue" in value) writer.double(2, value.numberValue);
  else if ("stringValue" in value) writer.string(3, value.stringValue);
  else if ("boolValue" in value) writer.varint(4, value.boolValue ? 1 : 0);
  else if ("structValue" in value) writer.bytes(5, encodeStruct(value.structValue));
  else writer.bytes(6, value.listValue.values.reduce((list, v) => list.bytes(1, encodeValue(v)), new ProtoWriter()).finish());
  return writer.finish();
}

/** `google.protobuf.Struct`: map<string, Value> fields = 1. */
function encodeStruct(struct: StructMessage): Buffer {
  const writer = new ProtoWriter();
  for (const [key, value] of Object.entries(struct.fields))
    writer.bytes(1, new ProtoWriter().string(1, key).bytes(2, encodeValue(value)).finish());
  return writer.finish();
}

function encodeX509SvidResponse(message: X509SvidResponseMessage): Buffer {
  const writer = new ProtoWriter();
  for (const svid of message.svids) {
    const entry = new ProtoWriter()
      .optional(1, svid.spiffe_id)
      .optional(2, svid.x509_svid)
      .optional(3, svid.x509_svid_key)
      .optional(4, svid.bundle)
      .optional(5, svid.hint);
    writer.bytes(1, entry.finish());
  }
  for (const crl of message.crl) writer.bytes(2, crl);
  return writeMap(writer, 3, message.federated_bundles).finish();
}

function encodeX509BundlesResponse(message: X509BundlesResponseMessage): Buffer {
  const writer = new ProtoWriter();
  for (const crl of message.crl) writer.bytes(1, crl);
  return writeMap(writer, 2, message.bundles).finish();
}

function encodeJwtSvidResponse(message: JwtSvidResponseMessage): Buffer {
  const writer = new ProtoWriter();
  for (const svid of message.svids)
    writer.bytes(1, new ProtoWriter().optional(1, svid.spiffe_id).optional(2, svid.svid).optional(3, svid.hint).finish());
  return writer.finish();
}

function encodeValidateJwtSvidResponse(message: ValidateJwtSvidResponseMessage): Buffer {
  return new ProtoWriter().optional(1, message.spiffe_id).bytes(2, encodeStruct(message.claims)).finish();
}

/** Response encoders by method name (the WIT-SVID methods answer only statuses). */
export const WORKLOAD_API_ENCODERS: Record<string, MessageEncoder> = {
  FetchX509SVID: (m) => encodeX509SvidResponse(m as X509SvidResponseMessage),
  FetchX509Bundles: (m) => encodeX509BundlesResponse(m as X509BundlesResponseMessage),
  FetchJWTBundles: (m) => writeMap(new ProtoWriter(), 1, (m as JwtBundlesResponseMessage).bundles).finish(),
  FetchJWTSVID: (m) => encodeJwtSvidResponse(m as JwtSvidResponseMessage),
  ValidateJWTSVID: (m) => encodeValidateJwtSvidResponse(m as ValidateJwtSvidResponseMessage),
};
