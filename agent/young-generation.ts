// V8's young generation starts at 1 MiB per semi-space and, once as many bytes have survived
// scavenges as it holds, grows twofold, up to its cap (16 MiB on 64-bit). A burst of connections
// (every workload reconnecting to a restarted agent) allocates objects that live as long as their
// connection, so the young generation spent the burst far below its cap, and each extra scavenge
// copied the survivors once more. Growing it in larger steps reaches the cap sooner. The cap is
// unchanged (only start-up flags move it), and an idle agent's young generation is as small as before.
import { setFlagsFromString } from "node:v8";

/** How much larger V8 makes the young generation each time it grows it (V8's default is 2). */
export const YOUNG_GENERATION_GROWTH_FACTOR = 8;

/** Make V8 grow the young generation in larger steps from now on (process-wide; the daemon calls it once started). */
export function growYoungGenerationFaster(factor = YOUNG_GENERATION_GROWTH_FACTOR): void {
  setFlagsFromString(`--semi-space-growth-factor=${factor}`);
}
