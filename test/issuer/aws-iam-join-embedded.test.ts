import { startIssuer } from "../support/issuer-harness.js";
import { makeTempDir } from "../support/temp-dir.js";
import { runAwsIamJoinSuite } from "./aws-iam-join-suite.js";

runAwsIamJoinSuite("embedded store and disk keys", async (env) => {
  const dir = await makeTempDir("aws-iam-join-embedded");
  const h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path, ...env });
  return {
    ...h,
    close: async () => {
      await h.close();
      await dir.remove();
    },
  };
});
