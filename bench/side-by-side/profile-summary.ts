// Reads the profiles that `npm run bench -- --profile DIR` recorded and sums them up per window and
// stack: the share of CPU samples by category (cpu-categories.ts), the top functions by self time,
// and the CPU per SVID or per connection split by category. Go profiles are read through
// `go tool pprof -traces`; Node.js .cpuprofile files directly, their bundle frames traced back to
// the module they came from through the module comments esbuild writes into its (unminified) output.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CPU_CATEGORIES, categorizeSample, type CpuCategory } from "./cpu-categories.js";

const execFileAsync = promisify(execFile);
const TOP_FUNCTIONS = 15;

/** Samples with the same stack, leaf first, and their weight (a count, or nanoseconds). */
export interface StackSamples {
  frames: string[];
  weight: number;
}

/** The stacks of a Go profile, from `go tool pprof -traces`, weighted by CPU nanoseconds. */
export async function readPprofStacks(file: string): Promise<StackSamples[]> {
  const { stdout } = await execFileAsync("go", ["tool", "pprof", "-traces", file], { maxBuffer: 256 * 1024 * 1024 });
  return parsePprofTraces(stdout);
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };

/** Parse the text of `go tool pprof -traces` (blocks between dashed lines: `<value> <leaf>`, then callers). */
export function parsePprofTraces(text: string): StackSamples[] {
  const stacks: StackSamples[] = [];
  for (const block of text.split(/^-+\+-+$/m).slice(1)) {
    const lines = block.split("\n").filter((line) => line.trim() !== "");
    const head = /^\s*([\d.]+)(ns|us|µs|ms|s)\s+(\S+)/.exec(lines[0] ?? "");
    if (!head) continue;
    // Each line is one frame (`(inline)` after an inlined one); generic instances may hold spaces.
    const frames = [head[3]!, ...lines.slice(1).map((line) => line.trim().split(/\s+/)[0]!)];
    stacks.push({ frames, weight: Number(head[1]) * DURATION_UNITS[head[2]!]! });
  }
  return stacks;
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Where each module of a bundle file starts: esbuild's `// path/to/module.ts` comments, by line. */
async function bundleModules(url: string, cache: Map<string, { line: number; module: string }[]>) {
  let modules = cache.get(url);
  if (!modules) {
    modules = [];
    const lines = (await readFile(fileURLToPath(url), "utf8")).split("\n");
    lines.forEach((line, i) => {
      const marker = /^\/\/ (\S+\.(?:[cm]?[jt]s|json))$/.exec(line);
      if (marker) modules!.push({ line: i, module: marker[1]! });
    });
    cache.set(url, modules);
  }
  return modules;
}

/** The source a frame came from: a bundle's module, a file below node_modules, or node's URL. */
async function sourceOf(url: string, lineNumber: number, cache: Map<string, { line: number; module: string }[]>): Promise<string> {
  if (!url.startsWith("file://")) return url;
  const inNodeModules = url.lastIndexOf("/node_modules/");
  if (inNodeModules >= 0) return url.slice(inNodeModules + 1);
  const modules = await bundleModules(url, cache);
  return modules.findLast((m) => m.line <= lineNumber)?.module ?? url;
}

/** The stacks of a Node.js .cpuprofile, weighted by sample count; frames are `<function> <source>`. */
export async function readCpuProfileStacks(file: string): Promise<StackSamples[]> {
  const profile = JSON.parse(await readFile(file, "utf8")) as { nodes: CpuProfileNode[]; samples: number[] };
  const cache = new Map<string, { line: number; module: string }[]>();
  const parent = new Map<number, number>();
  const frame = new Map<number, string>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
    const { functionName, url, lineNumber } = node.callFrame;
    frame.set(node.id, `${functionName || "(anonymous)"} ${await sourceOf(url, lineNumber, cache)}`);
  }
  const counts = new Map<number, number>();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts].map(([id, weight]) => {
    const frames: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) frames.push(frame.get(at)!);
    return { frames: frames.filter((f) => f !== "(root) "), weight };
  });
}

/** A leaf frame's name; native code called from JS (no source) is named with its nearest caller that has one. */
function selfName(frames: readonly string[]): string {
  const leaf = frames[0] ?? "(root) ";
  if (!leaf.endsWith(" ") || leaf.startsWith("(")) return leaf.trim();
  const caller = frames.find((f) => !f.endsWith(" "));
  return caller === undefined ? `${leaf.trim()} (native)` : `${leaf.trim()} (native, from ${caller})`;
}

/** The categories' shares and the top functions by self time of a window's stacks. */
export interface ProfileBreakdown {
  /** Share of the busy (non-idle) samples by category; idle's share is of all samples. */
  shares: Record<CpuCategory, number>;
  top: { frame: string; share: number }[];
  samples: number;
}

/** Sum up stacks into category shares and the top functions by self time. */
export function breakDown(stacks: readonly StackSamples[]): ProfileBreakdown {
  const byCategory = Object.fromEntries(CPU_CATEGORIES.map((c) => [c, 0])) as Record<CpuCategory, number>;
  const self = new Map<string, number>();
  let total = 0;
  for (const { frames, weight } of stacks) {
    const category = frames.length === 0 ? "runtime" : categorizeSample(frames);
    byCategory[category] += weight;
    total += weight;
    if (category !== "idle") {
      const name = selfName(frames);
      self.set(name, (self.get(name) ?? 0) + weight);
    }
  }
  const busy = total - byCategory.idle;
  const shares = Object.fromEntries(
    CPU_CATEGORIES.map((c) => [c, c === "idle" ? byCategory.idle / (total || 1) : byCategory[c] / (busy || 1)]),
  ) as Record<CpuCategory, number>;
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_FUNCTIONS)
    .map(([frame, weight]) => ({ frame, share: weight / (busy || 1) }));
  return { shares, top, samples: stacks.reduce((sum, s) => sum + s.weight, 0) };
}
