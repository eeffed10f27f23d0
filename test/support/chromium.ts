import { existsSync } from "node:fs";

/** Debian's Chromium (or `TESSERA_CHROMIUM`), for playwright-core, which downloads no browser; undefined when none is installed. */
export function findChromium(): string | undefined {
  return [process.env.TESSERA_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"].find(
    (p): p is string => typeof p === "string" && p !== "" && existsSync(p),
  );
}
