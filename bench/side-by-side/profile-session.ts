// `npm run bench -- --profile DIR`: which windows of a round are profiled, the profiles recorded in
// them, and DIR/summary.md. A window is one run of the bench client against one process of a stack:
// `issue-c8` the issuer under the issuance load at concurrency 8, `watchers` the agent while 1,000
// watchers get their first responses, `fresh` the agent over fetches on fresh connections.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CPU_CATEGORIES } from "./cpu-categories.js";
import { recordWindow, type ProfileRecorder, type RecordedWindow } from "./cpu-profiles.js";
import { breakDown, readCpuProfileStacks, readPprofStacks, type StackSamples } from "./profile-summary.js";
import { median } from "./report.js";

/** The profiled windows, in the summary's order: what runs in each, and the unit CPU is split by. */
export const PROFILE_WINDOWS = {
  "issue-c8": { title: "issuance at concurrency 8 (the issuer)", unit: "SVID" },
  watchers: { title: "1,000 watchers to their first responses (a freshly started agent)", unit: "watcher" },
  fresh: { title: "FetchX509SVID on fresh connections (the agent)", unit: "connection" },
} as const;
export type ProfileWindow = keyof typeof PROFILE_WINDOWS;

interface Recording extends RecordedWindow<unknown> {
  /** CPU per unit over the window as the figure the bench reports, µs. */
  microsPerUnit: number;
}

/** The profiles of one run, by window and stack. */
export class ProfileSession {
  private readonly recordings = new Map<string, Recording[]>();

  constructor(readonly dir: string) {}

  /**
   * Run body while recorder records; file name `r<round>-<stack>-<window>`. perUnit turns body's
   * result and the window's /proc CPU into CPU µs per unit of the window.
   */
  async record<T>(
    round: number,
    stack: string,
    window: ProfileWindow,
    recorder: ProfileRecorder,
    body: () => Promise<T>,
    perUnit: (result: T, cpuMicros: number) => number,
  ): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `r${round}-${stack.toLowerCase()}-${window}`);
    const recorded = await recordWindow(recorder, file, body);
    const key = `${window}\t${stack}`;
    this.recordings.set(key, [
      ...(this.recordings.get(key) ?? []),
      { ...recorded, microsPerUnit: perUnit(recorded.result, recorded.cpuMicros) },
    ]);
    return recorded.result;
  }

  /** Read every profile, write DIR/summary.md and return its text. */
  async summarize(): Promise<string> {
    const out = ["# CPU profiles, Tessera and SPIRE v1.13.3", ""];
    for (const [window, { title, unit }] of Object.entries(PROFILE_WINDOWS)) {
      const stacks = ["Tessera", "SPIRE"].flatMap((name) => {
        const recordings = this.recordings.get(`${window}\t${name}`);
        return recordings ? [{ name, recordings }] : [];
      });
      if (stacks.length === 0) continue;
      const read = await Promise.all(stacks.map(async (s) => ({ ...s, ...(await describeStack(s.recordings)) })));
      out.push(`## ${title}`, "");
      for (const s of read) out.push(`- ${s.name}: ${s.line}`);
      out.push("", `| category | ${read.map((s) => `${s.name} share | ${s.name} µs/${unit}`).join(" | ")} |`);
      out.push(`| --- |${read.map(() => " ---: | ---: |").join("")}`);
      for (const category of CPU_CATEGORIES.filter((c) => c !== "idle")) {
        const cells = read.map(
          (s) => `${pct(s.breakdown.shares[category])} | ${us(s.perUnit * s.mainShare * s.breakdown.shares[category])}`,
        );
        out.push(`| ${category} | ${cells.join(" | ")} |`);
      }
      out.push(`| other threads (not in a Node.js profile) | ${read.map((s) => `| ${us(s.perUnit * (1 - s.mainShare))}`).join(" | ")} |`);
      const threadNames = [...new Set(read.flatMap((s) => Object.keys(s.threadShares)))].sort();
      for (const name of threadNames) {
        out.push(
          `| … thread \`${name}\` | ${read.map((s) => `| ${s.threadShares[name] ? us(s.perUnit * s.threadShares[name]) : ""}`).join(" | ")} |`,
        );
      }
      out.push(`| total | ${read.map((s) => `| ${us(s.perUnit)}`).join(" | ")} |`, "");
      for (const s of read) {
        out.push(`Top ${s.breakdown.top.length} functions by self time, ${s.name} (share of busy samples):`, "");
        for (const { frame, share } of s.breakdown.top) out.push(`- ${pct(share)} \`${frame}\``);
        out.push("");
      }
    }
    const text = out.join("\n");
    await writeFile(join(this.dir, "summary.md"), text);
    const windows = Object.fromEntries(
      [...this.recordings].map(([key, r]) => [key.replace("\t", " "), r.map(({ result: _, ...rest }) => rest)]),
    );
    await writeFile(join(this.dir, "windows.json"), `${JSON.stringify(windows, null, 2)}\n`);
    return text;
  }
}

async function describeStack(recordings: Recording[]) {
  const stacks: StackSamples[] = [];
  for (const r of recordings) stacks.push(...(await (r.format === "pprof" ? readPprofStacks(r.file) : readCpuProfileStacks(r.file))));
  const breakdown = breakDown(stacks);
  const cpu = recordings.reduce((sum, r) => sum + r.cpuMicros, 0);
  const seconds = recordings.reduce((sum, r) => sum + r.seconds, 0);
  const isNode = recordings[0]!.format === "cpuprofile";
  // A Node.js profile sees the main thread only; the process's other threads (V8's helpers, libuv's
  // pool) are shown apart. Go's profile samples every thread.
  const mainShare = isNode ? recordings.reduce((sum, r) => sum + r.mainThreadCpuMicros, 0) / (cpu || 1) : 1;
  const perUnit = median(recordings.map((r) => r.microsPerUnit));
  // Go's profile covers every thread, so only a Node.js process's other threads are listed.
  const threadShares: Record<string, number> = {};
  if (isNode) {
    for (const r of recordings) {
      for (const [name, micros] of Object.entries(r.otherThreadsCpuMicros))
        threadShares[name] = (threadShares[name] ?? 0) + micros / (cpu || 1);
    }
  }
  const samples = isNode
    ? `${breakdown.samples} samples of 1 ms, ${pct(breakdown.shares.idle)} idle`
    : `${(breakdown.samples / 1e9).toFixed(2)} CPU-s sampled at 100/s`;
  const files = recordings.map((r) => r.file.slice(r.file.lastIndexOf("/") + 1)).join(", ");
  const line =
    `${files}: ${seconds.toFixed(1)} s profiled, ${(cpu / 1e6).toFixed(2)} CPU-s in it from /proc` +
    `${isNode ? ` (main thread ${pct(mainShare)})` : ""}, ${samples}`;
  return { breakdown, mainShare, perUnit, threadShares, line };
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function us(micros: number): string {
  return micros.toLocaleString("en-US", { maximumFractionDigits: 0 });
}
