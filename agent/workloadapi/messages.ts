// The Workload API's messages as proto-loader presents them (field names as in workload.proto).

export interface X509SvidMessage {
  spiffe_id: string;
  x509_svid: Buffer;
  x509_svid_key: Buffer;
  bundle: Buffer;
  hint: string;
}

export interface X509SvidResponseMessage {
  svids: X509SvidMessage[];
  crl: Buffer[];
  federated_bundles: Record<string, Buffer>;
}

export interface X509BundlesResponseMessage {
  crl: Buffer[];
  bundles: Record<string, Buffer>;
}

export interface JwtSvidRequestMessage {
  audience: string[];
  spiffe_id: string;
}

export interface JwtSvidMessage {
  spiffe_id: string;
  svid: string;
  hint: string;
}

export interface JwtSvidResponseMessage {
  svids: JwtSvidMessage[];
}

export interface JwtBundlesResponseMessage {
  bundles: Record<string, Buffer>;
}

export interface ValidateJwtSvidRequestMessage {
  audience: string;
  svid: string;
}

/** `google.protobuf.Value`: exactly one kind is set. */
export type ValueMessage =
  | { nullValue: "NULL_VALUE" }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: StructMessage }
  | { listValue: { values: ValueMessage[] } };

/** `google.protobuf.Struct`. */
export interface StructMessage {
  fields: Record<string, ValueMessage>;
}

export interface ValidateJwtSvidResponseMessage {
  spiffe_id: string;
  claims: StructMessage;
}
