import { startIssuer } from "../support/issuer-harness.js";
import { makeTempDir } from "../support/temp-dir.js";
import { runPlatformJoinSuite } from "./platform-join-suite.js";

runPlatformJoinSuite("embedded store and disk keys", async (env) => {
  const dir = await makeTempDir("platform-join-embedded");
  const h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path, ...env });
  return {
    ...h,
    close: async () => {
      await h.close();
      await dir.remove();
    },
  };
});
