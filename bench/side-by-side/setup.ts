// Builds what the side-by-side benchmark runs besides Tessera, once, into build/bench (ignored by
// git): spire-server and spire-agent, pinned as tool dependencies in bench/spire/go.mod (SPIRE
// v1.13.3 with exactly the dependencies its release builds with; cgo, for SQLite), and the Go bench
// client of bench/bench-client. Everything comes from the Go module proxy through the go command; a
// binary is rebuilt only when its module's files change. Run alone: npm run bench:setup
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureGoBuild } from "../../scripts/interop-setup.mjs";

const BENCH = fileURLToPath(new URL("..", import.meta.url));
const BIN_DIR = join(BENCH, "..", "build", "bench");
const SPIRE_MODULE = join(BENCH, "spire");

/** The binaries the benchmark runs. */
export interface BenchBinaries {
  spireServer: string;
  spireAgent: string;
  client: string;
}

/** Build SPIRE's server and agent and the bench client unless current; returns their paths. */
export function ensureBenchBinaries(): BenchBinaries {
  return {
    spireServer: ensureGoBuild("spire-server", SPIRE_MODULE, "github.com/spiffe/spire/cmd/spire-server", true, BIN_DIR),
    spireAgent: ensureGoBuild("spire-agent", SPIRE_MODULE, "github.com/spiffe/spire/cmd/spire-agent", true, BIN_DIR),
    client: ensureGoBuild("bench-client", join(BENCH, "bench-client"), ".", false, BIN_DIR),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const path of Object.values(ensureBenchBinaries())) console.log(path);
}
