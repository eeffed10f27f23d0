// Loaded into Tessera's issuer and agent by `npm run bench -- --profile DIR` (`node --import` this
// file, before bin/tessera.mjs), never otherwise. SIGUSR2 starts a CPU profile with node's inspector
// in this process; the next SIGUSR2 stops it and writes it, as a .cpuprofile that Chrome DevTools
// opens, to $TESSERA_BENCH_PROFILE_SPOOL/<pid>-<n>.cpuprofile (through a temporary name, so the
// bench never reads half a file). So a profile covers exactly the window between the two signals.
import { writeFileSync, renameSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const spool = process.env.TESSERA_BENCH_PROFILE_SPOOL;
if (spool) {
  const session = new Session();
  session.connect();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  await post("Profiler.enable");
  // 1 ms, as `node --cpu-prof` samples.
  await post("Profiler.setSamplingInterval", { interval: 1000 });
  let running = false;
  let count = 0;
  process.on("SIGUSR2", () => {
    running = !running;
    if (running) {
      post("Profiler.start").catch((err) => console.error(`bench profile: ${err.message}`));
      return;
    }
    const file = join(spool, `${process.pid}-${++count}.cpuprofile`);
    post("Profiler.stop")
      .then(({ profile }) => {
        writeFileSync(`${file}.tmp`, JSON.stringify(profile));
        renameSync(`${file}.tmp`, file);
      })
      .catch((err) => console.error(`bench profile: ${err.message}`));
  });
}
