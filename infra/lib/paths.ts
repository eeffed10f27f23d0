import { fileURLToPath } from "node:url";

/** The repository root: function entry points and the lock file are found from here. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
