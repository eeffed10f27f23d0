import type { Writable } from "node:stream";

/** Where a run of test files is watched, reported and printed. */
export interface RunTestFilesOptions {
  files: string[];
  /** Paths are printed relative to it. */
  root: string;
  /** A file process alive longer than this is reported and killed. */
  limitMs: number;
  /** The --report-directory the file processes write their diagnostic reports into. */
  reportDir: string;
  /** Where the spec report goes. */
  out: Writable;
  log?: (line: string) => void;
}

/** Run test files under the hang watchdog; a file that hung before its first result runs once more alone. */
export function runTestFiles(options: RunTestFilesOptions): Promise<{ passed: number; failed: number }>;

/** The lines printed from a Node.js diagnostic report: the main thread's stack and the active handles. */
export function summarizeReport(report: unknown, root: string): string[];
