import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { categorizeSample, type CpuCategory } from "./cpu-categories.js";
import { breakDown, parsePprofTraces } from "./profile-summary.js";

// Stacks leaf first, as the two profilers give them: Go function names; Node.js `<function> <source>`.
const CASES: [string, string[], CpuCategory][] = [
  ["Go assembly inside ECDSA", ["p256MulInternal", "crypto/internal/fips140/nistec.p256PointAddAsm", "crypto/ecdsa.SignASN1"], "crypto"],
  ["Go allocation for a hash", ["runtime.nextFreeFast", "runtime.mallocgc", "runtime.newobject", "crypto/sha512.New"], "crypto"],
  ["Go GC worker", ["internal/runtime/gc/scan.scanSpanPackedAVX512", "runtime.scanSpan", "runtime.gcDrain"], "gc"],
  [
    "Go socket write under gRPC",
    ["internal/runtime/syscall/linux.Syscall6", "syscall.write", "internal/poll.(*FD).Write", "net.(*netFD).Write"],
    "transport",
  ],
  ["Go protobuf", ["runtime.memmove", "google.golang.org/protobuf/internal/impl.(*MessageInfo).marshal"], "encoding"],
  ["Go X.509 building", ["crypto/x509.buildCertExtensions", "crypto/x509.CreateCertificate"], "encoding"],
  ["Go SQLite through cgo", ["runtime.cgocall", "github.com/mattn/go-sqlite3._Cfunc_sqlite3_step"], "store"],
  ["Go logging", ["fmt.(*pp).doPrintf", "github.com/sirupsen/logrus.(*TextFormatter).Format"], "logging"],
  ["Go scheduler", ["runtime.futex", "runtime.futexsleep", "runtime.notesleep", "runtime.findRunnable", "runtime.schedule"], "runtime"],
  ["Go stack of helpers only", ["runtime.memmove", "runtime.systemstack"], "runtime"],
  ["SPIRE's own code", ["runtime.mapaccess2", "github.com/spiffe/spire/pkg/server/api/svid/v1.(*Service).MintX509SVID"], "application"],
  [
    "Node.js sync sign job",
    ["run ", "sign node:internal/crypto/sig", "signX509Svid layers/spiffe/src/x509svid/sign-x509-svid.ts"],
    "crypto",
  ],
  ["Node.js SQLite statement", ["run ", "append layers/spiffe/src/store/embedded/audit-table.ts"], "store"],
  ["Node.js DER writer", ["encodeElement layers/spiffe/src/internal/der/der-writer.ts"], "encoding"],
  ["Node.js HTTP/2", ["writeBuffer ", "writeGeneric node:internal/stream_base_commons", "respond node:internal/http2/core"], "transport"],
  [
    "Node.js buffer in the issuer",
    ["from node:buffer", "issueX509SvidForCaller layers/spiffe/src/issuer/issue-x509-svid.ts"],
    "application",
  ],
  ["V8 idle", ["(idle) "], "idle"],
  ["V8 collector", ["(garbage collector) "], "gc"],
  ["V8 program", ["(program) "], "runtime"],
];

describe("categorizeSample", () => {
  for (const [name, frames, category] of CASES) {
    it(`${name}: ${category}`, () => assert.equal(categorizeSample(frames), category));
  }
});

describe("parsePprofTraces and breakDown", () => {
  // A profile's `go tool pprof -traces` text, made by hand in its shape: a header, then dashed blocks.
  const TRACES = [
    "File: fixture",
    "Type: cpu",
    "-----------+-------------------------------------------------------",
    "      30ms   p256MulInternal",
    "             crypto/ecdsa.SignASN1",
    "-----------+-------------------------------------------------------",
    "      10ms   runtime.memmove",
    "             encoding/asn1.Marshal (inline)",
    "             crypto/x509.CreateCertificate",
    "-----------+-------------------------------------------------------",
    "",
  ].join("\n");

  it("reads each block's weight and frames, leaf first, without `(inline)`", () => {
    assert.deepEqual(parsePprofTraces(TRACES), [
      { frames: ["p256MulInternal", "crypto/ecdsa.SignASN1"], weight: 30e6 },
      { frames: ["runtime.memmove", "encoding/asn1.Marshal", "crypto/x509.CreateCertificate"], weight: 10e6 },
    ]);
  });

  it("shares the busy samples by category and ranks functions by self time", () => {
    const breakdown = breakDown([...parsePprofTraces(TRACES), { frames: ["(idle) "], weight: 40e6 }]);
    assert.equal(breakdown.shares.crypto, 0.75);
    assert.equal(breakdown.shares.encoding, 0.25);
    assert.equal(breakdown.shares.idle, 0.5);
    assert.deepEqual(
      breakdown.top.map((t) => t.frame),
      ["p256MulInternal", "runtime.memmove"],
    );
  });
});
