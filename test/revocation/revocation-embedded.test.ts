import { startIssuer } from "../support/issuer-harness.js";
import { makeTempDir } from "../support/temp-dir.js";
import { runRevocationSuite } from "./revocation-suite.js";

runRevocationSuite("embedded store and disk keys", async () => {
  const dir = await makeTempDir("revocation-embedded");
  const h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path });
  return {
    ...h,
    close: async () => {
      await h.close();
      await dir.remove();
    },
  };
});
