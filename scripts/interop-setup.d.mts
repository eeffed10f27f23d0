/** Build the Go package `pkg` of the module in `source` to `into`/`name` (default build/interop) unless it is current; returns the binary's path. */
export function ensureGoBuild(name: string, source: string, pkg: string, cgo: boolean, into?: string): string;
