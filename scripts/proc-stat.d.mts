/** What Tessera's tools read from one /proc stat line. */
export interface ProcStat {
  /** R running, S sleeping, D waiting on the disk, Z zombie, ... */
  state: string;
  ppid: number;
  /** User plus system CPU time, µs (at /proc's 10 ms resolution). */
  cpuMicros: number;
}

/** Read /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat; throws when the process or thread has ended. */
export function readProcStat(path: string): ProcStat;
