// The figures of the side-by-side benchmark, their medians over rounds, and the printed table.
import { availableParallelism, loadavg } from "node:os";

/** One figure: its key in a round's results, how it is printed, and which way is better. */
export interface Figure {
  key: string;
  label: string;
  unit: "ms" | "µs" | "MiB" | "/s";
  higherIsBetter?: boolean;
}

/** Every figure of issue 12's table, in its order, with throughput and CPU at both concurrencies. */
export const FIGURES: readonly Figure[] = [
  { key: "x509_reused_p50_ms", label: "FetchX509SVID on a reused connection, p50", unit: "ms" },
  { key: "x509_fresh_p50_ms", label: "FetchX509SVID on a fresh connection, p50", unit: "ms" },
  { key: "x509_fresh_p99_ms", label: "FetchX509SVID on a fresh connection, p99", unit: "ms" },
  { key: "agent_cpu_per_fresh_us", label: "agent CPU per fresh-connection fetch", unit: "µs" },
  { key: "jwt_fetch_p50_ms", label: "FetchJWTSVID p50", unit: "ms" },
  { key: "jwt_validate_p50_ms", label: "ValidateJWTSVID p50", unit: "ms" },
  { key: "watchers_first_ms", label: "1,000 watchers, all first responses (fresh agent)", unit: "ms" },
  { key: "agent_rss_idle_mib", label: "agent RSS idle", unit: "MiB" },
  { key: "issue_c8_per_s", label: "issuance, concurrency 8 (SPIRE: MintX509SVID)", unit: "/s", higherIsBetter: true },
  { key: "issue_c32_per_s", label: "issuance, concurrency 32 (SPIRE: MintX509SVID)", unit: "/s", higherIsBetter: true },
  { key: "server_cpu_c8_us", label: "server CPU per SVID, concurrency 8", unit: "µs" },
  { key: "server_cpu_c32_us", label: "server CPU per SVID, concurrency 32", unit: "µs" },
  { key: "issuer_start_ms", label: "issuer start to first 200", unit: "ms" },
  { key: "agent_start_ms", label: "agent start to first FetchX509SVID", unit: "ms" },
];

/** A round's figures for one stack, by key. */
export type RoundFigures = Record<string, number>;

/** The median of values (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function format(value: number, unit: Figure["unit"]): string {
  const digits = unit === "ms" && value < 10 ? 2 : unit === "ms" && value < 100 ? 1 : 0;
  const number = value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === "/s" ? `${number}/s` : `${number} ${unit}`;
}

/** The machine line: cores and load averages (1, 5, 15 minutes). */
export function describeMachine(): string {
  return `${availableParallelism()} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`;
}

/** The Markdown table of medians, ratio Tessera / SPIRE. */
export function formatTable(rounds: { tessera: RoundFigures[]; spire: RoundFigures[] }): string {
  const lines = ["| figure | Tessera | SPIRE | ratio |", "| --- | --- | --- | --- |"];
  // A partial run (`--only agent`) measures some figures only; the others are left out.
  for (const figure of FIGURES.filter((f) => rounds.tessera.some((r) => r[f.key] !== undefined))) {
    const tessera = median(rounds.tessera.map((r) => r[figure.key]!));
    const spire = median(rounds.spire.map((r) => r[figure.key]!));
    const ratio = spire === 0 ? "n/a" : (tessera / spire).toFixed(2);
    const label = figure.higherIsBetter ? `${figure.label} (higher is better)` : figure.label;
    lines.push(`| ${label} | ${format(tessera, figure.unit)} | ${format(spire, figure.unit)} | ${ratio} |`);
  }
  return lines.join("\n");
}
