/** The pinned moto version the tests use. */
export const MOTO_VERSION: string;
/** Create .venv and install the pinned moto[server] when it is missing or another version. */
export function ensureMoto(): void;
/** Start moto on a free 127.0.0.1 port. */
export function startEmulator(): Promise<{ endpoint: string; stop(): Promise<void> }>;
