import { makeTempDir } from "../support/temp-dir.js";
import { startIssuer } from "../support/issuer-harness.js";
import { runIssuerSuite } from "./issuer-suite.js";

runIssuerSuite("embedded store and disk keys", async () => {
  const dir = await makeTempDir("issuer-embedded");
  const h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path });
  return {
    ...h,
    close: async () => {
      await h.close();
      await dir.remove();
    },
  };
});
