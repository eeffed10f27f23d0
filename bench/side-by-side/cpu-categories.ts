// The categories `npm run bench -- --profile` sorts CPU samples into, for both stacks' profiles.
// A sample is read from its leaf frame towards the root: the first frame that a rule of CATEGORY_RULES
// matches decides, except that a `pass` rule (memory copies, allocation, maps, syscalls, buffers,
// native code called from JS: work done for whoever called it) sends the decision on to the caller.
// A frame no rule matches is the stack's own code ("application"); a stack with only `pass` frames
// is runtime (Go's scheduler, netpoller and the profiler's own signal handler run on stacks of
// runtime frames alone). A frame is matched as text: a Go function's full name
// (`crypto/ecdsa.SignASN1`), or for Node.js `<function> <source>`, where source is the module file
// the function came from (its path in the project or node_modules, read from the bundle's module
// comments) or node's own URL (`node:internal/crypto/sig`), empty for native code and for V8's
// `(idle)`, `(program)` and `(garbage collector)`.

/** What a CPU sample was spent on. */
export type CpuCategory = "crypto" | "transport" | "encoding" | "store" | "logging" | "gc" | "runtime" | "idle" | "application";

/** Every category, in the order the summary prints them. */
export const CPU_CATEGORIES: readonly CpuCategory[] = [
  "crypto",
  "transport",
  "encoding",
  "store",
  "logging",
  "gc",
  "runtime",
  "application",
  "idle",
];

/** One rule: frames matching `frame` belong to `category` (`pass`: ask the caller). First match wins. */
export interface CategoryRule {
  category: CpuCategory | "pass";
  frame: RegExp;
  /** What the rule is for. */
  why: string;
}

/** The rules, in the order they are tried on each frame. */
export const CATEGORY_RULES: readonly CategoryRule[] = [
  { category: "idle", frame: /^\(idle\) /, why: "V8: the main thread waiting for events" },
  { category: "gc", frame: /^\(garbage collector\) /, why: "V8's collector on the main thread" },
  {
    category: "gc",
    frame:
      /^runtime\.(gc[A-Z]\w*|markroot\w*|scan[oO]bject|scanSpan|scanblock|scanstack|scanframeworker|greyobject|tryDeferToSpanScan|bgsweep|sweepone|bgscavenge|bulkBarrier\w*|wbBufFlush\w*|(\(\*gcWork\)|\(\*mspan\)\.sweep|\(\*sweepLocked\)|\(\*gcControllerState\))\S*)|^internal\/runtime\/gc\//,
    why: "Go's collector: marking, sweeping, scavenging, assists and write barriers",
  },
  {
    category: "crypto",
    frame:
      /^crypto\/(internal\/(fips140\/)?)?(ecdsa|elliptic|ecdh|nistec|bigmod|sha256|sha512|sha3|sha1|hmac|rand|drbg|sysrand|entropy|randutil|hkdf|rsa|ed25519|edwards25519)\b|^crypto\/x509\.(parsePublicKey|ParsePKIXPublicKey|ParsePKCS8PrivateKey|ParseECPrivateKey|\(\*Certificate\)\.(CheckSignature\w*|Verify)|checkSignature|signingParamsForKey)/,
    why: "Go: ECDSA/RSA sign and verify, curve arithmetic, key import, hashes, randomness",
  },
  {
    category: "crypto",
    frame: / (node:internal\/crypto\/\S*|node:crypto|node_modules\/jose\/\S*|layers\/spiffe\/src\/internal\/crypto\/\S*)$/,
    why: "Node.js: node:crypto (signing, hashing, key objects, random), jose",
  },
  {
    category: "encoding",
    frame:
      /^(encoding\/|crypto\/x509|crypto\/x509\/pkix|(vendor\/)?golang\.org\/x\/crypto\/cryptobyte|google\.golang\.org\/protobuf\/|github\.com\/golang\/protobuf\/|google\.golang\.org\/grpc\/encoding\/|github\.com\/go-jose\/)/,
    why: "Go: ASN.1/DER, X.509 and PEM building and parsing, protobuf, JSON, base64",
  },
  {
    category: "encoding",
    frame:
      / (node_modules\/protobufjs\/\S*|layers\/spiffe\/src\/internal\/der\/\S*|layers\/spiffe\/src\/x509svid\/(build-certificate|certificate-extensions|certificate|parse-csr|pem|serial-number|subject-name|create-csr|dns-name)\.ts|agent\/workloadapi\/(proto-wire|messages|claims-struct)\.ts|layers\/spiffe\/src\/http\/json-body\.ts)$/,
    why: "Node.js: Tessera's DER encoder and parser, X.509/PEM, protobuf wire format, JSON bodies",
  },
  {
    category: "store",
    frame:
      /^(github\.com\/mattn\/go-sqlite3|database\/sql|gorm\.io\/|github\.com\/jinzhu\/gorm|github\.com\/spiffe\/spire\/pkg\/server\/datastore)|^_cgo_| (node_modules\/better-sqlite3\/\S*|layers\/spiffe\/src\/store\/\S*)$/,
    why: "SQLite and the code around it (SPIRE's sql datastore; Tessera's embedded store and its WAL sync)",
  },
  {
    category: "logging",
    frame:
      /^(github\.com\/sirupsen\/logrus|github\.com\/hashicorp\/go-hclog|github\.com\/spiffe\/spire\/pkg\/common\/log)| (layers\/spiffe\/src\/logger\.ts|agent\/logger\.ts|node_modules\/@aws-lambda-powertools\/logger\/\S*|node:internal\/console\/\S*|cli\/dev\/dev-logger\.ts)$/,
    why: "log formatting and writing",
  },
  {
    category: "transport",
    frame:
      /^(net[./]|crypto\/tls|crypto\/aes|crypto\/cipher|crypto\/internal\/fips140\/aes|(vendor\/)?golang\.org\/x\/net\/|google\.golang\.org\/grpc)/,
    why: "Go: sockets, HTTP/1.1 and HTTP/2, gRPC, TLS records",
  },
  {
    category: "transport",
    frame:
      / (node:(net|http|https|http2|tls|_http_\w+|_tls_\w+|stream|internal\/(http\w*|http2\/\S*|stream_base_commons|streams\/\S*|net|tls\/\S*|js_stream_socket|dns\/\S*))|node_modules\/@grpc\/\S*|agent\/workloadapi\/(grpc-server|http2-bridge|hpack-authority|connection-opening|authority-rewriter|grpc-status|call-context)\.ts|layers\/spiffe\/src\/http\/\S*|cli\/dev\/local-front\.ts)$/,
    why: "Node.js: sockets, HTTP/1.1 and HTTP/2, grpc-js and Tessera's HTTP/2 bridge, the HTTP handler chain",
  },
  { category: "pass", frame: /^\w+$/, why: "Go: assembly without a package name (p256MulInternal): its caller's" },
  {
    category: "pass",
    frame:
      /^runtime\.(mem\w+|duff\w+|malloc\w*|newobject|makeslice\w*|growslice|nextFree\w*|heapSetType\w*|publicationBarrier|(\(\*mcache\)|\(\*mcentral\)|\(\*mheap\))\S*|map\w*|concatstring\w*|slicebyte\w*|stringtoslice\w*|rawstring\w*|rawbyteslice|convT\w*|assert\w*|typeAssert|efaceeq|ifaceeq|\w*hash\w*|cgocall|asmcgocall|entersyscall\w*|exitsyscall\w*|procyield|lock\w*|unlock\w*|futex\w*|deferreturn|systemstack|mcall|morestack\w*|newstack|copystack|_ExternalCode|_System)$|^(syscall|internal\/runtime|internal\/poll|internal\/sync|internal\/bytealg|internal\/chacha8rand|os|sync|bytes|strings|strconv|sort|slices|maps|unicode|reflect|context|time|io|bufio|fmt|errors|math)[./]/,
    why: "Go: copies, allocation, maps, locks, syscalls and the standard library's general helpers",
  },
  {
    category: "pass",
    frame:
      / (|node:buffer|node:events|node:fs|node:internal\/(buffer|events\/\S*|util|util\/\S*|validators|errors|fs\/\S*|process\/task_queues|async_hooks|timers|url|webstreams\/\S*|encoding|worker\/js_transferable)|node:timers|node:util|node:url|node:string_decoder)$/,
    why: "Node.js: native code called from JS, buffers, events, timers, fs and util",
  },
  {
    category: "pass",
    frame: /^(runtime|internal\/runtime|internal\/abi)[./]/,
    why: "Go: the rest of the runtime (scheduler wake-ups, stack growth, preemption) counts for the code it runs for",
  },
  { category: "runtime", frame: /^\((program|root)\) /, why: "V8's (program): the engine and node outside JavaScript" },
];

/** The category of one sample, its frames given leaf first. */
export function categorizeSample(framesLeafFirst: readonly string[]): CpuCategory {
  for (const frame of framesLeafFirst) {
    const rule = CATEGORY_RULES.find((r) => r.frame.test(frame));
    if (rule === undefined) return "application";
    if (rule.category !== "pass") return rule.category;
  }
  return "runtime";
}
