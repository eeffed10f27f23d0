// One line of /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat (proc(5)), read by the test runner's
// hang watchdog and by the bench's CPU readings. The command name in parentheses may hold spaces and
// parentheses, so the fields are counted after the last ')'.
import { readFileSync } from "node:fs";

/** /proc's clock ticks a second (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Read the stat file at `path`; throws when it cannot be read (the process or thread has ended). */
export function readProcStat(path) {
  const text = readFileSync(path, "utf8");
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return {
    state: fields[0],
    ppid: Number(fields[1]),
    cpuMicros: ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / TICKS_PER_SECOND,
  };
}
