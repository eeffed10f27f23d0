import { makeTempDir } from "../support/temp-dir.js";
import { startIssuer } from "../support/issuer-harness.js";
import { runIssuanceCountSuite } from "./admin-issuance-counts-suite.js";

runIssuanceCountSuite("embedded store", async () => {
  const dir = await makeTempDir("admin-issuance-counts");
  const h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path });
  return {
    ...h,
    close: async () => {
      await h.close();
      await dir.remove();
    },
  };
});
