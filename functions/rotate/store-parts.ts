import { BOOTSTRAP_DEPLOYMENT_STORE } from "#tessera/aws";
import { EMERGENCY_CA_ROTATION_STORE, EMERGENCY_ROTATION_STORE, ROTATION_TICK_STORE, storeParts } from "#tessera/issuer";

/**
 * The store parts of the rotate function (the tick, an emergency asked through its input) and of
 * the deployment's bootstrap (`bootstrapDeployment`): its IAM actions come from them.
 */
export const ROTATE_FUNCTION_STORE = storeParts(
  ROTATION_TICK_STORE,
  EMERGENCY_ROTATION_STORE,
  EMERGENCY_CA_ROTATION_STORE,
  BOOTSTRAP_DEPLOYMENT_STORE,
);
